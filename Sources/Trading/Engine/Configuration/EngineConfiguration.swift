import MarketCore

/// Everything an ``Engine`` is configured with, as one value. Each part has sensible defaults.
///
/// ```swift
/// var configuration = EngineConfiguration()
/// configuration.orderManager.toleranceBps = 3
/// configuration.risk.maxPosition = .base(try spec.quantity("0.5"))
/// configuration.sizing.rule = .fixed(try spec.quantity("0.01"))
/// ```
public struct EngineConfiguration: Hashable, Sendable {
    /// How targets become orders: tolerance, lockouts, ladder depth, order limits.
    public var orderManager: OrderManagerConfiguration
    /// Limits, loss limit, circuit breaker and kill switch.
    public var risk: RiskConfiguration
    /// How big each order is.
    public var sizing: SizingConfiguration
    /// Decision records kept in memory for reports (the oldest are overwritten).
    public var decisionLogCapacity: Int
    /// Whether a hold or no-quote decision is recorded every time it is made; by default it is
    /// recorded only when it differs (in kind and reason, not in its numbers) from the slot's
    /// previous decision, so a quiet book does not flood the log.
    public var recordRepeatedHolds: Bool
    /// Whether every book change asks the strategy and compares the orders with its targets again,
    /// even when nothing they depend on changed. Off by default: the engine then skips that work,
    /// with the same decisions and actions (see ``QuoteDependencies``); on, it is the reference the
    /// shortcut is tested and benchmarked against.
    public var requotesEveryUpdate: Bool

    /// A configuration; every argument has a default.
    public init(
        orderManager: OrderManagerConfiguration = OrderManagerConfiguration(),
        risk: RiskConfiguration = RiskConfiguration(), sizing: SizingConfiguration = SizingConfiguration(),
        decisionLogCapacity: Int = 4096, recordRepeatedHolds: Bool = false, requotesEveryUpdate: Bool = false
    ) {
        self.orderManager = orderManager
        self.risk = risk
        self.sizing = sizing
        self.decisionLogCapacity = decisionLogCapacity
        self.recordRepeatedHolds = recordRepeatedHolds
        self.requotesEveryUpdate = requotesEveryUpdate
    }
}

/// How the ``OrderManager`` turns targets into orders.
public struct OrderManagerConfiguration: Hashable, Sendable {
    /// Ladder levels managed per side (one order slot each); target levels beyond are ignored.
    public var levelsPerSide: Int
    /// The tolerance band, in basis points of the resting order's price: a resting order whose
    /// target moved by at most this much (times the quota multiplier) is kept.
    public var toleranceBps: Double
    /// After a fill on a side, no place or modify on that side for this many milliseconds.
    public var fillLockoutMs: Int64
    /// After any action on a slot (place, modify, cancel), no place or modify on that slot for this
    /// many milliseconds.
    public var actionLockoutMs: Int64
    /// After a reject on a slot, no place or modify on that slot for this many milliseconds.
    public var rejectLockoutMs: Int64
    /// The most orders of ours that may be live or in flight in the market at once.
    public var maxLiveOrders: Int
    /// The time in force of quotes.
    public var timeInForce: TimeInForce
    /// An action unanswered for this many milliseconds means the venue link is broken: the engine
    /// trips the circuit breaker (cancel all, pause, reconcile).
    public var inFlightTimeoutMs: Int64

    /// A configuration; every argument has a default.
    ///
    /// - Parameters:
    ///   - levelsPerSide: ladder depth per side (default 1).
    ///   - toleranceBps: band in bps of price (default 2).
    ///   - fillLockoutMs: default 500 ms.
    ///   - actionLockoutMs: default 250 ms.
    ///   - rejectLockoutMs: default 2000 ms.
    ///   - maxLiveOrders: default 8.
    ///   - timeInForce: default post-only.
    ///   - inFlightTimeoutMs: default 10 000 ms.
    public init(
        levelsPerSide: Int = 1, toleranceBps: Double = 2, fillLockoutMs: Int64 = 500, actionLockoutMs: Int64 = 250,
        rejectLockoutMs: Int64 = 2000, maxLiveOrders: Int = 8, timeInForce: TimeInForce = .postOnly,
        inFlightTimeoutMs: Int64 = 10_000
    ) {
        self.levelsPerSide = levelsPerSide
        self.toleranceBps = toleranceBps
        self.fillLockoutMs = fillLockoutMs
        self.actionLockoutMs = actionLockoutMs
        self.rejectLockoutMs = rejectLockoutMs
        self.maxLiveOrders = maxLiveOrders
        self.timeInForce = timeInForce
        self.inFlightTimeoutMs = inFlightTimeoutMs
    }

    /// The factor the tolerance band is widened by when the venue's transaction quota runs low:
    /// ≥ 500 remaining → ×1, 50–499 → ×2, 10–49 → ×3.5, < 10 → ×5; unknown quota → ×1.
    @inlinable
    public static func toleranceMultiplier(quotaRemaining: Int?) -> Double {
        guard let remaining = quotaRemaining else { return 1 }
        if remaining >= 500 { return 1 }
        if remaining >= 50 { return 2 }
        if remaining >= 10 { return 3.5 }
        return 5
    }
}

/// A static position limit, in base units or in USD notional at the mid.
public enum PositionLimit: Hashable, Sendable {
    /// At most this many base units either way.
    case base(Quantity)
    /// At most this much notional (USD) either way, converted to base units at the mid.
    case notionalUSD(Double)
}

/// Limits, loss limit, circuit breaker and kill switch settings.
public struct RiskConfiguration: Hashable, Sendable {
    /// The static limit on the absolute position; `nil` leaves only the dynamic limit.
    public var maxPosition: PositionLimit?
    /// Whether the dynamic limit `(capital × leverage − 2 × order value) × dynamicSafetyFactor`
    /// (in base units at the mid) also applies once the capital is known.
    public var useDynamicLimit: Bool
    /// The leverage in the dynamic limit (and in capital-based sizing unless that sets its own).
    public var leverage: Double
    /// The safety factor of the dynamic limit (default 0.9).
    public var dynamicSafetyFactor: Double
    /// The largest loss allowed since the start of the UTC day (realised + unrealised − fees), in
    /// USD; `nil` disables the rule. On a breach quoting halts and our orders are canceled until the
    /// next UTC day or an operator resume.
    public var dailyLossLimitUSD: Double?
    /// Consecutive rejects that trip the circuit breaker.
    public var circuitBreakerRejects: Int
    /// How long the breaker keeps quoting paused at least, in milliseconds; it resumes after this
    /// only once reconciliation has been reported.
    public var circuitBreakerCooldownMs: Int64
    /// How far beyond the best opposite price a flatten order's limit lies, in bps.
    public var flattenSlippageBps: Double

    /// A configuration; every argument has a default.
    ///
    /// - Parameters:
    ///   - maxPosition: default `.notionalUSD(1000)`.
    ///   - useDynamicLimit: default true.
    ///   - leverage: default 1.
    ///   - dynamicSafetyFactor: default 0.9.
    ///   - dailyLossLimitUSD: default nil (off).
    ///   - circuitBreakerRejects: default 5.
    ///   - circuitBreakerCooldownMs: default 30 000 ms.
    ///   - flattenSlippageBps: default 50 bp.
    public init(
        maxPosition: PositionLimit? = .notionalUSD(1000), useDynamicLimit: Bool = true, leverage: Double = 1,
        dynamicSafetyFactor: Double = 0.9, dailyLossLimitUSD: Double? = nil, circuitBreakerRejects: Int = 5,
        circuitBreakerCooldownMs: Int64 = 30_000, flattenSlippageBps: Double = 50
    ) {
        self.maxPosition = maxPosition
        self.useDynamicLimit = useDynamicLimit
        self.leverage = leverage
        self.dynamicSafetyFactor = dynamicSafetyFactor
        self.dailyLossLimitUSD = dailyLossLimitUSD
        self.circuitBreakerRejects = circuitBreakerRejects
        self.circuitBreakerCooldownMs = circuitBreakerCooldownMs
        self.flattenSlippageBps = flattenSlippageBps
    }
}

/// How an order size is chosen.
public enum SizingRule: Hashable, Sendable {
    /// Always this size (raised to the exchange minimums if below).
    case fixed(Quantity)
    /// `capital × usage × leverage / mid` in base units.
    case capitalFraction(usage: Double, leverage: Double)
}

/// How big each order is.
public struct SizingConfiguration: Hashable, Sendable {
    /// The rule.
    public var rule: SizingRule
    /// The capital in USD to size and limit with; `nil` uses the venue's reported collateral.
    public var capitalUSD: Double?

    /// A configuration: by default the exchange minimum size (`.fixed(.zero)` raised to the minimums).
    public init(rule: SizingRule = .fixed(.zero), capitalUSD: Double? = nil) {
        self.rule = rule
        self.capitalUSD = capitalUSD
    }
}
