import Foundation
import MarketCore

/// A WebSocket channel to follow.
public enum LighterSubscription: Hashable, Sendable, CustomStringConvertible {
    /// `order_book/{market}`.
    case orderBook(market: Int)
    /// `trade/{market}`.
    case trades(market: Int)
    /// `market_stats/{market}` or `market_stats/all` (`nil`).
    case marketStats(market: Int?)
    /// `account_all/{account}`.
    case accountAll(account: Int64)
    /// `account_all_orders/{account}` (auth).
    case accountAllOrders(account: Int64)
    /// `account_orders/{market}/{account}` (auth).
    case accountOrders(market: Int, account: Int64)
    /// `user_stats/{account}`.
    case userStats(account: Int64)
    /// `account_tx/{account}` (auth).
    case accountTransactions(account: Int64)
    /// Any other channel.
    case custom(channel: String, needsAuth: Bool)

    /// The channel name used when subscribing (with `/`).
    public var channel: String {
        switch self {
        case .orderBook(let market): "order_book/\(market)"
        case .trades(let market): "trade/\(market)"
        case .marketStats(let market): "market_stats/\(market.map(String.init) ?? "all")"
        case .accountAll(let account): "account_all/\(account)"
        case .accountAllOrders(let account): "account_all_orders/\(account)"
        case .accountOrders(let market, let account): "account_orders/\(market)/\(account)"
        case .userStats(let account): "user_stats/\(account)"
        case .accountTransactions(let account): "account_tx/\(account)"
        case .custom(let channel, _): channel
        }
    }

    /// Whether subscribing needs an auth token.
    public var needsAuth: Bool {
        switch self {
        case .accountAllOrders, .accountOrders, .accountTransactions: true
        case .custom(_, let needsAuth): needsAuth
        default: false
        }
    }

    public var description: String { channel }

    /// The subscribe message (the token, if any, is included but never logged).
    func subscribeMessage(authToken: String?) -> String {
        var text = "{\"type\":\"subscribe\",\"channel\":" + BatchEncoding.jsonString(channel)
        if let authToken { text += ",\"auth\":" + BatchEncoding.jsonString(authToken) }
        return text + "}"
    }

    /// The unsubscribe message.
    var unsubscribeMessage: String {
        "{\"type\":\"unsubscribe\",\"channel\":" + BatchEncoding.jsonString(channel) + "}"
    }
}

/// A book that changed, as the stream client reports it.
public struct LighterBookEvent: Sendable {
    /// The market.
    public var marketID: Int
    /// Whether it was a snapshot (`subscribed/order_book`) or an update.
    public var isSnapshot: Bool
    /// The message's nonce.
    public var nonce: Int64?
    /// The message's offset.
    public var offset: Int64?
    /// The exchange timestamp, ms.
    public var timestampMs: Int64?
    /// When the frame arrived.
    public var receivedAt: Timestamp
    /// Levels of the message (changes, or the whole book for a snapshot).
    public var bids: [BookLevel]
    /// Levels of the message.
    public var asks: [BookLevel]
    /// The synchronized book after the message.
    public var book: OrderBook
}

/// What the stream client reports.
public enum LighterStreamEvent: Sendable {
    /// A connection opened (counting from 1).
    case connected(connection: Int)
    /// The connection closed; the client reconnects after the delay (nanoseconds).
    case disconnected(reason: String, reconnectIn: Int64)
    /// A book snapshot or update was applied.
    case book(LighterBookEvent)
    /// Trades arrived.
    case trades(marketID: Int, trades: [LighterTrade], isSnapshot: Bool, receivedAt: Timestamp)
    /// A market's book was discarded; a fresh snapshot has been requested.
    case resync(marketID: Int, reason: BookResyncReason)
    /// Any other message (account, stats, …) as raw JSON text; decode with ``LighterMessages``.
    case message(type: String, channel: String?, json: String, receivedAt: Timestamp)
    /// The server reported an error.
    case serverError(code: Int, message: String)
    /// A frame could not be decoded (counted, dropped).
    case decodeError(String)
}

/// Counters of the stream client.
public struct LighterStreamStatistics: Hashable, Sendable {
    /// Connections opened.
    public var connections = 0
    /// Frames received.
    public var messages = 0
    /// Frames that could not be decoded.
    public var decodeErrors = 0
    /// Book resyncs.
    public var resyncs = 0
    /// Pings sent by us.
    public var pingsSent = 0
    /// Pongs sent in answer to the server's pings.
    public var pongsSent = 0
    /// Auth token refreshes.
    public var tokenRefreshes = 0

    /// Zero counters.
    public init() {}
}

/// Foundation-based decoders for the non-hot messages.
public enum LighterMessages {
    /// The orders of an `account_all_orders` / `account_orders` / `account_all` message: `orders`
    /// as a map keyed by market id or as a list.
    public static func orders(fromJSON text: String) throws -> [LighterOrder] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        guard let dictionary = object as? [String: Any], let orders = dictionary["orders"] else { return [] }
        var lists: [Any] = []
        if let map = orders as? [String: Any] {
            for key in map.keys.sorted() { lists.append(contentsOf: map[key] as? [Any] ?? []) }
        } else if let list = orders as? [Any] {
            lists = list
        }
        let data = try JSONSerialization.data(withJSONObject: lists)
        return try JSONDecoder().decode([LighterOrder].self, from: data)
    }

    /// The payload object under `key` (e.g. `market_stats`, `stats`) as a JSON dictionary.
    public static func payload(_ key: String, fromJSON text: String) throws -> [String: any Sendable]? {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        guard let dictionary = object as? [String: Any], let payload = dictionary[key] as? [String: Any] else { return nil }
        return payload.mapValues { sendable($0) }
    }

    private static func sendable(_ value: Any) -> any Sendable {
        switch value {
        case let text as String: return text
        case let number as NSNumber: return number.doubleValue
        case let map as [String: Any]: return map.mapValues { sendable($0) }
        case let list as [Any]: return list.map { sendable($0) }
        default: return String(describing: value)
        }
    }
}
