/// A trade printed by the exchange.
public struct Trade: Hashable, Sendable {
    /// When we received it.
    public var receivedAt: Timestamp
    /// The exchange's timestamp, in milliseconds since the epoch.
    public var exchangeTimeMs: Int64
    /// The exchange's trade id.
    public var tradeID: Int64
    /// The execution price.
    public var price: Price
    /// The executed size.
    public var size: Quantity
    /// The side of the aggressor: `.buy` means a buyer lifted the ask.
    public var takerSide: Side

    /// A trade.
    public init(
        receivedAt: Timestamp, exchangeTimeMs: Int64, tradeID: Int64, price: Price, size: Quantity, takerSide: Side
    ) {
        self.receivedAt = receivedAt
        self.exchangeTimeMs = exchangeTimeMs
        self.tradeID = tradeID
        self.price = price
        self.size = size
        self.takerSide = takerSide
    }
}

/// A full order-book snapshot: the book after it is exactly these levels.
public struct BookSnapshot: Hashable, Sendable {
    /// When we received it.
    public var receivedAt: Timestamp
    /// The exchange's timestamp, in milliseconds since the epoch.
    public var exchangeTimeMs: Int64
    /// The exchange's sequence number (offset or nonce) of this state.
    public var sequence: Int64
    /// Bid levels, any order.
    public var bids: [BookLevel]
    /// Ask levels, any order.
    public var asks: [BookLevel]

    /// A snapshot.
    public init(receivedAt: Timestamp, exchangeTimeMs: Int64, sequence: Int64, bids: [BookLevel], asks: [BookLevel]) {
        self.receivedAt = receivedAt
        self.exchangeTimeMs = exchangeTimeMs
        self.sequence = sequence
        self.bids = bids
        self.asks = asks
    }
}

/// A change of one level: the size at `price` on `side` is now `size` (zero removes the level).
public struct BookDelta: Hashable, Sendable {
    /// When we received it.
    public var receivedAt: Timestamp
    /// The exchange's timestamp, in milliseconds since the epoch.
    public var exchangeTimeMs: Int64
    /// The exchange's sequence number (offset or nonce) of the update this change belongs to.
    public var sequence: Int64
    /// The side of the level.
    public var side: Side
    /// The level's price.
    public var price: Price
    /// The new total size at the price.
    public var size: Quantity

    /// A level change.
    public init(
        receivedAt: Timestamp, exchangeTimeMs: Int64, sequence: Int64, side: Side, price: Price, size: Quantity
    ) {
        self.receivedAt = receivedAt
        self.exchangeTimeMs = exchangeTimeMs
        self.sequence = sequence
        self.side = side
        self.price = price
        self.size = size
    }
}

/// Something the market did, as the engine sees it: from a live feed, a recording or a simulator.
public enum MarketEvent: Hashable, Sendable {
    /// The book is now exactly this snapshot.
    case bookSnapshot(BookSnapshot)
    /// One level of the book changed.
    case bookDelta(BookDelta)
    /// A trade printed.
    case trade(Trade)

    /// When the event was received (the time the engine acts on it).
    @inlinable
    public var receivedAt: Timestamp {
        switch self {
        case .bookSnapshot(let snapshot): snapshot.receivedAt
        case .bookDelta(let delta): delta.receivedAt
        case .trade(let trade): trade.receivedAt
        }
    }
}

extension OrderBook {
    /// Applies a book event (a snapshot replaces the book; a delta changes one level; trades are ignored).
    @inlinable
    public mutating func apply(_ event: MarketEvent) {
        switch event {
        case .bookSnapshot(let snapshot): replace(bids: snapshot.bids, asks: snapshot.asks)
        case .bookDelta(let delta): apply(side: delta.side, price: delta.price, size: delta.size)
        case .trade: break
        }
    }
}
