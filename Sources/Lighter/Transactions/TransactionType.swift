/// The numeric type code of a Lighter L2 transaction, sent as `tx_type` next to `tx_info`.
///
/// Only the transactions this client builds are listed; the codes come from
/// `lighter-go/types/txtypes/constants.go`.
public enum TransactionType: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Moves collateral to another account (`L2Transfer`).
    case transfer = 12
    /// Withdraws an asset to L1 (`L2Withdraw`).
    case withdraw = 13
    /// Places an order (`L2CreateOrder`).
    case createOrder = 14
    /// Cancels one order (`L2CancelOrder`).
    case cancelOrder = 15
    /// Cancels all orders now, schedules a cancel-all (dead-man's switch), or aborts the schedule.
    case cancelAllOrders = 16
    /// Changes size, price or trigger of a resting order (`L2ModifyOrder`).
    case modifyOrder = 17
    /// Changes the leverage (initial margin fraction) and margin mode of a market.
    case updateLeverage = 20
    /// Places an OTO / OCO / OTOCO group of orders atomically.
    case createGroupedOrders = 28
    /// Adds margin to, or removes margin from, an isolated position.
    case updateMargin = 29

    /// The Go struct name of the transaction, e.g. `L2CreateOrder`.
    public var description: String {
        switch self {
        case .transfer: "L2Transfer"
        case .withdraw: "L2Withdraw"
        case .createOrder: "L2CreateOrder"
        case .cancelOrder: "L2CancelOrder"
        case .cancelAllOrders: "L2CancelAllOrders"
        case .modifyOrder: "L2ModifyOrder"
        case .updateLeverage: "L2UpdateLeverage"
        case .createGroupedOrders: "L2CreateGroupedOrders"
        case .updateMargin: "L2UpdateMargin"
        }
    }
}

/// A Lighter chain id. It is the first element of every transaction hash, so a transaction signed
/// for one chain is invalid on the other.
public struct LighterChain: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric chain id.
    public let rawValue: UInt32

    /// Wraps a chain id; use ``mainnet`` or ``testnet`` unless you know better.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Lighter mainnet (`https://mainnet.zklighter.elliot.ai`), chain id 304.
    public static let mainnet = LighterChain(rawValue: 304)
    /// Lighter testnet (`https://testnet.zklighter.elliot.ai`), chain id 300.
    public static let testnet = LighterChain(rawValue: 300)

    /// `mainnet (304)`, `testnet (300)` or `chain 123`.
    public var description: String {
        switch rawValue {
        case 304: "mainnet (304)"
        case 300: "testnet (300)"
        default: "chain \(rawValue)"
        }
    }
}
