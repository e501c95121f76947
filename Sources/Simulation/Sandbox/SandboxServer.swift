import Foundation
import Logging
import MarketCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// Serves a ``SandboxExchange`` on 127.0.0.1 over HTTP/1.1 (Lighter's REST paths) and WebSocket
/// (`/stream`), in real time: a pacing task advances the exchange to the live clock every
/// ``pacingIntervalNanoseconds``, and every request is handled at the clock's time.
///
/// ```swift
/// let server = try await SandboxServer.start(configuration: .init(markets: [.eth()]))  // a free port
/// print(server.exchange.readyBanner(baseURL: server.baseURL))
/// …
/// await server.shutdown()
/// ```
public final class SandboxServer: Sendable {
    /// The exchange served.
    public let exchange: SandboxExchange
    /// The port asked for (0: any free port).
    public let requestedPort: Int
    /// How often the markets are advanced to the clock, nanoseconds.
    public let pacingIntervalNanoseconds: Int64
    private let clock: any TradingClock
    private let logger: Logger
    private let running: Mutex<Running?>
    private let connectionIDs = ConnectionCounter()
    private let connections = ConnectionRegistry()

    private struct Running {
        var channel: any Channel
        var pacing: Task<Void, Never>
        var port: Int
    }

    /// A server (not yet listening).
    ///
    /// - Parameters:
    ///   - exchange: the exchange to serve.
    ///   - port: the TCP port on 127.0.0.1 (0: a free port, see ``start()``).
    ///   - pacingIntervalNanoseconds: how often the markets advance without requests (default 50 ms).
    ///   - clock: the time source (the live clock; the exchange itself only sees explicit times).
    ///   - logger: where connection problems are logged.
    public init(
        exchange: SandboxExchange, port: Int = 0, pacingIntervalNanoseconds: Int64 = 50_000_000,
        clock: any TradingClock = LiveClock(), logger: Logger = Logger(label: "sandbox.server")
    ) {
        self.exchange = exchange
        self.requestedPort = port
        self.pacingIntervalNanoseconds = pacingIntervalNanoseconds
        self.clock = clock
        self.logger = logger
        self.running = Mutex(nil)
    }

    /// Builds an exchange for `configuration` starting now on `clock`, and serves it.
    ///
    /// - Parameters:
    ///   - configuration: markets, accounts and rules.
    ///   - port: the TCP port on 127.0.0.1 (0: a free port).
    ///   - clock: the live clock (or a test clock).
    /// - Returns: the running server; ``exchange`` is the exchange it serves.
    /// - Throws: ``SandboxError`` for an unusable configuration, or the bind error.
    public static func start(
        configuration: SandboxConfiguration, port: Int = 0, clock: any TradingClock = LiveClock()
    ) async throws -> SandboxServer {
        let exchange = try SandboxExchange(configuration: configuration, startTime: clock.now)
        let server = SandboxServer(exchange: exchange, port: port, clock: clock)
        try await server.start()
        return server
    }

    /// The port listened on (0 before ``start()`` and after ``shutdown()``).
    public var port: Int { running.withLock { $0?.port ?? 0 } }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `ws://127.0.0.1:<port>/stream`.
    public var streamURL: String { "ws://127.0.0.1:\(port)/stream" }

    /// Starts listening and pacing.
    /// - Returns: the port listened on.
    /// - Throws: if the port cannot be bound, or the server is already running.
    @discardableResult
    public func start() async throws -> Int {
        if running.withLock({ $0 != nil }) {
            throw SandboxError(code: 0, message: "the sandbox server is already running on port \(port)")
        }
        let exchange = self.exchange
        let clock = self.clock
        let ids = self.connectionIDs
        let connections = self.connections
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.add(channel)
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: 1 << 22,
                    shouldUpgrade: { channel, head in
                        channel.eventLoop.makeSucceededFuture(head.uri.hasPrefix("/stream") ? HTTPHeaders() : nil)
                    },
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            let id = ids.next()
                            let handler = SandboxWebSocketHandler(exchange: exchange, clock: clock, connectionID: id)
                            try channel.pipeline.syncOperations.addHandler(handler)
                            let subscriber = SandboxWebSocketHandler.subscriber(id: id, channel: channel)
                            subscriber.deliver("{\"type\":\"connected\",\"session_id\":\"sandbox-\(id)\"}")
                        }
                    })
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (
                            upgraders: [upgrader],
                            completionHandler: { context in
                                context.pipeline.removeHandler(name: "sandbox-http", promise: nil)
                            }
                        ))
                    try channel.pipeline.syncOperations.addHandler(
                        SandboxHTTPHandler(exchange: exchange, clock: clock), name: "sandbox-http")
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: requestedPort).get()
        let port = channel.localAddress?.port ?? requestedPort
        let interval = pacingIntervalNanoseconds
        let pacing = Task.detached {
            while !Task.isCancelled {
                exchange.advance(to: clock.now)
                try? await Task.sleep(nanoseconds: UInt64(max(1_000_000, interval)))
            }
        }
        running.withLock { $0 = Running(channel: channel, pacing: pacing, port: port) }
        return port
    }

    /// Closes every open connection (WebSocket and HTTP) but keeps listening: clients see the
    /// server drop them and can reconnect at once (for reconnect tests).
    public func dropConnections() async {
        for channel in connections.removeAll() {
            try? await channel.close()
        }
    }

    /// Stops pacing and listening, and closes the open connections.
    public func shutdown() async {
        guard let current = running.withLock({ state -> Running? in
            let current = state
            state = nil
            return current
        }) else { return }
        current.pacing.cancel()
        try? await current.channel.close()
        for channel in connections.removeAll() {
            try? await channel.close()
        }
    }
}

/// Hands out connection ids.
private final class ConnectionCounter: Sendable {
    private let last = Atomic<Int>(0)

    func next() -> Int { last.wrappingAdd(1, ordering: .relaxed).newValue }
}

/// The open connections, so shutdown can close them.
private final class ConnectionRegistry: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.channels.withLock { $0.removeValue(forKey: key) }
        }
    }

    func removeAll() -> [any Channel] {
        channels.withLock { channels in
            let all = Array(channels.values)
            channels.removeAll()
            return all
        }
    }
}

/// Collects one HTTP request and answers it from the exchange.
private final class SandboxHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let exchange: SandboxExchange
    private let clock: any TradingClock
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(exchange: SandboxExchange, clock: any TradingClock) {
        self.exchange = exchange
        self.clock = clock
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var buffer):
            body.writeBuffer(&buffer)
        case .end:
            guard let head else { return }
            let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let path = parts.first.map(String.init) ?? head.uri
            let query = parts.count > 1 ? SandboxJSON.decodeForm(String(parts[1])) : [:]
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let text = String(buffer: body)
            let response = exchange.respond(
                method: "\(head.method)", path: path, query: query, headers: headers, body: text, at: clock.now)
            var responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: response.status))
            responseHead.headers.add(name: "content-type", value: "application/json")
            responseHead.headers.add(name: "content-length", value: String(response.body.utf8.count))
            let keepAlive = head.isKeepAlive
            if !keepAlive { responseHead.headers.add(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
            self.head = nil
            body.clear()
        }
    }
}

/// The server side of one WebSocket: text frames go to the exchange, protocol pings are answered.
private final class SandboxWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let exchange: SandboxExchange
    private let clock: any TradingClock
    private let connectionID: Int
    private var fragments = ByteBuffer()

    init(exchange: SandboxExchange, clock: any TradingClock, connectionID: Int) {
        self.exchange = exchange
        self.clock = clock
        self.connectionID = connectionID
    }

    /// A subscriber that writes text frames to `channel`.
    static func subscriber(id: Int, channel: any Channel) -> SandboxSubscriber {
        // Always through `execute`: the exchange calls this with its lock held, so the write (and
        // any close it causes, which calls back into the exchange) must run after the lock is
        // released; the event loop runs the tasks in the order they were scheduled.
        SandboxSubscriber(id: id) { text in
            channel.eventLoop.execute {
                var buffer = channel.allocator.buffer(capacity: text.utf8.count)
                buffer.writeString(text)
                channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: buffer), promise: nil)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary, .continuation:
            var payload = frame.unmaskedData
            fragments.writeBuffer(&payload)
            if frame.fin {
                let text = String(buffer: fragments)
                fragments.clear()
                exchange.receive(
                    text, from: Self.subscriber(id: connectionID, channel: context.channel), at: clock.now)
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        exchange.disconnect(connectionID)
        context.fireChannelInactive()
    }
}
