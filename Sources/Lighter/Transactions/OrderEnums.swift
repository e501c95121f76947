/// The kind of an order (`Type` in `tx_info`).
///
/// Prefixed `Tx` to stay apart from Trading's venue-neutral `OrderType`.
public enum TxOrderType: UInt8, Hashable, Sendable, CaseIterable {
    /// A limit order; rests on the book unless its time in force says otherwise.
    case limit = 0
    /// A market order: immediate-or-cancel, `price` is the worst acceptable price.
    case market = 1
    /// A stop-loss market order, triggered at `triggerPrice`.
    case stopLoss = 2
    /// A stop-loss limit order, triggered at `triggerPrice`.
    case stopLossLimit = 3
    /// A take-profit market order, triggered at `triggerPrice`.
    case takeProfit = 4
    /// A take-profit limit order, triggered at `triggerPrice`.
    case takeProfitLimit = 5
    /// A TWAP order (good-till-time, no trigger).
    case twap = 6

    /// Whether the order waits for `triggerPrice` (stop-loss and take-profit kinds).
    public var isTriggered: Bool {
        switch self {
        case .stopLoss, .stopLossLimit, .takeProfit, .takeProfitLimit: true
        case .limit, .market, .twap: false
        }
    }
}

/// How long an order lives (`TimeInForce` in an order's `tx_info`).
///
/// Prefixed `Tx` to stay apart from Trading's venue-neutral `TimeInForce`.
public enum TxTimeInForce: UInt8, Hashable, Sendable, CaseIterable {
    /// Fill what can be filled now, cancel the rest; `orderExpiry` must be 0.
    case immediateOrCancel = 0
    /// Rest until `orderExpiry`.
    case goodTillTime = 1
    /// Rest until `orderExpiry`, but never take liquidity (rejected if it would cross).
    case postOnly = 2
}

/// How the orders of a ``CreateGroupedOrdersTx`` depend on each other (`GroupingType`).
public enum OrderGrouping: UInt8, Hashable, Sendable, CaseIterable {
    /// One triggers the other: a parent order plus one stop-loss or take-profit child (OTO).
    case oneTriggersTheOther = 1
    /// One cancels the other: a take-profit and a stop-loss, both reduce-only (OCO).
    case oneCancelsTheOther = 2
    /// A parent order whose fill places a stop-loss and a take-profit that cancel each other (OTOCO).
    case oneTriggersOneCancelsTheOther = 3
}

/// What a ``CancelAllOrdersTx`` does (its `TimeInForce` field).
public enum CancelAllMode: UInt8, Hashable, Sendable, CaseIterable {
    /// Cancel now (`Time` = 0). The only mode that may be limited to one market (attribute 5).
    case immediate = 0
    /// Schedule a cancel-all at `Time` (ms): the dead-man's switch. Sending it again moves the deadline.
    case scheduled = 1
    /// Abort a scheduled cancel-all (`Time` = 0).
    case abortScheduled = 2
}

/// The margin mode of a position.
public enum MarginMode: UInt8, Hashable, Sendable, CaseIterable {
    /// The position shares the account's collateral.
    case cross = 0
    /// The position has its own collateral.
    case isolated = 1
}

/// Whether an ``UpdateMarginTx`` adds or removes isolated margin.
public enum MarginDirection: UInt8, Hashable, Sendable, CaseIterable {
    /// Move collateral out of the isolated position.
    case remove = 0
    /// Move collateral into the isolated position.
    case add = 1
}

/// Which balance of an account an asset moves from or to.
public enum RouteType: UInt8, Hashable, Sendable, CaseIterable {
    /// The perpetuals (trading) balance.
    case perps = 0
    /// The spot balance.
    case spot = 1
}

/// What happens when an order would trade against another order of the same owner (attribute 6).
public enum SelfTradeBehavior: UInt8, Hashable, Sendable, CaseIterable {
    /// Cancel the resting (maker) order; the default.
    case expireMaker = 0
    /// Cancel the incoming (taker) order.
    case expireTaker = 1
    /// Cancel both orders.
    case expireBoth = 2
    /// Reduce both orders by the overlapping size. Not allowed with ``SelfTradeEquality/sameMasterAccount``.
    case reduce = 3
}

/// Which orders count as "the same owner" for self-trade prevention (attribute 7).
public enum SelfTradeEquality: UInt8, Hashable, Sendable, CaseIterable {
    /// Orders of the same account; the default.
    case sameAccount = 0
    /// Orders of any account under the same master account.
    case sameMasterAccount = 1
}
