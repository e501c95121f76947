import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// One HTTP request the test server received.
public struct TestHTTPRequest: Sendable {
    /// The HTTP method (`GET`, `POST`).
    public var method: String
    /// The path without the query.
    public var path: String
    /// The query's fields, decoded.
    public var query: [String: String]
    /// The headers, names lowercased.
    public var headers: [String: String]
    /// The body as text.
    public var body: String

    /// A request with these parts.
    public init(method: String, path: String, query: [String: String], headers: [String: String], body: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The body's form fields (`application/x-www-form-urlencoded`).
    public var form: [String: String] { TestHTTPRequest.decodeForm(body) }

    /// Decodes `key=value&…` text (`+` as space, percent escapes); a key without `=` gets an empty value.
    public static func decodeForm(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[0])
            let value =
                parts.count > 1
                ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[1])) : ""
            fields[key] = value
        }
        return fields
    }
}

/// The reply the scripted handler gives.
public struct TestHTTPResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The body (sent as `application/json`).
    public var body: String

    /// A reply with `status` and `body`.
    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }

    /// A 200 reply with `body`.
    public static func ok(_ body: String) -> TestHTTPResponse { TestHTTPResponse(status: 200, body: body) }
}

/// A WebSocket connection on the server side: what the client sent, and a way to send to it.
public final class TestSocket: Sendable {
    /// The connection's channel.
    public let channel: any Channel
    /// Text frames from the client, in order.
    public let received: AsyncStream<String>
    let receivedContinuation: AsyncStream<String>.Continuation
    private let protocolPings = Mutex(0)

    /// A socket over `channel`, with an empty message stream.
    init(channel: any Channel) {
        self.channel = channel
        (received, receivedContinuation) = AsyncStream.makeStream(of: String.self)
    }

    /// WebSocket protocol pings received.
    public var pingsReceived: Int { protocolPings.withLock { $0 } }

    /// Counts one protocol ping.
    func notePing() { protocolPings.withLock { $0 += 1 } }

    /// Sends a text frame to the client.
    public func send(_ text: String) {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        let frame = WebSocketFrame(fin: true, opcode: .text, data: buffer)
        channel.writeAndFlush(frame, promise: nil)
    }

    /// Sends `text` as one WebSocket message split over `pieces` frames: a text frame without
    /// `fin`, then continuation frames, the last with `fin`.
    public func sendFragmented(_ text: String, pieces: Int) {
        let bytes = Array(text.utf8)
        let count = max(1, min(pieces, bytes.count))
        let step = (bytes.count + count - 1) / count
        var start = 0
        var first = true
        while start < bytes.count {
            let end = min(start + step, bytes.count)
            var buffer = channel.allocator.buffer(capacity: end - start)
            buffer.writeBytes(bytes[start..<end])
            let frame = WebSocketFrame(fin: end == bytes.count, opcode: first ? .text : .continuation, data: buffer)
            channel.write(frame, promise: nil)
            first = false
            start = end
        }
        channel.flush()
    }

    /// Drops the TCP connection without a close handshake.
    public func drop() {
        channel.close(promise: nil)
    }

    /// Reads client messages until one satisfies `predicate` (or the stream ends).
    public func next(where predicate: (String) -> Bool = { _ in true }) async -> String? {
        for await text in received where predicate(text) { return text }
        return nil
    }
}

/// A local server speaking Lighter's REST and WebSocket formats, scripted per test.
///
/// HTTP requests go to the handler closure; WebSocket upgrades on `/stream` produce a
/// ``TestSocket`` in ``sockets``; the server sends `{"type":"connected"}` first, like Lighter.
public final class LighterTestServer: Sendable {
    /// Answers one HTTP request.
    public typealias Handler = @Sendable (TestHTTPRequest) -> TestHTTPResponse

    /// The port the server listens on.
    public let port: Int
    private let channel: any Channel
    private let handler: Mutex<Handler>
    private let recorded = Mutex<[TestHTTPRequest]>([])
    /// New WebSocket connections.
    public let sockets: AsyncStream<TestSocket>
    private let socketsContinuation: AsyncStream<TestSocket>.Continuation

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// `ws://127.0.0.1:<port>/stream`.
    public var streamURL: String { "ws://127.0.0.1:\(port)/stream" }

    /// Requests received so far.
    public var requests: [TestHTTPRequest] { recorded.withLock { $0 } }

    private init(channel: any Channel, handler: @escaping Handler, sockets: AsyncStream<TestSocket>,
                 continuation: AsyncStream<TestSocket>.Continuation) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.handler = Mutex(handler)
        self.sockets = sockets
        self.socketsContinuation = continuation
    }

    /// Starts a server on 127.0.0.1 on a free port; `handler` answers HTTP requests (404 by default).
    public static func start(handler: @escaping Handler = { _ in TestHTTPResponse(status: 404, body: "{\"code\":404,\"message\":\"not found\"}") })
        async throws -> LighterTestServer
    {
        let (sockets, continuation) = AsyncStream.makeStream(of: TestSocket.self)
        let box = Mutex<LighterTestServer?>(nil)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: 1 << 22,
                    shouldUpgrade: { channel, head in
                        channel.eventLoop.makeSucceededFuture(head.uri.hasPrefix("/stream") ? HTTPHeaders() : nil)
                    },
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            let socket = TestSocket(channel: channel)
                            try channel.pipeline.syncOperations.addHandler(TestWebSocketHandler(socket: socket))
                            continuation.yield(socket)
                            socket.send("{\"session_id\":\"test\",\"type\":\"connected\"}")
                        }
                    })
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (
                            upgraders: [upgrader],
                            completionHandler: { context in
                                // The HTTP handler must not see WebSocket frames.
                                context.pipeline.removeHandler(name: "test-http", promise: nil)
                            }
                        ))
                    try channel.pipeline.syncOperations.addHandler(
                        TestHTTPHandler { request in
                            guard let server = box.withLock({ $0 }) else { return TestHTTPResponse(status: 503, body: "") }
                            return server.handle(request)
                        }, name: "test-http")
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        let server = LighterTestServer(channel: channel, handler: handler, sockets: sockets, continuation: continuation)
        box.withLock { $0 = server }
        return server
    }

    /// Replaces the HTTP handler.
    public func setHandler(_ handler: @escaping Handler) {
        self.handler.withLock { $0 = handler }
    }

    private func handle(_ request: TestHTTPRequest) -> TestHTTPResponse {
        recorded.withLock { $0.append(request) }
        let handler = self.handler.withLock { $0 }
        return handler(request)
    }

    /// The next WebSocket connection (waits for it).
    public func nextSocket() async -> TestSocket? {
        for await socket in sockets { return socket }
        return nil
    }

    /// Stops listening.
    public func shutdown() async {
        socketsContinuation.finish()
        try? await channel.close()
    }
}

/// Collects an HTTP request and answers it with the scripted handler.
private final class TestHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: @Sendable (TestHTTPRequest) -> TestHTTPResponse
    private var head: HTTPRequestHead?
    private var body = ""

    init(respond: @escaping @Sendable (TestHTTPRequest) -> TestHTTPResponse) {
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = ""
        case .body(let buffer):
            body += String(buffer: buffer)
        case .end:
            guard let head else { return }
            let parts = head.uri.split(separator: "?", maxSplits: 1)
            let path = parts.first.map(String.init) ?? head.uri
            let query = parts.count > 1 ? TestHTTPRequest.decodeForm(String(parts[1])) : [:]
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let request = TestHTTPRequest(method: "\(head.method)", path: path, query: query, headers: headers, body: body)
            let response = respond(request)
            var responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: response.status))
            responseHead.headers.add(name: "content-type", value: "application/json")
            responseHead.headers.add(name: "content-length", value: String(response.body.utf8.count))
            context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            self.head = nil
        }
    }
}

/// Server side of a WebSocket: forwards text frames, answers protocol pings and close frames.
private final class TestWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let socket: TestSocket
    private var fragments = ""

    init(socket: TestSocket) {
        self.socket = socket
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .continuation:
            fragments += String(buffer: frame.unmaskedData)
            if frame.fin {
                socket.receivedContinuation.yield(fragments)
                fragments = ""
            }
        case .ping:
            socket.notePing()
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
        socket.receivedContinuation.finish()
        context.fireChannelInactive()
    }
}
