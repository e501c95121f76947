#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where engine code reads the time.
///
/// Strategy and order-management code never reads the system clock: it is handed a
/// `TradingClock`. Live trading uses ``LiveClock``; backtests and tests use ``ManualClock`` and
/// move it with the events they replay. (Named `TradingClock` rather than `Clock` so it does not
/// shadow the standard library's `Clock` protocol.)
public protocol TradingClock: Sendable {
    /// The current time.
    var now: Timestamp { get }
}

/// The system's real-time clock (UTC).
public struct LiveClock: TradingClock {
    /// A live clock.
    public init() {}

    /// The current wall-clock time.
    public var now: Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(nanoseconds: Int64(spec.tv_sec) &* 1_000_000_000 &+ Int64(spec.tv_nsec))
    }
}

/// A virtual clock that only moves when told to: for backtests and tests.
///
/// It is a reference type so that every component handed the clock sees the same time; moving it
/// backwards is a programming error.
public final class ManualClock: TradingClock {
    private let current: Mutex<Int64>

    /// A clock that reads `start` until it is advanced.
    public init(start: Timestamp = .epoch) {
        current = Mutex(start.nanoseconds)
    }

    /// The clock's current time.
    public var now: Timestamp { Timestamp(nanoseconds: current.withLock { $0 }) }

    /// Moves the clock to `time`; a time earlier than now is ignored (time never goes back).
    public func advance(to time: Timestamp) {
        current.withLock { value in
            if time.nanoseconds > value { value = time.nanoseconds }
        }
    }

    /// Moves the clock forward by `nanoseconds` (ignored if negative).
    public func advance(byNanoseconds nanoseconds: Int64) {
        current.withLock { value in
            if nanoseconds > 0 { value &+= nanoseconds }
        }
    }
}
