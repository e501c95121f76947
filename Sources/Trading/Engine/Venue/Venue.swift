import MarketCore

/// Where orders go: the exchange (live or sandbox) or a simulator, for one market of one account.
///
/// A venue executes; it does not decide. The engine hands it ``OrderAction``s and later drains the
/// ``ExecutionEvent``s they (and the market) caused. Both calls are synchronous and must not
/// block, so the same engine runs live and in virtual time:
///
/// - A live venue queues submitted actions for its network task (signing, batching, rate limits)
///   and buffers what comes back; ``drainEvents(upTo:into:)`` moves out what has arrived.
/// - A simulated venue schedules submitted actions through its latency model and produces events
///   at their virtual times; ``drainEvents(upTo:into:)`` moves out those due by `time`, and
///   ``nextEventTime`` tells a virtual-time loop when the next one is due.
///
/// Failures are reported as events, never thrown: an action the venue cannot carry out (no quota,
/// not connected, invalid) comes back as ``ExecutionEvent/rejected(id:code:message:time:)``.
///
/// A ``ExecutionEvent/positionUpdate(position:averageEntry:time:)`` must come after the fills that
/// led to it (the engine replaces its own position with the venue's when they differ).
///
/// Instances are used by one owner (the market's runner); a live implementation synchronises with
/// its network task internally.
///
/// ```swift
/// venue.submit(actions, at: now)
/// events.removeAll(keepingCapacity: true)
/// venue.drainEvents(upTo: now, into: &events)
/// for event in events { engine.handle(event) }
/// ```
public protocol Venue: AnyObject {
    /// Hands `actions` to the venue, in order, as of `time` (the engine's time when it decided).
    ///
    /// Must return at once. The venue keeps the order of actions; it may batch them.
    func submit(_ actions: [OrderAction], at time: Timestamp)

    /// Appends to `events`, in the order they happened, every event that happened at or before
    /// `time` and has not been drained yet. Never removes what is already in `events`.
    func drainEvents(upTo time: Timestamp, into events: inout [ExecutionEvent])

    /// The time of the earliest event not yet drained, if the venue knows it (a simulator does);
    /// `nil` if nothing is pending or the venue cannot tell (a live venue). A virtual-time loop
    /// advances its clock to `min(next market event, nextEventTime)`.
    var nextEventTime: Timestamp? { get }
}

extension Venue {
    /// A live venue cannot tell when its next event will arrive.
    public var nextEventTime: Timestamp? { nil }
}
