import MarketCore

/// One diff-depth or partial-depth event of a Binance USD-M futures stream
/// (`<symbol>@depth@100ms`, `<symbol>@depth20@100ms`), with prices and sizes as integers.
///
/// ```json
/// {"e":"depthUpdate","E":123456789,"T":123456788,"s":"BTCUSDT","U":157,"u":160,"pu":149,
///  "b":[["0.0024","10"]],"a":[["0.0026","100"]]}
/// ```
/// In a diff event a size of zero removes the level; in a partial-depth event the levels are the
/// whole top of the book.
public struct BinanceDepthUpdate: Hashable, Sendable {
    /// Event time `E`, milliseconds since the epoch.
    public var eventTimeMs: Int64
    /// Transaction (matching-engine) time `T`, milliseconds since the epoch.
    public var transactionTimeMs: Int64
    /// First update id in the event, `U`.
    public var firstUpdateID: Int64
    /// Final update id in the event, `u`.
    public var finalUpdateID: Int64
    /// Final update id of the previous event on the stream, `pu`.
    public var previousFinalUpdateID: Int64
    /// Changed bid levels, in message order (absolute sizes; zero removes).
    public var bids: [BookLevel]
    /// Changed ask levels, in message order (absolute sizes; zero removes).
    public var asks: [BookLevel]

    /// An event.
    public init(
        eventTimeMs: Int64, transactionTimeMs: Int64, firstUpdateID: Int64, finalUpdateID: Int64,
        previousFinalUpdateID: Int64, bids: [BookLevel], asks: [BookLevel]
    ) {
        self.eventTimeMs = eventTimeMs
        self.transactionTimeMs = transactionTimeMs
        self.firstUpdateID = firstUpdateID
        self.finalUpdateID = finalUpdateID
        self.previousFinalUpdateID = previousFinalUpdateID
        self.bids = bids
        self.asks = asks
    }
}

/// A `<symbol>@bookTicker` event: the best bid and ask with their sizes.
///
/// ```json
/// {"e":"bookTicker","u":400900217,"E":1568014460893,"T":1568014460891,"s":"BNBUSDT",
///  "b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}
/// ```
public struct BinanceBookTicker: Hashable, Sendable {
    /// Order-book update id, `u`.
    public var updateID: Int64
    /// Event time `E`, milliseconds since the epoch.
    public var eventTimeMs: Int64
    /// Transaction time `T`, milliseconds since the epoch.
    public var transactionTimeMs: Int64
    /// Best bid price and size (`b`, `B`).
    public var bid: BookLevel
    /// Best ask price and size (`a`, `A`).
    public var ask: BookLevel

    /// A book ticker.
    public init(updateID: Int64, eventTimeMs: Int64, transactionTimeMs: Int64, bid: BookLevel, ask: BookLevel) {
        self.updateID = updateID
        self.eventTimeMs = eventTimeMs
        self.transactionTimeMs = transactionTimeMs
        self.bid = bid
        self.ask = ask
    }
}

/// A `<symbol>@aggTrade` event: trades of one taker order at one price, aggregated, with the
/// price and size as integers.
///
/// ```json
/// {"e":"aggTrade","E":123456789,"s":"BTCUSDT","a":5933014,"p":"0.001","q":"100","f":100,"l":105,
///  "T":123456785,"m":true}
/// ```
/// `m` is "the buyer is the maker": then the taker sold.
public struct BinanceAggTrade: Hashable, Sendable {
    /// Aggregate trade id `a` (unique and increasing per symbol).
    public var aggregateTradeID: Int64
    /// Event time `E`, milliseconds since the epoch.
    public var eventTimeMs: Int64
    /// Trade time `T`, milliseconds since the epoch.
    public var tradeTimeMs: Int64
    /// Price `p`, as an integer with the parser's price decimals.
    public var price: Price
    /// Quantity `q`, as an integer with the parser's size decimals.
    public var size: Quantity
    /// First trade id `f` in the aggregate.
    public var firstTradeID: Int64
    /// Last trade id `l` in the aggregate.
    public var lastTradeID: Int64
    /// `m`: whether the buyer was the maker (the taker sold).
    public var buyerIsMaker: Bool

    /// The aggressor's side: `.sell` when the buyer was the maker, else `.buy`.
    public var takerSide: Side { buyerIsMaker ? .sell : .buy }

    /// An aggregate trade.
    public init(
        aggregateTradeID: Int64, eventTimeMs: Int64, tradeTimeMs: Int64, price: Price, size: Quantity,
        firstTradeID: Int64, lastTradeID: Int64, buyerIsMaker: Bool
    ) {
        self.aggregateTradeID = aggregateTradeID
        self.eventTimeMs = eventTimeMs
        self.tradeTimeMs = tradeTimeMs
        self.price = price
        self.size = size
        self.firstTradeID = firstTradeID
        self.lastTradeID = lastTradeID
        self.buyerIsMaker = buyerIsMaker
    }

    /// The trade as a ``MarketCore/Trade`` received at `receivedAt` (id: the aggregate id; time: `T`).
    public func trade(receivedAt: Timestamp) -> Trade {
        Trade(
            receivedAt: receivedAt, exchangeTimeMs: tradeTimeMs, tradeID: aggregateTradeID, price: price, size: size,
            takerSide: takerSide)
    }
}

/// The REST depth snapshot `GET /fapi/v1/depth?symbol=…&limit=1000`:
/// `{"lastUpdateId":1027024,"E":1589436922972,"T":1589436922959,"bids":[["4.00000000","431.00000000"]],"asks":[…]}`.
public struct BinanceDepthSnapshot: Hashable, Sendable {
    /// The update id the snapshot is consistent with.
    public var lastUpdateID: Int64
    /// Message output time `E`, milliseconds since the epoch.
    public var eventTimeMs: Int64
    /// Transaction time `T`, milliseconds since the epoch.
    public var transactionTimeMs: Int64
    /// Bid levels, best first as Binance sends them.
    public var bids: [BookLevel]
    /// Ask levels, best first as Binance sends them.
    public var asks: [BookLevel]

    /// A snapshot.
    public init(lastUpdateID: Int64, eventTimeMs: Int64, transactionTimeMs: Int64, bids: [BookLevel], asks: [BookLevel]) {
        self.lastUpdateID = lastUpdateID
        self.eventTimeMs = eventTimeMs
        self.transactionTimeMs = transactionTimeMs
        self.bids = bids
        self.asks = asks
    }
}

/// What one stream or REST message turned out to be.
public enum BinanceMessage: Hashable, Sendable {
    /// A `depthUpdate` event (diff or partial depth).
    case depthUpdate(BinanceDepthUpdate)
    /// A `bookTicker` event.
    case bookTicker(BinanceBookTicker)
    /// An `aggTrade` event.
    case aggTrade(BinanceAggTrade)
    /// A REST depth snapshot.
    case depthSnapshot(BinanceDepthSnapshot)
    /// A well-formed message of a kind this client does not use (e.g. a subscription reply).
    case ignored
}

/// Why a message could not be decoded.
public struct BinanceParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, in words.
    public let description: String
    /// The byte offset where the problem was found.
    public let offset: Int

    /// An error at `offset`.
    public init(_ description: String, offset: Int) {
        self.description = description
        self.offset = offset
    }
}
