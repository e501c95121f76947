import MarketCore

/// Where a backtest gets its market: a stream of ``MarketEvent``s of one market, in time order.
///
/// The synthetic generator (``SyntheticMarket``) is one source; a replay of recorded data is
/// another. `receivedAt` of each event is taken as the time the exchange's book changed: the
/// simulated exchange matches at that time, and the backtest adds the feed latency before the
/// engine sees it. Sources produce events lazily; a day of data is millions of events.
public protocol MarketEventSource {
    /// The market the events belong to.
    var spec: MarketSpec { get }

    /// The next event, or `nil` at the end of the data. Times never decrease.
    mutating func nextEvent() -> MarketEvent?
}

/// A source over events already in memory (for tests and short replays).
public struct ArrayEventSource: MarketEventSource, Sendable {
    /// The market the events belong to.
    public let spec: MarketSpec
    /// The events, in time order.
    public let events: [MarketEvent]
    /// The index of the next event to hand out.
    public private(set) var position: Int = 0

    /// A source that hands out `events` in order.
    public init(spec: MarketSpec, events: [MarketEvent]) {
        self.spec = spec
        self.events = events
    }

    /// The next event, or `nil` after the last.
    public mutating func nextEvent() -> MarketEvent? {
        guard position < events.count else { return nil }
        defer { position += 1 }
        return events[position]
    }
}

/// A book change or a trade: the ``MarketEvent``s that carry no arrays, as a plain value that
/// queues copy and clear without reference counting (a queue of `MarketEvent`s pays an outlined
/// copy and destroy per event for the snapshot case's arrays).
enum PlainMarketEvent {
    case bookDelta(BookDelta)
    case trade(Trade)

    /// The event as a ``MarketEvent``.
    @inline(__always)
    var marketEvent: MarketEvent {
        switch self {
        case .bookDelta(let delta): .bookDelta(delta)
        case .trade(let trade): .trade(trade)
        }
    }

    /// When it was received.
    @inline(__always)
    var receivedAt: Timestamp {
        switch self {
        case .bookDelta(let delta): delta.receivedAt
        case .trade(let trade): trade.receivedAt
        }
    }
}
