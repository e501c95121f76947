/// A point in time as nanoseconds since the Unix epoch (UTC).
///
/// Engine code takes time from a ``TradingClock`` and events, never from the system directly, so
/// the same code runs live and on a virtual clock.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public var nanoseconds: Int64

    /// The instant `nanoseconds` after the epoch.
    @inlinable
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The instant `milliseconds` after the epoch.
    @inlinable
    public init(milliseconds: Int64) { self.nanoseconds = milliseconds &* 1_000_000 }

    /// The instant `seconds` after the epoch.
    @inlinable
    public init(seconds: Double) { self.nanoseconds = Int64((seconds * 1e9).rounded()) }

    /// The epoch itself.
    public static let epoch = Timestamp(nanoseconds: 0)

    /// Whole milliseconds since the epoch (rounded down).
    @inlinable
    public var milliseconds: Int64 { nanoseconds.dividedRoundingDown(by: 1_000_000) }

    /// Seconds since the epoch.
    @inlinable
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// The start of this instant's UTC day.
    @inlinable
    public var startOfUTCDay: Timestamp {
        Timestamp(nanoseconds: nanoseconds.dividedRoundingDown(by: 86_400_000_000_000) * 86_400_000_000_000)
    }

    @inlinable
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// The instant `nanoseconds` later.
    @inlinable
    public static func + (lhs: Timestamp, nanoseconds: Int64) -> Timestamp {
        Timestamp(nanoseconds: lhs.nanoseconds &+ nanoseconds)
    }

    /// The nanoseconds from `rhs` to `lhs`.
    @inlinable
    public static func - (lhs: Timestamp, rhs: Timestamp) -> Int64 { lhs.nanoseconds &- rhs.nanoseconds }

    public var description: String { "\(nanoseconds)ns" }
}

extension Int64 {
    /// Floor division (rounds toward negative infinity).
    @inlinable
    public func dividedRoundingDown(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
