import Logging
import MarketCore
import Synchronization
import Trading

extension LighterVenue {
    /// Quota recovery: when the volume quota runs low, trade a small immediate-or-cancel buy and
    /// sell at the touch (one batch) to earn quota back (Lighter gives 1 unit per 10 USDC traded),
    /// within a daily loss budget.
    public struct QuotaRecovery: Hashable, Sendable {
        /// Recover when the remaining quota (from the latest send reply) is below this.
        public var below: Int64
        /// The most the recovery trades may lose per UTC day (spread paid plus fees), USD.
        public var maxDailyLossUSD: Double
        /// The notional of each leg, USD (at least the market minimum). Each transaction costs one
        /// unit, so a leg must trade more than 10 USDC to gain anything: 50 USDC gains 4.
        public var legNotionalUSD: Double
        /// The least time between two pairs, nanoseconds.
        public var intervalNanoseconds: Int64

        /// Settings (`orders.quota_recovery_below`, `orders.quota_recovery_max_loss_usd`).
        public init(below: Int64, maxDailyLossUSD: Double, legNotionalUSD: Double = 50, intervalNanoseconds: Int64 = 5_000_000_000) {
            self.below = below
            self.maxDailyLossUSD = maxDailyLossUSD
            self.legNotionalUSD = legNotionalUSD
            self.intervalNanoseconds = intervalNanoseconds
        }
    }

    /// The running state of quota recovery.
    struct QuotaRecoveryState {
        /// Client order indexes of recovery orders still open (never reported to the engine).
        var ids: Set<Int64> = []
        /// Recovery orders that ended (their trades may still arrive after the order update).
        var recentIDs: Set<Int64> = []
        var nextID: Int64 = 0
        var legsOpen = 0
        var lastSent: Timestamp?
        var dayStart: Timestamp?
        /// Today's cost in notional units: buys' notional and fees minus sells' notional plus fees.
        var lossUnits: Int128 = 0
        var pairs = 0
        var skippedForBudget = 0
    }

    /// The volume quota the server last reported in a send reply.
    public var quotaRemaining: Int64? { state.withLock { $0.quotaRemaining } }

    /// Recovery pairs sent so far.
    public var quotaRecoveryPairs: Int { state.withLock { $0.recovery.pairs } }

    /// What quota recovery cost today, USD (spread and fees; an unmatched leg counts in full).
    public var quotaRecoveryLossUSD: Double {
        let decimals = configuration.spec.notionalDecimals
        return state.withLock { Double($0.recovery.lossUnits) } / Double(FixedPoint.powersOfTen[decimals])
    }

    /// Sends a recovery pair if quota recovery is configured, the quota is below its threshold, no
    /// pair is under way, the interval has passed and today's budget allows the pair's spread cost.
    /// Call it from the run loop with the market's touch; returns whether a pair was queued.
    ///
    /// The recovery orders are not shown to the engine (no acks or fills); the position they leave
    /// if a leg does not fill reaches the engine through the exchange's position updates.
    @discardableResult
    public func recoverQuotaIfNeeded(bestBid: Price, bestAsk: Price, at now: Timestamp) -> Bool {
        guard let settings = configuration.quotaRecovery, bestBid.ticks > 0, bestAsk.ticks > bestBid.ticks else { return false }
        let spec = configuration.spec
        let mid = (spec.double(bestBid) + spec.double(bestAsk)) / 2
        let wanted = spec.quantityRoundedUp(settings.legNotionalUSD / mid)
        let size = Quantity(
            lots: max(wanted.lots, spec.minimumQuantity(at: bestBid).lots, spec.minimumQuantity(at: bestAsk).lots))
        let spreadCost = Int128(bestAsk.ticks - bestBid.ticks) * Int128(size.lots)
        let budget = Int128((settings.maxDailyLossUSD * Double(FixedPoint.powersOfTen[spec.notionalDecimals])).rounded(.down))
        let actions = state.withLock { state -> [OrderAction]? in
            var recovery = state.recovery
            defer { state.recovery = recovery }
            let today = now.startOfUTCDay
            if recovery.dayStart != today {
                recovery.dayStart = today
                recovery.lossUnits = 0
            }
            // A pair whose legs were never reported finished is given up after 10 s.
            if recovery.legsOpen > 0, let sent = recovery.lastSent, now - sent > 10_000_000_000 { recovery.legsOpen = 0 }
            guard let remaining = state.quotaRemaining, remaining < settings.below, recovery.legsOpen == 0 else { return nil }
            if let sent = recovery.lastSent, now - sent < settings.intervalNanoseconds { return nil }
            guard recovery.lossUnits + spreadCost <= budget else {
                recovery.skippedForBudget += 1
                return nil
            }
            if recovery.nextID == 0 { recovery.nextID = (1 << 47) + now.milliseconds % (1 << 46) }
            var legs: [OrderAction] = []
            for side in [Side.buy, .sell] {
                recovery.nextID += 1
                guard let id = ClientOrderID(rawValue: recovery.nextID) else { return nil }
                recovery.ids.insert(id.rawValue)
                legs.append(
                    .place(
                        OrderRequest(
                            id: id, side: side, price: side == .buy ? bestAsk : bestBid, size: size,
                            timeInForce: .immediateOrCancel)))
            }
            recovery.legsOpen = 2
            recovery.lastSent = now
            recovery.pairs += 1
            state.outbox.append(contentsOf: legs)
            return legs
        }
        guard let actions else { return false }
        logger.info(
            "Lighter venue: volume quota low; recovery pair \(size.lots) lots at \(bestBid.ticks)/\(bestAsk.ticks) (\(actions.count) IOC orders)")
        wakeSender.yield()
        return true
    }

    /// Books a recovery order's trade into today's cost.
    static func recordRecoveryTrade(
        _ state: inout State, side: Side, price: Price, size: Quantity, feeRatePPM: Int64
    ) {
        let notional = Int128(price.ticks) * Int128(size.lots)
        let fee = Int128(feeUnits(notional: notional, ratePPM: feeRatePPM))
        state.recovery.lossUnits += (side == .buy ? notional : -notional) + fee
    }

    /// Marks one recovery leg finished.
    static func finishRecoveryLeg(_ state: inout State) {
        state.recovery.legsOpen = max(0, state.recovery.legsOpen - 1)
    }
}
