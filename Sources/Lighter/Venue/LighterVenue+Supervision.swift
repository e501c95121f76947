import LighterCrypto
import Logging
import MarketCore
import Synchronization
import Trading

extension LighterVenue {
    // MARK: Stream supervision

    /// Whether the stream reported a disconnect and has not reconnected since.
    public var isStreamDown: Bool { state.withLock { $0.link.isDown } }

    /// Whether the venue has paused its engine (after a disconnect) and not resumed it yet.
    public var isEnginePaused: Bool { state.withLock { $0.link.enginePaused } }

    /// How many times the venue resynchronised its engine after a reconnect.
    public var resynchronisations: Int { state.withLock { $0.link.resyncs } }

    /// Circuit-breaker trips that ``supervise(_:at:)`` answered with a reconcile.
    public var breakerReconciles: Int { state.withLock { $0.link.breakerReconciles } }

    /// Periodic sweeps of the exchange's open orders done by ``supervise(_:at:)``.
    public var reconcileSweeps: Int { state.withLock { $0.link.sweeps } }

    /// Unknown orders the periodic sweeps cancelled.
    public var sweptUnknownOrders: Int { state.withLock { $0.link.sweptOrders } }

    /// Keeps `engine` honest about the stream; call it from the run loop (e.g. every iteration, at
    /// the loop's time).
    ///
    /// - After `.disconnected` (fed to ``handle(_:)``) the order and fill feed is gone, so the
    ///   engine stops trusting its state: the venue turns its kill switch on (quoting stops and our
    ///   orders are cancelled over REST, which does not need the socket).
    /// - After the next `.connected`, it reconciles before quoting resumes: fetches the open orders,
    ///   cancels every one the engine does not know (``reconcile(known:)``: nothing is adopted),
    ///   reads the position over REST and queues it as a position update (after the fills already
    ///   queued), reports ``Engine/markReconciled(openOrders:at:)``, and lifts the kill switch it set
    ///   (not one someone else set; if a daily-loss halt is on, the resume waits until it lifts, as
    ///   ``Engine/resume(at:)`` would lift it). A failed attempt is retried at the next call, at most
    ///   once per ``Configuration/resyncRetryNanoseconds``; a disconnect during the attempt starts over.
    ///
    /// While the stream is healthy:
    /// - a tripped circuit breaker waits for a reconcile before its cooldown may end: the venue
    ///   reconciles (as above, at most once per ``Configuration/resyncRetryNanoseconds``) and
    ///   reports ``Engine/markReconciled(openOrders:at:)``;
    /// - every ``Configuration/reconcileIntervalNanoseconds`` it sweeps the exchange's open orders
    ///   and cancels the ones the engine does not know (placed by hand, or left by a failed send);
    ///   the engine's own orders are left alone.
    public func supervise<Strategy: QuoteStrategy>(_ engine: Engine<Strategy>, at now: Timestamp) async {
        var link = state.withLock { $0.link }
        // A disconnect (even one already followed by a reconnect) pauses the engine first.
        if (link.isDown || link.needsResync) && !link.enginePaused {
            let alreadyKilled = engine.risk.isKilled
            engine.kill(flatten: false, at: now)
            engine.submitPendingActions(to: self)
            link = state.withLock { state in
                state.link.enginePaused = true
                state.link.ownsKill = !alreadyKilled
                return state.link
            }
            logger.warning("Lighter venue: stream disconnected; \(configuration.spec.symbol) paused, our orders cancelled")
        }
        guard !link.isDown else { return }
        guard link.enginePaused else {
            await reconcileWhileHealthy(engine, link: link, at: now)
            return
        }
        if link.needsResync {
            if let last = link.lastResyncAttempt, now - last < configuration.resyncRetryNanoseconds { return }
            state.withLock { $0.link.lastResyncAttempt = now }
            let epoch = link.disconnects
            let known = Set(engine.orderManager.allSlots.compactMap(\.orderID))
            let kept: [ClientOrderID]
            let position: ExecutionEvent
            do {
                kept = try await reconcile(known: known)
                position = try await exchangePosition()
            } catch {
                logger.warning("Lighter venue: resynchronising \(configuration.spec.symbol) after a reconnect failed: \(error)")
                return
            }
            let stillUp = state.withLock { state -> Bool in
                guard !state.link.isDown, state.link.disconnects == epoch else { return false }
                state.events.append(position)
                state.link.needsResync = false
                state.link.resyncs += 1
                return true
            }
            guard stillUp else { return }
            eventSignal.yield()
            engine.markReconciled(openOrders: kept, at: now)
            logger.info("Lighter venue: \(configuration.spec.symbol) reconciled after a reconnect (\(kept.count) order(s) kept)")
        }
        let owns = state.withLock { $0.link.ownsKill }
        if owns {
            guard !engine.risk.isDailyLossHalted else { return }
            engine.resume(at: now)
        }
        state.withLock { state in
            state.link.enginePaused = false
            state.link.ownsKill = false
        }
    }

    /// The breaker's reconcile and the periodic sweep (see ``supervise(_:at:)``).
    private func reconcileWhileHealthy<Strategy: QuoteStrategy>(
        _ engine: Engine<Strategy>, link: StreamLink, at now: Timestamp
    ) async {
        let known = Set(engine.orderManager.allSlots.compactMap(\.orderID))
        if case .awaitingReconcile? = engine.risk.blockReason(at: now, spec: configuration.spec) {
            if let last = link.lastReconcile, now - last < configuration.resyncRetryNanoseconds { return }
            state.withLock { $0.link.lastReconcile = now }
            do {
                let kept = try await reconcile(known: known)
                let position = try await exchangePosition()
                state.withLock { state in
                    state.events.append(position)
                    state.link.breakerReconciles += 1
                }
                eventSignal.yield()
                engine.markReconciled(openOrders: kept, at: now)
                logger.notice("Lighter venue: \(configuration.spec.symbol) reconciled after the circuit breaker tripped (\(kept.count) order(s) kept)")
            } catch {
                logger.warning("Lighter venue: reconcile after the circuit breaker failed (\(configuration.spec.symbol)): \(error)")
            }
            return
        }
        guard let interval = configuration.reconcileIntervalNanoseconds else { return }
        guard let last = link.lastReconcile else {
            state.withLock { $0.link.lastReconcile = now }
            return
        }
        guard now - last >= interval else { return }
        state.withLock { $0.link.lastReconcile = now }
        do {
            let open = try await openOrders()
            let unknown = open.filter { order in
                guard let id = ClientOrderID(rawValue: order.clientOrderIndex) else { return true }
                return !known.contains(id)
            }
            guard !unknown.isEmpty else {
                state.withLock { $0.link.sweeps += 1 }
                return
            }
            // Fetched again inside `reconcile`; an order the engine placed since is ours.
            let stillKnown = Set(engine.orderManager.allSlots.compactMap(\.orderID))
            _ = try await reconcile(known: known.union(stillKnown))
            state.withLock { state in
                state.link.sweeps += 1
                state.link.sweptOrders += unknown.count
            }
            logger.notice("Lighter venue: periodic reconcile cancelled \(unknown.count) unknown order(s) in \(configuration.spec.symbol)")
        } catch {
            logger.warning("Lighter venue: periodic reconcile failed (\(configuration.spec.symbol)): \(error)")
        }
    }

    /// The account's position in this market over REST, as a position update at the clock's time.
    public func exchangePosition() async throws(LighterClientError) -> ExecutionEvent {
        let account = try await rest.account(index: configuration.accountIndex)
        let spec = configuration.spec
        let time = clock.now
        guard let position = account.positions.first(where: { $0.marketID == spec.marketID }) else {
            return .positionUpdate(position: .zero, averageEntry: nil, time: time)
        }
        let quantity: Quantity
        do { quantity = try position.signedQuantity(sizeDecimals: spec.sizeDecimals) } catch {
            throw .decoding(endpoint: "/api/v1/account", "position '\(position.position)' of \(spec.symbol): \(error)")
        }
        let entry = quantity.lots == 0 ? nil : position.avgEntryPrice.flatMap { try? spec.price($0) }
        return .positionUpdate(position: quantity, averageEntry: entry, time: time)
    }

    // MARK: Dead-man's switch

    /// When the scheduled cancel-all last armed by this venue fires (Unix ms), while armed.
    public var deadMansSwitchArmedUntil: Int64? { state.withLock { $0.deadMansSwitch.armedUntilMilliseconds } }

    /// How many times the dead-man's switch was armed or renewed.
    public var deadMansSwitchRenewals: Int { state.withLock { $0.deadMansSwitch.renewals } }

    /// Arms (or pushes out) the dead-man's switch now: a scheduled cancel-all (TIF 1) at now + the
    /// configured period. ``runSender()`` does this by itself at start and every third of the period.
    ///
    /// - Throws: if the switch is not configured, was disarmed, or the exchange refused it.
    public func armDeadMansSwitch() async throws(LighterClientError) {
        guard let period = configuration.deadMansSwitchMilliseconds else {
            throw .invalidRequest("the dead-man's switch is not configured for this venue")
        }
        if state.withLock({ $0.deadMansSwitch.disarmed }) {
            throw .invalidRequest("the dead-man's switch was disarmed")
        }
        let now = clock.now
        let fireAt = now.milliseconds + period
        try await sendCancelAll(.scheduled(at: fireAt), now: now, what: "arming the dead-man's switch")
        state.withLock { state in
            state.deadMansSwitch.armedUntilMilliseconds = fireAt
            state.deadMansSwitch.nextRenewal = now + period * 1_000_000 / 3
            state.deadMansSwitch.renewals += 1
        }
    }

    /// Aborts the scheduled cancel-all (TIF 2) and stops renewing it: call it on a clean shutdown,
    /// after our orders are cancelled.
    public func disarmDeadMansSwitch() async throws(LighterClientError) {
        state.withLock { $0.deadMansSwitch.disarmed = true }
        try await sendCancelAll(.abortScheduled, now: clock.now, what: "disarming the dead-man's switch")
        state.withLock { $0.deadMansSwitch.armedUntilMilliseconds = nil }
    }

    /// Arms or renews the switch if it is configured and due (called by the sender loop).
    func renewDeadMansSwitchIfDue() async {
        guard let period = configuration.deadMansSwitchMilliseconds else { return }
        let now = clock.now
        let due = state.withLock { state -> Bool in
            guard !state.deadMansSwitch.disarmed else { return false }
            return state.deadMansSwitch.nextRenewal.map { now >= $0 } ?? true
        }
        guard due else { return }
        do {
            try await armDeadMansSwitch()
        } catch {
            // Try again soon; the previous schedule (if any) still stands until it fires.
            let retry = now + min(period * 1_000_000 / 3, 5_000_000_000)
            state.withLock { $0.deadMansSwitch.nextRenewal = retry }
            logger.error("Lighter venue: \(error)")
        }
    }

    private func sendCancelAll(_ cancelAll: CancelAllOrdersTx, now: Timestamp, what: String) async throws(LighterClientError) {
        let body = TransactionBody.cancelAllOrders(cancelAll)
        let chain = configuration.chain
        let key = self.key
        let reply = try await sender.send(isCancel: true) { slot in
            EncodedTransaction(try LighterVenue.sign(body, slot: slot, chain: chain, key: key, now: now))
        }
        guard reply.code == 200 else {
            throw .invalidRequest("\(what) answered \(reply.code): \(reply.message ?? "")")
        }
    }
}
