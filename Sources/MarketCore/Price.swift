/// A price as an integer number of the market's smallest price units (`10^-priceDecimals`).
///
/// Prices are integers everywhere an order or a book level is; `Double` appears only inside
/// models. Use ``MarketSpec`` to convert to and from text or `Double`.
public struct Price: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The price in the market's smallest price units (Lighter's integer price).
    public var ticks: Int64

    /// A price of `ticks` smallest price units.
    @inlinable
    public init(ticks: Int64) { self.ticks = ticks }

    /// The zero price.
    public static let zero = Price(ticks: 0)

    @inlinable
    public static func < (lhs: Price, rhs: Price) -> Bool { lhs.ticks < rhs.ticks }

    @inlinable
    public static func + (lhs: Price, rhs: Int64) -> Price { Price(ticks: lhs.ticks + rhs) }

    @inlinable
    public static func - (lhs: Price, rhs: Int64) -> Price { Price(ticks: lhs.ticks - rhs) }

    @inlinable
    public static func - (lhs: Price, rhs: Price) -> Int64 { lhs.ticks - rhs.ticks }

    public var description: String { "\(ticks)t" }
}

/// A size as an integer number of the market's smallest size units (`10^-sizeDecimals`).
public struct Quantity: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The size in the market's smallest size units (Lighter's integer base amount).
    public var lots: Int64

    /// A size of `lots` smallest size units.
    @inlinable
    public init(lots: Int64) { self.lots = lots }

    /// The zero size.
    public static let zero = Quantity(lots: 0)

    /// Whether the size is zero.
    @inlinable
    public var isZero: Bool { lots == 0 }

    @inlinable
    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.lots < rhs.lots }

    @inlinable
    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity { Quantity(lots: lhs.lots + rhs.lots) }

    @inlinable
    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity { Quantity(lots: lhs.lots - rhs.lots) }

    @inlinable
    public static prefix func - (value: Quantity) -> Quantity { Quantity(lots: -value.lots) }

    public var description: String { "\(lots)l" }
}

/// The side of an order or a book level.
public enum Side: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// A buy order; a bid level.
    case buy = 0
    /// A sell order; an ask level.
    case sell = 1

    /// The other side.
    @inlinable
    public var opposite: Side { self == .buy ? .sell : .buy }

    /// +1 for a buy, −1 for a sell: the sign a fill of this side adds to a position.
    @inlinable
    public var sign: Int64 { self == .buy ? 1 : -1 }

    public var description: String { self == .buy ? "buy" : "sell" }
}
