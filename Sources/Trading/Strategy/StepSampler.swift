import MarketCore
import Quant

/// Samples mid changes on a step clock and feeds them to an EWMA volatility estimate.
///
/// Many messages inside one step count once; the mid in force at each step boundary is what is
/// sampled. σ is reported in price units per √second.
public struct StepVolatility: Sendable {
    /// The sampling step in nanoseconds.
    public let stepNanos: Int64
    private var estimator: EWMAVolatility
    private var lastStep: Int64?
    private var lastSampledMid: Double?
    private var latestMid: Double = 0

    /// An estimator sampling every `stepNanos`, with the EWMA half-life in seconds and a warm-up
    /// sample count.
    public init(stepNanos: Int64, halfLifeSeconds: Double, warmUpSamples: Int) throws(QuantParameterError) {
        guard stepNanos > 0 else {
            throw QuantParameterError(parameter: "sample step", value: Double(stepNanos), requirement: "must be > 0")
        }
        self.stepNanos = stepNanos
        let halfLifeSamples = max(halfLifeSeconds * 1e9 / Double(stepNanos), 1e-3)
        self.estimator = try EWMAVolatility(halfLife: halfLifeSamples, warmUpCount: max(1, warmUpSamples))
    }

    /// Records the mid at `time`; samples every step boundary passed since the last call.
    public mutating func update(mid: Double, at time: Timestamp) {
        guard mid.isFinite, mid > 0 else { return }
        let step = time.nanoseconds / stepNanos
        guard let last = lastStep else {
            lastStep = step
            latestMid = mid
            return
        }
        if step > last {
            // The mid in force at the boundary is the latest one before this message.
            if let previous = lastSampledMid {
                estimator.update(return: latestMid - previous)
                // Further boundaries with no message in between saw no change (capped).
                var zeros = min(step - last - 1, 512)
                while zeros > 0 {
                    estimator.update(return: 0)
                    zeros -= 1
                }
            }
            lastSampledMid = latestMid
            lastStep = step
        }
        latestMid = mid
    }

    /// Takes over the samples, warm-up progress and step position of `earlier`, keeping this
    /// estimator's half-life and warm-up count. When the sampling step differs nothing is taken
    /// (the samples would mean something else) and this estimator stays as it is.
    public mutating func resume(from earlier: StepVolatility) {
        guard earlier.stepNanos == stepNanos else { return }
        estimator.resume(from: earlier.estimator)
        lastStep = earlier.lastStep
        lastSampledMid = earlier.lastSampledMid
        latestMid = earlier.latestMid
    }

    /// Samples folded in so far.
    public var sampleCount: Int { estimator.count }

    /// Samples needed before σ is reported.
    public var warmUpSamples: Int { estimator.warmUpCount }

    /// σ in price units per √second, or `nil` while warming up.
    public var sigma: Double? { estimator.volatility(perSqrtSecondWithInterval: Double(stepNanos) / 1e9) }
}
