import MarketCore

/// What the order manager made of an execution event.
public enum ExecutionOutcome: Hashable, Sendable {
    /// It concerned one of our current orders and was applied.
    case applied
    /// It concerned an order that recently finished (a harmless race, e.g. a cancel rejected
    /// because the order had just filled); ignored.
    case late
    /// It concerned an order we do not know.
    case unknown
    /// It does not concern an order (position, balance, quota).
    case notAboutAnOrder
}

/// The only place that turns ``QuoteTargets`` into ``OrderAction``s.
///
/// Each side has ``OrderManagerConfiguration/levelsPerSide`` slots (level `i` of the targets goes to
/// slot `i`); each slot holds at most one order and has at most one action in flight. On every
/// update, per slot:
///
/// - no target (the side is suppressed or the level disappeared) → **cancel** a resting order;
/// - a target and an idle slot → **place**, unless a lockout holds the slot or the market has
///   ``OrderManagerConfiguration/maxLiveOrders``;
/// - a target and a resting order → **keep** it when the target price is within the tolerance band
///   (``OrderManagerConfiguration/toleranceBps`` × the quota multiplier) and the size differs by
///   less than one lot, else **modify** it in place (unless a lockout holds it);
/// - an action in flight → **hold** until the venue answers.
///
/// Lockouts delay places and modifies only; cancels are never delayed (a cancel only reduces
/// exposure). Every place and modify passes ``Risk/checkOrder(side:price:size:position:resting:limit:spec:)``
/// first. Every action and non-action is recorded with its reason.
public struct OrderManager: Sendable {
    /// The market.
    public let spec: MarketSpec
    /// The settings.
    public var configuration: OrderManagerConfiguration
    /// The id source.
    public private(set) var ids: ClientOrderIDGenerator
    /// The venue's last reported remaining transaction quota, if any.
    public private(set) var quotaRemaining: Int?
    /// Events about orders we did not know.
    public private(set) var unknownOrderEvents: Int
    /// Events about orders that had just finished (ignored).
    public private(set) var lateOrderEvents: Int

    /// Slots: buys at `0 ..< levels`, sells at `levels ..< 2 levels`.
    private var slots: [OrderSlot]
    private var fillLockoutUntil: (buy: Timestamp, sell: Timestamp)
    /// Orders outside the slots (flatten orders): id, side, remaining size.
    private var extraOrders: [(id: ClientOrderID, side: Side, remaining: Quantity)]
    /// After a flatten order is rejected, no new one before this time.
    public private(set) var flattenRetryAt: Timestamp
    /// Recently finished ids, so late events for them are not "unknown".
    private var recentlyFinished: [ClientOrderID?]
    private var recentlyFinishedNext: Int
    /// The alpha of the targets being reconciled, during ``update(targets:buySuppressed:sellSuppressed:at:position:limit:risk:recorder:actions:)``.
    private var targetsAlpha: QuoteAlphaNote?

    /// An order manager with all slots idle.
    public init(spec: MarketSpec, configuration: OrderManagerConfiguration, ids: ClientOrderIDGenerator) {
        self.spec = spec
        self.configuration = configuration
        self.configuration.levelsPerSide = max(1, configuration.levelsPerSide)
        self.ids = ids
        quotaRemaining = nil
        unknownOrderEvents = 0
        lateOrderEvents = 0
        let levels = self.configuration.levelsPerSide
        slots =
            (0..<levels).map { OrderSlot(side: .buy, level: $0) }
            + (0..<levels).map { OrderSlot(side: .sell, level: $0) }
        fillLockoutUntil = (.epoch, .epoch)
        extraOrders = []
        extraOrders.reserveCapacity(4)
        flattenRetryAt = .epoch
        recentlyFinished = Array(repeating: nil, count: 64)
        recentlyFinishedNext = 0
    }

    // MARK: Queries

    /// The slot of `side` at ladder `level` (0 ..< levelsPerSide).
    public func slot(_ side: Side, level: Int) -> OrderSlot { slots[slotIndex(side, level)] }

    /// All slots: buys best first, then sells best first.
    public var allSlots: [OrderSlot] { slots }

    /// Orders live or in flight: non-idle slots plus flatten orders.
    public var liveOrderCount: Int {
        var count = extraOrders.count
        for slot in slots where slot.state != .idle { count += 1 }
        return count
    }

    /// The size our orders on `side` could add to the position (resting or in flight), optionally
    /// without one level's slot.
    public func restingExposure(_ side: Side, excludingLevel excluded: Int? = nil) -> Quantity {
        var total: Int64 = 0
        let base = side == .buy ? 0 : configuration.levelsPerSide
        for level in 0..<configuration.levelsPerSide where level != excluded {
            total += slots[base + level].exposure.lots
        }
        return Quantity(lots: total)
    }

    /// The tolerance multiplier from the venue's remaining quota (see
    /// ``OrderManagerConfiguration/toleranceMultiplier(quotaRemaining:)``).
    public var toleranceMultiplier: Double {
        OrderManagerConfiguration.toleranceMultiplier(quotaRemaining: quotaRemaining)
    }

    /// The tolerance band in bps in force now.
    public var effectiveToleranceBps: Double { configuration.toleranceBps * toleranceMultiplier }

    /// Until when a fill holds `side`.
    public func fillLockoutEnd(_ side: Side) -> Timestamp {
        side == .buy ? fillLockoutUntil.buy : fillLockoutUntil.sell
    }

    /// Whether a flatten (reduce-only) order is live or in flight.
    public var hasFlattenOrder: Bool { !extraOrders.isEmpty }

    /// The earliest time after `now` at which a lockout ends, so a virtual-time loop knows when to tick.
    public func nextLockoutEnd(after now: Timestamp) -> Timestamp? {
        var earliest: Timestamp?
        func consider(_ time: Timestamp) {
            if time > now, earliest.map({ time < $0 }) ?? true { earliest = time }
        }
        consider(fillLockoutUntil.buy)
        consider(fillLockoutUntil.sell)
        consider(flattenRetryAt)
        let actionLockout = configuration.actionLockoutMs * 1_000_000
        let timeout = configuration.inFlightTimeoutMs * 1_000_000
        for slot in slots {
            consider(slot.rejectLockoutUntil)
            if let last = slot.lastActionAt {
                consider(last + actionLockout)
                if slot.state.isInFlight && !slot.isStuck { consider(last + timeout) }
            }
        }
        return earliest
    }

    // MARK: Targets to actions

    /// Compares the targets with our orders and appends the actions that close the gap.
    ///
    /// - Parameters:
    ///   - targets: the strategy's targets.
    ///   - buySuppressed: a reason the engine suppresses the buy side (risk), overriding the targets.
    ///   - sellSuppressed: the same for the sell side.
    ///   - now: the engine's time.
    ///   - position: our signed position.
    ///   - limit: the absolute position limit.
    ///   - risk: the gate every place and modify passes.
    ///   - recorder: where decisions go.
    ///   - actions: where actions go.
    public mutating func update(
        targets: QuoteTargets, buySuppressed: DecisionReason?, sellSuppressed: DecisionReason?, at now: Timestamp,
        position: Quantity, limit: Quantity, risk: Risk, recorder: inout DecisionRecorder,
        actions: inout [OrderAction]
    ) {
        // Decisions made from these targets name the alpha behind them.
        targetsAlpha = targets.alpha
        defer { targetsAlpha = nil }
        updateSide(
            .buy, levels: targets.bids, suppressed: buySuppressed ?? targets.bidReason.map { .noQuote($0) },
            now: now, position: position, limit: limit, risk: risk, recorder: &recorder, actions: &actions)
        updateSide(
            .sell, levels: targets.asks, suppressed: sellSuppressed ?? targets.askReason.map { .noQuote($0) },
            now: now, position: position, limit: limit, risk: risk, recorder: &recorder, actions: &actions)
    }

    private mutating func updateSide(
        _ side: Side, levels: [QuoteLevel], suppressed: DecisionReason?, now: Timestamp, position: Quantity,
        limit: Quantity, risk: Risk, recorder: inout DecisionRecorder, actions: inout [OrderAction]
    ) {
        let count = suppressed == nil ? min(levels.count, configuration.levelsPerSide) : 0
        for level in 0..<configuration.levelsPerSide {
            if level < count {
                pursue(
                    side, level: level, target: levels[level], now: now, position: position, limit: limit, risk: risk,
                    recorder: &recorder, actions: &actions)
            } else {
                let reason: DecisionReason =
                    count == 0 ? (suppressed ?? .noQuote(.modelNotReady)) : .levelRemoved
                withdraw(side, level: level, reason: reason, now: now, recorder: &recorder, actions: &actions)
            }
        }
    }

    /// No target for the slot: cancel what rests, hold what is in flight.
    private mutating func withdraw(
        _ side: Side, level: Int, reason: DecisionReason, now: Timestamp, recorder: inout DecisionRecorder,
        actions: inout [OrderAction]
    ) {
        let index = slotIndex(side, level)
        let slot = slots[index]
        switch slot.state {
        case .idle:
            if level == 0 {
                recordNonAction(&recorder, now, side, level, .none, reason: reason)
            }
        case .live:
            guard let id = slot.orderID else { return }
            actions.append(.cancel(id: id))
            slots[index].state = .canceling
            slots[index].lastActionAt = now
            recorder.record(
                decision(
                    now, side, level, .cancel, id: id, fromPrice: slot.price, fromSize: slot.size, reason: reason))
        case .placing, .modifying, .canceling:
            recordNonAction(&recorder, now, side, level, .hold, id: slot.orderID, reason: .inFlight(slot.state))
        }
    }

    /// A target for the slot: place, keep or modify.
    private mutating func pursue(
        _ side: Side, level: Int, target: QuoteLevel, now: Timestamp, position: Quantity, limit: Quantity,
        risk: Risk, recorder: inout DecisionRecorder, actions: inout [OrderAction]
    ) {
        let index = slotIndex(side, level)
        let slot = slots[index]
        switch slot.state {
        case .placing, .modifying, .canceling:
            recordNonAction(&recorder, now, side, level, .hold, id: slot.orderID, reason: .inFlight(slot.state))

        case .idle:
            if liveOrderCount >= configuration.maxLiveOrders {
                recordNonAction(
                    &recorder, now, side, level, .hold, reason: .maxLiveOrders(limit: configuration.maxLiveOrders))
                return
            }
            if let lockout = lockoutReason(slot, now: now) {
                recordNonAction(&recorder, now, side, level, .hold, reason: lockout)
                return
            }
            var size = target.size
            switch risk.checkOrder(
                side: side, price: target.price, size: size, position: position,
                resting: restingExposure(side, excludingLevel: level), limit: limit, spec: spec)
            {
            case .allow:
                break
            case .veto(let reason):
                recorder.record(
                    decision(
                        now, side, level, .veto, toPrice: target.price, toSize: size, reason: reason,
                        vetoed: .place))
                return
            case .shrink(let smaller, let reason):
                recorder.record(
                    decision(
                        now, side, level, .shrink, toPrice: target.price, fromSize: size, toSize: smaller,
                        reason: reason, vetoed: .place))
                size = smaller
            }
            let id = ids.next()
            actions.append(
                .place(
                    OrderRequest(
                        id: id, side: side, price: target.price, size: size, type: .limit,
                        timeInForce: configuration.timeInForce, reduceOnly: false)))
            slots[index].state = .placing
            slots[index].orderID = id
            slots[index].exchangeOrderID = nil
            slots[index].price = target.price
            slots[index].size = size
            slots[index].lastActionAt = now
            recorder.record(
                decision(
                    now, side, level, .place, id: id, toPrice: target.price, toSize: size,
                    reason: .target(inventory: position)))

        case .live:
            guard let id = slot.orderID else { return }
            let tolerance = effectiveToleranceBps
            let moved =
                slot.price.ticks > 0
                ? Double((target.price.ticks - slot.price.ticks).magnitude) / Double(slot.price.ticks) * 10_000
                : .infinity
            let sizeDifference = (target.size.lots - slot.size.lots).magnitude
            let priceMoved = moved > tolerance
            let sizeMoved = sizeDifference >= UInt64(spec.lotSize)
            if !priceMoved && !sizeMoved {
                recordNonAction(
                    &recorder, now, side, level, .hold, id: id,
                    reason: .withinTolerance(bps: moved, toleranceBps: tolerance))
                return
            }
            if let lockout = lockoutReason(slot, now: now) {
                recordNonAction(&recorder, now, side, level, .hold, id: id, reason: lockout)
                return
            }
            var size = target.size
            switch risk.checkOrder(
                side: side, price: target.price, size: size, position: position,
                resting: restingExposure(side, excludingLevel: level), limit: limit, spec: spec)
            {
            case .allow:
                break
            case .veto(let reason):
                recorder.record(
                    decision(
                        now, side, level, .veto, id: id, toPrice: target.price, toSize: size, reason: reason,
                        vetoed: .modify))
                return
            case .shrink(let smaller, let reason):
                if smaller == slot.size && (!priceMoved || target.price == slot.price) {
                    // Risk allows exactly what already rests: nothing to change.
                    recordNonAction(&recorder, now, side, level, .hold, id: id, reason: reason)
                    return
                }
                recorder.record(
                    decision(
                        now, side, level, .shrink, id: id, toPrice: target.price, fromSize: size, toSize: smaller,
                        reason: reason, vetoed: .modify))
                size = smaller
            }
            if size == slot.size && target.price == slot.price {
                recorder.record(
                    decision(
                        now, side, level, .hold, id: id,
                        reason: .withinTolerance(bps: moved, toleranceBps: tolerance)))
                return
            }
            actions.append(.modify(id: id, price: target.price, size: size))
            slots[index].state = .modifying
            slots[index].pendingPrice = target.price
            slots[index].pendingSize = size
            slots[index].lastActionAt = now
            let reason: DecisionReason =
                priceMoved
                ? .targetMoved(bps: moved, toleranceBps: tolerance)
                : .sizeChanged(fromLots: slot.size.lots, toLots: size.lots)
            recorder.record(
                decision(
                    now, side, level, .modify, id: id, fromPrice: slot.price, toPrice: target.price,
                    fromSize: slot.size, toSize: size, reason: reason))
        }
    }

    /// The lockout holding a place or modify on `slot` at `now`, if any (fill, then reject, then action).
    /// (`@inline(__always)`: a slot passed to a call is copied whole, and this runs for every
    /// slot of every comparison.)
    @inline(__always)
    private func lockoutReason(_ slot: OrderSlot, now: Timestamp) -> DecisionReason? {
        let fillEnd = fillLockoutEnd(slot.side)
        if now < fillEnd { return .fillLockout(remainingNs: fillEnd - now) }
        if now < slot.rejectLockoutUntil { return .rejectLockout(remainingNs: slot.rejectLockoutUntil - now) }
        if let last = slot.lastActionAt {
            let end = last + configuration.actionLockoutMs * 1_000_000
            if now < end { return .actionLockout(remainingNs: end - now) }
        }
        return nil
    }

    /// Flags slots whose action has been in flight longer than the in-flight timeout.
    ///
    /// - Returns: how many slots became stuck now (each is reported once).
    public mutating func flagStuckSlots(at now: Timestamp) -> Int {
        let timeout = configuration.inFlightTimeoutMs * 1_000_000
        var count = 0
        for index in slots.indices where slots[index].state.isInFlight && !slots[index].isStuck {
            if let last = slots[index].lastActionAt, now - last >= timeout {
                slots[index].isStuck = true
                count += 1
            }
        }
        return count
    }

    // MARK: Market-wide actions

    /// Cancels every order of ours in the market: appends `cancelAll` and marks every busy slot as canceling.
    public mutating func cancelAll(
        at now: Timestamp, reason: DecisionReason, recorder: inout DecisionRecorder, actions: inout [OrderAction]
    ) {
        actions.append(.cancelAll)
        for index in slots.indices where slots[index].state != .idle {
            slots[index].state = .canceling
            slots[index].lastActionAt = now
            slots[index].isStuck = false
        }
        recorder.record(Decision(time: now, marketID: spec.marketID, side: nil, kind: .cancelAll, reason: reason))
    }

    /// Places a reduce-only immediate-or-cancel order outside the slots (to flatten the position).
    ///
    /// - Returns: the order's id.
    @discardableResult
    public mutating func placeFlatten(
        side: Side, price: Price, size: Quantity, at now: Timestamp, position: Quantity,
        recorder: inout DecisionRecorder, actions: inout [OrderAction]
    ) -> ClientOrderID {
        let id = ids.next()
        actions.append(
            .place(
                OrderRequest(
                    id: id, side: side, price: price, size: size, type: .limit, timeInForce: .immediateOrCancel,
                    reduceOnly: true)))
        extraOrders.append((id, side, size))
        recorder.record(
            Decision(
                time: now, marketID: spec.marketID, side: side, kind: .flatten, orderID: id, toPrice: price,
                toSize: size, reason: .flattenPosition(position)))
        return id
    }

    /// Forgets orders the venue no longer has, after a reconciliation.
    ///
    /// - Parameter openOrders: the ids the venue reports as open. Slots whose order is not among
    ///   them become idle; flatten orders not among them are forgotten.
    public mutating func reconcile(openOrders: some Collection<ClientOrderID>) {
        for index in slots.indices {
            if let id = slots[index].orderID, !openOrders.contains(id) {
                finish(id)
                slots[index].clear()
            }
        }
        extraOrders.removeAll { !openOrders.contains($0.id) }
    }

    // MARK: Venue events

    /// Applies a venue event to the slots.
    public mutating func apply(_ event: ExecutionEvent, at now: Timestamp) -> ExecutionOutcome {
        switch event {
        case .quotaUpdate(let remaining, _):
            quotaRemaining = remaining
            return .notAboutAnOrder
        case .positionUpdate, .balanceUpdate:
            return .notAboutAnOrder
        case .fill(let fill):
            // A fill holds its side whether or not we know the order.
            let end = fill.time + configuration.fillLockoutMs * 1_000_000
            if fill.side == .buy {
                fillLockoutUntil.buy = max(fillLockoutUntil.buy, end)
            } else {
                fillLockoutUntil.sell = max(fillLockoutUntil.sell, end)
            }
        default:
            break
        }
        guard let id = event.orderID else {
            // A reject the venue could not attribute to an order.
            return .notAboutAnOrder
        }
        guard let index = slots.firstIndex(where: { $0.orderID == id }) else {
            return applyToExtra(event, id: id)
        }
        switch event {
        case .accepted(_, let exchangeID, _):
            if slots[index].state == .placing { slots[index].state = .live }
            if exchangeID != nil { slots[index].exchangeOrderID = exchangeID }
        case .rejected:
            let lockoutEnd = now + configuration.rejectLockoutMs * 1_000_000
            slots[index].rejectLockoutUntil = max(slots[index].rejectLockoutUntil, lockoutEnd)
            switch slots[index].state {
            case .placing:
                finish(id)
                slots[index].clear()
            case .modifying, .canceling:
                slots[index].state = .live
            case .live, .idle:
                break
            }
        case .modified(_, let price, let remaining, _):
            slots[index].price = price
            slots[index].size = remaining
            if remaining.isZero {
                finish(id)
                slots[index].clear()
            } else if slots[index].state == .modifying {
                slots[index].state = .live
            }
        case .fill(let fill):
            slots[index].size = fill.remaining
            if fill.remaining.isZero {
                finish(id)
                slots[index].clear()
            } else if slots[index].state == .placing {
                slots[index].state = .live
            }
        case .canceled:
            finish(id)
            slots[index].clear()
        case .positionUpdate, .balanceUpdate, .quotaUpdate:
            break
        }
        return .applied
    }

    private mutating func applyToExtra(_ event: ExecutionEvent, id: ClientOrderID) -> ExecutionOutcome {
        guard let index = extraOrders.firstIndex(where: { $0.id == id }) else {
            if recentlyFinished.contains(id) {
                lateOrderEvents += 1
                return .late
            }
            unknownOrderEvents += 1
            return .unknown
        }
        switch event {
        case .fill(let fill):
            extraOrders[index].remaining = fill.remaining
            if fill.remaining.isZero {
                finish(id)
                extraOrders.remove(at: index)
            }
        case .rejected(_, _, _, let time):
            flattenRetryAt = max(flattenRetryAt, time + configuration.rejectLockoutMs * 1_000_000)
            finish(id)
            extraOrders.remove(at: index)
        case .canceled:
            finish(id)
            extraOrders.remove(at: index)
        case .modified(_, _, let remaining, _):
            extraOrders[index].remaining = remaining
        default:
            break
        }
        return .applied
    }

    private mutating func finish(_ id: ClientOrderID) {
        recentlyFinished[recentlyFinishedNext] = id
        recentlyFinishedNext = (recentlyFinishedNext + 1) % recentlyFinished.count
    }

    // MARK: Helpers

    private func slotIndex(_ side: Side, _ level: Int) -> Int {
        (side == .buy ? 0 : configuration.levelsPerSide) + level
    }

    /// Records a hold or no-quote about a slot, unless it repeats the slot's previous one (then the
    /// decision is not even built).
    private func recordNonAction(
        _ recorder: inout DecisionRecorder, _ time: Timestamp, _ side: Side, _ level: Int, _ kind: Decision.Kind,
        id: ClientOrderID? = nil, reason: DecisionReason
    ) {
        if recorder.dropIfRepeat(side: side, level: level, kind: kind, reason: reason) { return }
        recorder.record(decision(time, side, level, kind, id: id, reason: reason))
    }

    private func decision(
        _ time: Timestamp, _ side: Side, _ level: Int, _ kind: Decision.Kind, id: ClientOrderID? = nil,
        fromPrice: Price? = nil, toPrice: Price? = nil, fromSize: Quantity? = nil, toSize: Quantity? = nil,
        reason: DecisionReason, vetoed: Decision.Kind? = nil
    ) -> Decision {
        Decision(
            time: time, marketID: spec.marketID, side: side, level: level, kind: kind, orderID: id,
            fromPrice: fromPrice, toPrice: toPrice, fromSize: fromSize, toSize: toSize, reason: reason,
            vetoedAction: vetoed, alpha: targetsAlpha)
    }
}
