import MarketCore

/// How an order executes.
public enum OrderType: UInt8, Hashable, Sendable, CustomStringConvertible {
    /// Executes at its limit price or better; may rest on the book.
    case limit = 0
    /// Executes immediately against the book; its price is the worst acceptable price.
    case market = 1

    public var description: String { self == .limit ? "limit" : "market" }
}

/// How long an order may rest.
public enum TimeInForce: UInt8, Hashable, Sendable, CustomStringConvertible {
    /// Rests until canceled or until the venue's expiry (Lighter: good-till-time, 28 days).
    case goodTillTime = 1
    /// Rests only as a maker: the venue cancels it instead of letting it take liquidity.
    case postOnly = 2
    /// Executes what it can at once; the rest is canceled.
    case immediateOrCancel = 0

    public var description: String {
        switch self {
        case .goodTillTime: "gtt"
        case .postOnly: "post_only"
        case .immediateOrCancel: "ioc"
        }
    }
}

/// A new order, fully specified in the market's integer units.
public struct OrderRequest: Hashable, Sendable, CustomStringConvertible {
    /// Our id for the order.
    public var id: ClientOrderID
    /// Buy or sell.
    public var side: Side
    /// The limit price (for a market order: the worst acceptable price).
    public var price: Price
    /// The order size.
    public var size: Quantity
    /// Limit or market.
    public var type: OrderType
    /// How long it may rest.
    public var timeInForce: TimeInForce
    /// Whether it may only reduce the position.
    public var reduceOnly: Bool

    /// An order.
    public init(
        id: ClientOrderID, side: Side, price: Price, size: Quantity, type: OrderType = .limit,
        timeInForce: TimeInForce = .postOnly, reduceOnly: Bool = false
    ) {
        self.id = id
        self.side = side
        self.price = price
        self.size = size
        self.type = type
        self.timeInForce = timeInForce
        self.reduceOnly = reduceOnly
    }

    public var description: String {
        "\(id) \(side) \(size.lots)@\(price.ticks) \(type) \(timeInForce)\(reduceOnly ? " reduce_only" : "")"
    }
}

/// Something the engine asks a venue to do. The ``OrderManager`` (and the risk gate, for kill and
/// flatten) is the only producer.
public enum OrderAction: Hashable, Sendable, CustomStringConvertible {
    /// Place a new order.
    case place(OrderRequest)
    /// Change a resting order's price and size in place (Lighter `ModifyOrder`). `size` is the size
    /// the order should have resting after the change (its new remaining size).
    case modify(id: ClientOrderID, price: Price, size: Quantity)
    /// Cancel one order.
    case cancel(id: ClientOrderID)
    /// Cancel every order of ours in the venue's market.
    case cancelAll

    /// The order the action is about, if it is about one.
    @inlinable
    public var orderID: ClientOrderID? {
        switch self {
        case .place(let request): request.id
        case .modify(let id, _, _): id
        case .cancel(let id): id
        case .cancelAll: nil
        }
    }

    public var description: String {
        switch self {
        case .place(let request): "place \(request)"
        case .modify(let id, let price, let size): "modify \(id) \(size.lots)@\(price.ticks)"
        case .cancel(let id): "cancel \(id)"
        case .cancelAll: "cancel_all"
        }
    }
}
