import MarketCore

/// Why a market's book was thrown away and must be rebuilt from a fresh snapshot.
public enum BookResyncReason: Hashable, Sendable, CustomStringConvertible {
    /// An update's `begin_nonce` did not continue from the previous message's `nonce`.
    case nonceGap(expected: Int64, got: Int64)
    /// An update's `offset` was not after the previous message's.
    case offsetOutOfOrder(previous: Int64, got: Int64)
    /// The book became crossed (best bid above best ask) after an update.
    case crossedBook
    /// An update lacked the sequence fields the continuity check needs.
    case missingSequence
    /// The connection was lost (or replaced).
    case reconnect

    public var description: String {
        switch self {
        case .nonceGap(let expected, let got): "nonce gap: expected begin_nonce \(expected), got \(got)"
        case .offsetOutOfOrder(let previous, let got): "offset \(got) not after \(previous)"
        case .crossedBook: "book crossed after an update"
        case .missingSequence: "update without nonce/begin_nonce"
        case .reconnect: "reconnect"
        }
    }
}

/// Keeps one market's `OrderBook` in step with Lighter's `order_book` channel.
///
/// A snapshot (`subscribed/order_book`) replaces the book. Each update must start where the
/// previous message ended (`begin_nonce == nonce` of the previous message) and have a larger
/// `offset`; otherwise the book is cleared, the synchronizer waits for a new snapshot, and the
/// outcome tells the caller to resubscribe.
///
/// ```swift
/// var sync = OrderBookSynchronizer(marketID: 0)
/// switch sync.apply(message) {
/// case .resyncNeeded(let reason): resubscribe(0); log(reason)
/// default: quote(sync.book)
/// }
/// ```
public struct OrderBookSynchronizer: Sendable {
    /// What applying one message did.
    public enum Outcome: Hashable, Sendable {
        /// The snapshot replaced the book.
        case snapshotApplied
        /// The update was applied.
        case updateApplied
        /// An update arrived while waiting for a snapshot; ignored.
        case ignoredAwaitingSnapshot
        /// The message is for another market or not a book message; ignored.
        case ignored
        /// Continuity broke: the book was cleared; resubscribe to get a snapshot.
        case resyncNeeded(BookResyncReason)
    }

    /// The market this synchronizer follows.
    public let marketID: Int
    /// The current book (empty while not synced).
    public private(set) var book: OrderBook
    /// Whether the book reflects a snapshot plus every update since.
    public private(set) var isSynced = false
    /// The `nonce` of the last applied message.
    public private(set) var lastNonce: Int64?
    /// The `offset` of the last applied message.
    public private(set) var lastOffset: Int64?
    /// How many times continuity broke.
    public private(set) var resyncCount = 0

    /// A synchronizer for `marketID`, waiting for its first snapshot.
    public init(marketID: Int, capacity: Int = 256) {
        self.marketID = marketID
        self.book = OrderBook(capacity: capacity)
    }

    /// Applies one decoded message.
    public mutating func apply(_ message: MarketMessage) -> Outcome {
        guard message.marketID == marketID else { return .ignored }
        switch message.kind {
        case .orderBookSnapshot:
            book.replace(bids: message.bids, asks: message.asks)
            isSynced = true
            lastNonce = message.nonce
            lastOffset = message.offset
            return .snapshotApplied
        case .orderBookUpdate:
            guard isSynced else { return .ignoredAwaitingSnapshot }
            guard let beginNonce = message.beginNonce, let nonce = message.nonce else {
                return invalidate(.missingSequence)
            }
            if let lastNonce, beginNonce != lastNonce {
                return invalidate(.nonceGap(expected: lastNonce, got: beginNonce))
            }
            if let lastOffset, let offset = message.offset, offset <= lastOffset {
                return invalidate(.offsetOutOfOrder(previous: lastOffset, got: offset))
            }
            for level in message.bids { book.apply(side: .buy, price: level.price, size: level.size) }
            for level in message.asks { book.apply(side: .sell, price: level.price, size: level.size) }
            if book.isCrossed { return invalidate(.crossedBook) }
            lastNonce = nonce
            if let offset = message.offset { lastOffset = offset }
            return .updateApplied
        default:
            return .ignored
        }
    }

    /// Clears the book and waits for a new snapshot (e.g. after a reconnect).
    public mutating func reset() {
        book.removeAll()
        isSynced = false
        lastNonce = nil
        lastOffset = nil
    }

    private mutating func invalidate(_ reason: BookResyncReason) -> Outcome {
        reset()
        resyncCount += 1
        return .resyncNeeded(reason)
    }
}
