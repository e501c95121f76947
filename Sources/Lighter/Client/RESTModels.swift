import MarketCore

/// One market from `GET /api/v1/orderBookDetails` (perp or spot).
public struct LighterMarketDetails: Decodable, Hashable, Sendable {
    /// Symbol, e.g. `ETH`.
    public var symbol: String
    /// Market index.
    public var marketID: Int
    /// `perp` or `spot`.
    public var marketType: String?
    /// `active`, …
    public var status: String?
    /// Size decimals.
    public var sizeDecimals: Int
    /// Price decimals.
    public var priceDecimals: Int
    /// Smallest order size, decimal text.
    public var minBaseAmount: String
    /// Smallest order notional, decimal text.
    public var minQuoteAmount: String
    /// Largest order notional, decimal text.
    public var orderQuoteLimit: String?
    /// Maker fee, decimal text.
    public var makerFee: String?
    /// Taker fee, decimal text.
    public var takerFee: String?
    /// Default initial margin fraction, 1/10000.
    public var defaultInitialMarginFraction: Int?
    /// Minimum initial margin fraction, 1/10000.
    public var minInitialMarginFraction: Int?
    /// Maintenance margin fraction, 1/10000.
    public var maintenanceMarginFraction: Int?
    /// Mark price, decimal text.
    public var markPrice: String?
    /// Index price, decimal text.
    public var indexPrice: String?

    enum CodingKeys: String, CodingKey {
        case symbol, status
        case marketID = "market_id"
        case marketType = "market_type"
        case sizeDecimals = "size_decimals"
        case priceDecimals = "price_decimals"
        case minBaseAmount = "min_base_amount"
        case minQuoteAmount = "min_quote_amount"
        case orderQuoteLimit = "order_quote_limit"
        case makerFee = "maker_fee"
        case takerFee = "taker_fee"
        case defaultInitialMarginFraction = "default_initial_margin_fraction"
        case minInitialMarginFraction = "min_initial_margin_fraction"
        case maintenanceMarginFraction = "maintenance_margin_fraction"
        case markPrice = "mark_price"
        case indexPrice = "index_price"
    }

    /// The market as a MarketCore spec (decimals and minimums).
    ///
    /// The quote minimum is read at price+size decimals; extra zero digits are accepted, extra
    /// significant digits make this throw.
    public func marketSpec() throws(MarketSpec.Error) -> MarketSpec {
        try MarketSpec(
            symbol: symbol, marketID: marketID, priceDecimals: priceDecimals, sizeDecimals: sizeDecimals,
            minBaseAmount: minBaseAmount, minQuoteAmount: minQuoteAmount)
    }
}

/// The response of `orderBookDetails`.
struct OrderBookDetailsResponse: Decodable {
    var orderBookDetails: [LighterMarketDetails]?
    var spotOrderBookDetails: [LighterMarketDetails]?
    enum CodingKeys: String, CodingKey {
        case orderBookDetails = "order_book_details"
        case spotOrderBookDetails = "spot_order_book_details"
    }
}

/// One market from `GET /api/v1/orderBooks`.
public struct LighterOrderBookInfo: Decodable, Hashable, Sendable {
    /// Symbol.
    public var symbol: String
    /// Market index.
    public var marketID: Int
    /// `active`, …
    public var status: String?
    /// Size decimals.
    public var supportedSizeDecimals: Int?
    /// Price decimals.
    public var supportedPriceDecimals: Int?
    /// Smallest order size, decimal text.
    public var minBaseAmount: String?
    /// Smallest order notional, decimal text.
    public var minQuoteAmount: String?

    enum CodingKeys: String, CodingKey {
        case symbol, status
        case marketID = "market_id"
        case supportedSizeDecimals = "supported_size_decimals"
        case supportedPriceDecimals = "supported_price_decimals"
        case minBaseAmount = "min_base_amount"
        case minQuoteAmount = "min_quote_amount"
    }
}

struct OrderBooksResponse: Decodable {
    var orderBooks: [LighterOrderBookInfo]
    enum CodingKeys: String, CodingKey { case orderBooks = "order_books" }
}

/// A position inside an account.
public struct LighterPosition: Decodable, Hashable, Sendable {
    /// Market index.
    public var marketID: Int
    /// Symbol.
    public var symbol: String?
    /// +1 long, −1 short.
    public var sign: Int
    /// Unsigned size, decimal text.
    public var position: String
    /// Average entry price, decimal text.
    public var avgEntryPrice: String?
    /// Unrealized PnL, decimal text.
    public var unrealizedPnl: String?
    /// Realized PnL, decimal text.
    public var realizedPnl: String?
    /// Open orders in the market.
    public var openOrderCount: Int?

    enum CodingKeys: String, CodingKey {
        case symbol, sign, position
        case marketID = "market_id"
        case avgEntryPrice = "avg_entry_price"
        case unrealizedPnl = "unrealized_pnl"
        case realizedPnl = "realized_pnl"
        case openOrderCount = "open_order_count"
    }

    /// The signed position in lots of a market with `sizeDecimals`.
    public func signedQuantity(sizeDecimals: Int) throws(FixedPoint.ParseError) -> Quantity {
        let lots = try FixedPoint.parse(position, decimals: sizeDecimals)
        return Quantity(lots: sign < 0 ? -lots : lots)
    }
}

/// An account from `GET /api/v1/account`.
public struct LighterAccount: Decodable, Hashable, Sendable {
    /// Account index.
    public var index: Int64
    /// Collateral, decimal text (USDC).
    public var collateral: String
    /// Available balance, decimal text (USDC).
    public var availableBalance: String?
    /// Total asset value, decimal text.
    public var totalAssetValue: String?
    /// Scheduled cancel-all time (ms), 0 if none.
    public var cancelAllTime: Int64?
    /// Open positions.
    public var positions: [LighterPosition]

    enum CodingKeys: String, CodingKey {
        case index, collateral, positions
        case availableBalance = "available_balance"
        case totalAssetValue = "total_asset_value"
        case cancelAllTime = "cancel_all_time"
    }
}

struct AccountsResponse: Decodable {
    var accounts: [LighterAccount]
}

/// An order from `accountActiveOrders` or the account order channels.
public struct LighterOrder: Decodable, Hashable, Sendable {
    /// The exchange's order index.
    public var orderIndex: Int64
    /// Our client order index.
    public var clientOrderIndex: Int64
    /// Market index.
    public var marketIndex: Int
    /// Price, decimal text.
    public var price: String
    /// Initial size, decimal text.
    public var initialBaseAmount: String
    /// Remaining size, decimal text.
    public var remainingBaseAmount: String
    /// Filled size, decimal text.
    public var filledBaseAmount: String?
    /// Whether it is a sell.
    public var isAsk: Bool
    /// `limit`, `market`, …
    public var type: String?
    /// `post-only`, …
    public var timeInForce: String?
    /// `open`, `filled`, `canceled…`
    public var status: String
    /// The nonce of the tx that placed it.
    public var nonce: Int64?
    /// Order expiry, ms.
    public var orderExpiry: Int64?

    enum CodingKeys: String, CodingKey {
        case price, nonce, type, status
        case orderIndex = "order_index"
        case clientOrderIndex = "client_order_index"
        case marketIndex = "market_index"
        case initialBaseAmount = "initial_base_amount"
        case remainingBaseAmount = "remaining_base_amount"
        case filledBaseAmount = "filled_base_amount"
        case isAsk = "is_ask"
        case timeInForce = "time_in_force"
        case orderExpiry = "order_expiry"
    }
}

struct OrdersResponse: Decodable {
    var orders: [LighterOrder]
}

struct NextNonceResponse: Decodable {
    var nonce: Int64
}

/// An API key from `GET /api/v1/apikeys`.
public struct LighterAPIKeyInfo: Decodable, Hashable, Sendable {
    /// Account index.
    public var accountIndex: Int64
    /// API key index.
    public var apiKeyIndex: Int
    /// The key's next nonce.
    public var nonce: Int64
    /// The public key, hex without `0x`.
    public var publicKey: String

    enum CodingKeys: String, CodingKey {
        case nonce
        case accountIndex = "account_index"
        case apiKeyIndex = "api_key_index"
        case publicKey = "public_key"
    }
}

struct APIKeysResponse: Decodable {
    var apiKeys: [LighterAPIKeyInfo]
    enum CodingKeys: String, CodingKey { case apiKeys = "api_keys" }
}

/// The reply to `sendTx` (REST or WebSocket).
public struct LighterSendTxResponse: Decodable, Hashable, Sendable {
    /// 200 when accepted (not yet executed).
    public var code: Int
    /// The server's message.
    public var message: String?
    /// The transaction hash.
    public var txHash: String?
    /// Predicted execution time, ms.
    public var predictedExecutionTimeMs: Int64?
    /// Volume quota left after this send (premium accounts).
    public var volumeQuotaRemaining: Int64?

    enum CodingKeys: String, CodingKey {
        case code, message
        case txHash = "tx_hash"
        case predictedExecutionTimeMs = "predicted_execution_time_ms"
        case volumeQuotaRemaining = "volume_quota_remaining"
    }
}

/// The reply to `sendTxBatch`.
public struct LighterSendTxBatchResponse: Decodable, Hashable, Sendable {
    /// 200 when accepted.
    public var code: Int
    /// The server's message.
    public var message: String?
    /// The transaction hashes, in batch order.
    public var txHashes: [String]
    /// Predicted execution time, ms.
    public var predictedExecutionTimeMs: Int64?
    /// Volume quota left after this send.
    public var volumeQuotaRemaining: Int64?

    enum CodingKeys: String, CodingKey {
        case code, message
        case txHash = "tx_hash"
        case txHashes = "tx_hashes"
        case predictedExecutionTimeMs = "predicted_execution_time_ms"
        case volumeQuotaRemaining = "volume_quota_remaining"
    }

    /// Decodes either `tx_hash` (REST) or `tx_hashes` (WebSocket) as the hash list.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(Int.self, forKey: .code)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        txHashes =
            try container.decodeIfPresent([String].self, forKey: .txHash)
            ?? container.decodeIfPresent([String].self, forKey: .txHashes) ?? []
        predictedExecutionTimeMs = try container.decodeIfPresent(Int64.self, forKey: .predictedExecutionTimeMs)
        volumeQuotaRemaining = try container.decodeIfPresent(Int64.self, forKey: .volumeQuotaRemaining)
    }
}

/// A trade from `GET /api/v1/recentTrades`.
public struct LighterRESTTrade: Decodable, Hashable, Sendable {
    /// Trade id.
    public var tradeID: Int64
    /// Market index.
    public var marketID: Int
    /// Size, decimal text.
    public var size: String
    /// Price, decimal text.
    public var price: String
    /// Whether the maker was the ask.
    public var isMakerAsk: Bool
    /// Exchange time, ms.
    public var timestamp: Int64

    enum CodingKeys: String, CodingKey {
        case size, price, timestamp
        case tradeID = "trade_id"
        case marketID = "market_id"
        case isMakerAsk = "is_maker_ask"
    }
}

struct TradesResponse: Decodable {
    var trades: [LighterRESTTrade]
}

/// A transaction's status from `GET /api/v1/tx`.
public struct LighterTxStatus: Decodable, Hashable, Sendable {
    /// The hash.
    public var hash: String
    /// The tx type code.
    public var type: Int
    /// Status (2 = executed per a third-party digest).
    public var status: Int
    /// The tx_info JSON text.
    public var info: String?
    /// The event_info JSON text (carries `ae`, the app error, on failure).
    public var eventInfo: String?
    /// The nonce.
    public var nonce: Int64?
    /// Block height.
    public var blockHeight: Int64?

    enum CodingKeys: String, CodingKey {
        case hash, type, status, info, nonce
        case eventInfo = "event_info"
        case blockHeight = "block_height"
    }
}

/// Lighter's error envelope.
struct ErrorEnvelope: Decodable {
    var code: Int
    var message: String?
}
