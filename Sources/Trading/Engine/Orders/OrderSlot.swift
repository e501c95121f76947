import MarketCore

/// Where one quote slot's order is in its life.
public enum OrderSlotState: UInt8, Hashable, Sendable, CustomStringConvertible {
    /// No order.
    case idle
    /// A place was sent and not yet acknowledged.
    case placing
    /// The order rests on the book.
    case live
    /// A modify was sent and not yet acknowledged.
    case modifying
    /// A cancel was sent and not yet acknowledged.
    case canceling

    public var description: String {
        switch self {
        case .idle: "idle"
        case .placing: "placing"
        case .live: "live"
        case .modifying: "modifying"
        case .canceling: "canceling"
        }
    }

    /// Whether an action on the slot waits for the venue's answer.
    @inlinable
    public var isInFlight: Bool { self == .placing || self == .modifying || self == .canceling }
}

/// One quote slot: a side and a ladder level, holding at most one order at a time.
public struct OrderSlot: Hashable, Sendable, CustomStringConvertible {
    /// The slot's side.
    public let side: Side
    /// The ladder level (0 = best).
    public let level: Int
    /// The order's state.
    public internal(set) var state: OrderSlotState
    /// The order's id, unless idle.
    public internal(set) var orderID: ClientOrderID?
    /// The exchange's id for the order, once acknowledged (if the venue reports it).
    public internal(set) var exchangeOrderID: Int64?
    /// The order's price (as placed, or as last acknowledged by a modify).
    public internal(set) var price: Price
    /// The order's remaining size (as placed, or as last reported).
    public internal(set) var size: Quantity
    /// The price a modify in flight asks for.
    public internal(set) var pendingPrice: Price
    /// The size a modify in flight asks for.
    public internal(set) var pendingSize: Quantity
    /// When the last action on the slot was sent.
    public internal(set) var lastActionAt: Timestamp?
    /// Until when a reject holds the slot.
    public internal(set) var rejectLockoutUntil: Timestamp
    /// Whether the action in flight has gone unanswered past the in-flight timeout.
    public internal(set) var isStuck: Bool

    /// An idle slot.
    public init(side: Side, level: Int) {
        self.side = side
        self.level = level
        state = .idle
        orderID = nil
        exchangeOrderID = nil
        price = .zero
        size = .zero
        pendingPrice = .zero
        pendingSize = .zero
        lastActionAt = nil
        rejectLockoutUntil = .epoch
        isStuck = false
    }

    /// The size this slot could add to its side if everything in flight succeeded and then filled.
    @inlinable
    public var exposure: Quantity {
        switch state {
        case .idle: .zero
        case .placing, .live, .canceling: size
        case .modifying: max(size, pendingSize)
        }
    }

    /// Forgets the order.
    mutating func clear() {
        state = .idle
        orderID = nil
        exchangeOrderID = nil
        price = .zero
        size = .zero
        pendingPrice = .zero
        pendingSize = .zero
        isStuck = false
    }

    public var description: String {
        "\(side)[\(level)] \(state)" + (orderID.map { " \($0) \(size.lots)@\(price.ticks)" } ?? "")
    }
}
