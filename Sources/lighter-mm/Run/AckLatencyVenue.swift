import MarketCore
import Trading

/// A venue wrapper that measures send→acknowledgement latency: from the engine handing an action
/// to the venue (`submit`) to the receive time of the venue's answer about that order (accepted,
/// modified, canceled or rejected). Queueing, signing, the REST round trip and the account
/// stream's delivery are all inside the figure.
///
/// Keeps the last ``capacity`` samples in a ring; ``medianMilliseconds`` sorts a copy (call it for
/// the status line, not per message).
final class AckLatencyVenue<Wrapped: Venue>: Venue {
    /// The venue doing the work.
    let wrapped: Wrapped
    /// Samples kept.
    let capacity: Int
    private var sentAt: [Int64: Timestamp] = [:]
    private var samples: [Int64] = []
    private var nextSample = 0

    /// Wraps `venue`, keeping the last `capacity` latencies.
    init(_ venue: Wrapped, capacity: Int = 128) {
        wrapped = venue
        self.capacity = max(1, capacity)
        sentAt.reserveCapacity(64)
        samples.reserveCapacity(self.capacity)
    }

    func submit(_ actions: [OrderAction], at time: Timestamp) {
        for action in actions {
            if let id = action.orderID { sentAt[id.rawValue] = time }
        }
        wrapped.submit(actions, at: time)
    }

    func drainEvents(upTo time: Timestamp, into events: inout [ExecutionEvent]) {
        let start = events.count
        wrapped.drainEvents(upTo: time, into: &events)
        guard events.count > start, !sentAt.isEmpty else { return }
        for index in start..<events.count {
            let event = events[index]
            switch event {
            case .accepted, .modified, .canceled, .rejected:
                guard let id = event.orderID, let sent = sentAt.removeValue(forKey: id.rawValue) else { continue }
                record(event.time - sent)
            default:
                continue
            }
        }
    }

    var nextEventTime: Timestamp? { wrapped.nextEventTime }

    /// The median of the recent samples in milliseconds, nil before the first.
    var medianMilliseconds: Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let middle = sorted.count / 2
        let nanoseconds =
            sorted.count % 2 == 1 ? Double(sorted[middle]) : (Double(sorted[middle - 1]) + Double(sorted[middle])) / 2
        return nanoseconds / 1e6
    }

    /// Forgets actions sent before `time` that were never answered (so the table stays small).
    func forgetUnanswered(before time: Timestamp) {
        guard !sentAt.isEmpty else { return }
        sentAt = sentAt.filter { $0.value >= time }
    }

    private func record(_ nanoseconds: Int64) {
        guard nanoseconds >= 0 else { return }
        if samples.count < capacity {
            samples.append(nanoseconds)
        } else {
            samples[nextSample] = nanoseconds
        }
        nextSample = (nextSample + 1) % capacity
    }
}
