/// Running mean and population standard deviation over the most recent `capacity` values.
///
/// A fixed-capacity ring buffer. The storage is allocated once, in `init(capacity:)`; `push(_:)`
/// and `clear()` never allocate (as long as the value has a single owner: copying a
/// `RollingStats` and then mutating the copy copies the buffer once, as any Swift array does).
///
/// Statistics are maintained with Welford's update, extended to a sliding window:
///
/// - while filling (`n` values after the push):
///   `μ' = μ + (x − μ)/n`, `M2' = M2 + (x − μ)(x − μ')`;
/// - when full, pushing `x` evicts the oldest value `y` (window size `n` stays the same):
///   `μ' = μ + (x − y)/n`, `M2' = M2 + (x − y)(x − μ' + y − μ)`.
///
/// `M2` is the sum of squared deviations from the mean, so the population variance is `M2/n`.
/// Rounding can drive `M2` slightly below zero; it is clamped at zero. To stop rounding errors
/// from accumulating over millions of pushes, the mean and `M2` are recomputed exactly (two
/// passes over the buffer) each time the ring wraps around, i.e. once every `capacity`
/// evictions: amortised O(1) per push, with one O(capacity) step per wrap. `recomputeExactly()`
/// does the same on demand.
///
/// Units: the statistics carry the unit of the pushed values (variance: that unit squared).
public struct RollingStats: Sendable {
    /// The largest number of values the window holds.
    public let capacity: Int

    /// Ring storage; `buffer.count == capacity` always.
    private var buffer: [Double]
    /// Index where the next value is written (the oldest value, once the window is full).
    private var head: Int = 0
    /// Number of values currently in the window (`0...capacity`).
    public private(set) var count: Int = 0
    /// Mean of the values in the window; 0 when the window is empty.
    public private(set) var mean: Double = 0
    /// Sum of squared deviations from `mean`.
    private var m2: Double = 0

    /// Creates an empty window holding at most `capacity` values.
    ///
    /// - Precondition: `capacity > 0`. Callers that build a window from configuration should
    ///   validate the number first and report the configuration key.
    public init(capacity: Int) {
        precondition(capacity > 0, "RollingStats capacity must be positive, got \(capacity)")
        self.capacity = capacity
        self.buffer = [Double](repeating: 0, count: capacity)
    }

    /// Whether the window holds `capacity` values (the next push evicts the oldest).
    public var isFull: Bool { count == capacity }

    /// Whether the window holds no value.
    public var isEmpty: Bool { count == 0 }

    /// Population variance `M2/n` of the values in the window; 0 when it holds fewer than 2.
    public var variance: Double { count > 1 ? m2 / Double(count) : 0 }

    /// Sample variance `M2/(n−1)` of the values in the window; 0 when it holds fewer than 2.
    public var sampleVariance: Double { count > 1 ? m2 / Double(count - 1) : 0 }

    /// Population standard deviation `sqrt(M2/n)`; 0 when the window holds fewer than 2 values.
    public var standardDeviation: Double { variance.squareRoot() }

    /// The most recently pushed value, or nil when the window is empty.
    public var newest: Double? {
        guard count > 0 else { return nil }
        return buffer[head == 0 ? capacity - 1 : head - 1]
    }

    /// The oldest value still in the window, or nil when the window is empty.
    public var oldest: Double? {
        guard count > 0 else { return nil }
        return isFull ? buffer[head] : buffer[0]
    }

    /// Adds `value` to the window, evicting the oldest value when the window is full. O(1)
    /// (amortised; see the type's documentation), no allocation.
    public mutating func push(_ value: Double) {
        if count < capacity {
            buffer[head] = value
            head += 1
            if head == capacity { head = 0 }
            count += 1
            let delta = value - mean
            mean += delta / Double(count)
            m2 += delta * (value - mean)
            if m2 < 0 { m2 = 0 }
            return
        }
        let evicted = buffer[head]
        buffer[head] = value
        head += 1
        let oldMean = mean
        mean = oldMean + (value - evicted) / Double(count)
        m2 += (value - evicted) * (value - mean + evicted - oldMean)
        if m2 < 0 { m2 = 0 }
        if head == capacity {
            head = 0
            recomputeExactly()
        }
    }

    /// The z-score `(value − mean)/σ` of `value` against the window, with σ the population
    /// standard deviation. Nil when it is undefined: fewer than 2 values, or σ not above
    /// `minimumStandardDeviation` (a constant window).
    public func zScore(of value: Double, minimumStandardDeviation: Double = 1e-12) -> Double? {
        guard count > 1 else { return nil }
        let sigma = standardDeviation
        guard sigma > minimumStandardDeviation else { return nil }
        return (value - mean) / sigma
    }

    /// Recomputes the mean and the sum of squared deviations exactly from the stored values
    /// (two passes over the window). O(count).
    public mutating func recomputeExactly() {
        guard count > 0 else {
            mean = 0
            m2 = 0
            return
        }
        // The stored values occupy indices 0..<count while filling, and all indices when full;
        // sums do not depend on order.
        var sum = 0.0
        for index in 0..<count { sum += buffer[index] }
        let exactMean = sum / Double(count)
        var squares = 0.0
        for index in 0..<count {
            let deviation = buffer[index] - exactMean
            squares += deviation * deviation
        }
        mean = exactMean
        m2 = squares
    }

    /// A window of `newCapacity` holding the newest `min(count, newCapacity)` values of this one,
    /// oldest first, with the mean and spread recomputed exactly. Allocates the new storage once
    /// (for reconfiguration, not for the hot path).
    ///
    /// - Precondition: `newCapacity > 0`.
    public func resized(toCapacity newCapacity: Int) -> RollingStats {
        var result = RollingStats(capacity: newCapacity)
        let kept = min(count, newCapacity)
        let oldestIndex = isFull ? head : 0
        for offset in (count - kept)..<count {
            result.buffer[result.head] = buffer[(oldestIndex + offset) % capacity]
            result.head += 1
        }
        if result.head == newCapacity { result.head = 0 }
        result.count = kept
        result.recomputeExactly()
        return result
    }

    /// Empties the window, keeping its storage. O(1), no allocation.
    public mutating func clear() {
        head = 0
        count = 0
        mean = 0
        m2 = 0
    }
}
