import AppConfig
import ArgumentParser
import Dispatch
import Foundation
import Lighter
import LighterCrypto
import Logging
import MarketCore
import Simulation
import Synchronization
import Trading

/// `lighter-mm run`: quotes markets live with the engine, through the real Lighter client.
///
/// Without credentials it starts the sandbox in-process and paper trades on it (sockets,
/// signatures, nonces all real); live trading needs credentials and an explicit `--network`.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the market maker (paper trading on the built-in sandbox unless credentials and --network are given).",
        discussion: """
            With no credentials (credentials.private_key / account_index / api_key_index) the built-in \
            sandbox is started on a free loopback port and the market maker PAPER TRADES on it through the \
            real client code. Live trading needs credentials AND --network mainnet|testnet. Ctrl-C (or \
            SIGTERM, or the end of --duration) cancels our orders (orders.cancel_on_exit), confirms over \
            REST that none are open, prints a summary and exits.
            """
    )

    /// Networks accepted by --network.
    enum Network: String, ExpressibleByArgument, CaseIterable {
        case mainnet, testnet
    }

    @Option(help: "Strategy: as, glft, volobi or grid (default: strategy.model).")
    var strategy: BacktestCommand.StrategyName?

    @Option(help: "Trade this market only (default: markets.symbols).")
    var market: String?

    @OptionGroup var configOptions: ConfigOptions

    @Option(help: "Live network (needs credentials): mainnet or testnet.")
    var network: Network?

    @Option(help: "Stop after this long, e.g. 60s, 30m (default: until Ctrl-C).")
    var duration: String?

    @Option(name: .customLong("status-seconds"), help: "Seconds between status lines.")
    var statusSeconds: Double = 5

    func validate() throws {
        if let duration, parseDurationNanoseconds(duration) == nil {
            throw ValidationError("--duration: '\(duration)' is not a duration like 90s, 30m or 1h30m")
        }
        guard statusSeconds > 0, statusSeconds.isFinite else {
            throw ValidationError("--status-seconds must be positive, got \(statusSeconds)")
        }
    }

    func run() async throws {
        let values = try configOptions.load()
        let symbols = market.map { [$0] } ?? values.list("markets.symbols")
        guard !symbols.isEmpty else { throw ValidationError("no markets: set markets.symbols or --market") }
        let hasCredentials = values.string("credentials.private_key") != nil
        let clock = LiveClock()

        // Where to trade: the in-process sandbox, or a live network.
        var sandbox: SandboxServer?
        let restURL: String
        let streamURL: String
        let chain: LighterChain
        let key: PrivateKey
        let accountIndex: Int64
        let apiKeyIndex: UInt8
        if hasCredentials {
            guard let network else {
                throw ValidationError(
                    "credentials are configured but no --network was given: refusing to trade live. "
                        + "Pass --network mainnet or --network testnet to trade live, or remove the credentials to paper trade.")
            }
            guard let keyText = values.string("credentials.private_key"), let account = values.string("credentials.account_index"),
                let accountValue = Int64(account), let apiKey = values.string("credentials.api_key_index"),
                let apiKeyValue = UInt8(apiKey)
            else {
                throw ValidationError("live trading needs credentials.private_key, credentials.account_index and credentials.api_key_index")
            }
            do { key = try PrivateKey(hex: keyText) } catch {
                throw ValidationError("credentials.private_key is not a valid API private key (\(error))")
            }
            accountIndex = accountValue
            apiKeyIndex = apiKeyValue
            let host = network == .mainnet ? "mainnet.zklighter.elliot.ai" : "testnet.zklighter.elliot.ai"
            restURL = values.string("exchange.rest_url") ?? "https://\(host)"
            streamURL = values.string("exchange.ws_url") ?? "wss://\(host)/stream"
            chain = network == .mainnet ? .mainnet : .testnet
            print("LIVE TRADING on \(network.rawValue) (account \(accountIndex), key \(apiKeyIndex)): \(symbols.joined(separator: ", "))")
        } else {
            if network != nil {
                throw ValidationError("--network needs credentials (credentials.private_key, account_index, api_key_index)")
            }
            let account = SandboxAccountSetup(
                accountIndex: 100, apiKeyIndex: 4, privateKey: .generate(), collateral: values.double("sizing.paper_capital"))
            let configuration: SandboxConfiguration
            do {
                configuration = SandboxConfiguration(
                    markets: try SandboxConfiguration.presets(symbols: symbols), seed: UInt64(clock.now.nanoseconds & 0xffff),
                    accounts: [account])
            } catch {
                throw ValidationError("sandbox: \(error)")
            }
            let server = try await SandboxServer.start(configuration: configuration, clock: clock)
            sandbox = server
            restURL = server.baseURL
            streamURL = server.streamURL
            chain = configuration.chain
            key = account.privateKey
            accountIndex = account.accountIndex
            apiKeyIndex = account.apiKeyIndex
            print(
                "PAPER TRADING on the built-in sandbox at \(server.baseURL) (no credentials configured; no real orders): "
                    + symbols.joined(separator: ", "))
        }

        let rest = LighterRESTClient(configuration: .init(baseURL: restURL))
        let allSpecs = try await rest.marketSpecs()
        var specs: [MarketSpec] = []
        for symbol in symbols {
            guard let spec = allSpecs.first(where: { $0.symbol.uppercased() == symbol.uppercased() }) else {
                throw ValidationError("market '\(symbol)' is not listed by \(restURL)")
            }
            specs.append(spec)
        }

        // One engine and one venue per market.
        let settings = StrategySettings(configuration: values, strategy: strategy?.rawValue)
        let sender = TransactionSender(rest: rest, accountIndex: accountIndex, apiKeys: [apiKeyIndex])
        var runners: [MarketRunner] = []
        for (lane, spec) in specs.enumerated() {
            let quoteStrategy: ConfiguredStrategy
            do { quoteStrategy = try ConfiguredStrategy(settings) } catch {
                throw ValidationError("strategy settings: \(error)")
            }
            let engine = Engine(
                spec: spec, strategy: quoteStrategy,
                configuration: backtestEngineConfiguration(values, spec: spec, levels: settings.shaper.levels),
                ids: ClientOrderIDGenerator(startTime: clock.now, lane: lane, lanes: specs.count))
            let venue = LighterVenue(
                configuration: .init(chain: chain, accountIndex: accountIndex, apiKeyIndex: apiKeyIndex, spec: spec),
                privateKey: key, rest: rest, sender: sender, clock: clock)
            runners.append(MarketRunner(spec: spec, engine: engine, venue: venue))
        }
        guard let firstVenue = runners.first?.venue else { throw ValidationError("no markets") }

        // The stream: books to the loop, account order updates straight to the venues.
        let venues = runners.map(\.venue)
        let books = LockedBox<[LighterBookEvent]>([])
        let tokenGrant = firstVenue.authToken()
        var subscriptions: [LighterSubscription] = [.accountAllOrders(account: accountIndex)]
        for spec in specs { subscriptions.append(.orderBook(market: spec.marketID)) }
        let stream = LighterStreamClient(
            configuration: .init(url: streamURL), markets: MarketDecimalsTable(allSpecs), subscriptions: subscriptions,
            tokenProvider: { _ in tokenGrant }, clock: clock)
        let streamTask = Task {
            await stream.run { event in
                if case .book(let book) = event {
                    books.withLock { $0.append(book) }
                } else {
                    for venue in venues { venue.handle(event) }
                }
            }
        }
        let senderTasks = venues.map { venue in Task { await venue.runSender() } }

        // Start-up: cancel stale orders (adopt nothing), capital from the account.
        for runner in runners {
            let kept = try await runner.venue.reconcile(known: [])
            runner.engine.markReconciled(openOrders: kept, at: clock.now)
        }
        let account = try await rest.account(index: accountIndex)
        let collateral = Double(account.collateral) ?? 0
        let available = account.availableBalance.flatMap(Double.init) ?? collateral
        for runner in runners {
            runner.engine.handle(.balanceUpdate(collateral: collateral, available: available, time: clock.now))
        }
        print("capital \(String(format: "%.2f", collateral)) USDC; waiting for books, then quoting")

        // Stop on Ctrl-C, SIGTERM or the end of --duration.
        let stopRequested = LockedBox(false)
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let signalSources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stopRequested.withLock { $0 = true } }
            source.resume()
            return source
        }
        let deadline = duration.flatMap(parseDurationNanoseconds).map { clock.now + $0 }
        var nextStatus = clock.now + Int64(statusSeconds * 1e9)

        // The loop: books in, venue events in, timers, actions out (every 20 ms).
        while !stopRequested.withLock({ $0 }) {
            let now = clock.now
            if let deadline, now >= deadline { break }
            pumpOnce(runners, books: books, at: now)
            if now >= nextStatus {
                nextStatus = now + Int64(statusSeconds * 1e9)
                for runner in runners { print(runner.statusLine()) }
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }

        // Shutdown: cancel our orders, confirm over REST, summarise.
        print("stopping…")
        if values.bool("orders.cancel_on_exit") {
            for runner in runners {
                // The kill switch stops quoting and cancels; nothing is placed after this.
                runner.engine.kill(flatten: false, at: clock.now)
                runner.engine.submitPendingActions(to: runner.venue)
            }
            firstVenue.submit([.cancelAll], at: clock.now)
            let settleUntil = clock.now + 5_000_000_000
            while clock.now < settleUntil {
                pumpOnce(runners, books: books, at: clock.now)
                let open = (try? await openOrderCount(runners)) ?? -1
                if open == 0 { break }
                try? await Task.sleep(nanoseconds: 200_000_000)
            }
        }
        let openAtExit = try await openOrderCount(runners)
        for task in senderTasks { task.cancel() }
        streamTask.cancel()
        for source in signalSources { source.cancel() }

        print("summary:")
        for runner in runners { print("  " + runner.summaryLine()) }
        print("open orders at exit (REST): \(openAtExit)")
        if let sandbox { await sandbox.shutdown() }
        if values.bool("orders.cancel_on_exit") && openAtExit != 0 {
            print("ERROR: \(openAtExit) order(s) still open after cancelling; check the account")
            throw ExitCode.failure
        }
    }

    /// One step of every market: new book events, then the venue's events, timers and actions.
    private func pumpOnce(_ runners: [MarketRunner], books: LockedBox<[LighterBookEvent]>, at now: Timestamp) {
        let pending = books.withLock { list -> [LighterBookEvent] in
            defer { list.removeAll(keepingCapacity: true) }
            return list
        }
        for runner in runners {
            for book in pending where book.marketID == runner.spec.marketID {
                for event in marketEvents(book) { runner.engine.handle(event, at: now) }
            }
            runner.engine.pump(runner.venue, upTo: now)
            runner.engine.submitPendingActions(to: runner.venue)
        }
    }

    private func openOrderCount(_ runners: [MarketRunner]) async throws -> Int {
        var count = 0
        for runner in runners { count += try await runner.venue.openOrders().count }
        return count
    }
}

/// The book message as engine market events: a snapshot, or one delta per changed level.
func marketEvents(_ book: LighterBookEvent) -> [MarketEvent] {
    let time = book.receivedAt
    let exchangeMs = book.timestampMs ?? time.milliseconds
    let sequence = book.nonce ?? 0
    if book.isSnapshot {
        return [
            .bookSnapshot(
                BookSnapshot(receivedAt: time, exchangeTimeMs: exchangeMs, sequence: sequence, bids: book.bids, asks: book.asks))
        ]
    }
    var events: [MarketEvent] = []
    for level in book.bids {
        events.append(
            .bookDelta(
                BookDelta(
                    receivedAt: time, exchangeTimeMs: exchangeMs, sequence: sequence, side: .buy, price: level.price,
                    size: level.size)))
    }
    for level in book.asks {
        events.append(
            .bookDelta(
                BookDelta(
                    receivedAt: time, exchangeTimeMs: exchangeMs, sequence: sequence, side: .sell, price: level.price,
                    size: level.size)))
    }
    return events
}

/// A value behind a lock, shareable with escaping closures.
final class LockedBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result { mutex.withLock { body(&$0) } }
}

/// One market's engine and venue.
final class MarketRunner {
    let spec: MarketSpec
    let engine: Engine<ConfiguredStrategy>
    let venue: LighterVenue

    init(spec: MarketSpec, engine: Engine<ConfiguredStrategy>, venue: LighterVenue) {
        self.spec = spec
        self.engine = engine
        self.venue = venue
    }

    private var pnlUSD: Double {
        Double(engine.netPnL) / pow(10, Double(spec.notionalDecimals))
    }

    /// `ETH mid 3000.12 quotes 2999.50/3000.70 pos 0.0100 pnl 1.23 fills 4`.
    func statusLine() -> String {
        let mid = engine.markPrice.map { spec.string($0) } ?? "-"
        let sent = venue.sendCounts
        func quote(_ side: Side) -> String {
            let slot = engine.orderManager.slot(side, level: 0)
            return slot.orderID == nil ? "-" : spec.string(slot.price)
        }
        return "\(spec.symbol) mid \(mid) quotes \(quote(.buy))/\(quote(.sell)) pos \(spec.string(engine.position)) pnl \(String(format: "%.4f", pnlUSD)) "
            + "fills \(engine.counters.fills) rejects \(engine.counters.rejects) txs \(sent.transactions)"
    }

    /// The exit summary of the market.
    func summaryLine() -> String {
        let sent = venue.sendCounts
        return "\(spec.symbol): fills \(engine.counters.fills), position \(spec.string(engine.position)), "
            + "PnL \(String(format: "%.4f", pnlUSD)) USDC, places \(venue.actionCounts.places), "
            + "modifies \(venue.actionCounts.modifies), cancels \(venue.actionCounts.cancels), "
            + "transactions \(sent.transactions) (\(sent.batches) batches), rejects \(engine.counters.rejects)"
    }
}
