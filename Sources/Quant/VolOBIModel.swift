/// Settings of `VolOBIModel`. Times are in nanoseconds, prices in the market's price unit,
/// positions in whatever unit the caller uses for both `position` and `positionLimit`.
public struct VolOBIConfiguration: Sendable, Hashable, Codable {
    /// Step clock period in nanoseconds (> 0): the mid and the imbalance are sampled once per
    /// step, however many book messages arrive within it. Default 100 ms.
    public var stepNanos: Int64
    /// Number of mid-change samples (steps) in the volatility window (> 1). Default 6000 (10 min
    /// of 100 ms steps).
    public var volWindow: Int
    /// Number of imbalance samples (steps) in the z-score window (> 1). Default 6000.
    public var obiWindow: Int
    /// Depth band, as a fraction of mid (0.025 = ±2.5 %), within which the caller sums the bid
    /// and ask sizes it passes to `update`. Informational for the model (the book lives
    /// elsewhere); validated to lie in (0, 1).
    public var lookingDepth: Double
    /// Half-spread per unit of volatility: `halfSpread = σ × volToHalfSpread`, with σ in price
    /// units per √second. Dimension √second. Default 0.8.
    public var volToHalfSpread: Double
    /// Fair-price shift per unit of alpha (z-score), in price units (the seed bots' `c1`, which
    /// they set as `c1_ticks × tick`).
    public var c1: Double
    /// Inventory skew gain (dimensionless, ≥ 0): the fair price moves by
    /// `−skew × (position/positionLimit) × halfSpread`.
    public var skew: Double
    /// Position at which the normalised inventory reaches ±1 (> 0), in the caller's unit.
    public var positionLimit: Double
    /// Minimum half-spread in basis points of mid (≥ 0): each quote stays at least this far
    /// from the mid.
    public var minHalfSpreadBps: Double
    /// Mid-change samples required before quoting (≥ 2).
    public var minWarmUpSamples: Int
    /// Time since the first update required before quoting, in nanoseconds (≥ 0).
    public var minWarmUpNanos: Int64
    /// An external alpha older than this (nanoseconds, > 0) is stale and the model falls back
    /// to its own imbalance alpha.
    public var externalAlphaMaxAgeNanos: Int64

    /// Creates a configuration; the defaults are the seed bots' defaults where they had one
    /// (step 100 ms, windows 6000 steps, looking depth 2.5 %, volToHalfSpread 0.8,
    /// min half-spread 2 bps, skew 1, warm-up 100 samples).
    public init(
        stepNanos: Int64 = 100_000_000,
        volWindow: Int = 6000,
        obiWindow: Int = 6000,
        lookingDepth: Double = 0.025,
        volToHalfSpread: Double = 0.8,
        c1: Double,
        skew: Double = 1.0,
        positionLimit: Double,
        minHalfSpreadBps: Double = 2.0,
        minWarmUpSamples: Int = 100,
        minWarmUpNanos: Int64 = 0,
        externalAlphaMaxAgeNanos: Int64 = 5_000_000_000
    ) {
        self.stepNanos = stepNanos
        self.volWindow = volWindow
        self.obiWindow = obiWindow
        self.lookingDepth = lookingDepth
        self.volToHalfSpread = volToHalfSpread
        self.c1 = c1
        self.skew = skew
        self.positionLimit = positionLimit
        self.minHalfSpreadBps = minHalfSpreadBps
        self.minWarmUpSamples = minWarmUpSamples
        self.minWarmUpNanos = minWarmUpNanos
        self.externalAlphaMaxAgeNanos = externalAlphaMaxAgeNanos
    }

    /// Throws a `QuantParameterError` naming the first setting out of range.
    public func validate() throws(QuantParameterError) {
        guard stepNanos > 0 else {
            throw QuantParameterError(parameter: "stepNanos", value: Double(stepNanos), requirement: "must be > 0")
        }
        guard volWindow > 1 else {
            throw QuantParameterError(parameter: "volWindow", value: Double(volWindow), requirement: "must be > 1")
        }
        guard obiWindow > 1 else {
            throw QuantParameterError(parameter: "obiWindow", value: Double(obiWindow), requirement: "must be > 1")
        }
        guard lookingDepth.isFinite, lookingDepth > 0, lookingDepth < 1 else {
            throw QuantParameterError(parameter: "lookingDepth", value: lookingDepth, requirement: "must be in (0, 1)")
        }
        try QuantParameterError.requireNonNegative(volToHalfSpread, "volToHalfSpread")
        guard c1.isFinite else {
            throw QuantParameterError(parameter: "c1", value: c1, requirement: "must be finite")
        }
        try QuantParameterError.requireNonNegative(skew, "skew")
        try QuantParameterError.requirePositive(positionLimit, "positionLimit")
        try QuantParameterError.requireNonNegative(minHalfSpreadBps, "minHalfSpreadBps")
        guard minWarmUpSamples >= 2 else {
            throw QuantParameterError(parameter: "minWarmUpSamples", value: Double(minWarmUpSamples), requirement: "must be >= 2")
        }
        guard minWarmUpNanos >= 0 else {
            throw QuantParameterError(parameter: "minWarmUpNanos", value: Double(minWarmUpNanos), requirement: "must be >= 0")
        }
        guard externalAlphaMaxAgeNanos > 0 else {
            throw QuantParameterError(
                parameter: "externalAlphaMaxAgeNanos", value: Double(externalAlphaMaxAgeNanos), requirement: "must be > 0")
        }
    }
}

/// Which alpha a `VolOBIQuote` used.
public enum AlphaSource: String, Sendable, Hashable, Codable {
    /// A fresh external alpha (for example Binance's order-book imbalance).
    case external
    /// The model's own z-scored imbalance, because no external alpha was set or it was stale.
    case ownImbalance
}

/// Why `VolOBIModel` cannot quote yet.
public enum VolOBINotReadyReason: Sendable, Hashable, CustomStringConvertible {
    /// No valid update has been received.
    case noData
    /// Fewer mid-change samples than `minWarmUpSamples`.
    case tooFewSamples(have: Int, need: Int)
    /// Less time than `minWarmUpNanos` since the first update.
    case warmingUp(elapsedNanos: Int64, needNanos: Int64)
    /// The position passed to `quote` was not a finite number.
    case invalidPosition

    /// A one-line explanation, e.g. `warm-up: 12 of 100 samples`.
    public var description: String {
        switch self {
        case .noData: return "no market data yet"
        case .tooFewSamples(let have, let need): return "warm-up: \(have) of \(need) samples"
        case .warmingUp(let elapsed, let need):
            return "warm-up: \(Double(elapsed) / 1e9) s of \(Double(need) / 1e9) s elapsed"
        case .invalidPosition: return "position is not a finite number"
        }
    }
}

/// A quote of `VolOBIModel`, in price units (not rounded to ticks).
public struct VolOBIQuote: Sendable, Hashable {
    /// The mid the quote was built on.
    public var mid: Double
    /// Fair price `mid + c1·alpha − skew·clamp(position/positionLimit, −1, 1)·halfSpread`.
    public var fairPrice: Double
    /// Half-spread `max(σ·volToHalfSpread, mid·minHalfSpreadBps/10⁴)`.
    public var halfSpread: Double
    /// `min(fairPrice − halfSpread, mid − minHalfSpread)`.
    public var bid: Double
    /// `max(fairPrice + halfSpread, mid + minHalfSpread)`.
    public var ask: Double
    /// The alpha (z-score units) that moved the fair price.
    public var alpha: Double
    /// Where `alpha` came from.
    public var alphaSource: AlphaSource
    /// Volatility of the mid, price units per √second.
    public var volatility: Double
}

/// The result of `VolOBIModel.quote`: a quote, or the reason there is none.
public enum VolOBIOutput: Sendable, Hashable {
    /// The model is warm and produced a quote.
    case ready(VolOBIQuote)
    /// The model is still warming up.
    case notReady(VolOBINotReadyReason)

    /// The quote, if ready.
    public var quote: VolOBIQuote? {
        if case .ready(let quote) = self { return quote }
        return nil
    }
}

/// The seed bots' volatility + order-book-imbalance quoting model, on a step clock.
///
/// Each `update(timestampNanos:mid:bidDepth:askDepth:)` records the latest mid and imbalance
/// `OBI = bidDepth − askDepth` (sizes summed within `lookingDepth` of mid by the caller). The
/// step clock samples the state in force at each step boundary `k·stepNanos`: when an update
/// arrives after one or more boundaries have passed, the model pushes, for each boundary, the
/// change of the sampled mid since the previous boundary (into a `RollingStats` of `volWindow`)
/// and the sampled imbalance (into a `RollingStats` of `obiWindow`). Boundaries with no message
/// in between therefore contribute zero mid changes and repeat the imbalance, as a fixed-step
/// backtest loop would (at most one window's worth is pushed for a long gap). Many messages within
/// one step count once. After a feed disconnect, call `reset()`.
///
/// Quote (`quote(position:timestampNanos:)`):
/// - `σ = std(mid changes per step) × sqrt(10⁹/stepNanos)`: price units per √second;
/// - `alpha` = a fresh external alpha, else the z-score of the latest imbalance against the
///   imbalance window (0 when the window is constant);
/// - `minHalf = mid × minHalfSpreadBps / 10⁴`; `halfSpread = max(σ × volToHalfSpread, minHalf)`;
/// - `p = clamp(position / positionLimit, −1, 1)`;
///   `fair = mid + c1 × alpha − skew × p × halfSpread`
///   (equal to the seed bots' `bid depth = h(1 + skew·p)`, `ask depth = h(1 − skew·p)` around
///   `mid + c1·alpha`, without their clamp of a depth at zero);
/// - `bid = min(fair − halfSpread, mid − minHalf)`, `ask = max(fair + halfSpread, mid + minHalf)`:
///   neither quote comes closer to the mid than the minimum half-spread.
///
/// Before `minWarmUpSamples` mid changes AND `minWarmUpNanos` since the first update the model
/// returns `.notReady` with the reason. No allocation after init.
public struct VolOBIModel: Sendable {
    /// The settings, validated at init.
    public let configuration: VolOBIConfiguration

    private var midChanges: RollingStats
    private var imbalances: RollingStats
    /// Step index (timestamp / stepNanos) of the latest update; nil before the first.
    private var lastStep: Int64?
    /// Mid sampled at the previous boundary; nil until the first boundary has passed.
    private var previousSampledMid: Double?
    /// Latest mid and imbalance received.
    private var latestMid: Double = 0
    private var latestImbalance: Double = 0
    /// Timestamp of the first update, for the time warm-up.
    private var firstTimestamp: Int64?
    /// Mid-change samples pushed since the start (not capped by the window).
    public private(set) var sampleCount: Int = 0
    /// Updates ignored because the mid was not finite and positive or a depth not finite.
    public private(set) var rejectedUpdates: Int = 0
    /// External alpha and the time it was produced.
    private var externalAlpha: (value: Double, timestampNanos: Int64)?
    /// `sqrt(10⁹ / stepNanos)`: converts a per-step std into a per-√second one.
    private let volatilityScale: Double
    /// The windows' statistics, which change only when samples are pushed (at step boundaries),
    /// kept so that a quote on every book update does not take square roots again.
    private var statistics = WindowStatistics()

    /// Creates a model; throws if a setting is out of range (the error names it).
    public init(configuration: VolOBIConfiguration) throws(QuantParameterError) {
        try configuration.validate()
        self.configuration = configuration
        self.midChanges = RollingStats(capacity: configuration.volWindow)
        self.imbalances = RollingStats(capacity: configuration.obiWindow)
        self.volatilityScale = (1e9 / Double(configuration.stepNanos)).squareRoot()
        refreshStatistics()
    }

    /// What the quote reads from the windows.
    private struct WindowStatistics {
        /// ``volatility``.
        var volatility: Double = 0
        /// The imbalance window's mean and population standard deviation, when a z-score is
        /// defined (as `RollingStats.zScore(of:)`: at least 2 samples, σ above 10⁻¹²).
        var imbalanceMean: Double = 0
        var imbalanceSigma: Double?
    }

    /// Recomputes ``statistics`` from the windows (after every change to them).
    private mutating func refreshStatistics() {
        statistics.volatility = midChanges.standardDeviation * volatilityScale
        let sigma = imbalances.standardDeviation
        statistics.imbalanceMean = imbalances.mean
        statistics.imbalanceSigma = imbalances.count > 1 && sigma > 1e-12 ? sigma : nil
    }

    /// Feeds one book update: `mid` in price units, `bidDepth` and `askDepth` the bid and ask
    /// sizes summed within `lookingDepth` of mid. Samples the step clock as described on the
    /// type. Updates with a non-finite or non-positive mid, or a non-finite depth, are ignored
    /// and counted in `rejectedUpdates`. Timestamps that go backwards update the latest values
    /// without sampling. O(1) per update (O(window) once after a long gap), no allocation.
    public mutating func update(timestampNanos: Int64, mid: Double, bidDepth: Double, askDepth: Double) {
        guard mid.isFinite, mid > 0, bidDepth.isFinite, askDepth.isFinite else {
            rejectedUpdates += 1
            return
        }
        let step = timestampNanos / configuration.stepNanos
        if let last = lastStep {
            if step > last {
                sampleBoundaries(count: step - last)
                lastStep = step
            }
        } else {
            lastStep = step
            firstTimestamp = timestampNanos
        }
        latestMid = mid
        latestImbalance = bidDepth - askDepth
    }

    /// Pushes the samples of `count` boundaries, all of which see `latestMid`/`latestImbalance`.
    private mutating func sampleBoundaries(count: Int64) {
        let sampledMid = latestMid
        var zeroChanges = count - 1
        if let previous = previousSampledMid {
            midChanges.push(sampledMid - previous)
            sampleCount += 1
        }
        // (The very first boundary has no earlier sample to difference against.)
        zeroChanges = min(zeroChanges, Int64(configuration.volWindow))
        var pushed: Int64 = 0
        while pushed < zeroChanges {
            midChanges.push(0)
            sampleCount += 1
            pushed += 1
        }
        previousSampledMid = sampledMid
        let imbalanceSamples = min(count, Int64(configuration.obiWindow))
        pushed = 0
        while pushed < imbalanceSamples {
            imbalances.push(latestImbalance)
            pushed += 1
        }
        refreshStatistics()
    }

    /// Sets an external alpha (z-score units) produced at `timestampNanos`; it is used while
    /// no older than `externalAlphaMaxAgeNanos`. Non-finite values clear it.
    public mutating func setExternalAlpha(_ value: Double, timestampNanos: Int64) {
        externalAlpha = value.isFinite ? (value, timestampNanos) : nil
    }

    /// Removes the external alpha; the model uses its own imbalance alpha.
    public mutating func clearExternalAlpha() {
        externalAlpha = nil
    }

    /// Volatility of the mid in price units per √second (0 with fewer than 2 samples).
    public var volatility: Double { statistics.volatility }

    /// The model's own alpha: z-score of the latest imbalance against the imbalance window; 0
    /// when undefined (fewer than 2 samples or a constant window).
    public var ownAlpha: Double {
        // `imbalances.zScore(of: latestImbalance) ?? 0`, from the statistics kept since the last push.
        guard let sigma = statistics.imbalanceSigma else { return 0 }
        return (latestImbalance - statistics.imbalanceMean) / sigma
    }

    /// The latest mid received (0 before the first update).
    public var mid: Double { latestMid }

    /// The alpha in force at `timestampNanos` and its source.
    public func alpha(at timestampNanos: Int64) -> (value: Double, source: AlphaSource) {
        if let external = externalAlpha {
            let age = timestampNanos - external.timestampNanos
            if age <= configuration.externalAlphaMaxAgeNanos {
                return (external.value, .external)
            }
        }
        return (ownAlpha, .ownImbalance)
    }

    /// The quote for `position` at `timestampNanos`, built on the latest mid; `.notReady`
    /// with the reason during warm-up. No allocation.
    public func quote(position: Double, timestampNanos: Int64) -> VolOBIOutput {
        guard let start = firstTimestamp else { return .notReady(.noData) }
        guard position.isFinite else { return .notReady(.invalidPosition) }
        if sampleCount < configuration.minWarmUpSamples {
            return .notReady(.tooFewSamples(have: sampleCount, need: configuration.minWarmUpSamples))
        }
        let elapsed = timestampNanos - start
        if elapsed < configuration.minWarmUpNanos {
            return .notReady(.warmingUp(elapsedNanos: elapsed, needNanos: configuration.minWarmUpNanos))
        }
        let mid = latestMid
        let sigma = volatility
        let (alphaValue, source) = alpha(at: timestampNanos)
        let minHalf = mid * configuration.minHalfSpreadBps / 10_000
        let halfSpread = max(sigma * configuration.volToHalfSpread, minHalf)
        let normalized = min(max(position / configuration.positionLimit, -1), 1)
        let fair = mid + configuration.c1 * alphaValue - configuration.skew * normalized * halfSpread
        let bid = min(fair - halfSpread, mid - minHalf)
        let ask = max(fair + halfSpread, mid + minHalf)
        return .ready(VolOBIQuote(
            mid: mid, fairPrice: fair, halfSpread: halfSpread, bid: bid, ask: ask,
            alpha: alphaValue, alphaSource: source, volatility: sigma))
    }

    /// ``quote(position:timestampNanos:)`` through an exclusive access, for callers that keep the
    /// model in a stored property and quote on every book change: a non-mutating call on such a
    /// property copies the whole model (and retains its windows) first; this one reads it in place.
    public mutating func quoteInPlace(position: Double, timestampNanos: Int64) -> VolOBIOutput {
        quote(position: position, timestampNanos: timestampNanos)
    }

    /// Takes over the samples and warm-up progress of `earlier` (a model of the same market
    /// built with other settings), keeping this model's configuration: the windows, the step
    /// clock position, the latest mid and imbalance, the sample count, the time of the first
    /// update and the external alpha.
    ///
    /// A window whose length changed keeps `earlier`'s newest samples that fit. When the step
    /// period differs the samples mean something else, so nothing is taken and this model stays
    /// as it is. Allocates only when a window length changed.
    public mutating func resume(from earlier: VolOBIModel) {
        guard earlier.configuration.stepNanos == configuration.stepNanos else { return }
        midChanges = earlier.midChanges.capacity == configuration.volWindow
            ? earlier.midChanges : earlier.midChanges.resized(toCapacity: configuration.volWindow)
        imbalances = earlier.imbalances.capacity == configuration.obiWindow
            ? earlier.imbalances : earlier.imbalances.resized(toCapacity: configuration.obiWindow)
        lastStep = earlier.lastStep
        previousSampledMid = earlier.previousSampledMid
        latestMid = earlier.latestMid
        latestImbalance = earlier.latestImbalance
        firstTimestamp = earlier.firstTimestamp
        sampleCount = earlier.sampleCount
        rejectedUpdates = earlier.rejectedUpdates
        externalAlpha = earlier.externalAlpha
        refreshStatistics()
    }

    /// Forgets all samples, the external alpha and the warm-up (for example after a feed
    /// reconnect). Keeps the storage.
    public mutating func reset() {
        midChanges.clear()
        imbalances.clear()
        lastStep = nil
        previousSampledMid = nil
        latestMid = 0
        latestImbalance = 0
        firstTimestamp = nil
        sampleCount = 0
        rejectedUpdates = 0
        externalAlpha = nil
        refreshStatistics()
    }
}
