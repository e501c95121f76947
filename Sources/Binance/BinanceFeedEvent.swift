import MarketCore

/// A message with the local time it was received (from the feed's ``MarketCore/TradingClock``).
public struct BinanceReceived<Payload: Hashable & Sendable>: Hashable, Sendable {
    /// When the message was received, nanoseconds since the epoch.
    public var receivedAt: Timestamp
    /// The message.
    public var payload: Payload

    /// A received message.
    public init(receivedAt: Timestamp, payload: Payload) {
        self.receivedAt = receivedAt
        self.payload = payload
    }
}

/// Why the local book was thrown away.
public enum BinanceResyncReason: Hashable, Sendable, CustomStringConvertible {
    /// An event's `pu` did not match the previous event's `u` (or the first event after a
    /// snapshot did not bridge it).
    case sequenceGap(expectedPrevious: Int64, got: Int64)
    /// The buffered events start after the snapshot: a newer snapshot is needed.
    case snapshotTooOld(lastUpdateID: Int64)
    /// The connection was lost or replaced; the book is rebuilt on the new one.
    case reconnect

    /// A short description for logs.
    public var description: String {
        switch self {
        case .sequenceGap(let expected, let got): "sequence gap (expected pu \(expected), got \(got))"
        case .snapshotTooOld(let id): "snapshot \(id) is older than the buffered events"
        case .reconnect: "reconnect"
        }
    }
}

/// Why a connection ended.
public enum BinanceDisconnectReason: Hashable, Sendable, CustomStringConvertible {
    /// We closed it on purpose before Binance's 24-hour limit; reconnecting at once.
    case planned
    /// The server closed it or the network dropped it.
    case closed(String)
    /// Connecting failed.
    case failed(String)

    /// A short description for logs.
    public var description: String {
        switch self {
        case .planned: "planned reconnect"
        case .closed(let detail): "closed: \(detail)"
        case .failed(let detail): "connect failed: \(detail)"
        }
    }
}

/// What the feed reports to its consumer (a recorder, a logger, a test), in order.
///
/// For a lossless recording of a diff-depth book, write ``snapshot(_:)`` levels as a snapshot and
/// every ``depthUpdate(_:)`` level as a change; ``resync(_:)`` marks that the book between the
/// last applied update and the next snapshot is unknown.
public enum BinanceFeedEvent: Hashable, Sendable {
    /// A WebSocket connection is open (`connection` counts from 1).
    case connected(connection: Int)
    /// A connection ended; `reconnectIn` seconds until the next attempt.
    case disconnected(reason: BinanceDisconnectReason, reconnectIn: Double)
    /// Diff-depth mode: a REST snapshot replaced the book.
    case snapshot(BinanceReceived<BinanceDepthSnapshot>)
    /// Diff-depth mode: a diff event was applied to the book. Buffered events applied right after
    /// a snapshot come after its ``snapshot(_:)`` event, each with the time it was received.
    case depthUpdate(BinanceReceived<BinanceDepthUpdate>)
    /// Partial-depth mode: the book was replaced by these top levels.
    case partialDepth(BinanceReceived<BinanceDepthUpdate>)
    /// A `bookTicker` event (the book in book-ticker mode; informational next to a depth mode).
    case bookTicker(BinanceReceived<BinanceBookTicker>)
    /// An `aggTrade` event (with ``BinanceFeedConfiguration/includeAggTrades``), as received:
    /// repeats are not removed here.
    case aggTrade(BinanceReceived<BinanceAggTrade>)
    /// The book was discarded; it is invalid until the next ``snapshot(_:)``.
    case resync(BinanceResyncReason)
    /// A message could not be decoded (counted; the feed goes on).
    case parseError(BinanceParseError)
    /// The REST snapshot request failed; it is retried on the same connection.
    case snapshotFailed(String)
    /// The alpha took a sample; its state at the sample time.
    case alphaSample(BinanceImbalanceAlpha.Status, at: Timestamp)
}

/// Counters of a feed since it was created.
public struct BinanceFeedStatistics: Hashable, Sendable {
    /// WebSocket connections opened.
    public var connections = 0
    /// WebSocket messages received.
    public var messages = 0
    /// Messages that could not be decoded.
    public var parseErrors = 0
    /// Times the book was discarded and rebuilt (gaps, stale snapshots, reconnects).
    public var resyncs = 0
    /// REST snapshots applied.
    public var snapshots = 0
    /// REST snapshot requests that failed.
    public var snapshotFailures = 0
    /// `aggTrade` events received.
    public var aggTrades = 0
    /// Diff events dropped as older than the snapshot.
    public var droppedEvents = 0

    /// Zero counters.
    public init() {}
}
