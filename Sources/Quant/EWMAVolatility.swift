import RealModule

/// Exponentially weighted moving average of squared returns (RiskMetrics-style variance), and
/// its square root, the volatility.
///
/// Recursion, with decay `λ ∈ [0, 1)` and return `r_n`:
/// `S_n = λ·S_{n−1} + (1 − λ)·r_n²`, `S_0 = 0`.
/// Because `S` starts at zero it is bias-corrected: `σ²_n = S_n / (1 − λⁿ)`, which is exactly the
/// weighted mean `Σ λ^(n−i)·r_i² / Σ λ^(n−i)` of the squared returns seen so far, so the first
/// estimate is `r_1²` and no prior variance has to be guessed. The mean return is taken as zero
/// (squared returns, not squared deviations), and it uses squared returns, not absolute returns.
///
/// Units: `variance` is in (return unit)² per sampling interval; `volatility` is in return units
/// per √interval. To express it per √second, divide by √(interval in seconds)
/// (`volatility(perSqrtSecondWithInterval:)`).
public struct EWMAVolatility: Sendable, Hashable {
    /// Decay per update, `λ`: the weight of the previous estimate.
    public let lambda: Double
    /// Number of updates required before `variance`/`volatility` report a value.
    public let warmUpCount: Int
    /// Number of returns folded in so far.
    public private(set) var count: Int = 0
    /// The uncorrected average `S_n`.
    private var rawAverage: Double = 0
    /// `λⁿ`, for the bias correction.
    private var lambdaPower: Double = 1

    /// Creates an estimator with decay `lambda` (`0 ≤ λ < 1`) that reports after
    /// `warmUpCount` returns (at least 1).
    public init(lambda: Double, warmUpCount: Int = 1) throws(QuantParameterError) {
        guard lambda.isFinite, lambda >= 0, lambda < 1 else {
            throw QuantParameterError(parameter: "lambda", value: lambda, requirement: "must be in [0, 1)")
        }
        guard warmUpCount >= 1 else {
            throw QuantParameterError(parameter: "warmUpCount", value: Double(warmUpCount), requirement: "must be >= 1")
        }
        self.lambda = lambda
        self.warmUpCount = warmUpCount
    }

    /// Creates an estimator whose weights halve every `halfLife` updates:
    /// `λ = 2^(−1/halfLife) = exp(−ln 2 / halfLife)`.
    public init(halfLife: Double, warmUpCount: Int = 1) throws(QuantParameterError) {
        try QuantParameterError.requirePositive(halfLife, "halfLife")
        try self.init(lambda: EWMAVolatility.lambda(halfLife: halfLife), warmUpCount: warmUpCount)
    }

    /// The decay `λ = exp(−ln 2 / halfLife)` whose weights halve every `halfLife` updates.
    public static func lambda(halfLife: Double) -> Double {
        Double.exp(-Double.log(2) / halfLife)
    }

    /// Whether at least `warmUpCount` returns have been folded in.
    public var isWarm: Bool { count >= warmUpCount }

    /// Bias-corrected variance `S_n/(1 − λⁿ)`, or nil before warm-up.
    public var variance: Double? {
        guard isWarm else { return nil }
        let weight = 1 - lambdaPower
        return weight > 0 ? rawAverage / weight : nil
    }

    /// Volatility `sqrt(variance)`, in return units per √interval, or nil before warm-up.
    public var volatility: Double? { variance?.squareRoot() }

    /// Volatility per √second when returns are sampled every `intervalSeconds` seconds:
    /// `σ / sqrt(intervalSeconds)`. Nil before warm-up.
    public func volatility(perSqrtSecondWithInterval intervalSeconds: Double) -> Double? {
        guard let sigma = volatility, intervalSeconds > 0 else { return nil }
        return sigma / intervalSeconds.squareRoot()
    }

    /// Folds in one return `r` (a price difference, or a log return: the caller's unit).
    /// Non-finite returns are ignored. O(1), no allocation.
    public mutating func update(return r: Double) {
        guard r.isFinite else { return }
        rawAverage = lambda * rawAverage + (1 - lambda) * r * r
        lambdaPower *= lambda
        count += 1
    }

    /// Continues from the returns `earlier` has folded in: takes its count, its running average
    /// and its bias-correction weight, keeping this estimator's `λ` and warm-up count.
    ///
    /// The following updates use this estimator's `λ`. The bias correction stays exact when `λ`
    /// changes: with decays `λ_1 … λ_n`, the weights of the returns sum to `1 − λ_1·…·λ_n`, and
    /// the stored `λⁿ` is that product.
    public mutating func resume(from earlier: EWMAVolatility) {
        count = earlier.count
        rawAverage = earlier.rawAverage
        lambdaPower = earlier.lambdaPower
    }

    /// Forgets every return.
    public mutating func reset() {
        count = 0
        rawAverage = 0
        lambdaPower = 1
    }
}
