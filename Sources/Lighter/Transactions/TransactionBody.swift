import LighterCrypto

/// The type-specific part of a transaction.
public enum TransactionBody: Hashable, Sendable {
    /// Place one order (type 14).
    case createOrder(OrderInfo)
    /// Cancel one order (type 15).
    case cancelOrder(CancelOrderTx)
    /// Cancel all orders now, schedule the dead-man's switch, or abort it (type 16).
    case cancelAllOrders(CancelAllOrdersTx)
    /// Change a resting order (type 17).
    case modifyOrder(ModifyOrderTx)
    /// Change leverage and margin mode of a market (type 20).
    case updateLeverage(UpdateLeverageTx)
    /// Move isolated margin (type 29).
    case updateMargin(UpdateMarginTx)
    /// Place an OTO / OCO / OTOCO group (type 28).
    case createGroupedOrders(CreateGroupedOrdersTx)
    /// Withdraw to L1 (type 13).
    case withdraw(WithdrawTx)
    /// Transfer to another account (type 12).
    case transfer(TransferTx)

    /// The transaction type code.
    public var type: TransactionType {
        switch self {
        case .createOrder: .createOrder
        case .cancelOrder: .cancelOrder
        case .cancelAllOrders: .cancelAllOrders
        case .modifyOrder: .modifyOrder
        case .updateLeverage: .updateLeverage
        case .updateMargin: .updateMargin
        case .createGroupedOrders: .createGroupedOrders
        case .withdraw: .withdraw
        case .transfer: .transfer
        }
    }
}

/// Cancels one order by client order index (1…2^48−1) or exchange order index (2^48…2^60−1).
public struct CancelOrderTx: Hashable, Sendable {
    /// The order's market.
    public var marketIndex: Int64
    /// Client order index or exchange order index (the ranges are disjoint).
    public var index: Int64

    /// Creates a cancel.
    public init(marketIndex: Int64, index: Int64) {
        self.marketIndex = marketIndex
        self.index = index
    }
}

/// Cancel-all: immediate (optionally one market, via ``TxAttributes/cancelAllMarketIndex``),
/// scheduled at a time (the dead-man's switch), or abort of the schedule.
public struct CancelAllOrdersTx: Hashable, Sendable {
    /// Immediate, scheduled or abort (`TimeInForce` in `tx_info`).
    public var mode: CancelAllMode
    /// For ``CancelAllMode/scheduled``: when to cancel, Unix ms (server: 5 min…15 days ahead); else 0.
    public var time: Int64

    /// Creates a cancel-all with an explicit mode and time.
    public init(mode: CancelAllMode, time: Int64) {
        self.mode = mode
        self.time = time
    }

    /// Cancel everything now.
    public static let immediate = CancelAllOrdersTx(mode: .immediate, time: 0)
    /// Abort a scheduled cancel-all.
    public static let abortScheduled = CancelAllOrdersTx(mode: .abortScheduled, time: 0)

    /// Schedule (or move) the dead-man's switch to `time` (Unix ms).
    public static func scheduled(at time: Int64) -> CancelAllOrdersTx {
        CancelAllOrdersTx(mode: .scheduled, time: time)
    }
}

/// Changes size, price and trigger price of a resting order. The order version, if any, is the
/// attribute ``TxAttributes/orderVersion``.
public struct ModifyOrderTx: Hashable, Sendable {
    /// The order's market.
    public var marketIndex: Int64
    /// Client order index or exchange order index of the order.
    public var index: Int64
    /// New size in lots.
    public var baseAmount: Int64
    /// New price in ticks.
    public var price: UInt32
    /// New trigger price in ticks (0 for non-trigger orders).
    public var triggerPrice: UInt32

    /// Creates a modify.
    public init(marketIndex: Int64, index: Int64, baseAmount: Int64, price: UInt32, triggerPrice: UInt32 = 0) {
        self.marketIndex = marketIndex
        self.index = index
        self.baseAmount = baseAmount
        self.price = price
        self.triggerPrice = triggerPrice
    }
}

/// Sets the leverage of a market as an initial margin fraction (10 000 / leverage) and the margin mode.
public struct UpdateLeverageTx: Hashable, Sendable {
    /// The market.
    public var marketIndex: Int64
    /// 1…10 000; e.g. 500 for 20× (`Int(10000 / leverage)`, as the official SDK computes it).
    public var initialMarginFraction: UInt16
    /// Cross or isolated.
    public var marginMode: MarginMode

    /// Creates a leverage update.
    public init(marketIndex: Int64, initialMarginFraction: UInt16, marginMode: MarginMode) {
        self.marketIndex = marketIndex
        self.initialMarginFraction = initialMarginFraction
        self.marginMode = marginMode
    }
}

/// Adds margin to, or removes it from, an isolated position.
public struct UpdateMarginTx: Hashable, Sendable {
    /// The market.
    public var marketIndex: Int64
    /// USDC amount with 6 decimals (1 USDC = 1 000 000). Hashed as low 32 bits and high bits.
    public var usdcAmount: Int64
    /// Add or remove.
    public var direction: MarginDirection

    /// Creates a margin update.
    public init(marketIndex: Int64, usdcAmount: Int64, direction: MarginDirection) {
        self.marketIndex = marketIndex
        self.usdcAmount = usdcAmount
        self.direction = direction
    }
}

/// Up to three orders on one market placed atomically (OTO, OCO, OTOCO).
public struct CreateGroupedOrdersTx: Hashable, Sendable {
    /// How the orders depend on each other.
    public var grouping: OrderGrouping
    /// The orders: OTO parent + child; OCO take-profit + stop-loss; OTOCO parent + two children.
    public var orders: [OrderInfo]

    /// Creates a group.
    public init(grouping: OrderGrouping, orders: [OrderInfo]) {
        self.grouping = grouping
        self.orders = orders
    }

    /// The 4-element aggregate of the orders' hashes (D.7 step 4): `HashNoPad` of each order's ten
    /// fields, folded with `HashTwoToOne`. Four zeros when there are no orders.
    public var aggregatedOrderHash: [Goldilocks] {
        var aggregate: [Goldilocks] = [.zero, .zero, .zero, .zero]
        for (position, order) in orders.enumerated() {
            let orderHash = Poseidon2.hashNoPad(order.hashElements)
            aggregate = position == 0 ? orderHash : Poseidon2.hashTwoToOne(aggregate, orderHash)
        }
        return aggregate
    }
}

/// Withdraws an asset from the account to L1.
public struct WithdrawTx: Hashable, Sendable {
    /// Asset id (1 ETH, 2 LIT, 3 USDC, …; 1…62).
    public var assetIndex: Int16
    /// The balance to withdraw from.
    public var routeType: RouteType
    /// Amount in the asset's smallest unit (1…2^60−1).
    public var amount: UInt64

    /// Creates a withdrawal.
    public init(assetIndex: Int16, routeType: RouteType, amount: UInt64) {
        self.assetIndex = assetIndex
        self.routeType = routeType
        self.amount = amount
    }
}

/// Transfers an asset to another account. Transfers to an account of another L1 address also need an
/// Ethereum signature in ``l1Signature`` (not part of the L2 hash).
public struct TransferTx: Hashable, Sendable {
    /// The receiving account.
    public var toAccountIndex: Int64
    /// Asset id (1…62).
    public var assetIndex: Int16
    /// The sender's balance.
    public var fromRouteType: RouteType
    /// The receiver's balance.
    public var toRouteType: RouteType
    /// Amount in the asset's smallest unit (1…2^60−1).
    public var amount: Int64
    /// Fee in USDC (6 decimals), 0…2^60−1.
    public var usdcFee: Int64
    /// 32 bytes of free text (in `tx_info`, not hashed).
    public var memo: [UInt8]
    /// `0x…` Ethereum `personal_sign` signature, or empty (`L1Sig`, not hashed).
    public var l1Signature: String

    /// Creates a transfer.
    public init(
        toAccountIndex: Int64,
        assetIndex: Int16,
        fromRouteType: RouteType,
        toRouteType: RouteType,
        amount: Int64,
        usdcFee: Int64,
        memo: [UInt8] = [UInt8](repeating: 0, count: 32),
        l1Signature: String = ""
    ) {
        self.toAccountIndex = toAccountIndex
        self.assetIndex = assetIndex
        self.fromRouteType = fromRouteType
        self.toRouteType = toRouteType
        self.amount = amount
        self.usdcFee = usdcFee
        self.memo = memo
        self.l1Signature = l1Signature
    }
}
