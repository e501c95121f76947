import MarketCore

/// What risk says about an order before it leaves.
public enum RiskVerdict: Hashable, Sendable {
    /// Send it as it is.
    case allow
    /// Send it smaller: this size, for this reason.
    case shrink(to: Quantity, because: DecisionReason)
    /// Do not send it.
    case veto(DecisionReason)
}

/// What a change of the daily-loss state means.
public enum DailyLossEvent: Hashable, Sendable {
    /// A new UTC day started; a daily-loss halt (if any) is lifted.
    case newDay
    /// The day's loss went past the limit: halt and cancel.
    case breached(pnl: Int128, limit: Int128)
}

/// The risk gate: limits, daily loss, circuit breaker and kill switch, for one market.
///
/// It holds state (rejects, halts) but no orders: the engine asks it before every action
/// (``checkOrder(side:price:size:position:resting:limit:spec:)``), before quoting at all
/// (``blockReason(at:)``), and tells it what happened (rejects, successes, PnL, reconciliation).
///
/// The breaker: after ``RiskConfiguration/circuitBreakerRejects`` consecutive rejects it trips
/// (the engine cancels our orders and stops quoting). It clears only when the cooldown has passed
/// *and* reconciliation has been reported after the trip (``markReconciled()``).
public struct Risk: Hashable, Sendable {
    /// The settings.
    public var configuration: RiskConfiguration
    /// Rejects since the last accepted action.
    public private(set) var consecutiveRejects: Int
    /// When the breaker tripped, while it is tripped.
    public private(set) var breakerTrippedAt: Timestamp?
    /// Whether reconciliation was reported since the breaker tripped.
    public private(set) var reconciledSinceTrip: Bool
    /// How many times the breaker tripped.
    public private(set) var breakerTrips: Int
    /// Whether the kill switch is on.
    public private(set) var isKilled: Bool
    /// Whether quoting is halted by the daily loss limit.
    public private(set) var isDailyLossHalted: Bool
    /// The start of the current UTC day, once PnL has been seen.
    public private(set) var dayStart: Timestamp?
    /// Net PnL at the start of the day (notional units).
    public private(set) var dayStartPnL: Int128
    /// Net PnL since the start of the day (notional units).
    public private(set) var dailyPnL: Int128

    /// A gate with nothing tripped.
    public init(configuration: RiskConfiguration) {
        self.configuration = configuration
        consecutiveRejects = 0
        breakerTrippedAt = nil
        reconciledSinceTrip = false
        breakerTrips = 0
        isKilled = false
        isDailyLossHalted = false
        dayStart = nil
        dayStartPnL = 0
        dailyPnL = 0
    }

    // MARK: Quoting state

    /// Whether the breaker is tripped.
    @inlinable
    public var isBreakerTripped: Bool { breakerTrippedAt != nil }

    /// When the breaker's cooldown ends, while it is tripped.
    public var breakerCooldownEnd: Timestamp? {
        breakerTrippedAt.map { $0 + configuration.circuitBreakerCooldownMs * 1_000_000 }
    }

    /// Why quoting is blocked at `now`, or `nil` if it is not.
    public func blockReason(at now: Timestamp, spec: MarketSpec) -> DecisionReason? {
        if isKilled { return .killSwitch }
        if isDailyLossHalted {
            return .dailyLossLimit(pnl: dailyPnL, limit: dailyLossLimitUnits(spec: spec) ?? 0)
        }
        if let end = breakerCooldownEnd {
            if now < end { return .cooldown(remainingNs: end - now) }
            if !reconciledSinceTrip { return .awaitingReconcile }
            return .cooldown(remainingNs: 0)  // ready; cleared by `resumeBreakerIfReady`
        }
        return nil
    }

    /// Counts a reject; returns true if this reject trips the breaker.
    public mutating func recordReject(at now: Timestamp) -> Bool {
        consecutiveRejects += 1
        guard breakerTrippedAt == nil, configuration.circuitBreakerRejects > 0,
            consecutiveRejects >= configuration.circuitBreakerRejects
        else { return false }
        breakerTrippedAt = now
        reconciledSinceTrip = false
        breakerTrips += 1
        return true
    }

    /// Trips the breaker now whatever the reject count (e.g. the venue stopped answering); returns
    /// false if it was already tripped.
    public mutating func tripBreaker(at now: Timestamp) -> Bool {
        guard breakerTrippedAt == nil else { return false }
        breakerTrippedAt = now
        reconciledSinceTrip = false
        breakerTrips += 1
        return true
    }

    /// Counts an accepted action (ack, modify, requested cancel): resets the reject count.
    public mutating func recordSuccess() {
        consecutiveRejects = 0
    }

    /// Records that our orders and position were reconciled with the venue.
    public mutating func markReconciled() {
        if breakerTrippedAt != nil { reconciledSinceTrip = true }
    }

    /// Clears the breaker if its cooldown is over and reconciliation was reported; returns true if it cleared.
    public mutating func resumeBreakerIfReady(at now: Timestamp) -> Bool {
        guard let end = breakerCooldownEnd, now >= end, reconciledSinceTrip else { return false }
        breakerTrippedAt = nil
        reconciledSinceTrip = false
        consecutiveRejects = 0
        return true
    }

    /// Turns the kill switch on.
    public mutating func kill() { isKilled = true }

    /// An operator resume: clears the kill switch and a daily-loss halt (the breaker still needs its
    /// cooldown and reconciliation).
    public mutating func operatorResume() {
        isKilled = false
        isDailyLossHalted = false
    }

    // MARK: Daily loss

    /// The daily loss limit in notional units, if set.
    public func dailyLossLimitUnits(spec: MarketSpec) -> Int128? {
        configuration.dailyLossLimitUSD.map { spec.notionalUnits(usd: abs($0)) }
    }

    /// Updates the day's PnL from the current net PnL (notional units).
    ///
    /// - Returns: `.newDay` when a UTC day boundary passed (the window resets and a daily-loss halt
    ///   lifts), `.breached` when the loss first exceeds the limit, otherwise `nil`.
    public mutating func updateDailyPnL(net: Int128, at now: Timestamp, spec: MarketSpec) -> DailyLossEvent? {
        updateDailyPnL(net: net, at: now, limitUnits: dailyLossLimitUnits(spec: spec))
    }

    /// ``updateDailyPnL(net:at:spec:)`` with the limit already converted
    /// (``dailyLossLimitUnits(spec:)``), for callers that update on every book change.
    public mutating func updateDailyPnL(net: Int128, at now: Timestamp, limitUnits: Int128?) -> DailyLossEvent? {
        let today = now.startOfUTCDay
        var event: DailyLossEvent?
        if let start = dayStart {
            if today > start {
                dayStart = today
                dayStartPnL = net
                isDailyLossHalted = false
                event = .newDay
            }
        } else {
            dayStart = today
            dayStartPnL = net
        }
        dailyPnL = net - dayStartPnL
        if !isDailyLossHalted, let limit = limitUnits, dailyPnL < -limit {
            isDailyLossHalted = true
            return .breached(pnl: dailyPnL, limit: limit)
        }
        return event
    }

    // MARK: Position limits

    /// The largest absolute position allowed at `mid`: the static limit and (once the capital is
    /// known and the rule is on) the dynamic limit `(capital × leverage − 2 × order value) × factor`,
    /// whichever is smaller; in base units rounded down to the lot.
    ///
    /// - Returns: the limit, or `nil` if no limit can be determined (no static limit and no capital).
    public func positionLimit(spec: MarketSpec, mid: Price, orderSize: Quantity, capitalUSD: Double?) -> Quantity? {
        guard mid.ticks > 0 else { return nil }
        let midValue = spec.double(mid)
        var limit: Quantity?
        switch configuration.maxPosition {
        case .base(let size)?:
            limit = Quantity(lots: max(0, size.lots - size.lots % spec.lotSize))
        case .notionalUSD(let usd)?:
            limit = spec.quantityRoundedDown(max(0, usd) / midValue)
        case nil:
            break
        }
        if configuration.useDynamicLimit, let capital = capitalUSD, capital.isFinite {
            let orderValue = spec.double(orderSize) * midValue
            let usd = (capital * configuration.leverage - 2 * orderValue) * configuration.dynamicSafetyFactor
            let dynamic = spec.quantityRoundedDown(max(0, usd) / midValue)
            limit = limit.map { min($0, dynamic) } ?? dynamic
        }
        return limit
    }

    /// Checks an order (a place, or a modify's new price and size) before it leaves.
    ///
    /// Vetoes an order below the market's minimum size or notional. Counts the side's other resting
    /// orders as if they filled: if `position (towards the side) + resting + size` would exceed
    /// `limit`, shrinks the order to fit (on the lot grid, still meeting the minimums) or vetoes it.
    ///
    /// - Parameters:
    ///   - side: the order's side.
    ///   - price: its limit price.
    ///   - size: its size.
    ///   - position: our signed position.
    ///   - resting: the size of our other orders on the same side (in flight or resting).
    ///   - limit: the absolute position limit.
    ///   - spec: the market.
    public func checkOrder(
        side: Side, price: Price, size: Quantity, position: Quantity, resting: Quantity, limit: Quantity,
        spec: MarketSpec
    ) -> RiskVerdict {
        guard spec.meetsMinimums(price: price, quantity: size) else {
            return .veto(.belowMinimum(minimumSize: spec.minimumQuantity(at: price)))
        }
        let towards = side.sign * position.lots
        let room = limit.lots - towards - resting.lots
        if size.lots <= room { return .allow }
        let reason = DecisionReason.positionLimit(
            position: Quantity(lots: towards), resting: resting, order: size, limit: limit)
        let shrunk = Quantity(lots: room - room % spec.lotSize)
        if shrunk.lots > 0, spec.meetsMinimums(price: price, quantity: shrunk) {
            return .shrink(to: shrunk, because: reason)
        }
        return .veto(reason)
    }

    /// Checks a reduce-only order (flatten): it only has to meet the market's minimums.
    public func checkReduceOnly(price: Price, size: Quantity, spec: MarketSpec) -> RiskVerdict {
        spec.meetsMinimums(price: price, quantity: size)
            ? .allow : .veto(.belowMinimum(minimumSize: spec.minimumQuantity(at: price)))
    }
}
