import Foundation
import Lighter
import NIOCore
import NIOPosix
import Testing

/// The REST client against a port nobody listens on: it fails at once with a connection error
/// instead of retrying the connection until the request timeout.
@Suite struct ClientConnectTests {
    /// A loopback port that was free a moment ago (bound, then closed).
    static func closedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }

    @Test func aRefusedConnectionFailsFastWithAConnectionError() async throws {
        let port = try await Self.closedPort()
        // A 30 s request timeout: async-http-client's default pool would keep retrying the
        // connection for all of it.
        let rest = LighterRESTClient(
            configuration: .init(baseURL: "http://127.0.0.1:\(port)", timeout: 30, connectTimeout: 2, rateLimiter: nil))
        let started = Date()
        var caught: LighterClientError?
        do throws(LighterClientError) {
            _ = try await rest.nextNonce(accountIndex: 1, apiKeyIndex: 3)
        } catch {
            caught = error
        }
        let elapsed = Date().timeIntervalSince(started)
        let error = try #require(caught)
        guard case .connectionFailed(let url, let detail) = error else {
            Issue.record("expected connectionFailed, got \(error)")
            return
        }
        #expect(url == "http://127.0.0.1:\(port)")
        #expect(detail.contains("connection refused"))
        #expect(error.description.hasPrefix("cannot connect to http://127.0.0.1:\(port): connection refused"))
        // Well inside the 30 s request timeout (and the 2 s connect timeout: a refusal is immediate).
        #expect(elapsed < 10, "took \(elapsed) s")
    }
}
