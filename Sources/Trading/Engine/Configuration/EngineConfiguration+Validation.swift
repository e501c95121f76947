import MarketCore

/// A setting of ``EngineConfiguration`` that cannot work, named by its key.
public struct EngineConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The setting's key, e.g. `orderManager.toleranceBps`.
    public let key: String
    /// What is wrong with it.
    public let problem: String

    /// An error about `key`.
    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "\(key): \(problem)" }
}

extension EngineConfiguration {
    /// Every problem with the settings, in key order (empty when they are usable).
    public var problems: [EngineConfigurationError] {
        var found: [EngineConfigurationError] = []
        func check(_ ok: Bool, _ key: String, _ problem: @autoclosure () -> String) {
            if !ok { found.append(EngineConfigurationError(key: key, problem: problem())) }
        }
        let orders = orderManager
        check(
            orders.levelsPerSide >= 1, "orderManager.levelsPerSide", "must be at least 1, got \(orders.levelsPerSide)")
        check(
            orders.toleranceBps.isFinite && orders.toleranceBps >= 0, "orderManager.toleranceBps",
            "must be a number ≥ 0, got \(orders.toleranceBps)")
        check(orders.fillLockoutMs >= 0, "orderManager.fillLockoutMs", "must be ≥ 0, got \(orders.fillLockoutMs)")
        check(
            orders.actionLockoutMs >= 0, "orderManager.actionLockoutMs", "must be ≥ 0, got \(orders.actionLockoutMs)")
        check(
            orders.rejectLockoutMs >= 0, "orderManager.rejectLockoutMs", "must be ≥ 0, got \(orders.rejectLockoutMs)")
        check(
            orders.maxLiveOrders >= 1, "orderManager.maxLiveOrders", "must be at least 1, got \(orders.maxLiveOrders)")
        check(
            orders.timeInForce != .immediateOrCancel, "orderManager.timeInForce",
            "quotes must rest: use gtt or post_only, not ioc")
        check(
            orders.inFlightTimeoutMs > 0, "orderManager.inFlightTimeoutMs",
            "must be > 0, got \(orders.inFlightTimeoutMs)")
        switch risk.maxPosition {
        case .base(let size)?:
            check(size.lots >= 0, "risk.maxPosition", "must be ≥ 0, got \(size.lots) lots")
        case .notionalUSD(let usd)?:
            check(usd.isFinite && usd >= 0, "risk.maxPosition", "must be a USD amount ≥ 0, got \(usd)")
        case nil:
            check(risk.useDynamicLimit, "risk.maxPosition", "needed when risk.useDynamicLimit is off")
        }
        check(
            risk.leverage.isFinite && risk.leverage > 0, "risk.leverage", "must be a number > 0, got \(risk.leverage)")
        check(
            risk.dynamicSafetyFactor > 0 && risk.dynamicSafetyFactor <= 1, "risk.dynamicSafetyFactor",
            "must be in (0, 1], got \(risk.dynamicSafetyFactor)")
        if let limit = risk.dailyLossLimitUSD {
            check(limit.isFinite && limit > 0, "risk.dailyLossLimitUSD", "must be a USD amount > 0, got \(limit)")
        }
        check(
            risk.circuitBreakerRejects >= 1, "risk.circuitBreakerRejects",
            "must be at least 1, got \(risk.circuitBreakerRejects)")
        check(
            risk.circuitBreakerCooldownMs >= 0, "risk.circuitBreakerCooldownMs",
            "must be ≥ 0, got \(risk.circuitBreakerCooldownMs)")
        check(
            risk.flattenSlippageBps.isFinite && risk.flattenSlippageBps >= 0, "risk.flattenSlippageBps",
            "must be a number ≥ 0, got \(risk.flattenSlippageBps)")
        switch sizing.rule {
        case .fixed(let size):
            check(size.lots >= 0, "sizing.rule", "a fixed size must be ≥ 0, got \(size.lots) lots")
        case .capitalFraction(let usage, let leverage):
            check(usage.isFinite && usage > 0, "sizing.rule", "usage must be > 0, got \(usage)")
            check(leverage.isFinite && leverage > 0, "sizing.rule", "leverage must be > 0, got \(leverage)")
        }
        if let capital = sizing.capitalUSD {
            check(capital.isFinite && capital > 0, "sizing.capitalUSD", "must be a USD amount > 0, got \(capital)")
        }
        check(decisionLogCapacity >= 1, "decisionLogCapacity", "must be at least 1, got \(decisionLogCapacity)")
        return found
    }

    /// Throws the first problem with the settings, if any.
    ///
    /// - Throws: ``EngineConfigurationError`` naming the key.
    public func validate() throws(EngineConfigurationError) {
        if let first = problems.first { throw first }
    }
}
