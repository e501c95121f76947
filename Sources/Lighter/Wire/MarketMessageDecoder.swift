import MarketCore

/// The price and size decimals of the markets a decoder may see, by market id.
public struct MarketDecimalsTable: Sendable {
    @usableFromInline var byMarket: [Int: Decimals] = [:]
    /// The same entries for market ids below ``denseLimit``, indexed by id (no hashing on the
    /// hot path).
    @usableFromInline var dense: [Decimals?] = []
    @usableFromInline static let denseLimit = 4096

    /// The decimals of one market.
    public struct Decimals: Hashable, Sendable {
        /// Decimals of prices.
        public var price: Int
        /// Decimals of sizes.
        public var size: Int

        /// Price and size decimals.
        public init(price: Int, size: Int) {
            self.price = price
            self.size = size
        }
    }

    /// An empty table.
    public init() {}

    /// A table holding the decimals of `specs`.
    public init(_ specs: some Sequence<MarketSpec>) {
        for spec in specs { set(spec) }
    }

    /// Records (or replaces) one market's decimals.
    public mutating func set(_ spec: MarketSpec) {
        set(marketID: spec.marketID, priceDecimals: spec.priceDecimals, sizeDecimals: spec.sizeDecimals)
    }

    /// Records (or replaces) one market's decimals.
    public mutating func set(marketID: Int, priceDecimals: Int, sizeDecimals: Int) {
        let decimals = Decimals(price: priceDecimals, size: sizeDecimals)
        byMarket[marketID] = decimals
        if marketID >= 0 && marketID < Self.denseLimit {
            if dense.count <= marketID { dense.append(contentsOf: repeatElement(nil, count: marketID + 1 - dense.count)) }
            dense[marketID] = decimals
        }
    }

    /// The decimals of `marketID`, if known.
    @inlinable
    public subscript(marketID: Int) -> Decimals? {
        if marketID >= 0 && marketID < dense.count { return dense[marketID] }
        return marketID >= 0 && marketID < Self.denseLimit ? nil : byMarket[marketID]
    }
}

/// One public trade from a `trade` channel message, with integer price and size.
public struct LighterTrade: Hashable, Sendable {
    /// The exchange's trade id.
    public var tradeID: Int64
    /// The market.
    public var marketID: Int
    /// The execution price.
    public var price: Price
    /// The executed size.
    public var size: Quantity
    /// Whether the resting (maker) order was the ask, i.e. the taker bought.
    public var isMakerAsk: Bool
    /// The exchange time, Unix milliseconds.
    public var timestampMs: Int64
    /// The ask order's account.
    public var askAccountID: Int64
    /// The bid order's account.
    public var bidAccountID: Int64
    /// Whether it came from `liquidation_trades`.
    public var isLiquidation: Bool

    /// A trade.
    public init(
        tradeID: Int64, marketID: Int, price: Price, size: Quantity, isMakerAsk: Bool, timestampMs: Int64,
        askAccountID: Int64 = 0, bidAccountID: Int64 = 0, isLiquidation: Bool = false
    ) {
        self.tradeID = tradeID
        self.marketID = marketID
        self.price = price
        self.size = size
        self.isMakerAsk = isMakerAsk
        self.timestampMs = timestampMs
        self.askAccountID = askAccountID
        self.bidAccountID = bidAccountID
        self.isLiquidation = isLiquidation
    }

    /// The aggressor's side: a maker ask means a buyer took it.
    @inlinable
    public var takerSide: Side { isMakerAsk ? .buy : .sell }

    /// The trade as a MarketCore event.
    public func marketTrade(receivedAt: Timestamp) -> Trade {
        Trade(
            receivedAt: receivedAt, exchangeTimeMs: timestampMs, tradeID: tradeID, price: price, size: size,
            takerSide: takerSide)
    }
}

/// What kind of message a decoded frame was.
public enum LighterMessageKind: Hashable, Sendable {
    /// `subscribed/order_book`: the full book.
    case orderBookSnapshot
    /// `update/order_book`: changed levels with their new absolute sizes.
    case orderBookUpdate
    /// `subscribed/trade`: recent trades.
    case tradeSnapshot
    /// `update/trade`: new trades.
    case tradeUpdate
    /// `ping` from the server (answer with `pong`).
    case ping
    /// `pong` from the server.
    case pong
    /// `connected` greeting.
    case connected
    /// Any other message; decode it with ``LighterMessages`` (Foundation) if needed.
    case other
}

/// A decoded hot message, meant to be reused: decoding refills it without allocating once its
/// arrays have grown to the working size.
///
/// ```swift
/// var decoder = MarketMessageDecoder(markets: MarketDecimalsTable([eth]))
/// var message = MarketMessage()
/// try decoder.decode(bytes, into: &message)
/// if message.kind == .orderBookUpdate { for level in message.bids { … } }
/// ```
public struct MarketMessage: Sendable {
    /// The message kind.
    public var kind: LighterMessageKind = .other
    /// The market id from the channel (`order_book:0` → 0), or -1 if there was none.
    public var marketID: Int = -1
    /// The top-level `offset` (or the book's), if present.
    public var offset: Int64?
    /// The book's (or trade message's) `nonce`, if present.
    public var nonce: Int64?
    /// The book's `begin_nonce`, if present.
    public var beginNonce: Int64?
    /// The top-level `timestamp` (Unix ms), if present.
    public var timestampMs: Int64?
    /// The book's `code`, if present (0 normally).
    public var code: Int64?
    /// Bid levels as received (snapshot: the whole side; update: changed levels, size 0 = remove).
    public var bids: [BookLevel] = []
    /// Ask levels as received.
    public var asks: [BookLevel] = []
    /// Trades (both `trades` and `liquidation_trades`), in message order.
    public var trades: [LighterTrade] = []

    /// An empty message with room for `levels` levels per side and `trades` trades.
    public init(levels: Int = 64, trades: Int = 64) {
        bids.reserveCapacity(levels)
        asks.reserveCapacity(levels)
        self.trades.reserveCapacity(trades)
    }

    /// Clears the message, keeping storage.
    @inlinable
    public mutating func reset() {
        kind = .other
        marketID = -1
        offset = nil
        nonce = nil
        beginNonce = nil
        timestampMs = nil
        code = nil
        // (Skipping empty arrays avoids the generic removal call on the hot path.)
        if !bids.isEmpty { bids.removeAll(keepingCapacity: true) }
        if !asks.isEmpty { asks.removeAll(keepingCapacity: true) }
        if !trades.isEmpty { trades.removeAll(keepingCapacity: true) }
    }

    /// Whether this is a book message (snapshot or update).
    @inlinable
    public var isOrderBook: Bool { kind == .orderBookSnapshot || kind == .orderBookUpdate }
}

/// Decodes Lighter's hot WebSocket messages (`order_book`, `trade`) straight from bytes into
/// integer prices and sizes, without Foundation and without allocating per level or per trade.
///
/// Keys may come in any order: price and size text is first recorded as byte spans and converted
/// with the market's decimals once the channel (hence the market) is known. Unknown keys are
/// skipped. Any malformed input throws ``WireError``.
public struct MarketMessageDecoder: Sendable {
    /// The decimals of the markets this decoder accepts.
    public var markets: MarketDecimalsTable

    struct RawLevel: Sendable {
        var isBid: Bool
        var price: WireSpan
        var size: WireSpan
    }

    struct RawTrade: Sendable {
        var tradeID: Int64 = 0
        var marketID: Int64 = -1
        var price = WireSpan.empty
        var size = WireSpan.empty
        var isMakerAsk = false
        var timestampMs: Int64 = 0
        var askAccountID: Int64 = 0
        var bidAccountID: Int64 = 0
        var isLiquidation = false
    }

    var rawLevels: [RawLevel] = []
    var rawTrades: [RawTrade] = []

    /// Whether book messages in Lighter's own compact form take the fast path (the default).
    /// Off, every message goes through the general decoder, which gives the same results more
    /// slowly (for comparisons in tests and benchmarks).
    public var usesCompactFastPath = true

    /// A decoder for the markets in `markets`.
    public init(markets: MarketDecimalsTable) {
        self.markets = markets
        rawLevels.reserveCapacity(256)
        rawTrades.reserveCapacity(64)
    }

    /// Decodes one message into `message` (which is reset first).
    ///
    /// Messages of other kinds are classified (``MarketMessage/kind``) but their payloads are
    /// skipped, not decoded.
    /// - Throws: ``WireError`` if the bytes are not valid JSON of the expected shape, a price or
    ///   size has more decimals than the market, or the market is unknown.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer, into message: inout MarketMessage) throws(WireError) {
        if usesCompactFastPath && decodeCompactBook(bytes, into: &message) { return }
        try decodeGeneral(bytes, into: &message)
    }

    /// The general decoder: any key order, whitespace, escapes, unknown keys; throws on malformed
    /// input. ``decode(_:into:)`` runs it when the compact fast path declines a message.
    mutating func decodeGeneral(_ bytes: UnsafeRawBufferPointer, into message: inout MarketMessage) throws(WireError) {
        message.reset()
        rawLevels.removeAll(keepingCapacity: true)
        rawTrades.removeAll(keepingCapacity: true)
        var reader = WireReader(bytes)
        var typeSpan: WireSpan?
        var channelSpan: WireSpan?
        var sawBook = false
        var sawTrades = false
        var knownDecimals: MarketDecimalsTable.Decimals?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key.count {
            case 4 where reader.equals(key, "type"):
                typeSpan = try reader.readString()
            case 7 where reader.equals(key, "channel"):
                let span = try reader.readString()
                channelSpan = span
                // Usually the channel comes before the payload: convert levels as they are read.
                if let market = Self.marketID(channel: span, in: reader) {
                    message.marketID = market
                    knownDecimals = markets[market]
                }
            case 6 where reader.equals(key, "offset"):
                message.offset = try reader.readInt64(field: "offset")
            case 5 where reader.equals(key, "nonce"):
                message.nonce = try reader.readInt64(field: "nonce")
            case 9 where reader.equals(key, "timestamp"):
                message.timestampMs = try reader.readInt64(field: "timestamp")
            case 10 where reader.equals(key, "order_book"):
                try readBook(&reader, decimals: knownDecimals, into: &message)
                sawBook = true
            case 6 where reader.equals(key, "trades"):
                try readTrades(&reader, liquidation: false)
                sawTrades = true
            case 18 where reader.equals(key, "liquidation_trades"):
                try readTrades(&reader, liquidation: true)
                sawTrades = true
            default:
                try reader.skipValue()
            }
        }
        reader.skipWhitespace()
        if reader.position != bytes.count { throw .unexpectedByte(bytes[reader.position], offset: reader.position) }

        guard let typeSpan else { throw .missingField("type") }
        message.kind = Self.kind(of: typeSpan, in: reader)
        if let channelSpan { message.marketID = Self.marketID(channel: channelSpan, in: reader) ?? -1 }
        switch message.kind {
        case .orderBookSnapshot, .orderBookUpdate:
            guard sawBook else { throw .missingField("order_book") }
            try convertLevels(reader, into: &message)
        case .tradeSnapshot, .tradeUpdate:
            guard sawTrades else { throw .missingField("trades") }
            try convertTrades(reader, into: &message)
        default:
            break
        }
    }

    // MARK: Parts

    static func kind(of span: WireSpan, in reader: WireReader) -> LighterMessageKind {
        if reader.equals(span, "update/order_book") { return .orderBookUpdate }
        if reader.equals(span, "update/trade") { return .tradeUpdate }
        if reader.equals(span, "subscribed/order_book") { return .orderBookSnapshot }
        if reader.equals(span, "subscribed/trade") { return .tradeSnapshot }
        if reader.equals(span, "ping") { return .ping }
        if reader.equals(span, "pong") { return .pong }
        if reader.equals(span, "connected") { return .connected }
        return .other
    }

    /// The number after the last `:` or `/` of a channel name.
    static func marketID(channel span: WireSpan, in reader: WireReader) -> Int? {
        var index = span.start &+ span.count
        while index > span.start {
            let byte = reader.bytes[index &- 1]
            if byte == UInt8(ascii: ":") || byte == UInt8(ascii: "/") { break }
            index &-= 1
        }
        guard index > span.start else { return nil }
        let digits = WireSpan(start: index, count: span.start &+ span.count &- index)
        guard let value = reader.integer(digits), value >= 0, value <= Int64(Int32.max) else { return nil }
        return Int(value)
    }

    mutating func readBook(
        _ reader: inout WireReader, decimals: MarketDecimalsTable.Decimals?, into message: inout MarketMessage
    ) throws(WireError) {
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key.count {
            case 4 where reader.equals(key, "asks"):
                try readLevels(&reader, isBid: false, decimals: decimals, into: &message)
            case 4 where reader.equals(key, "bids"):
                try readLevels(&reader, isBid: true, decimals: decimals, into: &message)
            case 5 where reader.equals(key, "nonce"):
                message.nonce = try reader.readInt64(field: "nonce")
            case 11 where reader.equals(key, "begin_nonce"):
                message.beginNonce = try reader.readInt64(field: "begin_nonce")
            case 6 where reader.equals(key, "offset"):
                let offset = try reader.readInt64(field: "offset")
                if message.offset == nil { message.offset = offset }
            case 4 where reader.equals(key, "code"):
                message.code = try reader.readInt64(field: "code")
            default:
                try reader.skipValue()
            }
        }
    }

    mutating func readLevels(
        _ reader: inout WireReader, isBid: Bool, decimals: MarketDecimalsTable.Decimals?, into message: inout MarketMessage
    ) throws(WireError) {
        if try reader.readNullIfPresent() { return }
        try reader.beginArray()
        while try reader.nextElement() {
            // Fast path: the compact form with plain numbers, converted while scanning.
            if let decimals, let values = reader.matchCompactLevel(priceDecimals: decimals.price, sizeDecimals: decimals.size) {
                let level = BookLevel(price: Price(ticks: values.price), size: Quantity(lots: values.size))
                if isBid { message.bids.append(level) } else { message.asks.append(level) }
                continue
            }
            let price: WireSpan
            let size: WireSpan
            if let compact = reader.matchCompactLevel() {
                (price, size) = compact
            } else {
                var foundPrice: WireSpan?
                var foundSize: WireSpan?
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    if key.count == 5, reader.equals(key, "price") {
                        foundPrice = try readDecimalSpan(&reader)
                    } else if key.count == 4, reader.equals(key, "size") {
                        foundSize = try readDecimalSpan(&reader)
                    } else {
                        try reader.skipValue()
                    }
                }
                guard let foundPrice else { throw .missingField("price") }
                guard let foundSize else { throw .missingField("size") }
                (price, size) = (foundPrice, foundSize)
            }
            if let decimals {
                let level = try Self.level(price: price, size: size, decimals: decimals, reader: reader)
                if isBid { message.bids.append(level) } else { message.asks.append(level) }
            } else {
                rawLevels.append(RawLevel(isBid: isBid, price: price, size: size))
            }
        }
    }

    /// Converts a level's text to integers with the market's decimals.
    static func level(price: WireSpan, size: WireSpan, decimals: MarketDecimalsTable.Decimals, reader: WireReader)
        throws(WireError) -> BookLevel
    {
        guard let ticks = FixedPoint.parse(reader.slice(price), decimals: decimals.price), ticks >= 0 else {
            throw .invalidDecimal(field: "price", offset: price.start)
        }
        guard let lots = FixedPoint.parse(reader.slice(size), decimals: decimals.size), lots >= 0 else {
            throw .invalidDecimal(field: "size", offset: size.start)
        }
        return BookLevel(price: Price(ticks: ticks), size: Quantity(lots: lots))
    }

    /// A decimal given as a string (`"3024.66"`) or a bare number.
    func readDecimalSpan(_ reader: inout WireReader) throws(WireError) -> WireSpan {
        if try reader.peek() == UInt8(ascii: "\"") { return try reader.readString() }
        return try reader.readNumberSpan()
    }

    mutating func readTrades(_ reader: inout WireReader, liquidation: Bool) throws(WireError) {
        if try reader.readNullIfPresent() { return }
        try reader.beginArray()
        while try reader.nextElement() {
            var trade = RawTrade()
            trade.isLiquidation = liquidation
            var sawPrice = false
            var sawSize = false
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key.count {
                case 8 where reader.equals(key, "trade_id"):
                    trade.tradeID = try reader.readInt64(field: "trade_id")
                case 9 where reader.equals(key, "market_id"):
                    trade.marketID = try reader.readInt64(field: "market_id")
                case 5 where reader.equals(key, "price"):
                    trade.price = try readDecimalSpan(&reader)
                    sawPrice = true
                case 4 where reader.equals(key, "size"):
                    trade.size = try readDecimalSpan(&reader)
                    sawSize = true
                case 12 where reader.equals(key, "is_maker_ask"):
                    trade.isMakerAsk = try reader.readBool()
                case 9 where reader.equals(key, "timestamp"):
                    trade.timestampMs = try reader.readInt64(field: "timestamp")
                case 14 where reader.equals(key, "ask_account_id"):
                    trade.askAccountID = try reader.readInt64(field: "ask_account_id")
                case 14 where reader.equals(key, "bid_account_id"):
                    trade.bidAccountID = try reader.readInt64(field: "bid_account_id")
                default:
                    try reader.skipValue()
                }
            }
            guard sawPrice else { throw .missingField("price") }
            guard sawSize else { throw .missingField("size") }
            rawTrades.append(trade)
        }
    }

    func convertLevels(_ reader: WireReader, into message: inout MarketMessage) throws(WireError) {
        guard message.marketID >= 0 else { throw .invalidChannel }
        guard let decimals = markets[message.marketID] else { throw .unknownMarket(message.marketID) }
        for raw in rawLevels {
            let level = try Self.level(price: raw.price, size: raw.size, decimals: decimals, reader: reader)
            if raw.isBid { message.bids.append(level) } else { message.asks.append(level) }
        }
    }

    func convertTrades(_ reader: WireReader, into message: inout MarketMessage) throws(WireError) {
        for raw in rawTrades {
            let market = raw.marketID >= 0 ? Int(truncatingIfNeeded: raw.marketID) : message.marketID
            guard market >= 0 else { throw .invalidChannel }
            guard let decimals = markets[market] else { throw .unknownMarket(market) }
            guard let price = FixedPoint.parse(reader.slice(raw.price), decimals: decimals.price), price >= 0 else {
                throw .invalidDecimal(field: "price", offset: raw.price.start)
            }
            guard let size = FixedPoint.parse(reader.slice(raw.size), decimals: decimals.size), size >= 0 else {
                throw .invalidDecimal(field: "size", offset: raw.size.start)
            }
            message.trades.append(
                LighterTrade(
                    tradeID: raw.tradeID, marketID: market, price: Price(ticks: price), size: Quantity(lots: size),
                    isMakerAsk: raw.isMakerAsk, timestampMs: raw.timestampMs, askAccountID: raw.askAccountID,
                    bidAccountID: raw.bidAccountID, isLiquidation: raw.isLiquidation))
        }
    }
}
