import MarketCore
import Quant

/// Everything needed to build a strategy, as plain values (filled from configuration by the CLI).
public struct StrategySettings: Sendable, Hashable {
    /// The quote models.
    public enum Model: String, Sendable, Hashable, CaseIterable {
        /// Avellaneda–Stoikov.
        case avellanedaStoikov = "as"
        /// Guéant–Lehalle–Fernandez-Tapia.
        case glft
        /// Volatility + order-book imbalance.
        case volOBI = "volobi"
    }

    /// Which model computes the quotes.
    public var model: Model = .volOBI
    /// The ladder and common rules.
    public var shaper = LadderShaper(levels: 1, spacing: 1, sizeMultiplier: 1, minSpreadBps: 2, maxSpreadBps: 500)

    /// AS: risk aversion γ.
    public var asGamma = 0.1
    /// AS: intensity decay k per price unit.
    public var asK = 1.5
    /// AS: horizon in seconds.
    public var asHorizonSeconds = 3600.0
    /// AS: count the horizon down to UTC midnight instead of rolling.
    public var asSessionHorizon = false
    /// AS: EWMA half-life of σ, seconds.
    public var asVolHalfLifeSeconds = 60.0
    /// AS: σ sampling step, nanoseconds.
    public var asSampleNanos: Int64 = 1_000_000_000
    /// AS: base amount per unit of q (`nil` = order size).
    public var asInventoryUnit: Double?

    /// GLFT: γ.
    public var glftGamma = 0.1
    /// GLFT: ξ (`nil` = γ).
    public var glftXi: Double?
    /// GLFT: A, fills per second at the touch.
    public var glftA = 140.0
    /// GLFT: k per price unit.
    public var glftK = 1.5
    /// GLFT: EWMA half-life of σ, seconds.
    public var glftVolHalfLifeSeconds = 60.0
    /// GLFT: σ sampling step, nanoseconds.
    public var glftSampleNanos: Int64 = 1_000_000_000

    /// Vol+OBI model settings (its `positionLimit` is replaced by the live limit).
    public var volOBI = VolOBIConfiguration(c1: 0, positionLimit: 1)
    /// Weight of a fresh external alpha (1 = override).
    public var externalAlphaWeight = 1.0
    /// Warm-up samples for the σ estimates of AS and GLFT.
    public var warmUpSamples = 30

    /// Default settings.
    public init() {}
}

/// The configured strategy: one of the models behind a ladder, dispatched without existentials.
///
/// The models are stored as optionals and mutated in place through optional chaining, so the
/// estimators' buffers are never copied on an update.
public struct ConfiguredStrategy: QuoteStrategy, QuoteDependencyDeclaring {
    /// The model in use.
    public private(set) var model: StrategySettings.Model
    private var avellanedaStoikov: AvellanedaStoikovStrategy?
    private var glft: GLFTStrategy?
    /// The vol+OBI strategy, when that is the model (for its last quote).
    public private(set) var volOBI: VolOBIStrategy?
    private var levels: Int
    /// What the model's quote reads (see ``QuoteDependencyDeclaring``).
    public let quoteDependencies: QuoteDependencies

    /// Builds the strategy `settings` describe.
    /// - Throws: `QuantParameterError` naming a parameter out of range.
    public init(_ settings: StrategySettings) throws(QuantParameterError) {
        model = settings.model
        levels = settings.shaper.levels
        // AS (rolling horizon) and GLFT read the best prices (mid, the post-only clamp), position,
        // limit and size, and the time only through their σ sampling step; a session horizon
        // counts down continuously, and vol+OBI reads the book's depth.
        switch settings.model {
        case .avellanedaStoikov:
            quoteDependencies = settings.asSessionHorizon ? .everyUpdate : .bestPrices(clockStepNanos: settings.asSampleNanos)
        case .glft: quoteDependencies = .bestPrices(clockStepNanos: settings.glftSampleNanos)
        case .volOBI: quoteDependencies = .everyUpdate
        }
        switch settings.model {
        case .avellanedaStoikov:
            avellanedaStoikov = try AvellanedaStoikovStrategy(
                gamma: settings.asGamma, k: settings.asK, horizonSeconds: settings.asHorizonSeconds,
                sessionHorizon: settings.asSessionHorizon, sampleNanos: settings.asSampleNanos,
                volHalfLifeSeconds: settings.asVolHalfLifeSeconds, warmUpSamples: settings.warmUpSamples,
                inventoryUnit: settings.asInventoryUnit, shaper: settings.shaper)
        case .glft:
            glft = try GLFTStrategy(
                gamma: settings.glftGamma, xi: settings.glftXi, a: settings.glftA, k: settings.glftK,
                sampleNanos: settings.glftSampleNanos, volHalfLifeSeconds: settings.glftVolHalfLifeSeconds,
                warmUpSamples: settings.warmUpSamples, shaper: settings.shaper)
        case .volOBI:
            volOBI = try VolOBIStrategy(
                configuration: settings.volOBI, externalWeight: settings.externalAlphaWeight, shaper: settings.shaper)
        }
    }

    /// Applies new settings without losing what the estimators have learned.
    ///
    /// The settings are validated as ``init(_:)`` does; on error the strategy is left exactly as
    /// it was. When `settings.model` is the model in use, every parameter (γ, k, A, horizon, the
    /// ladder, the vol+OBI coefficients, warm-up counts, window lengths…) takes the new value
    /// while the volatility estimates, the imbalance windows, the step samplers and the warm-up
    /// progress carry on: the next quote uses the new parameters with no new warm-up. A changed
    /// window length keeps the newest samples that fit; a changed sampling step restarts that
    /// estimator (its samples would mean something else). When the model changes, the strategy
    /// starts fresh, as ``init(_:)`` builds it.
    ///
    /// Allocates (it is meant for a parameter-file change, not for every message).
    /// - Throws: `QuantParameterError` naming a parameter out of range.
    public mutating func reconfigure(_ settings: StrategySettings) throws(QuantParameterError) {
        var replacement = try ConfiguredStrategy(settings)
        if replacement.model == model {
            switch model {
            case .avellanedaStoikov:
                if let earlier = avellanedaStoikov { replacement.avellanedaStoikov?.resumeEstimators(from: earlier) }
            case .glft:
                if let earlier = glft { replacement.glft?.resumeEstimators(from: earlier) }
            case .volOBI:
                if let earlier = volOBI { replacement.volOBI?.resumeEstimators(from: earlier) }
            }
        }
        self = replacement
    }

    /// `grid(<model>)` when the ladder has more than one level, else the model's name.
    public var name: String { levels > 1 ? "grid(\(model.rawValue))" : model.rawValue }

    public mutating func quote(_ input: QuoteInput, into targets: inout QuoteTargets) {
        switch model {
        case .avellanedaStoikov: avellanedaStoikov?.quote(input, into: &targets)
        case .glft: glft?.quote(input, into: &targets)
        case .volOBI: volOBI?.quote(input, into: &targets)
        }
    }
}
