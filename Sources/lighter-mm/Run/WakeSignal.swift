import Synchronization

/// Wakes the run loop when there is work: a book message, venue events, a stop request.
///
/// Signals are coalesced: any number of ``signal()`` calls while the loop is busy make the next
/// ``wait(timeoutNanoseconds:)`` return at once, exactly once. A wait also ends after its
/// timeout (the loop passes the time to its next timer, capped by a safety maximum).
///
/// ```swift
/// let wake = WakeSignal()
/// stream.onMessage = { queue.append($0); wake.signal() }
/// while running {
///     step()
///     await wake.wait(timeoutNanoseconds: 250_000_000)
/// }
/// ```
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        /// Number of the current (or last) wait.
        var generation: UInt64 = 0
        /// The wait whose timer fired before its continuation was stored.
        var expired: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Marks work as available; wakes the waiting loop, or makes its next wait return at once.
    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Waits until ``signal()`` is called (or was called since the last wait) or `timeoutNanoseconds`
    /// pass. Returns at once when a signal is pending; only one task may wait at a time.
    func wait(timeoutNanoseconds: Int64) async {
        let generation = state.withLock { state -> UInt64? in
            if state.pending {
                state.pending = false
                return nil
            }
            state.generation &+= 1
            return state.generation
        }
        guard let generation else { return }
        guard timeoutNanoseconds > 0 else { return }
        let timer = Task { [self] in
            do {
                try await Task.sleep(nanoseconds: UInt64(timeoutNanoseconds))
            } catch {
                return
            }
            self.expire(generation)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.pending || state.expired == generation {
                    state.pending = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        timer.cancel()
    }

    private func expire(_ generation: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.generation == generation else { return nil }
            guard let waiter = state.waiter else {
                state.expired = generation
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}
