import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A local stand-in for Binance on 127.0.0.1 (port chosen by the OS): it answers
/// `GET /fapi/v1/depth?…` with whatever the test's REST handler returns, and upgrades
/// `GET /stream?streams=…` to a WebSocket that the test's stream handler scripts.
///
/// Built on NIO (HTTP/1 server pipeline with the WebSocket upgrader); every connection is handled
/// in its own task.
public final class BinanceTestServer: Sendable {
    /// Answers one REST request: `(request number from 1, URI) → (HTTP status, body)`.
    public typealias RESTHandler = @Sendable (Int, String) async -> (status: Int, body: String)
    /// Scripts one WebSocket connection. When it returns, the connection stays open until the
    /// client closes it.
    public typealias StreamHandler = @Sendable (ServerWebSocket) async throws -> Void

    enum UpgradeResult: Sendable {
        case webSocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, String)
        case http(NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>)
    }

    /// The port the server listens on.
    public let port: Int
    private let serverChannel: NIOAsyncChannel<EventLoopFuture<UpgradeResult>, Never>
    private let acceptTask: Task<Void, Never>
    private let counters: Locked<Counters>

    struct Counters {
        var restRequests: [String] = []
        var streamPaths: [String] = []
        var closedByClient = 0
    }

    /// `http://127.0.0.1:<port>`.
    public var restBaseURL: String { "http://127.0.0.1:\(port)" }
    /// `ws://127.0.0.1:<port>`.
    public var webSocketBaseURL: String { "ws://127.0.0.1:\(port)" }
    /// URIs of the REST requests received so far.
    public var restRequests: [String] { counters.withLock { $0.restRequests } }
    /// Paths (with query) of the WebSocket connections accepted so far.
    public var streamPaths: [String] { counters.withLock { $0.streamPaths } }
    /// WebSocket connections the client closed with a close frame.
    public var closedByClient: Int { counters.withLock { $0.closedByClient } }

    private init(
        port: Int, serverChannel: NIOAsyncChannel<EventLoopFuture<UpgradeResult>, Never>,
        acceptTask: Task<Void, Never>, counters: Locked<Counters>
    ) {
        self.port = port
        self.serverChannel = serverChannel
        self.acceptTask = acceptTask
        self.counters = counters
    }

    /// Starts a server: `rest` answers REST requests, `stream` scripts each WebSocket connection.
    public static func start(rest: @escaping RESTHandler, stream: @escaping StreamHandler) async throws -> BinanceTestServer {
        let channel: NIOAsyncChannel<EventLoopFuture<UpgradeResult>, Never> = try await ServerBootstrap(
            group: MultiThreadedEventLoopGroup.singleton
        )
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .bind(host: "127.0.0.1", port: 0) { channel in
            channel.eventLoop.makeCompletedFuture {
                let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
                    maxFrameSize: 1 << 22,
                    shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
                    upgradePipelineHandler: { channel, head in
                        channel.eventLoop.makeCompletedFuture {
                            let asyncChannel = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(
                                wrappingChannelSynchronously: channel)
                            return UpgradeResult.webSocket(asyncChannel, head.uri)
                        }
                    }
                )
                let configuration = NIOTypedHTTPServerUpgradeConfiguration(
                    upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in
                        channel.eventLoop.makeCompletedFuture {
                            UpgradeResult.http(
                                try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                                    wrappingChannelSynchronously: channel))
                        }
                    }
                )
                return try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
                    configuration: .init(upgradeConfiguration: configuration))
            }
        }
        guard let port = channel.channel.localAddress?.port else {
            throw TestServerError("server has no local port")
        }
        let counters = Locked(Counters())
        let restCount = Locked(0)
        let connectionCount = Locked(0)
        let acceptTask = Task {
            await withDiscardingTaskGroup { group in
                do {
                    try await channel.executeThenClose { inbound in
                        for try await upgrade in inbound {
                            group.addTask {
                                guard let result = try? await upgrade.get() else { return }
                                switch result {
                                case .http(let http):
                                    await serveHTTP(http, rest: rest, counters: counters, restCount: restCount)
                                case .webSocket(let webSocket, let uri):
                                    let number = connectionCount.withLock { count in
                                        count += 1
                                        return count
                                    }
                                    counters.withLock { $0.streamPaths.append(uri) }
                                    await serveWebSocket(
                                        webSocket, number: number, path: uri, stream: stream, counters: counters)
                                }
                            }
                        }
                    }
                } catch {}
            }
        }
        return BinanceTestServer(port: port, serverChannel: channel, acceptTask: acceptTask, counters: counters)
    }

    /// Closes the listening socket and ends every connection task.
    public func stop() async {
        try? await serverChannel.channel.close()
        acceptTask.cancel()
    }

    private static func serveHTTP(
        _ http: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, rest: RESTHandler,
        counters: Locked<Counters>, restCount: Locked<Int>
    ) async {
        try? await http.executeThenClose { inbound, outbound in
            for try await part in inbound {
                guard case .head(let head) = part else { continue }
                let number = restCount.withLock { count in
                    count += 1
                    return count
                }
                counters.withLock { $0.restRequests.append(head.uri) }
                let (status, body) = await rest(number, head.uri)
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: String(body.utf8.count))
                let responseHead = HTTPResponseHead(
                    version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
                try await outbound.write(contentsOf: [
                    .head(responseHead), .body(.byteBuffer(ByteBuffer(string: body))), .end(nil),
                ])
            }
        }
    }

    private static func serveWebSocket(
        _ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, number: Int, path: String, stream: @escaping StreamHandler,
        counters: Locked<Counters>
    ) async {
        try? await channel.executeThenClose { inbound, outbound in
            let socket = ServerWebSocket(number: number, path: path, outbound: outbound, channel: channel.channel)
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Answer pings and the client's close; stop when the client goes away.
                    do {
                        for try await frame in inbound {
                            switch frame.opcode {
                            case .ping:
                                try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
                            case .connectionClose:
                                counters.withLock { $0.closedByClient += 1 }
                                var data = frame.unmaskedData
                                let code = data.readSlice(length: 2) ?? ByteBuffer()
                                try? await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, data: code))
                                return
                            default:
                                break
                            }
                        }
                    } catch {}
                }
                group.addTask {
                    try? await stream(socket)
                    // Keep the connection until the client closes it or the reader stops.
                    try? await Task.sleep(for: .seconds(3600))
                }
                await group.next()
                group.cancelAll()
            }
        }
    }
}

/// The server side of one WebSocket connection, as a stream handler sees it.
public struct ServerWebSocket: Sendable {
    /// Connection number, from 1.
    public let number: Int
    /// The request path with its query (`/stream?streams=btcusdt@depth@100ms`).
    public let path: String
    /// Writes frames to the client.
    let outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>
    /// The connection's channel (closed by ``drop()``).
    let channel: any Channel

    /// Sends one text message.
    public func send(_ text: String) async throws {
        try await outbound.write(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: text)))
    }

    /// Sends one message wrapped as a combined-stream message `{"stream":…,"data":…}`.
    public func send(stream: String, data: String) async throws {
        try await send(#"{"stream":"\#(stream)","data":\#(data)}"#)
    }

    /// Drops the TCP connection without a close frame (as a network failure would).
    public func drop() async {
        try? await channel.close()
    }
}

/// A failure inside the test server.
public struct TestServerError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    /// A failure described by `description`.
    public init(_ description: String) { self.description = description }
}
