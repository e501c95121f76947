import AsyncHTTPClient
import Logging
import MarketCore
import NIOCore
import StreamSupport
import Synchronization
import Trading
import WSClient

/// A Binance USD-M futures market-data client for one symbol: a WebSocket book (diff depth with
/// a REST snapshot, partial depth, or book ticker), optionally its aggregate trades, reconnects,
/// and the imbalance alpha.
///
/// Call ``run(onEvent:)`` from a task (it returns when the task is cancelled) or iterate
/// ``events(bufferingNewest:)``. Other tasks read the current state at any time: ``book()``,
/// ``externalAlpha(at:)``, ``alphaStatus(at:)``, ``statistics``.
///
/// ```swift
/// let feed = BinanceMarketDataFeed(symbol: .init(symbol: "BTCUSDT", priceDecimals: 1, sizeDecimals: 3),
///                                  configuration: .init(), alpha: .init(lookingDepth: 0.001))
/// let task = Task { await feed.run { event in recorder.write(event) } }
/// // in the engine, per quote:
/// input.externalAlpha = feed.externalAlpha(at: clock.now)
/// ```
///
/// Behaviour:
/// - One WebSocket connection, the combined-stream URL `<ws>/stream?streams=…`.
/// - Diff depth: events are buffered, the REST snapshot is fetched once the first event has
///   arrived, and ``DepthSynchronizer`` applies Binance's rules. A sequence break discards the
///   book and fetches a new snapshot on the same socket.
/// - A dropped or failed connection is retried after ``ReconnectBackoff`` delays (reset after a
///   connection that delivered messages). A connection older than
///   ``BinanceFeedConfiguration/plannedReconnectAfter`` is closed and reopened at once.
/// - A connection silent for ``BinanceFeedConfiguration/silenceTimeout`` seconds is replaced.
/// - WebSocket pings from Binance are answered by WSClient; we also ping every
///   ``BinanceFeedConfiguration/pingInterval`` seconds (a missing pong closes the connection).
public final class BinanceMarketDataFeed: Sendable {
    /// The symbol this feed reads.
    public let symbol: BinanceSymbol
    /// The feed's settings.
    public let configuration: BinanceFeedConfiguration
    private let clock: any TradingClock
    private let httpClient: HTTPClient
    private let logger: Logger
    private let state: Mutex<FeedState>

    /// A feed (not yet running).
    ///
    /// - Parameters:
    ///   - symbol: the Binance symbol and its decimals.
    ///   - configuration: endpoints, mode, reconnect settings.
    ///   - alpha: the imbalance alpha settings.
    ///   - clock: where receive times come from (``MarketCore/LiveClock`` live).
    ///   - httpClient: the REST client (`HTTPClient.shared` by default; it needs no shutdown).
    ///   - logger: where connection events and errors are logged.
    public init(
        symbol: BinanceSymbol, configuration: BinanceFeedConfiguration = BinanceFeedConfiguration(),
        alpha: BinanceImbalanceAlpha.Configuration = BinanceImbalanceAlpha.Configuration(),
        clock: any TradingClock = LiveClock(), httpClient: HTTPClient = .shared,
        logger: Logger = Logger(label: "binance")
    ) {
        self.symbol = symbol
        self.configuration = configuration
        self.clock = clock
        self.httpClient = httpClient
        self.logger = logger
        self.state = Mutex(
            FeedState(
                synchronizer: DepthSynchronizer(bufferLimit: configuration.eventBufferLimit),
                alpha: BinanceImbalanceAlpha(configuration: alpha)))
    }

    /// A feed for the Binance twin of a Lighter market, or `nil` if the market has none (the
    /// strategy then uses Lighter's own OBI).
    ///
    /// ```swift
    /// if let feed = BinanceMarketDataFeed(lighterSymbol: "ETH", symbols: .default) { … }
    /// ```
    public convenience init?(
        lighterSymbol: String, symbols: BinanceSymbolMap = .default,
        configuration: BinanceFeedConfiguration = BinanceFeedConfiguration(),
        alpha: BinanceImbalanceAlpha.Configuration = BinanceImbalanceAlpha.Configuration(),
        clock: any TradingClock = LiveClock(), httpClient: HTTPClient = .shared,
        logger: Logger = Logger(label: "binance")
    ) {
        guard let symbol = symbols.binanceSymbol(forLighter: lighterSymbol) else { return nil }
        self.init(
            symbol: symbol, configuration: configuration, alpha: alpha, clock: clock, httpClient: httpClient,
            logger: logger)
    }

    // MARK: Reading the state

    /// A copy of the current book, or `nil` while it is not valid (connecting, resyncing).
    public func book() -> OrderBook? {
        state.withLock { state in
            guard state.bookValid else { return nil }
            return configuration.mode.isDiffDepth ? state.synchronizer.book : state.plainBook
        }
    }

    /// Whether the book is currently valid.
    public var isSynced: Bool { state.withLock { $0.bookValid } }

    /// The alpha for the strategy at engine time `now`, or `nil` if it is warming up, stale or
    /// the feed is disconnected (the strategy then uses its own OBI).
    public func externalAlpha(at now: Timestamp) -> ExternalAlpha? {
        state.withLock { $0.alpha.alpha(at: now) }
    }

    /// The alpha's state at `now`, for logs.
    public func alphaStatus(at now: Timestamp) -> BinanceImbalanceAlpha.Status {
        state.withLock { $0.alpha.status(at: now) }
    }

    /// Counters since the feed was created.
    public var statistics: BinanceFeedStatistics { state.withLock { $0.statistics } }

    // MARK: Running

    /// The feed's events as an async sequence; the feed runs while the sequence is iterated and
    /// stops when the iterating task is cancelled or the sequence is dropped.
    ///
    /// - Parameter limit: events kept if the consumer falls behind (the oldest are dropped).
    public func events(bufferingNewest limit: Int = 100_000) -> AsyncStream<BinanceFeedEvent> {
        AsyncStream(bufferingPolicy: .bufferingNewest(limit)) { continuation in
            let task = Task {
                await self.run { continuation.yield($0) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Connects, keeps the book and the alpha up to date, and reconnects, until the calling task
    /// is cancelled.
    ///
    /// - Parameter onEvent: called for every ``BinanceFeedEvent``, in order, on the feed's task;
    ///   it should return quickly.
    public func run(onEvent: @escaping @Sendable (BinanceFeedEvent) -> Void = { _ in }) async {
        var failedAttempts = 0
        var connection = 0
        while !Task.isCancelled {
            connection += 1
            let outcome = await runConnection(number: connection, onEvent: onEvent)
            let wasValid = state.withLock { state in
                let valid = state.bookValid
                state.invalidateBook()
                state.synchronizer.reset()
                return valid
            }
            if Task.isCancelled { break }
            if wasValid { onEvent(.resync(.reconnect)) }
            let delay: Double
            switch outcome.reason {
            case .planned:
                failedAttempts = 0
                delay = 0
            case .closed, .failed:
                if outcome.receivedMessages { failedAttempts = 0 }
                delay = configuration.backoff.delay(attempt: failedAttempts)
                failedAttempts += 1
            }
            logger.info(
                "Binance \(symbol.symbol): \(outcome.reason); reconnecting in \(delay) s",
                metadata: ["connection": "\(connection)"])
            onEvent(.disconnected(reason: outcome.reason, reconnectIn: delay))
            if delay > 0 {
                do { try await Task.sleep(for: .seconds(delay)) } catch { break }
            }
        }
    }

    // MARK: One connection

    private struct ConnectionOutcome {
        var reason: BinanceDisconnectReason
        var receivedMessages: Bool
    }

    private enum SessionInput: Sendable {
        case message(ByteBuffer, Timestamp)
        case snapshot(Result<BinanceDepthSnapshot, SnapshotError>, Timestamp)
        case streamEnded(String)
        case plannedReconnect
        case watchdogTick
    }

    /// A failed REST snapshot request.
    struct SnapshotError: Error, CustomStringConvertible {
        let description: String
    }

    private func runConnection(number: Int, onEvent: @escaping @Sendable (BinanceFeedEvent) -> Void) async
        -> ConnectionOutcome
    {
        let url = configuration.streamURL(for: symbol)
        var webSocketConfiguration = WebSocketClientConfiguration(maxFrameSize: min(configuration.maxMessageSize, 1 << 24))
        if let ping = configuration.pingInterval, ping > 0 {
            webSocketConfiguration.autoPing = .enabled(timePeriod: .seconds(ping))
        }
        let result = Mutex<ConnectionOutcome?>(nil)
        do {
            let closeFrame = try await WebSocketClient.connect(
                url: url, configuration: webSocketConfiguration, logger: logger
            ) { inbound, _, _ in
                let outcome = await self.runSession(number: number, inbound: inbound, onEvent: onEvent)
                result.withLock { $0 = outcome }
            }
            if let outcome = result.withLock({ $0 }) { return outcome }
            return ConnectionOutcome(
                reason: .closed("closed before the session started (\(closeFrame.map { "\($0.closeCode)" } ?? "no close frame"))"),
                receivedMessages: false)
        } catch {
            if let outcome = result.withLock({ $0 }) { return outcome }
            return ConnectionOutcome(reason: .failed("\(url): \(error)"), receivedMessages: false)
        }
    }

    private func runSession(
        number: Int, inbound: WebSocketInboundStream, onEvent: @escaping @Sendable (BinanceFeedEvent) -> Void
    ) async -> ConnectionOutcome {
        state.withLock { $0.statistics.connections += 1 }
        logger.info("Binance \(symbol.symbol): connected (\(configuration.streamURL(for: symbol)))")
        onEvent(.connected(connection: number))
        let (inputs, continuation) = AsyncStream.makeStream(of: SessionInput.self)
        let maxMessageSize = configuration.maxMessageSize
        let clock = self.clock
        var session = Session(
            parser: BinanceMessageParser(priceDecimals: symbol.priceDecimals, sizeDecimals: symbol.sizeDecimals))
        var reason = BinanceDisconnectReason.closed("stream ended")

        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                let reason = await WebSocketMessages.read(inbound, maxSize: maxMessageSize, clock: clock) {
                    continuation.yield(.message($0, $1))
                }
                continuation.yield(.streamEnded(reason))
            }
            let planned = configuration.plannedReconnectAfter
            group.addTask {
                do {
                    try await Task.sleep(for: .seconds(planned))
                    continuation.yield(.plannedReconnect)
                } catch {}
            }
            let silenceLimit = configuration.silenceTimeout.map { Duration.seconds($0) }
            if let silenceLimit {
                group.addTask {
                    let period = min(silenceLimit / 4, .seconds(1))
                    while (try? await Task.sleep(for: period)) != nil {
                        continuation.yield(.watchdogTick)
                    }
                }
            }
            var lastMessage = ContinuousClock.now
            loop: for await input in inputs {
                switch input {
                case .message(let buffer, let receivedAt):
                    lastMessage = ContinuousClock.now
                    session.receivedMessages = true
                    let wantsSnapshot = handleMessage(buffer, receivedAt: receivedAt, session: &session, onEvent: onEvent)
                    if wantsSnapshot, !session.snapshotInFlight {
                        session.snapshotInFlight = true
                        startSnapshotFetch(in: &group, after: 0, continuation: continuation)
                    }
                case .snapshot(let result, let receivedAt):
                    session.snapshotInFlight = false
                    let retryAfter = handleSnapshot(result, receivedAt: receivedAt, session: &session, onEvent: onEvent)
                    if let retryAfter {
                        session.snapshotInFlight = true
                        startSnapshotFetch(in: &group, after: retryAfter, continuation: continuation)
                    }
                case .streamEnded(let detail):
                    reason = .closed(detail)
                    break loop
                case .watchdogTick:
                    if let silenceLimit, ContinuousClock.now - lastMessage > silenceLimit {
                        reason = .closed("no message for \(silenceLimit)")
                        break loop
                    }
                case .plannedReconnect:
                    // Returning from the handler makes WSClient send a normal close frame.
                    reason = .planned
                    break loop
                }
            }
            continuation.finish()
            group.cancelAll()
        }
        return ConnectionOutcome(reason: reason, receivedMessages: session.receivedMessages)
    }

    /// Per-connection mutable state, owned by the session loop.
    private struct Session {
        var parser: BinanceMessageParser
        var snapshotInFlight = false
        var receivedMessages = false
        var snapshotFailures = 0
        var lastTickerUpdateID: Int64 = .min
    }


    // MARK: Messages

    /// Handles one stream message; returns whether a snapshot is needed.
    private func handleMessage(
        _ buffer: ByteBuffer, receivedAt: Timestamp, session: inout Session,
        onEvent: @Sendable (BinanceFeedEvent) -> Void
    ) -> Bool {
        let parsed: Result<BinanceMessage, BinanceParseError> = buffer.withUnsafeReadableBytes { bytes in
            do throws(BinanceParseError) { return .success(try session.parser.parse(bytes)) } catch { return .failure(error) }
        }
        let message: BinanceMessage
        switch parsed {
        case .success(let value): message = value
        case .failure(let error):
            state.withLock {
                $0.statistics.messages += 1
                $0.statistics.parseErrors += 1
            }
            logger.warning("Binance \(symbol.symbol): undecodable message: \(error)")
            onEvent(.parseError(error))
            return false
        }
        let mode = configuration.mode
        switch message {
        case .depthUpdate(let update):
            let received = BinanceReceived(receivedAt: receivedAt, payload: update)
            switch mode {
            case .diffDepth:
                let (outcome, sample) = state.withLock { state in
                    state.statistics.messages += 1
                    let outcome = state.synchronizer.receive(update, receivedAt: receivedAt)
                    switch outcome {
                    case .applied:
                        state.bookValid = true
                        return (outcome, state.sampleAlpha(book: state.synchronizer.book, at: receivedAt))
                    case .gap:
                        state.statistics.resyncs += 1
                        state.invalidateBook()
                    case .dropped:
                        state.statistics.droppedEvents += 1
                    case .buffered:
                        break
                    }
                    return (outcome, nil)
                }
                switch outcome {
                case .applied:
                    onEvent(.depthUpdate(received))
                    if let sample { onEvent(.alphaSample(sample, at: receivedAt)) }
                    return false
                case .buffered:
                    return true
                case .dropped:
                    return false
                case .gap(let expected, let got):
                    logger.warning("Binance \(symbol.symbol): depth sequence gap (expected pu \(expected), got \(got)); resyncing")
                    onEvent(.resync(.sequenceGap(expectedPrevious: expected, got: got)))
                    return true
                }
            case .partialDepth:
                let sample = state.withLock { state in
                    state.statistics.messages += 1
                    state.plainBook.replace(bids: update.bids, asks: update.asks)
                    state.bookValid = true
                    return state.sampleAlpha(book: state.plainBook, at: receivedAt)
                }
                onEvent(.partialDepth(received))
                if let sample { onEvent(.alphaSample(sample, at: receivedAt)) }
                return false
            case .bookTicker:
                state.withLock { $0.statistics.messages += 1 }
                return false
            }
        case .bookTicker(let ticker):
            let received = BinanceReceived(receivedAt: receivedAt, payload: ticker)
            guard ticker.updateID >= session.lastTickerUpdateID else {
                state.withLock { $0.statistics.messages += 1 }
                return false
            }
            session.lastTickerUpdateID = ticker.updateID
            let sample = state.withLock { state -> BinanceImbalanceAlpha.Status? in
                state.statistics.messages += 1
                guard mode == .bookTicker else { return nil }
                state.plainBook.replace(bids: CollectionOfOne(ticker.bid), asks: CollectionOfOne(ticker.ask))
                state.bookValid = true
                return state.sampleAlpha(book: state.plainBook, at: receivedAt)
            }
            onEvent(.bookTicker(received))
            if let sample { onEvent(.alphaSample(sample, at: receivedAt)) }
            return false
        case .aggTrade(let trade):
            state.withLock {
                $0.statistics.messages += 1
                $0.statistics.aggTrades += 1
            }
            onEvent(.aggTrade(BinanceReceived(receivedAt: receivedAt, payload: trade)))
            return false
        case .depthSnapshot, .ignored:
            state.withLock { $0.statistics.messages += 1 }
            return false
        }
    }

    /// Applies a fetched snapshot; returns the delay before fetching another one, if needed.
    private func handleSnapshot(
        _ result: Result<BinanceDepthSnapshot, SnapshotError>, receivedAt: Timestamp, session: inout Session,
        onEvent: @Sendable (BinanceFeedEvent) -> Void
    ) -> Double? {
        switch result {
        case .failure(let error):
            session.snapshotFailures += 1
            state.withLock { $0.statistics.snapshotFailures += 1 }
            logger.warning("Binance \(symbol.symbol): depth snapshot failed: \(error)")
            onEvent(.snapshotFailed(error.description))
            return snapshotRetryDelay(failures: session.snapshotFailures)
        case .success(let snapshot):
            let (outcome, sample) = state.withLock { state in
                let outcome = state.synchronizer.apply(snapshot)
                state.statistics.snapshots += 1
                state.statistics.droppedEvents += outcome.droppedEvents
                if outcome.needsNewSnapshot {
                    state.statistics.resyncs += 1
                    state.invalidateBook()
                    return (outcome, BinanceImbalanceAlpha.Status?.none)
                }
                state.bookValid = true
                return (outcome, state.sampleAlpha(book: state.synchronizer.book, at: receivedAt))
            }
            onEvent(.snapshot(BinanceReceived(receivedAt: receivedAt, payload: snapshot)))
            for update in outcome.applied { onEvent(.depthUpdate(update)) }
            if outcome.needsNewSnapshot {
                session.snapshotFailures += 1
                logger.info("Binance \(symbol.symbol): snapshot \(snapshot.lastUpdateID) older than the stream; fetching again")
                onEvent(.resync(.snapshotTooOld(lastUpdateID: snapshot.lastUpdateID)))
                return snapshotRetryDelay(failures: session.snapshotFailures) / 4
            }
            session.snapshotFailures = 0
            if let sample { onEvent(.alphaSample(sample, at: receivedAt)) }
            return nil
        }
    }

    private func snapshotRetryDelay(failures: Int) -> Double {
        var delay = configuration.snapshotRetryDelay
        var step = 1
        while step < failures && delay < configuration.backoff.maximumDelay {
            delay *= 2
            step += 1
        }
        return min(delay, configuration.backoff.maximumDelay)
    }

    private func startSnapshotFetch(
        in group: inout TaskGroup<Void>, after delay: Double, continuation: AsyncStream<SessionInput>.Continuation
    ) {
        group.addTask {
            if delay > 0 {
                do { try await Task.sleep(for: .seconds(delay)) } catch { return }
            }
            let result = await self.fetchSnapshot()
            continuation.yield(.snapshot(result, self.clock.now))
        }
    }

    /// `GET /fapi/v1/depth?symbol=…&limit=…`, decoded with the byte parser.
    private func fetchSnapshot() async -> Result<BinanceDepthSnapshot, SnapshotError> {
        guard let url = configuration.snapshotURL(for: symbol) else {
            return .failure(SnapshotError(description: "no snapshot URL outside diff-depth mode"))
        }
        do {
            let request = HTTPClientRequest(url: url)
            let response = try await httpClient.execute(
                request, timeout: .milliseconds(Int64(configuration.restTimeout * 1000)), logger: logger)
            let body = try await response.body.collect(upTo: 32 << 20)
            // The status's description is "<code> <reason>"; reading it avoids depending on NIOHTTP1.
            let status = "\(response.status)"
            guard status.hasPrefix("200") else {
                let text = String(buffer: body.getSlice(at: body.readerIndex, length: min(200, body.readableBytes)) ?? body)
                return .failure(SnapshotError(description: "\(url): HTTP \(status): \(text)"))
            }
            var parser = BinanceMessageParser(priceDecimals: symbol.priceDecimals, sizeDecimals: symbol.sizeDecimals)
            let parsed: Result<BinanceMessage, BinanceParseError> = body.withUnsafeReadableBytes { bytes in
                do throws(BinanceParseError) { return .success(try parser.parse(bytes)) } catch { return .failure(error) }
            }
            switch parsed {
            case .success(.depthSnapshot(let snapshot)): return .success(snapshot)
            case .success: return .failure(SnapshotError(description: "\(url): response is not a depth snapshot"))
            case .failure(let error): return .failure(SnapshotError(description: "\(url): \(error)"))
            }
        } catch {
            return .failure(SnapshotError(description: "\(url): \(error)"))
        }
    }
}

/// The feed's shared state, guarded by its mutex.
private struct FeedState: Sendable {
    var synchronizer: DepthSynchronizer
    var plainBook = OrderBook(capacity: 32)
    var bookValid = false
    var alpha: BinanceImbalanceAlpha
    var statistics = BinanceFeedStatistics()

    /// Marks the book invalid and the alpha disconnected (the synchronizer keeps its own state).
    mutating func invalidateBook() {
        bookValid = false
        alpha.markDisconnected()
        plainBook.removeAll()
    }

    /// Samples the alpha; returns its status if a sample was taken.
    mutating func sampleAlpha(book: OrderBook, at time: Timestamp) -> BinanceImbalanceAlpha.Status? {
        guard alpha.observe(book: book, at: time) else { return nil }
        return alpha.status(at: time)
    }
}

extension BinanceBookMode {
    /// Whether this is the diff-depth mode.
    var isDiffDepth: Bool {
        if case .diffDepth = self { return true }
        return false
    }
}
