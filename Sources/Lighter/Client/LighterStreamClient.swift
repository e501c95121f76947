import Foundation
import Logging
import MarketCore
import NIOCore
import StreamSupport
import Synchronization
import WSClient

/// Lighter's WebSocket stream (section B of the protocol notes): subscriptions, synchronized
/// order books, trades, account channels, keepalive, reconnects, and transaction sends.
///
/// The connection life cycle is driven by ``ConnectionStateMachine``: exponential backoff with
/// jitter between attempts, a ping whenever nothing was sent for the ping interval, and a
/// receive watchdog. After every (re)connect all subscriptions are sent again; auth channels get
/// a token from the token provider, which is asked again shortly before the token expires (the
/// auth channels are then resubscribed with the new token).
///
/// ```swift
/// let stream = LighterStreamClient(
///     configuration: .init(url: "wss://mainnet.zklighter.elliot.ai/stream"),
///     markets: MarketDecimalsTable(specs), subscriptions: [.orderBook(market: 0), .trades(market: 0)])
/// let task = Task { await stream.run { event in handle(event) } }
/// ```
public final class LighterStreamClient: Sendable {
    /// Stream settings.
    public struct Configuration: Sendable {
        /// The WebSocket URL (`wss://…/stream`).
        public var url: String
        /// Reconnect, ping and watchdog timing.
        public var connection: ConnectionStateMachine.Configuration
        /// Largest message accepted, bytes.
        public var maxMessageSize: Int
        /// Refresh an auth token this long (ns) before it expires.
        public var authRefreshMargin: Int64
        /// How long to wait for a transaction reply, seconds.
        public var transactionReplyTimeout: Double
        /// How often the timers are checked, seconds.
        public var tickInterval: Double
        /// TLS SNI host name override (for `wss://` to an IP address).
        public var sniHostname: String?

        /// Settings for `url`.
        public init(
            url: String, connection: ConnectionStateMachine.Configuration = .init(), maxMessageSize: Int = 8 << 20,
            authRefreshMargin: Int64 = 600_000_000_000, transactionReplyTimeout: Double = 10, tickInterval: Double = 1,
            sniHostname: String? = nil
        ) {
            self.url = url
            self.connection = connection
            self.maxMessageSize = maxMessageSize
            self.authRefreshMargin = authRefreshMargin
            self.transactionReplyTimeout = transactionReplyTimeout
            self.tickInterval = tickInterval
            self.sniHostname = sniHostname
        }
    }

    /// Supplies an auth token valid at the given time (e.g. `AuthToken(...).token` with its deadline).
    public typealias AuthTokenProvider = @Sendable (Timestamp) async throws -> AuthTokenGrant

    /// The settings.
    public let configuration: Configuration
    private let clock: any TradingClock
    private let logger: Logger
    private let tokenProvider: AuthTokenProvider?
    private let randomUnit: @Sendable () -> Double
    private let shared: Mutex<SharedState>

    private struct SharedState {
        var subscriptions: [LighterSubscription]
        var markets: MarketDecimalsTable
        var books: [Int: OrderBookSynchronizer] = [:]
        var statistics = LighterStreamStatistics()
        var commands: AsyncStream<Command>.Continuation?
        var pending: [String: PendingReply] = [:]
        var nextRequestID = 1
        var token: AuthTokenGrant?
    }

    private struct PendingReply {
        var isBatch: Bool
        var createdAt: Timestamp
        var continuation: CheckedContinuation<Result<Data, LighterClientError>, Never>
    }

    private enum Command: Sendable {
        case send(String)
        case subscribe(LighterSubscription)
        case unsubscribe(LighterSubscription)
    }

    private enum SessionInput: Sendable {
        case frame(ByteBuffer, Timestamp)
        case tick
        case command(Command)
        case ended(String)
    }

    /// A stream client (not yet running).
    ///
    /// - Parameters:
    ///   - configuration: URL and timing.
    ///   - markets: decimals of the markets whose books and trades will be decoded.
    ///   - subscriptions: channels to follow from the first connection on.
    ///   - tokenProvider: gives auth tokens for auth channels (required if any is subscribed).
    ///   - clock: receive times and timers.
    ///   - randomUnit: jitter source in [0, 1).
    public init(
        configuration: Configuration, markets: MarketDecimalsTable, subscriptions: [LighterSubscription] = [],
        tokenProvider: AuthTokenProvider? = nil, clock: any TradingClock = LiveClock(),
        randomUnit: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "lighter.stream")
    ) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.tokenProvider = tokenProvider
        self.randomUnit = randomUnit
        var state = SharedState(subscriptions: [], markets: markets)
        for subscription in subscriptions where !state.subscriptions.contains(subscription) {
            state.subscriptions.append(subscription)
            if case .orderBook(let market) = subscription { state.books[market] = OrderBookSynchronizer(marketID: market) }
        }
        self.shared = Mutex(state)
    }

    // MARK: Public state and commands

    /// A copy of `marketID`'s book if it is synchronized.
    public func book(marketID: Int) -> OrderBook? {
        shared.withLock { state in
            guard let sync = state.books[marketID], sync.isSynced else { return nil }
            return sync.book
        }
    }

    /// Counters since creation.
    public var statistics: LighterStreamStatistics { shared.withLock { $0.statistics } }

    /// The current subscriptions.
    public var subscriptions: [LighterSubscription] { shared.withLock { $0.subscriptions } }

    /// Adds a subscription (sent at once if connected, and after every reconnect).
    public func subscribe(_ subscription: LighterSubscription) {
        let continuation = shared.withLock { state -> AsyncStream<Command>.Continuation? in
            guard !state.subscriptions.contains(subscription) else { return nil }
            state.subscriptions.append(subscription)
            if case .orderBook(let market) = subscription { state.books[market] = OrderBookSynchronizer(marketID: market) }
            return state.commands
        }
        continuation?.yield(.subscribe(subscription))
    }

    /// Removes a subscription.
    public func unsubscribe(_ subscription: LighterSubscription) {
        let continuation = shared.withLock { state -> AsyncStream<Command>.Continuation? in
            state.subscriptions.removeAll { $0 == subscription }
            if case .orderBook(let market) = subscription { state.books[market] = nil }
            return state.commands
        }
        continuation?.yield(.unsubscribe(subscription))
    }

    /// Adds or updates a market's decimals (before subscribing to its book or trades).
    public func setMarket(_ spec: MarketSpec) {
        shared.withLock { $0.markets.set(spec) }
    }

    /// Sends one transaction over the socket (`jsonapi/sendtx`, tx_info as a JSON object) and
    /// waits for the reply.
    public func sendTransaction(_ transaction: EncodedTransaction) async throws(LighterClientError) -> LighterSendTxResponse {
        let (id, _) = nextRequestID()
        let text =
            "{\"type\":\"jsonapi/sendtx\",\"data\":{\"id\":\"\(id)\",\"tx_type\":\(transaction.type),\"tx_info\":\(transaction.txInfo)}}"
        let data = try await request(id: id, isBatch: false, text: text)
        return try Self.decodeReply(data)
    }

    /// Sends up to 15 transactions in one `jsonapi/sendtxbatch` and waits for the reply.
    public func sendTransactionBatch(_ transactions: [EncodedTransaction]) async throws(LighterClientError)
        -> LighterSendTxBatchResponse
    {
        guard !transactions.isEmpty, transactions.count <= 15 else {
            throw .invalidRequest("a WebSocket batch holds 1…15 transactions, not \(transactions.count)")
        }
        let (id, _) = nextRequestID()
        let types = BatchEncoding.jsonString(BatchEncoding.typesJSON(transactions.map(\.type)))
        let infos = BatchEncoding.jsonString(BatchEncoding.infosJSON(transactions.map(\.txInfo)))
        let text = "{\"type\":\"jsonapi/sendtxbatch\",\"data\":{\"id\":\"\(id)\",\"tx_types\":\(types),\"tx_infos\":\(infos)}}"
        let data = try await request(id: id, isBatch: true, text: text)
        return try Self.decodeReply(data)
    }

    private func nextRequestID() -> (String, Int) {
        shared.withLock { state in
            let number = state.nextRequestID
            state.nextRequestID += 1
            return ("mm-\(number)", number)
        }
    }

    private func request(id: String, isBatch: Bool, text: String) async throws(LighterClientError) -> Data {
        let timeout = configuration.transactionReplyTimeout
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Data, LighterClientError>, Never>) in
            let commands = shared.withLock { state -> AsyncStream<Command>.Continuation? in
                guard let commands = state.commands else { return nil }
                state.pending[id] = PendingReply(isBatch: isBatch, createdAt: clock.now, continuation: continuation)
                return commands
            }
            guard let commands else {
                continuation.resume(returning: .failure(.notConnected))
                return
            }
            commands.yield(.send(text))
            Task {
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                self.resolve(id: id, with: .failure(.timeout("no reply to transaction request \(id) in \(timeout) s")))
            }
        }
        return try result.get()
    }

    private func resolve(id: String, with result: Result<Data, LighterClientError>) {
        let pending = shared.withLock { $0.pending.removeValue(forKey: id) }
        pending?.continuation.resume(returning: result)
    }

    private func failAllPending(_ error: LighterClientError) {
        let pending = shared.withLock { state in
            let values = Array(state.pending.values)
            state.pending.removeAll()
            return values
        }
        for reply in pending { reply.continuation.resume(returning: .failure(error)) }
    }

    static func decodeReply<Response: Decodable>(_ data: Data) throws(LighterClientError) -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        return try LighterRESTClient.decodeChecked(status: 200, body: buffer, path: "websocket jsonapi")
    }

    // MARK: Running

    /// Connects and keeps the stream alive (reconnecting with backoff) until the task is cancelled.
    ///
    /// - Parameter onEvent: called for every event, in order, on the stream's task.
    public func run(onEvent: @escaping @Sendable (LighterStreamEvent) -> Void = { _ in }) async {
        var machine = ConnectionStateMachine(configuration: configuration.connection)
        var actions = machine.start(at: clock.now)
        var connection = 0
        while !Task.isCancelled {
            guard let action = actions.first else { break }
            actions.removeFirst()
            switch action {
            case .connect:
                connection += 1
                let reason = await runConnection(number: connection, machine: &machine, onEvent: onEvent)
                failAllPending(.notConnected)
                invalidateBooks(onEvent: onEvent)
                if Task.isCancelled { break }
                let wait = machine.didDisconnect(at: clock.now, randomUnit: randomUnit())
                if case .wait(let until) = wait {
                    let delay = until - clock.now
                    logger.info("Lighter stream: \(reason); reconnecting in \(Double(delay) / 1e9) s")
                    onEvent(.disconnected(reason: reason, reconnectIn: delay))
                }
                actions = [wait]
            case .wait(let until):
                let delay = until - clock.now
                if delay > 0 {
                    do { try await Task.sleep(nanoseconds: UInt64(delay)) } catch { return }
                }
                actions = machine.tick(at: clock.now)
            case .subscribeAll, .sendPing, .closeForSilence:
                continue
            }
        }
        machine.stop()
    }

    private func invalidateBooks(onEvent: @Sendable (LighterStreamEvent) -> Void) {
        let invalidated = shared.withLock { state -> [Int] in
            var markets: [Int] = []
            for market in Array(state.books.keys) where state.books[market]?.isSynced == true {
                state.books[market]?.reset()
                markets.append(market)
            }
            return markets.sorted()
        }
        for market in invalidated { onEvent(.resync(marketID: market, reason: .reconnect)) }
    }

    private func runConnection(
        number: Int, machine: inout ConnectionStateMachine, onEvent: @escaping @Sendable (LighterStreamEvent) -> Void
    ) async -> String {
        var webSocketConfiguration = WebSocketClientConfiguration(maxFrameSize: min(configuration.maxMessageSize, 1 << 24))
        webSocketConfiguration.sniHostname = configuration.sniHostname
        let box = Mutex<(String, ConnectionStateMachine)?>(nil)
        let startMachine = machine
        do {
            let closeFrame = try await WebSocketClient.connect(
                url: configuration.url, configuration: webSocketConfiguration, logger: logger
            ) { inbound, outbound, _ in
                var sessionMachine = startMachine
                let reason = await self.runSession(
                    number: number, inbound: inbound, outbound: outbound, machine: &sessionMachine, onEvent: onEvent)
                box.withLock { $0 = (reason, sessionMachine) }
            }
            if let (reason, sessionMachine) = box.withLock({ $0 }) {
                machine = sessionMachine
                return reason
            }
            return "closed before the session started (\(closeFrame.map { "\($0.closeCode)" } ?? "no close frame"))"
        } catch {
            if let (reason, sessionMachine) = box.withLock({ $0 }) {
                machine = sessionMachine
                return reason
            }
            return "\(configuration.url): \(error)"
        }
    }

    private struct Session {
        var decoder: MarketMessageDecoder
        var message = MarketMessage()
        var authChannelsToken: String?
    }

    private func runSession(
        number: Int, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
        machine: inout ConnectionStateMachine, onEvent: @escaping @Sendable (LighterStreamEvent) -> Void
    ) async -> String {
        let (inputs, continuation) = AsyncStream.makeStream(of: SessionInput.self)
        let (commands, commandContinuation) = AsyncStream.makeStream(of: Command.self)
        let markets = shared.withLock { state in
            state.statistics.connections += 1
            state.commands = commandContinuation
            return state.markets
        }
        defer {
            shared.withLock { $0.commands = nil }
            commandContinuation.finish()
        }
        var session = Session(decoder: MarketMessageDecoder(markets: markets))
        let now = clock.now
        _ = machine.didConnect(at: now)
        logger.info("Lighter stream: connected (\(configuration.url))")
        onEvent(.connected(connection: number))
        let maxSize = configuration.maxMessageSize
        let clock = self.clock
        let tickNanos = UInt64(configuration.tickInterval * 1e9)
        var reason = "stream ended"

        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                let reason = await WebSocketMessages.read(inbound, maxSize: maxSize, clock: clock) {
                    continuation.yield(.frame($0, $1))
                }
                continuation.yield(.ended(reason))
            }
            group.addTask {
                while !Task.isCancelled {
                    do { try await Task.sleep(nanoseconds: tickNanos) } catch { return }
                    continuation.yield(.tick)
                }
            }
            group.addTask {
                for await command in commands { continuation.yield(.command(command)) }
            }
            do {
                try await subscribeAll(outbound: outbound, machine: &machine, session: &session)
                loop: for await input in inputs {
                    switch input {
                    case .frame(let buffer, let receivedAt):
                        machine.didReceive(at: receivedAt)
                        try await handleFrame(
                            buffer, receivedAt: receivedAt, outbound: outbound, machine: &machine, session: &session,
                            onEvent: onEvent)
                    case .tick:
                        for action in machine.tick(at: clock.now) {
                            switch action {
                            case .sendPing:
                                try await outbound.write(.text("{\"type\":\"ping\"}"))
                                shared.withLock { $0.statistics.pingsSent += 1 }
                            case .closeForSilence(let silent):
                                reason = "nothing received for \(Double(silent) / 1e9) s"
                                break loop
                            default:
                                break
                            }
                        }
                        try await refreshTokenIfNeeded(outbound: outbound, machine: &machine, session: &session)
                    case .command(let command):
                        try await perform(command, outbound: outbound, machine: &machine, session: &session)
                    case .ended(let detail):
                        reason = detail
                        break loop
                    }
                }
            } catch {
                reason = "session error: \(error)"
            }
            continuation.finish()
            group.cancelAll()
        }
        return reason
    }

    private func write(_ text: String, outbound: WebSocketOutboundWriter, machine: inout ConnectionStateMachine) async throws {
        try await outbound.write(.text(text))
        machine.didSend(at: clock.now)
    }

    private func subscribeAll(
        outbound: WebSocketOutboundWriter, machine: inout ConnectionStateMachine, session: inout Session
    ) async throws {
        let subscriptions = shared.withLock { $0.subscriptions }
        for subscription in subscriptions {
            try await sendSubscribe(subscription, outbound: outbound, machine: &machine, session: &session)
        }
    }

    private func sendSubscribe(
        _ subscription: LighterSubscription, outbound: WebSocketOutboundWriter, machine: inout ConnectionStateMachine,
        session: inout Session
    ) async throws {
        var token: String?
        if subscription.needsAuth {
            token = try await currentToken()
            session.authChannelsToken = token
        }
        try await write(subscription.subscribeMessage(authToken: token), outbound: outbound, machine: &machine)
    }

    private func currentToken() async throws -> String {
        let now = clock.now
        if let grant = shared.withLock({ $0.token }), !grant.needsRefresh(at: now, margin: configuration.authRefreshMargin) {
            return grant.token
        }
        guard let tokenProvider else { throw LighterClientError.invalidRequest("an auth channel needs a token provider") }
        let grant = try await tokenProvider(now)
        shared.withLock { state in
            state.token = grant
            state.statistics.tokenRefreshes += 1
        }
        return grant.token
    }

    private func refreshTokenIfNeeded(
        outbound: WebSocketOutboundWriter, machine: inout ConnectionStateMachine, session: inout Session
    ) async throws {
        guard session.authChannelsToken != nil,
            let grant = shared.withLock({ $0.token }),
            grant.needsRefresh(at: clock.now, margin: configuration.authRefreshMargin)
        else { return }
        let authSubscriptions = shared.withLock { $0.subscriptions.filter(\.needsAuth) }
        let token = try await currentToken()
        session.authChannelsToken = token
        for subscription in authSubscriptions {
            try await write(subscription.unsubscribeMessage, outbound: outbound, machine: &machine)
            try await write(subscription.subscribeMessage(authToken: token), outbound: outbound, machine: &machine)
        }
        logger.info("Lighter stream: auth token refreshed; \(authSubscriptions.count) auth channel(s) resubscribed")
    }

    private func perform(
        _ command: Command, outbound: WebSocketOutboundWriter, machine: inout ConnectionStateMachine, session: inout Session
    ) async throws {
        switch command {
        case .send(let text):
            try await write(text, outbound: outbound, machine: &machine)
        case .subscribe(let subscription):
            if case .orderBook = subscription {
                session.decoder.markets = shared.withLock { $0.markets }
            }
            if case .trades = subscription {
                session.decoder.markets = shared.withLock { $0.markets }
            }
            try await sendSubscribe(subscription, outbound: outbound, machine: &machine, session: &session)
        case .unsubscribe(let subscription):
            try await write(subscription.unsubscribeMessage, outbound: outbound, machine: &machine)
        }
    }

    // MARK: Frames

    private func handleFrame(
        _ buffer: ByteBuffer, receivedAt: Timestamp, outbound: WebSocketOutboundWriter, machine: inout ConnectionStateMachine,
        session: inout Session, onEvent: @Sendable (LighterStreamEvent) -> Void
    ) async throws {
        let decoded: Result<Void, WireError> = buffer.withUnsafeReadableBytes { bytes in
            do throws(WireError) {
                try session.decoder.decode(bytes, into: &session.message)
                return .success(())
            } catch { return .failure(error) }
        }
        shared.withLock { $0.statistics.messages += 1 }
        if case .success = decoded {
            switch session.message.kind {
            case .orderBookSnapshot, .orderBookUpdate:
                try await handleBook(session.message, receivedAt: receivedAt, outbound: outbound, machine: &machine, onEvent: onEvent)
                return
            case .tradeSnapshot, .tradeUpdate:
                onEvent(
                    .trades(
                        marketID: session.message.marketID, trades: session.message.trades,
                        isSnapshot: session.message.kind == .tradeSnapshot, receivedAt: receivedAt))
                return
            case .ping:
                try await write("{\"type\":\"pong\"}", outbound: outbound, machine: &machine)
                shared.withLock { $0.statistics.pongsSent += 1 }
                return
            case .pong, .connected:
                return
            case .other:
                break
            }
        }
        handleOther(buffer, receivedAt: receivedAt, hotError: decoded, onEvent: onEvent)
    }

    private func handleBook(
        _ message: MarketMessage, receivedAt: Timestamp, outbound: WebSocketOutboundWriter,
        machine: inout ConnectionStateMachine, onEvent: @Sendable (LighterStreamEvent) -> Void
    ) async throws {
        let result = shared.withLock { state -> (OrderBookSynchronizer.Outcome, OrderBook?) in
            // Mutate in place (optional chaining on the subscript), so the book is not copied.
            guard let outcome = state.books[message.marketID]?.apply(message) else { return (.ignored, nil) }
            if case .resyncNeeded = outcome { state.statistics.resyncs += 1 }
            return (outcome, state.books[message.marketID]?.book)
        }
        switch result.0 {
        case .snapshotApplied, .updateApplied:
            guard let book = result.1 else { return }
            onEvent(
                .book(
                    LighterBookEvent(
                        marketID: message.marketID, isSnapshot: message.kind == .orderBookSnapshot, nonce: message.nonce,
                        offset: message.offset, timestampMs: message.timestampMs, receivedAt: receivedAt, bids: message.bids,
                        asks: message.asks, book: book)))
        case .resyncNeeded(let reason):
            logger.warning("Lighter stream: market \(message.marketID): \(reason); resubscribing")
            onEvent(.resync(marketID: message.marketID, reason: reason))
            let subscription = LighterSubscription.orderBook(market: message.marketID)
            try await write(subscription.unsubscribeMessage, outbound: outbound, machine: &machine)
            try await write(subscription.subscribeMessage(authToken: nil), outbound: outbound, machine: &machine)
        case .ignored, .ignoredAwaitingSnapshot:
            break
        }
    }

    private func handleOther(
        _ buffer: ByteBuffer, receivedAt: Timestamp, hotError: Result<Void, WireError>,
        onEvent: @Sendable (LighterStreamEvent) -> Void
    ) {
        let data = Data(buffer.readableBytesView)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            let detail: String
            if case .failure(let error) = hotError { detail = error.description } else { detail = "not a JSON object" }
            shared.withLock { $0.statistics.decodeErrors += 1 }
            logger.warning("Lighter stream: undecodable frame (\(buffer.readableBytes) bytes): \(detail)")
            onEvent(.decodeError(detail))
            return
        }
        let type = object["type"] as? String
        if case .failure(let error) = hotError, type == "update/order_book" || type == "subscribed/order_book"
            || type == "update/trade" || type == "subscribed/trade"
        {
            shared.withLock { $0.statistics.decodeErrors += 1 }
            logger.warning("Lighter stream: bad \(type ?? "") frame: \(error)")
            onEvent(.decodeError("\(type ?? ""): \(error)"))
            return
        }
        if let type, type.hasPrefix("jsonapi/") {
            resolveReply(object: object, type: type, data: data)
            return
        }
        if type == "error" || object["error"] != nil {
            let error = (object["error"] as? [String: Any]) ?? object
            let code = (error["code"] as? NSNumber)?.intValue ?? 0
            let message = error["message"] as? String ?? ""
            logger.warning("Lighter stream: server error \(code): \(message)")
            if let id = (object["id"] as? String) ?? ((object["data"] as? [String: Any])?["id"] as? String) {
                resolve(id: id, with: .failure(.api(LighterAPIError(httpStatus: 0, code: LighterErrorCode(rawValue: code), message: message))))
            }
            onEvent(.serverError(code: code, message: message))
            return
        }
        if type == "shutdown" {
            logger.info("Lighter stream: server announced shutdown")
        }
        onEvent(
            .message(
                type: type ?? "", channel: object["channel"] as? String, json: String(decoding: data, as: UTF8.self),
                receivedAt: receivedAt))
    }

    private func resolveReply(object: [String: Any], type: String, data: Data) {
        let isBatch = type == "jsonapi/sendtxbatch"
        let id = (object["id"] as? String) ?? ((object["data"] as? [String: Any])?["id"] as? String)
        let target = shared.withLock { state -> String? in
            if let id, state.pending[id] != nil { return id }
            // No id echoed: the oldest pending request of the same kind.
            return state.pending.filter { $0.value.isBatch == isBatch }.min { $0.value.createdAt < $1.value.createdAt }?.key
        }
        guard let target else { return }
        var payload = object
        if let inner = object["data"] as? [String: Any], object["code"] == nil { payload = inner }
        let body = (try? JSONSerialization.data(withJSONObject: payload)) ?? data
        resolve(id: target, with: .success(body))
    }
}
