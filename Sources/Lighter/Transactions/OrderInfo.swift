import Foundation
import LighterCrypto

/// The ten fields of an order, as placed by ``TransactionBody/createOrder(_:)`` and as one member of
/// ``CreateGroupedOrdersTx`` (Go `OrderInfo`).
///
/// Prices and sizes are integers in the market's ticks and lots (see the market's decimals).
public struct OrderInfo: Hashable, Sendable {
    /// The market (perps 0…254 today; the 1.1.8 signer accepts any non-negative index except 255).
    public var marketIndex: Int64
    /// Your id for the order (1…2^48−1, unique across your account's markets), or 0 for none.
    public var clientOrderIndex: Int64
    /// Size in lots (1…2^48−1; 0 only with ``reduceOnly``, meaning "the position's size").
    public var baseAmount: Int64
    /// Limit price in ticks (for market orders: the worst acceptable price).
    public var price: UInt32
    /// `true` to sell, `false` to buy.
    public var isAsk: Bool
    /// The order kind.
    public var type: TxOrderType
    /// How long the order lives.
    public var timeInForce: TxTimeInForce
    /// Whether the order may only reduce the position.
    public var reduceOnly: Bool
    /// Trigger price in ticks for stop-loss / take-profit kinds, else 0.
    public var triggerPrice: UInt32
    /// Expiry in Unix ms (0 for IOC and market orders). ``defaultExpiry`` (−1) asks for the
    /// official default, resolved by ``resolvingDefaultExpiry(nowMilliseconds:)`` before signing.
    public var orderExpiry: Int64

    /// Creates an order.
    public init(
        marketIndex: Int64,
        clientOrderIndex: Int64 = 0,
        baseAmount: Int64,
        price: UInt32,
        isAsk: Bool,
        type: TxOrderType = .limit,
        timeInForce: TxTimeInForce = .goodTillTime,
        reduceOnly: Bool = false,
        triggerPrice: UInt32 = 0,
        orderExpiry: Int64
    ) {
        self.marketIndex = marketIndex
        self.clientOrderIndex = clientOrderIndex
        self.baseAmount = baseAmount
        self.price = price
        self.isAsk = isAsk
        self.type = type
        self.timeInForce = timeInForce
        self.reduceOnly = reduceOnly
        self.triggerPrice = triggerPrice
        self.orderExpiry = orderExpiry
    }

    /// The "use the default expiry" value of ``orderExpiry`` (the C API's −1).
    public static let defaultExpiry: Int64 = -1

    /// How far the default expiry lies ahead: 28 days in ms (the official apps' resting period).
    public static let defaultExpiryPeriodMilliseconds: Int64 = 28 * 24 * 3_600_000

    /// This order with ``defaultExpiry`` replaced by `nowMilliseconds` + 28 days, as the official
    /// signer does; other values are kept.
    public func resolvingDefaultExpiry(nowMilliseconds: Int64) -> OrderInfo {
        var order = self
        if order.orderExpiry == Self.defaultExpiry {
            order.orderExpiry = nowMilliseconds + Self.defaultExpiryPeriodMilliseconds
        }
        return order
    }

    /// The ten fields as Goldilocks elements, in hash order (also the input of a grouped order's
    /// per-order hash, D.7 step 4).
    public var hashElements: [Goldilocks] {
        [
            .element(marketIndex), .element(clientOrderIndex), .element(baseAmount),
            Goldilocks(UInt64(price)), .element(isAsk), Goldilocks(UInt64(type.rawValue)),
            Goldilocks(UInt64(timeInForce.rawValue)), .element(reduceOnly), Goldilocks(UInt64(triggerPrice)),
            .element(orderExpiry),
        ]
    }
}

extension Goldilocks {
    /// A signed field of a transaction as an element: its two's-complement bits, reduced mod p
    /// (Go's `GoldilocksField(uint64(x))`).
    static func element(_ value: Int64) -> Goldilocks {
        Goldilocks(UInt64(bitPattern: value))
    }

    /// A flag as the element 0 or 1.
    static func element(_ flag: Bool) -> Goldilocks {
        flag ? .one : .zero
    }
}
