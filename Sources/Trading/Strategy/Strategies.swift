import MarketCore
import Quant

/// Avellaneda–Stoikov quoting: reservation price and optimal spread from γ, k, σ and the horizon,
/// with σ estimated live from step-sampled mid changes.
public struct AvellanedaStoikovStrategy: QuoteStrategy {
    /// `as`.
    public let name = "as"
    /// The closed-form model (γ, k, horizon).
    public let model: AvellanedaStoikovModel
    /// The ladder and common quote rules.
    public var shaper: LadderShaper
    /// Base amount counted as one unit of inventory `q` (`nil` = the order size).
    public var inventoryUnit: Double?
    /// Whether the horizon counts down to the next UTC midnight (`session`) instead of rolling.
    public let sessionHorizon: Bool
    private var volatility: StepVolatility

    /// A strategy.
    /// - Parameters:
    ///   - gamma: risk aversion γ.
    ///   - k: fill-intensity decay per price unit.
    ///   - horizonSeconds: rolling horizon τ, or the session length for the session mode.
    ///   - sessionHorizon: count `T − t` down to the next UTC midnight instead.
    ///   - sampleNanos: mid sampling step for σ.
    ///   - volHalfLifeSeconds: EWMA half-life of σ.
    ///   - warmUpSamples: samples before quoting.
    public init(
        gamma: Double, k: Double, horizonSeconds: Double, sessionHorizon: Bool = false, sampleNanos: Int64 = 1_000_000_000,
        volHalfLifeSeconds: Double = 60, warmUpSamples: Int = 30, inventoryUnit: Double? = nil, shaper: LadderShaper
    ) throws(QuantParameterError) {
        model = try AvellanedaStoikovModel(gamma: gamma, k: k, horizon: .rolling(seconds: horizonSeconds))
        self.sessionHorizon = sessionHorizon
        self.inventoryUnit = inventoryUnit
        self.shaper = shaper
        volatility = try StepVolatility(stepNanos: sampleNanos, halfLifeSeconds: volHalfLifeSeconds, warmUpSamples: warmUpSamples)
    }

    public mutating func quote(_ input: QuoteInput, into targets: inout QuoteTargets) {
        guard let mid = input.midPrice else { return targets.suppressAll(because: .bookNotReady) }
        volatility.update(mid: mid, at: input.now)
        guard let sigma = volatility.sigma else {
            return targets.suppressAll(because: .warmingUp(samples: volatility.sampleCount, needed: volatility.warmUpSamples))
        }
        let unit = inventoryUnit ?? input.spec.double(input.orderSize)
        let q = unit > 0 ? input.positionBase / unit : 0
        let tau: Double
        if sessionHorizon {
            let nextMidnight = input.now.startOfUTCDay + 86_400_000_000_000
            tau = Double(nextMidnight - input.now) / 1e9
        } else {
            tau = model.timeRemaining(at: 0)
        }
        let quote = AvellanedaStoikov.quote(mid: mid, inventory: q, gamma: model.gamma, sigma: sigma, k: model.k, timeRemaining: tau)
        shaper.shape(bid: quote.bid, ask: quote.ask, mid: mid, input: input, into: &targets)
    }

    /// Takes over the σ estimate and its warm-up progress from `earlier`, keeping this
    /// strategy's parameters (see ``StepVolatility/resume(from:)``: nothing is taken when the
    /// sampling step differs).
    public mutating func resumeEstimators(from earlier: AvellanedaStoikovStrategy) {
        volatility.resume(from: earlier.volatility)
    }
}

/// GLFT quoting (Guéant–Lehalle–Fernandez-Tapia closed-form approximation): half-spread and
/// inventory skew from γ, ξ, A, k and σ, with inventory counted in orders.
public struct GLFTStrategy: QuoteStrategy {
    /// `glft`.
    public let name = "glft"
    /// γ, ξ, A, k.
    public let gamma: Double, xi: Double?, a: Double, k: Double
    /// The ladder and common quote rules.
    public var shaper: LadderShaper
    private var volatility: StepVolatility
    private var model: GLFTModel?

    /// A strategy; the model's order size is taken from the first input.
    public init(
        gamma: Double, xi: Double? = nil, a: Double, k: Double, sampleNanos: Int64 = 1_000_000_000,
        volHalfLifeSeconds: Double = 60, warmUpSamples: Int = 30, shaper: LadderShaper
    ) throws(QuantParameterError) {
        // Validate the parameters once, with a unit order size.
        _ = try GLFTModel(gamma: gamma, xi: xi, orderSize: 1, A: a, k: k)
        self.gamma = gamma
        self.xi = xi
        self.a = a
        self.k = k
        self.shaper = shaper
        volatility = try StepVolatility(stepNanos: sampleNanos, halfLifeSeconds: volHalfLifeSeconds, warmUpSamples: warmUpSamples)
    }

    public mutating func quote(_ input: QuoteInput, into targets: inout QuoteTargets) {
        guard let mid = input.midPrice else { return targets.suppressAll(because: .bookNotReady) }
        volatility.update(mid: mid, at: input.now)
        guard let sigma = volatility.sigma else {
            return targets.suppressAll(because: .warmingUp(samples: volatility.sampleCount, needed: volatility.warmUpSamples))
        }
        let orderSize = input.spec.double(input.orderSize)
        if model?.orderSize != orderSize {
            model = orderSize > 0 ? try? GLFTModel(gamma: gamma, xi: xi, orderSize: orderSize, A: a, k: k) : nil
        }
        guard let model else { return targets.suppressAll(because: .modelNotReady) }
        let quote = model.quote(mid: mid, position: input.positionBase, sigma: sigma)
        shaper.shape(bid: quote.bid, ask: quote.ask, mid: mid, input: input, into: &targets)
    }

    /// Takes over the σ estimate and its warm-up progress from `earlier`, keeping this
    /// strategy's parameters (see ``StepVolatility/resume(from:)``: nothing is taken when the
    /// sampling step differs).
    public mutating func resumeEstimators(from earlier: GLFTStrategy) {
        volatility.resume(from: earlier.volatility)
    }
}

/// The seed bots' volatility + order-book-imbalance strategy: half-spread from step-clock
/// volatility, fair price moved by an imbalance alpha (Lighter's own, or a fresh external one
/// such as Binance's), inventory skew against the position limit.
public struct VolOBIStrategy: QuoteStrategy {
    /// `volobi`.
    public let name = "volobi"
    /// The ladder and common quote rules.
    public var shaper: LadderShaper
    /// Weight of a fresh external alpha: 1 overrides Lighter's OBI, between 0 and 1 blends.
    public var externalWeight: Double
    private var model: VolOBIModel
    private var externalSource: StaticString = "external"
    /// The last quote the model made (for the decision log and the status line).
    public private(set) var lastQuote: VolOBIQuote?

    /// A strategy. The configuration's `positionLimit` is ignored: the live limit from
    /// ``QuoteInput/maxPosition`` is used instead.
    public init(configuration: VolOBIConfiguration, externalWeight: Double = 1, shaper: LadderShaper) throws(QuantParameterError) {
        var normalized = configuration
        normalized.positionLimit = 1
        model = try VolOBIModel(configuration: normalized)
        self.externalWeight = externalWeight
        self.shaper = shaper
    }

    public mutating func quote(_ input: QuoteInput, into targets: inout QuoteTargets) {
        guard let mid = input.midPrice else { return targets.suppressAll(because: .bookNotReady) }
        let depth = model.configuration.lookingDepth
        let depths = input.book.depths(withinFractionOfMid: depth)
        let bidDepth = input.spec.double(depths.bids)
        let askDepth = input.spec.double(depths.asks)
        model.update(timestampNanos: input.now.nanoseconds, mid: mid, bidDepth: bidDepth, askDepth: askDepth)
        if let external = input.externalAlpha {
            let value =
                externalWeight >= 1
                ? external.value : externalWeight * external.value + (1 - externalWeight) * model.ownAlpha
            model.setExternalAlpha(value, timestampNanos: external.updatedAt.nanoseconds)
            externalSource = external.source
        } else {
            // The provider withholds a stale alpha; do not keep using the last one it gave.
            model.clearExternalAlpha()
        }
        let limit = input.spec.double(input.maxPosition)
        let normalizedPosition = limit > 0 ? input.positionBase / limit : 0
        switch model.quoteInPlace(position: normalizedPosition, timestampNanos: input.now.nanoseconds) {
        case .notReady(let reason):
            switch reason {
            case .tooFewSamples(let have, let need): targets.suppressAll(because: .warmingUp(samples: have, needed: need))
            case .warmingUp, .noData: targets.suppressAll(because: .warmingUp(samples: model.sampleCount, needed: model.configuration.minWarmUpSamples))
            case .invalidPosition: targets.suppressAll(because: .modelNotReady)
            }
        case .ready(let quote):
            lastQuote = quote
            shaper.shape(bid: quote.bid, ask: quote.ask, mid: mid, input: input, into: &targets)
            targets.alpha = quote.alphaSource == .external ? QuoteAlphaNote(source: externalSource) : .lighterOBI
        }
    }

    /// Takes over the volatility and imbalance windows, the warm-up progress, the external alpha
    /// and the last quote from `earlier`, keeping this strategy's parameters (see
    /// ``VolOBIModel/resume(from:)``: nothing is taken when the step period differs).
    public mutating func resumeEstimators(from earlier: VolOBIStrategy) {
        guard earlier.model.configuration.stepNanos == model.configuration.stepNanos else { return }
        model.resume(from: earlier.model)
        externalSource = earlier.externalSource
        lastQuote = earlier.lastQuote
    }
}

