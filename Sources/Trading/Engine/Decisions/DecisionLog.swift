import Logging
import MarketCore

/// Receives every decision as it is recorded (e.g. a report writer or a metrics exporter).
///
/// Called on the engine's thread, synchronously: keep it cheap.
public protocol DecisionSink: AnyObject {
    /// Takes one decision.
    func record(_ decision: Decision)
}

/// The most recent decisions, in a fixed-size ring buffer (the oldest are overwritten).
///
/// Appending never allocates once the buffer is full.
public struct DecisionLog: Sendable {
    private var storage: [Decision]
    private var nextIndex: Int
    /// How many decisions the log holds at most.
    public let capacity: Int
    /// How many decisions were ever appended (including overwritten ones).
    public private(set) var totalRecorded: Int

    /// An empty log holding up to `capacity` decisions (at least 1).
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage = []
        storage.reserveCapacity(self.capacity)
        nextIndex = 0
        totalRecorded = 0
    }

    /// How many decisions the log holds now.
    public var count: Int { storage.count }

    /// Appends a decision, overwriting the oldest if full.
    public mutating func append(_ decision: Decision) {
        if storage.count < capacity {
            storage.append(decision)
        } else {
            storage[nextIndex] = decision
        }
        nextIndex = (nextIndex + 1) % capacity
        totalRecorded += 1
    }

    /// Calls `body` for each decision held, oldest first.
    public func forEach(_ body: (Decision) throws -> Void) rethrows {
        if storage.count < capacity {
            for decision in storage { try body(decision) }
        } else {
            for offset in 0..<capacity { try body(storage[(nextIndex + offset) % capacity]) }
        }
    }

    /// The decisions held, oldest first (allocates; for reports and tests).
    public var decisions: [Decision] {
        var result: [Decision] = []
        result.reserveCapacity(storage.count)
        forEach { result.append($0) }
        return result
    }

    /// The most recent decision, if any.
    public var last: Decision? {
        guard !storage.isEmpty else { return nil }
        return storage[(nextIndex - 1 + capacity) % capacity]
    }

    /// Forgets every decision (keeps the storage and the total).
    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        nextIndex = 0
    }
}

/// Where the engine's components record decisions: the in-memory ``DecisionLog``, an optional
/// ``DecisionSink``, and swift-log.
///
/// Log levels: holds and no-quotes at `debug`, actions at `info`, vetoes/rejects/unknown orders
/// and mismatches at `notice`, halts, resumes and flattens at `warning`. A line is formatted
/// only when its level is enabled. Repeated holds of the same kind and reason on one slot are
/// dropped unless ``EngineConfiguration/recordRepeatedHolds`` is set.
public struct DecisionRecorder {
    /// The recent decisions.
    public private(set) var log: DecisionLog
    /// An extra receiver of every recorded decision.
    public var sink: (any DecisionSink)?
    /// The logger human lines go to.
    public var logger: Logger
    /// Whether repeated holds are recorded.
    public var recordRepeatedHolds: Bool
    /// Holds and no-quotes dropped as repeats.
    public private(set) var suppressedRepeats: Int
    private let spec: MarketSpec
    private let levelsPerSide: Int
    /// The last non-action per slot (both sides, then one market-wide entry).
    private var lastNonAction: [NonAction?]

    /// A recorder for one market.
    public init(
        spec: MarketSpec, levelsPerSide: Int, capacity: Int, logger: Logger, sink: (any DecisionSink)? = nil,
        recordRepeatedHolds: Bool = false
    ) {
        self.spec = spec
        self.levelsPerSide = max(1, levelsPerSide)
        self.log = DecisionLog(capacity: capacity)
        self.logger = logger
        self.sink = sink
        self.recordRepeatedHolds = recordRepeatedHolds
        self.suppressedRepeats = 0
        self.lastNonAction = Array(repeating: nil, count: 2 * self.levelsPerSide + 1)
    }

    private func slotIndex(_ decision: Decision) -> Int {
        guard let side = decision.side, decision.level >= 0, decision.level < levelsPerSide else {
            return 2 * levelsPerSide
        }
        return (side == .buy ? 0 : levelsPerSide) + decision.level
    }

    /// Records a decision (holds and no-quotes may be dropped as repeats).
    public mutating func record(_ decision: Decision) {
        let index = slotIndex(decision)
        if decision.kind == .hold || decision.kind == .none || decision.kind == .veto {
            if !recordRepeatedHolds, let previous = lastNonAction[index], previous.kind == decision.kind,
                previous.reason.sameKind(as: decision.reason)
            {
                suppressedRepeats += 1
                return
            }
            lastNonAction[index] = NonAction(kind: decision.kind, reason: decision.reason)
        } else {
            lastNonAction[index] = nil
        }
        log.append(decision)
        sink?.record(decision)
        emit(decision)
    }

    /// Drops a hold, no-quote or veto about one slot when it repeats the slot's previous one (as
    /// ``record(_:)`` would), without the caller building the decision; returns whether it did.
    public mutating func dropIfRepeat(side: Side, level: Int, kind: Decision.Kind, reason: DecisionReason) -> Bool {
        guard !recordRepeatedHolds, level >= 0, level < levelsPerSide,
            kind == .hold || kind == .none || kind == .veto
        else { return false }
        let index = (side == .buy ? 0 : levelsPerSide) + level
        guard let previous = lastNonAction[index], previous.kind == kind, previous.reason.sameKind(as: reason) else {
            return false
        }
        suppressedRepeats += 1
        return true
    }

    /// Counts `count` holds or no-quotes as dropped repeats without making them (the engine skips a
    /// comparison it knows would only repeat them).
    public mutating func countSuppressedRepeats(_ count: Int) {
        suppressedRepeats += count
    }

    private func emit(_ decision: Decision) {
        let level: Logger.Level
        switch decision.kind {
        case .hold, .none: level = .debug
        case .place, .modify, .cancel, .cancelAll: level = .info
        case .veto, .shrink, .reject, .unknownOrder, .positionMismatch: level = .notice
        case .halt, .resume, .flatten: level = .warning
        }
        guard logger.logLevel <= level else { return }
        var metadata: Logger.Metadata = [
            "market": .string(spec.symbol),
            "kind": .string(decision.kind.description),
            "reason": .string(decision.reason.code),
        ]
        if let side = decision.side { metadata["side"] = .string(side.description) }
        if let id = decision.orderID { metadata["order_id"] = .stringConvertible(id.rawValue) }
        if let alpha = decision.alpha { metadata["alpha"] = .string(alpha.source.description) }
        logger.log(level: level, "\(decision.line(spec: spec))", metadata: metadata)
    }
}

/// A slot's latest hold, no-quote or veto (a struct, not a tuple, so copies are specialised).
private struct NonAction {
    var kind: Decision.Kind
    var reason: DecisionReason
}
