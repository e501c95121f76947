import Binance
import Synchronization

/// Collects a feed's events for a test and waits for conditions on them.
final class EventRecorder: Sendable {
    private let storage = Mutex<[BinanceFeedEvent]>([])

    func append(_ event: BinanceFeedEvent) { storage.withLock { $0.append(event) } }

    /// Every event so far, in order.
    var events: [BinanceFeedEvent] { storage.withLock { $0 } }

    /// Final update ids of the applied diff events, in order.
    var appliedFinalIDs: [Int64] {
        events.compactMap { if case .depthUpdate(let update) = $0 { update.payload.finalUpdateID } else { nil } }
    }

    /// Snapshot ids applied, in order.
    var snapshotIDs: [Int64] {
        events.compactMap { if case .snapshot(let snapshot) = $0 { snapshot.payload.lastUpdateID } else { nil } }
    }

    /// Resync reasons, in order.
    var resyncs: [BinanceResyncReason] {
        events.compactMap { if case .resync(let reason) = $0 { reason } else { nil } }
    }

    /// Disconnect reasons, in order.
    var disconnects: [BinanceDisconnectReason] {
        events.compactMap { if case .disconnected(let reason, _) = $0 { reason } else { nil } }
    }
}
