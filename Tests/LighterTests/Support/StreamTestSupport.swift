import Lighter
import Synchronization
import TestServers

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
