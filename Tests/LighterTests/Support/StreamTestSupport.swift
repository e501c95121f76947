import Lighter
import Synchronization

/// Thrown when a test waits too long for something.
struct TestTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Runs `body`, failing with ``TestTimeout`` after `seconds`.
func withTimeout<T: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
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

/// Collects stream events and lets a test wait for one that matches.
final class EventRecorder: Sendable {
    private let events = Mutex<[LighterStreamEvent]>([])

    func record(_ event: LighterStreamEvent) { events.withLock { $0.append(event) } }

    var all: [LighterStreamEvent] { events.withLock { $0 } }

    /// Waits until some recorded event satisfies `predicate`; returns it.
    func wait(
        _ what: String, timeout: Double = 5, where predicate: @escaping @Sendable (LighterStreamEvent) -> Bool
    ) async throws -> LighterStreamEvent {
        try await withTimeout(timeout, what) {
            while true {
                if let match = self.events.withLock({ $0.first(where: predicate) }) { return match }
                try await Task.sleep(nanoseconds: 5_000_000)
            }
        }
    }

    /// How many recorded events satisfy `predicate`.
    func count(where predicate: (LighterStreamEvent) -> Bool) -> Int {
        events.withLock { $0.filter(predicate).count }
    }
}

extension TestSocket {
    /// The next client message containing `fragment`, within `timeout` seconds.
    func expectMessage(containing fragment: String, timeout: Double = 5) async throws -> String {
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
    func expectSocket(timeout: Double = 5) async throws -> TestSocket {
        try await withTimeout(timeout, "a WebSocket connection") {
            guard let socket = await self.nextSocket() else { throw TestTimeout(what: "a WebSocket connection (server stopped)") }
            return socket
        }
    }
}
