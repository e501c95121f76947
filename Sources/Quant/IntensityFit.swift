import RealModule

/// How the execution-intensity curve `λ(δ) = A·e^(−kδ)` was fitted.
public enum IntensityFitMethod: String, Sendable, Hashable, Codable {
    /// Ordinary least squares of `ln(rate)` on `δ` over the buckets with at least one trade.
    case logLinear
    /// Poisson maximum likelihood over all buckets (counts `n_i ~ Poisson(T·A·e^(−kδ_i))`).
    case poissonMaximumLikelihood
}

/// One distance bucket of the intensity table.
public struct IntensityBucket: Sendable, Hashable, Codable {
    /// Representative distance from the mid, in ticks (the bucket's centre).
    public let distanceTicks: Double
    /// Trades observed in the bucket.
    public let count: Int
    /// Observed rate: count / duration (trades per second).
    public let observedRate: Double
    /// Fitted rate `A·e^(−kδ)` (trades per second).
    public let fittedRate: Double
}

/// A fitted intensity curve `λ(δ) = A·e^(−kδ)`: `A` in trades per second (at the mid), `k` per
/// tick of distance from the mid (divide by the tick size for "per price unit").
public struct IntensityFit: Sendable, Hashable, Codable {
    /// The method used.
    public let method: IntensityFitMethod
    /// Intensity at zero distance, trades per second.
    public let a: Double
    /// Decay per tick of distance from the mid.
    public let k: Double
    /// R² of `ln(observed rate)` against `ln(fitted rate)` over buckets with trades (1 = perfect).
    public let rSquared: Double
    /// Observation time in seconds.
    public let durationSeconds: Double
    /// Observed and fitted rates per distance bucket.
    public let table: [IntensityBucket]
}

/// Why an intensity fit could not be made.
public struct IntensityFitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in words.
    public let reason: String

    /// Creates the error with `reason`.
    public init(reason: String) { self.reason = reason }

    /// `intensity fit failed: <reason>`.
    public var description: String { "intensity fit failed: \(reason)" }
}

/// Counts executions by distance from the mid and fits `λ(δ) = A·e^(−kδ)`.
///
/// Distances are `|price − mid| / tickSize` ticks. Bucket `b` holds distances in
/// `[b·w, (b+1)·w)` for bucket width `w` ticks and is represented by its centre `(b+½)·w`;
/// only buckets whose lower edge is below `maximumTicks` are kept (trades farther away are
/// ignored, as are trades at exactly the mid when `excludeZeroDistance`).
public struct IntensityEstimator: Sendable, Hashable {
    /// Price increment of the market.
    public var tickSize: Double
    /// Bucket width in ticks.
    public var bucketTicks: Double
    /// Distances at or beyond this many ticks are ignored.
    public var maximumTicks: Double
    /// Fewer trades inside the range than this is an error.
    public var minimumTrades: Int

    /// Creates the estimator.
    public init(tickSize: Double, bucketTicks: Double = 1, maximumTicks: Double = 10, minimumTrades: Int = 30) {
        self.tickSize = tickSize
        self.bucketTicks = bucketTicks
        self.maximumTicks = maximumTicks
        self.minimumTrades = minimumTrades
    }

    /// Trade counts per bucket (index `b` ↔ distance centre `(b+½)·w`) from trade prices and
    /// the mid at each trade's time.
    ///
    /// With `orderKeys` (one per trade, equal for the prints of one aggressive order, e.g. its
    /// receive time and taker side), each aggressive order counts at most once per bucket: a
    /// sweep that fills three resting orders at one level is one arrival reaching that distance,
    /// which is what `λ(δ)` counts.
    public func bucketCounts(tradePrices: [Double], mids: [Double], orderKeys: [Int64]? = nil) throws(IntensityFitError) -> [Int] {
        guard tickSize > 0, tickSize.isFinite, bucketTicks > 0, maximumTicks > bucketTicks else {
            throw IntensityFitError(
                reason: "tick size \(tickSize), bucket \(bucketTicks) and range \(maximumTicks) ticks must be > 0 with range > bucket")
        }
        guard tradePrices.count == mids.count else {
            throw IntensityFitError(reason: "\(tradePrices.count) trade prices but \(mids.count) mids")
        }
        if let orderKeys, orderKeys.count != tradePrices.count {
            throw IntensityFitError(reason: "\(tradePrices.count) trade prices but \(orderKeys.count) order keys")
        }
        let bucketCount = Int((maximumTicks / bucketTicks).rounded(.up))
        var counts = [Int](repeating: 0, count: bucketCount)
        var seen = Set<[Int64]>()
        for index in tradePrices.indices {
            let price = tradePrices[index]
            let mid = mids[index]
            guard price.isFinite, mid.isFinite, mid > 0 else { continue }
            let distance = abs(price - mid) / tickSize
            guard distance < maximumTicks else { continue }
            let bucket = Int((distance / bucketTicks).rounded(.down))
            guard bucket < bucketCount else { continue }
            if let orderKeys {
                guard seen.insert([orderKeys[index], Int64(bucket)]).inserted else { continue }
            }
            counts[bucket] += 1
        }
        return counts
    }

    /// Fits `A` and `k` from bucket counts observed over `durationSeconds`.
    public func fit(counts: [Int], durationSeconds: Double, method: IntensityFitMethod) throws(IntensityFitError) -> IntensityFit {
        guard durationSeconds.isFinite, durationSeconds > 0 else {
            throw IntensityFitError(reason: "duration must be > 0 seconds, got \(durationSeconds)")
        }
        let total = counts.reduce(0, +)
        guard total >= minimumTrades else {
            throw IntensityFitError(reason: "\(total) trades within \(maximumTicks) ticks of the mid, need at least \(minimumTrades)")
        }
        let distances = counts.indices.map { (Double($0) + 0.5) * bucketTicks }
        let nonEmpty = counts.indices.filter { counts[$0] > 0 }
        guard nonEmpty.count >= 2 else {
            throw IntensityFitError(reason: "trades fall in \(nonEmpty.count) distance bucket(s), need at least 2")
        }
        var a: Double
        var k: Double
        switch method {
        case .logLinear:
            let xs = nonEmpty.map { distances[$0] }
            let ys = nonEmpty.map { Double.log(Double(counts[$0]) / durationSeconds) }
            let (intercept, slope) = leastSquares(xs, ys)
            a = Double.exp(intercept)
            k = -slope
        case .poissonMaximumLikelihood:
            // Profile likelihood: for fixed k, Â = N / (T Σ e^(−kδ_i)); the score in k is zero where the
            // e^(−kδ)-weighted mean distance equals the trades' mean distance (monotone in k → bisection).
            let meanDistance = zip(counts, distances).reduce(0.0) { $0 + Double($1.0) * $1.1 } / Double(total)
            func weightedMean(_ k: Double) -> Double {
                let minimum = distances.first ?? 0
                var weights = 0.0
                var sum = 0.0
                for d in distances {
                    let w = Double.exp(-k * (d - minimum))
                    weights += w
                    sum += w * d
                }
                return sum / weights
            }
            var low = -50.0 / maximumTicks
            var high = 50.0 / bucketTicks
            guard weightedMean(low) >= meanDistance, weightedMean(high) <= meanDistance else {
                throw IntensityFitError(reason: "the Poisson likelihood has no maximum with |k| in range (mean distance \(meanDistance) ticks)")
            }
            for _ in 0..<200 {
                let middle = (low + high) / 2
                if weightedMean(middle) > meanDistance { low = middle } else { high = middle }
            }
            k = (low + high) / 2
            a = Double(total) / (durationSeconds * distances.reduce(0) { $0 + Double.exp(-k * $1) })
        }
        guard a.isFinite, k.isFinite, a > 0 else {
            throw IntensityFitError(reason: "the fit gave A = \(a), k = \(k)")
        }
        let table = counts.indices.map { index in
            IntensityBucket(
                distanceTicks: distances[index], count: counts[index],
                observedRate: Double(counts[index]) / durationSeconds,
                fittedRate: a * Double.exp(-k * distances[index]))
        }
        let observed = nonEmpty.map { Double.log(table[$0].observedRate) }
        let fitted = nonEmpty.map { Double.log(table[$0].fittedRate) }
        let average = observed.reduce(0, +) / Double(observed.count)
        let residual = zip(observed, fitted).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let totalSquares = observed.reduce(0.0) { $0 + ($1 - average) * ($1 - average) }
        let rSquared = totalSquares > 0 ? 1 - residual / totalSquares : 1
        return IntensityFit(method: method, a: a, k: k, rSquared: rSquared, durationSeconds: durationSeconds, table: table)
    }

    /// Buckets the trades (see `bucketCounts`) and fits with `method`.
    public func fit(
        tradePrices: [Double], mids: [Double], orderKeys: [Int64]? = nil, durationSeconds: Double,
        method: IntensityFitMethod = .poissonMaximumLikelihood
    ) throws(IntensityFitError) -> IntensityFit {
        try fit(
            counts: bucketCounts(tradePrices: tradePrices, mids: mids, orderKeys: orderKeys), durationSeconds: durationSeconds,
            method: method)
    }
}

/// Intercept and slope of the ordinary least-squares line through `(x, y)`.
private func leastSquares(_ xs: [Double], _ ys: [Double]) -> (intercept: Double, slope: Double) {
    let n = Double(xs.count)
    let meanX = xs.reduce(0, +) / n
    let meanY = ys.reduce(0, +) / n
    var sxy = 0.0
    var sxx = 0.0
    for (x, y) in zip(xs, ys) {
        sxy += (x - meanX) * (y - meanY)
        sxx += (x - meanX) * (x - meanX)
    }
    let slope = sxx > 0 ? sxy / sxx : 0
    return (meanY - slope * meanX, slope)
}
