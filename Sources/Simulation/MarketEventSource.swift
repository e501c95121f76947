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
