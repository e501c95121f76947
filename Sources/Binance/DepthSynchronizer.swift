import MarketCore

/// Keeps a local order book in step with Binance USD-M futures diff-depth events and REST
/// snapshots, following Binance's "How to manage a local order book correctly" for futures.
///
/// It does no I/O: the caller feeds it stream events and snapshots and carries out what it
/// returns (fetch a snapshot). The rules:
///
/// 1. Until a snapshot is applied, stream events are buffered.
/// 2. After a snapshot with `lastUpdateId`, buffered and new events with `u < lastUpdateId` are dropped.
/// 3. The first applied event must have `U ≤ lastUpdateId ≤ u`; otherwise the snapshot is too old
///    (or events are missing) and a new snapshot is needed.
/// 4. After that, each event's `pu` must equal the previous event's `u`; otherwise the book is
///    discarded and the process starts again from a new snapshot (the socket is kept).
///
/// ```swift
/// var sync = DepthSynchronizer()
/// if sync.receive(update) == .needsSnapshot { /* fetch REST snapshot */ }
/// let outcome = sync.apply(snapshot)   // applies the buffered events that follow it
/// ```
public struct DepthSynchronizer: Sendable {
    /// Where the synchronizer is.
    public enum Phase: Hashable, Sendable {
        /// Buffering events and waiting for a snapshot.
        case awaitingSnapshot
        /// A snapshot is applied; waiting for the first event that bridges it.
        case awaitingFirstEvent(snapshotID: Int64)
        /// In sync: the book reflects every update up to `lastFinalUpdateID`.
        case synced(lastFinalUpdateID: Int64)
    }

    /// What happened to an event given to ``receive(_:)``.
    public enum EventOutcome: Hashable, Sendable {
        /// Buffered until a snapshot arrives; the caller should make sure one is being fetched.
        case buffered
        /// Applied to the book.
        case applied
        /// Older than the snapshot; ignored.
        case dropped
        /// The sequence broke (`pu` ≠ previous `u`, or the first event does not bridge the
        /// snapshot); the book is invalid, the event is buffered, and a new snapshot is needed.
        case gap(expectedPrevious: Int64, got: Int64)
    }

    /// What applying a snapshot did.
    public struct SnapshotOutcome: Hashable, Sendable {
        /// Buffered events applied on top of the snapshot.
        public var appliedEvents: Int
        /// Buffered events dropped as older than the snapshot.
        public var droppedEvents: Int
        /// Whether the buffered events showed the snapshot cannot be bridged (a new one is needed).
        public var needsNewSnapshot: Bool
        /// The buffered events that were applied, in order, with their receive times (for recorders).
        public var applied: [BinanceReceived<BinanceDepthUpdate>]
    }

    /// The local book (valid only when ``isSynced``).
    public private(set) var book: OrderBook
    /// The current phase.
    public private(set) var phase: Phase = .awaitingSnapshot
    /// Events waiting for a snapshot, oldest first, with their receive times.
    public private(set) var buffer: [BinanceReceived<BinanceDepthUpdate>] = []
    /// The most events kept while waiting for a snapshot; older ones are discarded beyond it.
    public let bufferLimit: Int

    /// A synchronizer with an empty book.
    ///
    /// - Parameter bufferLimit: the most events to buffer while waiting for a snapshot.
    public init(bufferLimit: Int = 10_000, bookCapacity: Int = 1_024) {
        self.bufferLimit = max(1, bufferLimit)
        self.book = OrderBook(capacity: bookCapacity)
    }

    /// Whether the book reflects the stream (a snapshot was applied and bridged).
    public var isSynced: Bool {
        if case .synced = phase { return true }
        return false
    }

    /// Whether the book holds a snapshot (possibly not yet bridged by an event).
    public var hasSnapshot: Bool {
        switch phase {
        case .awaitingSnapshot: false
        case .awaitingFirstEvent, .synced: true
        }
    }

    /// Throws the book away and waits for a new snapshot (e.g. after a reconnect).
    public mutating func reset() {
        phase = .awaitingSnapshot
        buffer.removeAll(keepingCapacity: true)
        book.removeAll()
    }

    /// Handles one stream event received at `receivedAt` (kept with the event if it is buffered).
    public mutating func receive(_ update: BinanceDepthUpdate, receivedAt: Timestamp = .epoch) -> EventOutcome {
        let update = BinanceReceived(receivedAt: receivedAt, payload: update)
        switch phase {
        case .awaitingSnapshot:
            bufferEvent(update)
            return .buffered
        case .awaitingFirstEvent(let snapshotID):
            if update.payload.finalUpdateID < snapshotID { return .dropped }
            guard update.payload.firstUpdateID <= snapshotID else {
                startOver(with: update)
                return .gap(expectedPrevious: snapshotID, got: update.payload.firstUpdateID)
            }
            applyToBook(update.payload)
            phase = .synced(lastFinalUpdateID: update.payload.finalUpdateID)
            return .applied
        case .synced(let last):
            guard update.payload.previousFinalUpdateID == last else {
                startOver(with: update)
                return .gap(expectedPrevious: last, got: update.payload.previousFinalUpdateID)
            }
            applyToBook(update.payload)
            phase = .synced(lastFinalUpdateID: update.payload.finalUpdateID)
            return .applied
        }
    }

    /// Applies a REST snapshot and then the buffered events that follow it.
    ///
    /// If the buffered events cannot be bridged to the snapshot, the book is discarded again and
    /// ``SnapshotOutcome/needsNewSnapshot`` is set; the unusable buffered events stay buffered.
    public mutating func apply(_ snapshot: BinanceDepthSnapshot) -> SnapshotOutcome {
        book.replace(bids: snapshot.bids, asks: snapshot.asks)
        phase = .awaitingFirstEvent(snapshotID: snapshot.lastUpdateID)
        var outcome = SnapshotOutcome(appliedEvents: 0, droppedEvents: 0, needsNewSnapshot: false, applied: [])
        let pending = buffer
        buffer.removeAll(keepingCapacity: true)
        for (index, event) in pending.enumerated() {
            switch receive(event.payload, receivedAt: event.receivedAt) {
            case .applied:
                outcome.appliedEvents += 1
                outcome.applied.append(event)
            case .dropped:
                outcome.droppedEvents += 1
            case .gap:
                // `receive` already reset and buffered this event; keep the rest after it.
                for later in pending[(index + 1)...] { bufferEvent(later) }
                outcome.needsNewSnapshot = true
                return outcome
            case .buffered:
                // Not reachable: the phase is past awaitingSnapshot here.
                outcome.needsNewSnapshot = true
                return outcome
            }
        }
        return outcome
    }

    private mutating func startOver(with update: BinanceReceived<BinanceDepthUpdate>) {
        phase = .awaitingSnapshot
        book.removeAll()
        buffer.removeAll(keepingCapacity: true)
        bufferEvent(update)
    }

    private mutating func bufferEvent(_ update: BinanceReceived<BinanceDepthUpdate>) {
        if buffer.count >= bufferLimit { buffer.removeFirst(buffer.count - bufferLimit + 1) }
        buffer.append(update)
    }

    private mutating func applyToBook(_ update: BinanceDepthUpdate) {
        for level in update.bids { book.apply(side: .buy, price: level.price, size: level.size) }
        for level in update.asks { book.apply(side: .sell, price: level.price, size: level.size) }
    }
}
