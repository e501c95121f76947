import MarketCore

/// Why an order left the book without filling completely.
public enum CancelReason: Hashable, Sendable, CustomStringConvertible {
    /// We asked for it (cancel or cancel-all).
    case requested
    /// A post-only order would have taken liquidity.
    case postOnlyWouldCross
    /// A reduce-only order would have grown the position.
    case reduceOnly
    /// The rest of an immediate-or-cancel or market order that found no more liquidity.
    case unfilledImmediate
    /// The order reached its expiry.
    case expired
    /// Self-trade prevention removed it.
    case selfTrade
    /// Not enough margin to keep it.
    case margin
    /// The account was liquidated.
    case liquidation
    /// Any other reason the venue gave, with its code.
    case other(code: Int)

    public var description: String {
        switch self {
        case .requested: "requested"
        case .postOnlyWouldCross: "post_only"
        case .reduceOnly: "reduce_only"
        case .unfilledImmediate: "ioc_unfilled"
        case .expired: "expired"
        case .selfTrade: "self_trade"
        case .margin: "margin"
        case .liquidation: "liquidation"
        case .other(let code): "other(\(code))"
        }
    }
}

/// One execution of one of our orders.
public struct Fill: Hashable, Sendable, CustomStringConvertible {
    /// When the venue reported it (event time in a simulation).
    public var time: Timestamp
    /// The order that filled.
    public var id: ClientOrderID
    /// The order's side.
    public var side: Side
    /// The execution price.
    public var price: Price
    /// The executed size.
    public var size: Quantity
    /// The fee paid, exactly, in notional units (`10^-(priceDecimals + sizeDecimals)` of the quote
    /// currency, the units of ``MarketSpec/notional(price:quantity:)``); negative is a rebate.
    public var fee: Int64
    /// Whether our order was resting (maker) rather than taking.
    public var isMaker: Bool
    /// What is left of the order after this fill (zero: the order is done).
    public var remaining: Quantity
    /// The exchange's trade id, if known (lets a consumer drop duplicates).
    public var tradeID: Int64?

    /// A fill.
    public init(
        time: Timestamp, id: ClientOrderID, side: Side, price: Price, size: Quantity, fee: Int64, isMaker: Bool,
        remaining: Quantity, tradeID: Int64? = nil
    ) {
        self.time = time
        self.id = id
        self.side = side
        self.price = price
        self.size = size
        self.fee = fee
        self.isMaker = isMaker
        self.remaining = remaining
        self.tradeID = tradeID
    }

    public var description: String {
        "fill \(id) \(side) \(size.lots)@\(price.ticks) fee \(fee) \(isMaker ? "maker" : "taker") left \(remaining.lots)"
    }
}

/// Something a venue reports about our orders or account, in the order it happened.
///
/// Every case carries the time it happened at (the receive time live; the event time in a
/// simulation); ``time`` reads it. Messages for orders the engine does not know are counted and
/// logged by the engine, never fatal.
public enum ExecutionEvent: Hashable, Sendable, CustomStringConvertible {
    /// The venue accepted a placed order; it is now resting (or about to fill).
    case accepted(id: ClientOrderID, exchangeOrderID: Int64?, time: Timestamp)
    /// The venue refused an action. `id` is the order it concerned (nil if the venue could not tell,
    /// e.g. a whole batch failed); the order's previous state stands (a refused place never existed,
    /// a refused modify keeps the old price and size, a refused cancel leaves the order resting).
    case rejected(id: ClientOrderID?, code: Int, message: String, time: Timestamp)
    /// A modify took effect: the order now rests at `price` with `remaining` left.
    case modified(id: ClientOrderID, price: Price, remaining: Quantity, time: Timestamp)
    /// One of our orders (partly) filled.
    case fill(Fill)
    /// An order left the book without filling completely.
    case canceled(id: ClientOrderID, reason: CancelReason, time: Timestamp)
    /// The venue's view of our position: signed size (positive long) and average entry price (nil if flat).
    case positionUpdate(position: Quantity, averageEntry: Price?, time: Timestamp)
    /// The account's collateral and the part of it still available for new orders, in USD.
    case balanceUpdate(collateral: Double, available: Double, time: Timestamp)
    /// How many more transactions the venue's quota allows (Lighter's `volume_quota_remaining`).
    case quotaUpdate(remaining: Int, time: Timestamp)

    /// When it happened.
    @inlinable
    public var time: Timestamp {
        switch self {
        case .accepted(_, _, let time): time
        case .rejected(_, _, _, let time): time
        case .modified(_, _, _, let time): time
        case .fill(let fill): fill.time
        case .canceled(_, _, let time): time
        case .positionUpdate(_, _, let time): time
        case .balanceUpdate(_, _, let time): time
        case .quotaUpdate(_, let time): time
        }
    }

    /// The order the event is about, if it is about one.
    @inlinable
    public var orderID: ClientOrderID? {
        switch self {
        case .accepted(let id, _, _): id
        case .rejected(let id, _, _, _): id
        case .modified(let id, _, _, _): id
        case .fill(let fill): fill.id
        case .canceled(let id, _, _): id
        case .positionUpdate, .balanceUpdate, .quotaUpdate: nil
        }
    }

    public var description: String {
        switch self {
        case .accepted(let id, let exchangeID, _):
            "accepted \(id)" + (exchangeID.map { " (exchange \($0))" } ?? "")
        case .rejected(let id, let code, let message, _):
            "rejected \(id.map(\.description) ?? "?") code \(code): \(message)"
        case .modified(let id, let price, let remaining, _): "modified \(id) \(remaining.lots)@\(price.ticks)"
        case .fill(let fill): fill.description
        case .canceled(let id, let reason, _): "canceled \(id) (\(reason))"
        case .positionUpdate(let position, let entry, _):
            "position \(position.lots)" + (entry.map { " @\($0.ticks)" } ?? "")
        case .balanceUpdate(let collateral, let available, _): "balance \(collateral) available \(available)"
        case .quotaUpdate(let remaining, _): "quota \(remaining)"
        }
    }
}
