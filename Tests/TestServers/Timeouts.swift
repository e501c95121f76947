/// Thrown when a test waits too long for something.
public struct TestTimeout: Error, CustomStringConvertible {
    /// What the test was waiting for.
    public var what: String
    /// `timed out waiting for <what>`.
    public var description: String { "timed out waiting for \(what)" }

    /// A timeout while waiting for `what`.
    public init(what: String) {
        self.what = what
    }
}

/// Runs `body`, failing with ``TestTimeout`` after `seconds`.
public func withTimeout<T: Sendable>(
    _ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            throw TestTimeout(what: what)
        }
        guard let first = try await group.next() else { throw TestTimeout(what: what) }
        group.cancelAll()
        return first
    }
}

extension TestSocket {
    /// The next client message containing `fragment`, within `timeout` seconds.
    public func expectMessage(containing fragment: String, timeout: Double = 5) async throws -> String {
        try await withTimeout(timeout, "client message containing \(fragment)") {
            guard let text = await self.next(where: { $0.contains(fragment) }) else {
                throw TestTimeout(what: "client message containing \(fragment) (socket closed)")
            }
            return text
        }
    }
}

extension LighterTestServer {
    /// The next WebSocket connection, within `timeout` seconds.
    public func expectSocket(timeout: Double = 5) async throws -> TestSocket {
        try await withTimeout(timeout, "a WebSocket connection") {
            guard let socket = await self.nextSocket() else { throw TestTimeout(what: "a WebSocket connection (server stopped)") }
            return socket
        }
    }
}
