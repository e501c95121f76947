import AppConfig
import Binance
import Dispatch
import Foundation
import Lighter
import Logging
import MarketCore
import Synchronization
import Trading

/// A value behind a lock, shareable with escaping closures.
final class LockedBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result { mutex.withLock { body(&$0) } }
}

/// One `run` after the venues are built: the stream, start-up, the event-driven loop and the
/// shutdown.
///
/// The loop sleeps until there is work (``WakeSignal``): a book message from the stream, events
/// queued by a venue (its `eventsAvailable`), a stop request, or the earliest timer (engine
/// lockouts and cooldowns, the status line, the parameter-file check, `--duration`), never longer
/// than ``maximumWaitNanoseconds``.
final class RunSession {
    /// The longest the loop sleeps without a signal (a safety net).
    static let maximumWaitNanoseconds: Int64 = 250_000_000

    let values: ConfigValues
    let clock: LiveClock
    let rest: LighterRESTClient
    let sender: TransactionSender
    let runners: [MarketRunner]
    let accountIndex: Int64
    let streamConfiguration: LighterStreamClient.Configuration
    let allSpecs: [MarketSpec]
    let output: RunOutput
    let logger: Logger
    let statusNanoseconds: Int64
    let deadline: Timestamp?
    let accountActions: LighterAccountActions
    let apiKeyIndex: UInt8
    let publicKeyHex: String

    private let wake = WakeSignal()
    private let books = LockedBox<[LighterBookEvent]>([])
    private let stopRequested = LockedBox(false)
    private var tasks: [Task<Void, Never>] = []
    private var pendingBooks: [LighterBookEvent] = []

    init(
        values: ConfigValues, clock: LiveClock, rest: LighterRESTClient, sender: TransactionSender, runners: [MarketRunner],
        accountIndex: Int64, streamConfiguration: LighterStreamClient.Configuration, allSpecs: [MarketSpec],
        output: RunOutput, logger: Logger, statusSeconds: Double, deadline: Timestamp?,
        accountActions: LighterAccountActions, apiKeyIndex: UInt8, publicKeyHex: String
    ) {
        self.accountActions = accountActions
        self.apiKeyIndex = apiKeyIndex
        self.publicKeyHex = publicKeyHex
        self.values = values
        self.clock = clock
        self.rest = rest
        self.sender = sender
        self.runners = runners
        self.accountIndex = accountIndex
        self.streamConfiguration = streamConfiguration
        self.allSpecs = allSpecs
        self.output = output
        self.logger = logger
        self.statusNanoseconds = Int64(statusSeconds * 1e9)
        self.deadline = deadline
    }

    /// Runs until Ctrl-C, SIGTERM or the deadline; returns the number of our orders REST still
    /// reports open at exit.
    func run() async throws -> Int {
        guard let firstVenue = runners.first?.venue else { return 0 }
        startStream(tokens: firstVenue)
        for runner in runners {
            let venue = runner.venue
            let wake = self.wake
            tasks.append(Task { await venue.runSender() })
            tasks.append(Task { for await _ in venue.eventsAvailable { wake.signal() } })
            if let feed = runner.binanceFeed {
                tasks.append(Task { await feed.run() })
                output.log("\(runner.spec.symbol): Binance alpha from \(feed.symbol.symbol) (\(feed.configuration.webSocketBaseURL))")
            } else {
                output.log("\(runner.spec.symbol): alpha from Lighter's own order-book imbalance")
            }
        }
        let signalSources = installStopSignals()
        defer { for source in signalSources { source.cancel() } }

        do {
            try await startUp()
        } catch {
            for task in tasks { task.cancel() }
            throw error
        }
        await loop()
        let openAtExit = try await shutdown(firstVenue: firstVenue)
        for task in tasks { task.cancel() }
        return openAtExit
    }

    // MARK: Start-up

    /// Why `run` refused to start.
    struct StartError: Error, CustomStringConvertible {
        /// What is wrong.
        let description: String
    }

    /// The start-up sequence (issue 5): the API key is the one registered for the account; stale
    /// orders are cancelled (nothing is adopted); a leftover position is closed with a reduce-only
    /// order (`risk.close_position_on_start`); leverage and margin mode are set (after the close:
    /// Lighter refuses a margin-mode change while a position or orders are open); then capital,
    /// position and the first book are in the engine before quoting starts.
    private func startUp() async throws {
        try await checkAPIKey()
        for runner in runners {
            let kept = try await runner.venue.reconcile(known: [])
            runner.engine.markReconciled(openOrders: kept, at: clock.now)
        }
        if values.bool("risk.close_position_on_start") {
            for runner in runners {
                let result = try await accountActions.closePosition(
                    market: runner.spec, maxSlippageBps: runner.engine.configuration.risk.flattenSlippageBps)
                if result.status != .alreadyFlat {
                    output.log(
                        "\(runner.spec.symbol): leftover position \(runner.spec.string(result.positionBefore)) → "
                            + "\(runner.spec.string(result.positionAfter)) (\(result.status.rawValue))")
                }
            }
        }
        let leverage = values.int("sizing.leverage")
        let marginMode: MarginMode = values.string("sizing.margin_mode") == "isolated" ? .isolated : .cross
        for runner in runners {
            let change = try await accountActions.setLeverage(market: runner.spec, leverage: leverage, marginMode: marginMode)
            output.log("\(runner.spec.symbol): leverage \(leverage)× \(marginMode) (\(change.status.rawValue))")
        }
        let account = try await rest.account(index: accountIndex)
        let collateral = Double(account.collateral) ?? 0
        let available = account.availableBalance.flatMap(Double.init) ?? collateral
        for runner in runners {
            runner.engine.handle(.balanceUpdate(collateral: collateral, available: available, time: clock.now))
            let position = try await accountActions.position(market: runner.spec)
            let entry = position.entryPrice.flatMap { try? FixedPoint.parse($0, decimals: runner.spec.priceDecimals) }
            runner.engine.handle(
                .positionUpdate(position: position.size, averageEntry: entry.map { Price(ticks: $0) }, time: clock.now))
            output.log("\(runner.spec.symbol): position \(runner.spec.string(position.size))")
        }
        output.log("capital \(String(format: "%.2f", collateral)) USDC; waiting for books, then quoting")
        try await waitForBooks()
    }

    /// Stops with a clear error if the API key registered for our account and key index is not the
    /// public key of our private key.
    private func checkAPIKey() async throws {
        let keys = try await rest.apiKeys(accountIndex: accountIndex, apiKeyIndex: apiKeyIndex)
        guard let registered = keys.first(where: { $0.apiKeyIndex == Int(apiKeyIndex) }) else {
            throw StartError(
                description: "API key \(apiKeyIndex) is not registered for account \(accountIndex) at \(rest.configuration.baseURL)")
        }
        func normalized(_ hex: String) -> String { (hex.hasPrefix("0x") ? String(hex.dropFirst(2)) : hex).lowercased() }
        guard normalized(registered.publicKey) == normalized(publicKeyHex) else {
            throw StartError(
                description: "API key \(apiKeyIndex) of account \(accountIndex) is registered with public key "
                    + "\(normalized(registered.publicKey).prefix(16))…, but credentials.private_key belongs to "
                    + "\(normalized(publicKeyHex).prefix(16))…: wrong private key or api_key_index; not trading")
        }
    }

    /// Steps the markets until every one has a two-sided book (at most 30 s).
    private func waitForBooks() async throws {
        let giveUp = clock.now + 30_000_000_000
        while runners.contains(where: { $0.engine.markPrice == nil }) {
            if stopRequested.withLock({ $0 }) { return }
            if clock.now >= giveUp {
                let missing = runners.filter { $0.engine.markPrice == nil }.map(\.spec.symbol)
                throw StartError(description: "no two-sided book within 30 s for \(missing.joined(separator: ", "))")
            }
            stepAll(at: clock.now)
            await wake.wait(timeoutNanoseconds: Self.maximumWaitNanoseconds)
        }
        for runner in runners {
            output.log("\(runner.spec.symbol): book ready, mid \(runner.engine.markPrice.map { runner.spec.string($0) } ?? "-")")
        }
    }

    // MARK: The loop

    /// Starts the stream; auth tokens are made fresh by `tokens` whenever the client asks (at
    /// connect and before expiry).
    private func startStream(tokens: LighterVenue) {
        // Orders (acks, cancels), account_all (trades with fees, positions) and user_stats (balances).
        var subscriptions: [LighterSubscription] = [
            .accountAllOrders(account: accountIndex), .accountAll(account: accountIndex), .userStats(account: accountIndex),
        ]
        for runner in runners { subscriptions.append(.orderBook(market: runner.spec.marketID)) }
        let stream = LighterStreamClient(
            configuration: streamConfiguration, markets: MarketDecimalsTable(allSpecs), subscriptions: subscriptions,
            tokenProvider: { _ in tokens.authToken() }, clock: clock)
        let venues = runners.map(\.venue)
        let books = self.books
        let wake = self.wake
        tasks.append(
            Task {
                await stream.run { event in
                    if case .book(let book) = event {
                        books.withLock { $0.append(book) }
                        wake.signal()
                    } else {
                        for venue in venues { venue.handle(event) }
                    }
                }
            })
    }

    private func installStopSignals() -> [any DispatchSourceSignal] {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let stopRequested = self.stopRequested
        let wake = self.wake
        return [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                stopRequested.withLock { $0 = true }
                wake.signal()
            }
            source.resume()
            return source
        }
    }

    /// Steps every market with the book messages received since the last step.
    private func stepAll(at now: Timestamp) {
        books.withLock { list in swap(&list, &pendingBooks) }
        for runner in runners { runner.step(books: pendingBooks, at: now) }
        pendingBooks.removeAll(keepingCapacity: true)
    }

    private func loop() async {
        var nextStatus = clock.now + statusNanoseconds
        let watchesParameters = runners.contains { $0.parameters != nil }
        var nextParameterCheck = clock.now + ParameterWatcher.checkIntervalNanoseconds
        while !stopRequested.withLock({ $0 }) {
            let now = clock.now
            if let deadline, now >= deadline { break }
            stepAll(at: now)
            // After a stream drop: pause, then reconcile on reconnect (nothing while healthy).
            for runner in runners {
                await runner.venue.supervise(runner.engine, at: now)
                runner.submitPending()
                // Buys volume quota back with small IOC pairs when orders.quota_recovery is on (no-op otherwise).
                if let bid = runner.engine.book.bestBid?.price, let ask = runner.engine.book.bestAsk?.price {
                    runner.venue.recoverQuotaIfNeeded(bestBid: bid, bestAsk: ask, at: now)
                }
            }
            if now >= nextStatus {
                nextStatus = now + statusNanoseconds
                await showStatus(at: now)
            }
            if watchesParameters, now >= nextParameterCheck {
                nextParameterCheck = now + ParameterWatcher.checkIntervalNanoseconds
                for runner in runners {
                    guard let (line, refused) = runner.reloadParametersIfChanged(at: now) else { continue }
                    if refused { logger.warning("\(line)") } else { logger.notice("\(line)") }
                }
            }
            var wakeAt = now + Self.maximumWaitNanoseconds
            wakeAt = min(wakeAt, nextStatus)
            if watchesParameters { wakeAt = min(wakeAt, nextParameterCheck) }
            if let deadline { wakeAt = min(wakeAt, deadline) }
            for runner in runners {
                if let timer = runner.engine.nextTimerTime { wakeAt = min(wakeAt, timer) }
            }
            await wake.wait(timeoutNanoseconds: wakeAt - clock.now)
        }
    }

    private func showStatus(at now: Timestamp) async {
        let quota = await sender.quotaRemaining
        var lines: [String] = []
        for runner in runners {
            runner.quotaRemaining = quota
            runner.trackedVenue.forgetUnanswered(before: now + -60_000_000_000)
            lines.append(StatusDisplay.line(runner.status(at: now)))
        }
        output.showStatus(lines)
    }

    // MARK: Shutdown

    /// Cancels our orders (`orders.cancel_on_exit`), confirms over REST, closes the positions
    /// when `risk.flatten_on_kill`, disarms the dead-man's switch, prints the summary.
    private func shutdown(firstVenue: LighterVenue) async throws -> Int {
        await showStatus(at: clock.now)
        output.releaseStatus()
        output.log("stopping…")
        if values.bool("orders.cancel_on_exit") {
            for runner in runners {
                // The kill switch stops quoting and cancels; nothing is placed after this.
                runner.engine.kill(flatten: false, at: clock.now)
                runner.submitPending()
            }
            firstVenue.submit([.cancelAll], at: clock.now)
            let settleUntil = clock.now + 5_000_000_000
            while clock.now < settleUntil {
                stepAll(at: clock.now)
                let open = (try? await openOrderCount()) ?? -1
                if open == 0 { break }
                try? await Task.sleep(nanoseconds: 200_000_000)
            }
        }
        let openAtExit = try await openOrderCount()
        if values.bool("risk.flatten_on_kill") {
            // The exit is a kill switch: with risk.flatten_on_kill it also closes the positions
            // (reduce-only, within risk.flattenSlippageBps of the best price).
            for runner in runners {
                do {
                    let result = try await accountActions.closePosition(
                        market: runner.spec, maxSlippageBps: runner.engine.configuration.risk.flattenSlippageBps)
                    if result.status != .alreadyFlat {
                        output.log(
                            "\(runner.spec.symbol): flattened on exit \(runner.spec.string(result.positionBefore)) → "
                                + "\(runner.spec.string(result.positionAfter)) (\(result.status.rawValue))")
                    }
                } catch {
                    output.log("warning: \(runner.spec.symbol): could not flatten on exit: \(error)")
                }
            }
        }
        if firstVenue.deadMansSwitchArmedUntil != nil {
            do {
                try await firstVenue.disarmDeadMansSwitch()
            } catch {
                output.log("warning: could not disarm the dead-man's switch (scheduled cancel-all): \(error)")
            }
        }
        output.log("summary:")
        for runner in runners { output.log("  " + runner.summaryLine()) }
        output.log("open orders at exit (REST): \(openAtExit)")
        return openAtExit
    }

    private func openOrderCount() async throws -> Int {
        var count = 0
        for runner in runners { count += try await runner.venue.openOrders().count }
        return count
    }
}
