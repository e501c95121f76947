import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// One HTTP request the test server received.
struct TestHTTPRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    var headers: [String: String]
    var body: String

    /// The body's form fields (`application/x-www-form-urlencoded`).
    var form: [String: String] { TestHTTPRequest.decodeForm(body) }

    static func decodeForm(_ text: String) -> [String: String] {
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
struct TestHTTPResponse: Sendable {
    var status: Int
    var body: String

    static func ok(_ body: String) -> TestHTTPResponse { TestHTTPResponse(status: 200, body: body) }
}

/// A WebSocket connection on the server side: what the client sent, and a way to send to it.
final class TestSocket: Sendable {
    let channel: any Channel
    /// Text frames from the client, in order.
    let received: AsyncStream<String>
    let receivedContinuation: AsyncStream<String>.Continuation
    private let protocolPings = Mutex(0)

    init(channel: any Channel) {
        self.channel = channel
        (received, receivedContinuation) = AsyncStream.makeStream(of: String.self)
    }

    /// WebSocket protocol pings received.
    var pingsReceived: Int { protocolPings.withLock { $0 } }

    func notePing() { protocolPings.withLock { $0 += 1 } }

    /// Sends a text frame to the client.
    func send(_ text: String) {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        let frame = WebSocketFrame(fin: true, opcode: .text, data: buffer)
        channel.writeAndFlush(frame, promise: nil)
    }

    /// Drops the TCP connection without a close handshake.
    func drop() {
        channel.close(promise: nil)
    }

    /// Reads client messages until one satisfies `predicate` (or the stream ends).
    func next(where predicate: (String) -> Bool = { _ in true }) async -> String? {
        for await text in received where predicate(text) { return text }
        return nil
    }
}

/// A local server speaking Lighter's REST and WebSocket formats, scripted per test.
///
/// HTTP requests go to the handler closure; WebSocket upgrades on `/stream` produce a
/// ``TestSocket`` in ``sockets``; the server sends `{"type":"connected"}` first, like Lighter.
final class LighterTestServer: Sendable {
    typealias Handler = @Sendable (TestHTTPRequest) -> TestHTTPResponse

    let port: Int
    private let channel: any Channel
    private let handler: Mutex<Handler>
    private let recorded = Mutex<[TestHTTPRequest]>([])
    /// New WebSocket connections.
    let sockets: AsyncStream<TestSocket>
    private let socketsContinuation: AsyncStream<TestSocket>.Continuation

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var streamURL: String { "ws://127.0.0.1:\(port)/stream" }

    /// Requests received so far.
    var requests: [TestHTTPRequest] { recorded.withLock { $0 } }

    private init(channel: any Channel, handler: @escaping Handler, sockets: AsyncStream<TestSocket>,
                 continuation: AsyncStream<TestSocket>.Continuation) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.handler = Mutex(handler)
        self.sockets = sockets
        self.socketsContinuation = continuation
    }

    /// Starts a server on 127.0.0.1 on a free port.
    static func start(handler: @escaping Handler = { _ in TestHTTPResponse(status: 404, body: "{\"code\":404,\"message\":\"not found\"}") })
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
    func setHandler(_ handler: @escaping Handler) {
        self.handler.withLock { $0 = handler }
    }

    private func handle(_ request: TestHTTPRequest) -> TestHTTPResponse {
        recorded.withLock { $0.append(request) }
        let handler = self.handler.withLock { $0 }
        return handler(request)
    }

    /// The next WebSocket connection (waits for it).
    func nextSocket() async -> TestSocket? {
        for await socket in sockets { return socket }
        return nil
    }

    /// Stops listening.
    func shutdown() async {
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
