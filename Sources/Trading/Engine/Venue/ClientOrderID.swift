import MarketCore

/// Our identifier for an order, chosen before it is sent: Lighter's `ClientOrderIndex`.
///
/// Valid values are `1 ..< 2^48` (zero means "none" on Lighter, and exchange order indexes start at
/// `2^48`, so the two ranges never overlap). The id must be unique across all markets of the
/// account while the order lives; ``ClientOrderIDGenerator`` hands out increasing ids.
public struct ClientOrderID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The smallest valid id.
    public static let minimum: Int64 = 1
    /// The largest valid id, `2^48 − 1`.
    public static let maximum: Int64 = (1 << 48) - 1

    /// The id as the exchange sees it.
    public let rawValue: Int64

    /// The id `rawValue`, or `nil` if it lies outside `1 ..< 2^48`.
    @inlinable
    public init?(rawValue: Int64) {
        guard rawValue >= Self.minimum, rawValue <= Self.maximum else { return nil }
        self.rawValue = rawValue
    }

    /// An id known to be in range (used by the generator and by tests with literal ids).
    @usableFromInline
    init(checked rawValue: Int64) {
        precondition(rawValue >= Self.minimum && rawValue <= Self.maximum, "client order id out of range")
        self.rawValue = rawValue
    }

    @inlinable
    public static func < (lhs: ClientOrderID, rhs: ClientOrderID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "#\(rawValue)" }
}

/// Hands out client order ids: strictly increasing from a start value, wrapping from `2^48 − 1`
/// back to 1.
///
/// Seed it from the start time (``init(startTime:lane:lanes:)``: milliseconds since the epoch
/// mod `2^48`) so a restarted process does not reuse the ids of orders its previous run may have
/// left resting: a restart a second later starts 1000 ids further on. Ids increase by one per
/// order, so a run that places more than one order per millisecond on average overtakes the clock,
/// which is harmless as long as the ids of orders still resting are not reached again.
///
/// Several engines of one account (one per market) must not hand out the same id. Give each its
/// own *lane*: with `lanes = n` the generator only returns ids `≡ lane (mod n)`.
///
/// ```swift
/// var ids = ClientOrderIDGenerator(startTime: clock.now, lane: 0, lanes: 2)
/// let first = ids.next()     // even ids only, above the start
/// ```
public struct ClientOrderIDGenerator: Sendable {
    /// The last id handed out (or the start value before the first).
    public private(set) var last: Int64
    /// This generator's residue modulo ``lanes``.
    public let lane: Int64
    /// How many generators share the id space.
    public let lanes: Int64

    /// A generator whose first id is the first id of its lane strictly after `start` (taken mod `2^48`).
    ///
    /// - Parameters:
    ///   - start: any integer; only its value mod `2^48` matters.
    ///   - lane: this generator's lane, `0 ..< lanes`.
    ///   - lanes: the number of generators sharing the account, `1 ... 1024`.
    public init(start: Int64, lane: Int = 0, lanes: Int = 1) {
        precondition(lanes >= 1 && lanes <= 1024, "lanes must be 1…1024")
        precondition(lane >= 0 && lane < lanes, "lane must be in 0..<lanes")
        self.last = start & ClientOrderID.maximum
        self.lane = Int64(lane)
        self.lanes = Int64(lanes)
    }

    /// A generator seeded from a time: its milliseconds since the epoch mod `2^48`.
    public init(startTime: Timestamp, lane: Int = 0, lanes: Int = 1) {
        self.init(start: startTime.milliseconds, lane: lane, lanes: lanes)
    }

    /// The next id: the smallest id of this lane above the last one, wrapping past `2^48 − 1` to the
    /// lowest id of the lane.
    public mutating func next() -> ClientOrderID {
        var candidate = last + 1
        let remainder = candidate % lanes
        if remainder != lane { candidate += (lane - remainder + lanes) % lanes }
        if candidate > ClientOrderID.maximum || candidate < ClientOrderID.minimum {
            candidate = lane == 0 ? lanes : lane
        }
        last = candidate
        return ClientOrderID(checked: candidate)
    }
}
