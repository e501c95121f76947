import Foundation

/// One of the account's trades, as `account_all` / `account_all_trades` / `account_market` report it.
///
/// Field names follow Lighter's `Trade` (lighter-python `lighter/models/trade.py`, WebSocket
/// reference). `taker_fee` and `maker_fee` are **rates** in parts per million of the notional (the
/// unit of the integrator fee attributes, 1 000 000 = 100 %), omitted when zero.
public struct LighterAccountTrade: Decodable, Hashable, Sendable {
    /// The trade id.
    public var tradeID: Int64
    /// The market.
    public var marketID: Int
    /// Executed size, decimal text.
    public var size: String
    /// Execution price, decimal text.
    public var price: String
    /// The ask order's exchange index.
    public var askID: Int64?
    /// The bid order's exchange index.
    public var bidID: Int64?
    /// The ask order's client order index (0: none).
    public var askClientID: Int64?
    /// The bid order's client order index (0: none).
    public var bidClientID: Int64?
    /// The ask order's account.
    public var askAccountID: Int64
    /// The bid order's account.
    public var bidAccountID: Int64
    /// Whether the resting (maker) order was the ask.
    public var isMakerAsk: Bool
    /// The exchange time, Unix milliseconds.
    public var timestamp: Int64?
    /// The taker's fee rate, parts per million (nil: zero).
    public var takerFee: Int64?
    /// The maker's fee rate, parts per million (nil: zero).
    public var makerFee: Int64?

    enum CodingKeys: String, CodingKey {
        case size, price, timestamp
        case tradeID = "trade_id"
        case marketID = "market_id"
        case askID = "ask_id"
        case bidID = "bid_id"
        case askClientID = "ask_client_id"
        case bidClientID = "bid_client_id"
        case askAccountID = "ask_account_id"
        case bidAccountID = "bid_account_id"
        case isMakerAsk = "is_maker_ask"
        case takerFee = "taker_fee"
        case makerFee = "maker_fee"
    }
}

/// The account figures of a `user_stats` message (`stats`): collateral, portfolio value and
/// available balance in USDC.
public struct LighterUserStats: Hashable, Sendable {
    /// Collateral, USDC.
    public var collateral: Double
    /// Collateral plus unrealised PnL, USDC.
    public var portfolioValue: Double?
    /// What is left for new orders, USDC.
    public var availableBalance: Double

    /// Figures.
    public init(collateral: Double, portfolioValue: Double?, availableBalance: Double) {
        self.collateral = collateral
        self.portfolioValue = portfolioValue
        self.availableBalance = availableBalance
    }
}

/// The parts of one account-channel message (`account_all`, `account_all_orders`, `user_stats`, …)
/// a venue needs, decoded once.
public struct LighterAccountMessage: Sendable {
    /// `orders` (a map keyed by market id, or a list), if present.
    public var orders: [LighterOrder] = []
    /// `trades` (a map keyed by market id, or a list), if present.
    public var trades: [LighterAccountTrade] = []
    /// `positions` (a map keyed by market id, or a list), if present.
    public var positions: [LighterPosition] = []
    /// `stats`, if present and readable.
    public var stats: LighterUserStats?

    /// An empty message.
    public init() {}

    /// Decodes the JSON text of an account-channel message.
    ///
    /// - Throws: if the text is not a JSON object or a present section has the wrong shape.
    public init(json text: String) throws {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        guard let dictionary = object as? [String: Any] else { return }
        if let section = dictionary["orders"] { orders = try Self.decodeList(section, as: LighterOrder.self) }
        if let section = dictionary["trades"] { trades = try Self.decodeList(section, as: LighterAccountTrade.self) }
        if let section = dictionary["positions"] { positions = try Self.decodeList(section, as: LighterPosition.self) }
        if let section = dictionary["stats"] as? [String: Any] {
            let collateral = Self.number(section["collateral"])
            let available = Self.number(section["available_balance"])
            if let collateral, let available {
                stats = LighterUserStats(
                    collateral: collateral, portfolioValue: Self.number(section["portfolio_value"]),
                    availableBalance: available)
            }
        }
    }

    /// A section given as a map keyed by market id (values: one item or a list), or as a list.
    static func decodeList<Item: Decodable>(_ section: Any, as type: Item.Type) throws -> [Item] {
        var items: [Any] = []
        if let map = section as? [String: Any] {
            for key in map.keys.sorted(by: { (Int($0) ?? .max, $0) < (Int($1) ?? .max, $1) }) {
                if let list = map[key] as? [Any] {
                    items.append(contentsOf: list)
                } else if let value = map[key] as? [String: Any] {
                    items.append(value)
                }
            }
        } else if let list = section as? [Any] {
            items = list
        }
        if items.isEmpty { return [] }
        let data = try JSONSerialization.data(withJSONObject: items)
        return try JSONDecoder().decode([Item].self, from: data)
    }

    /// A decimal given as a string or a number.
    static func number(_ value: Any?) -> Double? {
        if let text = value as? String { return Double(text) }
        if let number = value as? NSNumber { return number.doubleValue }
        return nil
    }
}
