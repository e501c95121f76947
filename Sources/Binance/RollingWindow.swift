/// A fixed-capacity window of the most recent samples with their running mean and variance.
///
/// Adding a sample to a full window evicts the oldest. Mean and variance are kept with Welford's
/// update and its inverse for the evicted sample, and are recomputed from the stored samples once
/// per `capacity` additions so rounding errors cannot accumulate. (Binance may not import the
/// `Quant` module, so this is a small module-internal copy of the idea.)
struct RollingWindow: Sendable {
    private var samples: [Double]
    private var next = 0
    private(set) var count = 0
    private(set) var mean = 0.0
    private var sumOfSquaredDeviations = 0.0
    private var additionsSinceRecompute = 0

    /// An empty window holding up to `capacity` samples (at least 1).
    init(capacity: Int) {
        samples = [Double](repeating: 0, count: max(1, capacity))
    }

    var capacity: Int { samples.count }

    /// The sample standard deviation (n − 1 in the denominator); zero with fewer than two samples.
    var standardDeviation: Double {
        guard count > 1 else { return 0 }
        return (max(0, sumOfSquaredDeviations) / Double(count - 1)).squareRoot()
    }

    mutating func add(_ value: Double) {
        if count == samples.count {
            let evicted = samples[next]
            let oldMean = mean
            mean -= (evicted - mean) / Double(count - 1 == 0 ? 1 : count - 1)
            if count == 1 { mean = 0 }
            sumOfSquaredDeviations -= (evicted - oldMean) * (evicted - mean)
            count -= 1
        }
        samples[next] = value
        next = (next + 1) % samples.count
        count += 1
        let delta = value - mean
        mean += delta / Double(count)
        sumOfSquaredDeviations += delta * (value - mean)
        additionsSinceRecompute += 1
        if additionsSinceRecompute >= samples.count { recompute() }
    }

    mutating func removeAll() {
        next = 0
        count = 0
        mean = 0
        sumOfSquaredDeviations = 0
        additionsSinceRecompute = 0
    }

    /// Recomputes mean and variance exactly from the stored samples (two passes).
    private mutating func recompute() {
        additionsSinceRecompute = 0
        guard count > 0 else { return }
        var sum = 0.0
        forEachSample { sum += $0 }
        let newMean = sum / Double(count)
        var squares = 0.0
        forEachSample { squares += ($0 - newMean) * ($0 - newMean) }
        mean = newMean
        sumOfSquaredDeviations = squares
    }

    private func forEachSample(_ body: (Double) -> Void) {
        let capacity = samples.count
        var index = (next - count + capacity) % capacity
        for _ in 0..<count {
            body(samples[index])
            index = (index + 1) % capacity
        }
    }
}
