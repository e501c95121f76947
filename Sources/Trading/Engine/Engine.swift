import Logging
import MarketCore

/// Counts of things that went wrong or were notable, for monitoring.
public struct EngineCounters: Hashable, Sendable {
    /// Market events handled.
    public var marketEvents: Int = 0
    /// Book updates quoted: one per event handled with ``Engine/handle(_:at:)-(MarketEvent,_)``, one
    /// per group of events applied together (``Engine/quoteAfterMarketUpdate()``).
    public var marketUpdates: Int = 0
    /// Execution events handled.
    public var executionEvents: Int = 0
    /// Fills applied.
    public var fills: Int = 0
    /// Rejects received.
    public var rejects: Int = 0
    /// Events about orders the engine did not know (logged, never fatal).
    public var unknownOrderEvents: Int = 0
    /// Events about orders that had just finished (ignored).
    public var lateOrderEvents: Int = 0
    /// Times the venue's position differed from ours.
    public var positionMismatches: Int = 0
    /// Actions produced.
    public var actions: Int = 0
    /// Book changes for which the strategy was not asked again because nothing its quote reads had
    /// changed (see ``QuoteDependencies``).
    public var skippedQuotes: Int = 0
    /// Book changes for which the orders were not compared with the targets again because neither
    /// had changed since a comparison that changed nothing.
    public var skippedReconciles: Int = 0

    /// All zero.
    public init() {}
}

/// The trading engine for one market: book, strategy, order manager, risk and positions.
///
/// Single-owner and synchronous: feed it market events (``handle(_:)-(MarketEvent)``), venue events
/// (``handle(_:)-(ExecutionEvent)``) and timer ticks (``tick(at:)``); each call may queue
/// ``OrderAction``s, which the owner submits to the venue (``submitPendingActions(to:)``, or
/// ``pump(_:upTo:)`` which also drains the venue's events). It never reads the wall clock: time
/// comes from the events and the ticks, so the same engine runs live and in virtual time. In steady
/// state handling a market event allocates nothing (unless a log level that formats lines is on).
///
/// Not reentrant: a ``DecisionSink`` or logger it calls must not call back into the engine. Its
/// stored state is marked `@exclusivity(unchecked)` (no runtime exclusivity checks, a third of the
/// cost of a market event), which is sound because every access is made by the engine's own
/// methods, one call at a time.
///
/// ```swift
/// let engine = Engine(spec: eth, strategy: MyStrategy(), configuration: configuration,
///                     ids: ClientOrderIDGenerator(startTime: clock.now))
/// engine.handle(.bookSnapshot(snapshot))
/// engine.pump(venue, upTo: clock.now)           // submit actions, apply fills/acks
/// engine.decisions.last?.line(spec: eth)        // "buy: place 0.0100@3024.10 (target, inventory=0)"
/// ```
public final class Engine<Strategy: QuoteStrategy> {
    /// The market.
    public let spec: MarketSpec
    /// The settings.
    public let configuration: EngineConfiguration
    /// The strategy (settable, e.g. to change parameters between events; the next book change
    /// asks it for quotes again).
    public var strategy: Strategy {
        get { storedStrategy }
        set {
            storedStrategy = newValue
            quoteDependencies = Self.dependencies(of: newValue)
            lastQuote = nil
        }
    }
    /// An alpha from outside the market's own book, passed to the strategy.
    public var externalAlpha: ExternalAlpha? {
        get { quoting.input.externalAlpha }
        set { quoting.input.externalAlpha = newValue }
    }

    /// The market's book.
    public var book: OrderBook { quoting.input.book }
    /// Our orders.
    @exclusivity(unchecked) public private(set) var orderManager: OrderManager
    /// The risk gate.
    @exclusivity(unchecked) public private(set) var risk: Risk
    /// Our position and PnL.
    @exclusivity(unchecked) public private(set) var positions: PositionTracker
    /// The strategy's latest targets, as it produced them (before risk suppression).
    public var targets: QuoteTargets { quoting.targets }
    /// The engine's time: the latest time it has been shown.
    @exclusivity(unchecked) public private(set) var now: Timestamp
    /// The venue's collateral (USD), once reported.
    @exclusivity(unchecked) public private(set) var collateralUSD: Double?
    /// The venue's available balance (USD), once reported.
    @exclusivity(unchecked) public private(set) var availableUSD: Double?
    /// The order size chosen at the latest quote.
    @exclusivity(unchecked) public private(set) var orderSize: Quantity?
    /// The position limit at the latest quote.
    @exclusivity(unchecked) public private(set) var positionLimit: Quantity?
    /// Whether the kill switch asked to flatten the position.
    @exclusivity(unchecked) public private(set) var isFlattening: Bool
    /// Notable counts.
    @exclusivity(unchecked) public private(set) var counters: EngineCounters
    /// Actions decided and not yet submitted.
    @exclusivity(unchecked) public private(set) var pendingActions: [OrderAction]
    /// Whether actions are waiting to be submitted (cheaper than reading ``pendingActions``).
    public var hasPendingActions: Bool { !pendingActions.isEmpty }

    @exclusivity(unchecked) private var recorder: DecisionRecorder
    @exclusivity(unchecked) private var executionBuffer: [ExecutionEvent]
    /// The strategy, its input (which owns the book) and its targets, in one value so that asking
    /// the strategy copies nothing.
    @exclusivity(unchecked) private var quoting: QuoteState
    @exclusivity(unchecked) private var storedStrategy: Strategy
    /// The best bid and ask prices in ticks, read once after each book change.
    @exclusivity(unchecked) private var bestBidTicks: Int64?
    @exclusivity(unchecked) private var bestAskTicks: Int64?
    /// The mid rounded to the tick grid (half to even), read with the best prices.
    @exclusivity(unchecked) private var markTicks: Int64?
    /// Whether a book change was applied and not quoted yet.
    @exclusivity(unchecked) private var bookChangedSinceQuote: Bool
    /// Whether venue events were applied and the orders not compared since.
    @exclusivity(unchecked) private var executionEventsSinceReconcile: Bool
    /// What the strategy's quote reads.
    @exclusivity(unchecked) private var quoteDependencies: QuoteDependencies
    /// What the strategy was shown at its latest quote, while ``targets`` still hold that quote.
    @exclusivity(unchecked) private var lastQuote: QuoteStamp?
    /// The inputs of the latest order comparison, when it changed nothing.
    @exclusivity(unchecked) private var quietReconcile: QuietReconcile?
    /// The mark price and capital ``orderSize`` and ``positionLimit`` were computed for (both
    /// depend on nothing else), so that a book change that keeps the mid does not redo them.
    @exclusivity(unchecked) private var sizedFor: (mark: Price, capital: Double?)?
    /// The daily loss limit in notional units (fixed by the configuration and the market).
    private let dailyLossLimitUnits: Int128?

    /// An engine for one market.
    ///
    /// - Parameters:
    ///   - spec: the market.
    ///   - strategy: the quoting strategy.
    ///   - configuration: the settings.
    ///   - ids: the client order id source (give each market of an account its own lane).
    ///   - logger: where human decision lines go (formatted only when the level is enabled); by
    ///     default nowhere (decisions are still kept in ``decisions`` and passed to `sink`).
    ///   - sink: an extra receiver of every decision.
    public init(
        spec: MarketSpec, strategy: Strategy, configuration: EngineConfiguration = EngineConfiguration(),
        ids: ClientOrderIDGenerator,
        logger: Logger = Logger(label: "lighter-mm.engine", factory: { _ in SwiftLogNoOpLogHandler() }),
        sink: (any DecisionSink)? = nil
    ) {
        self.spec = spec
        self.configuration = configuration
        self.quoteDependencies = Self.dependencies(of: strategy)
        self.lastQuote = nil
        self.quietReconcile = nil
        self.sizedFor = nil
        self.storedStrategy = strategy
        self.quoting = QuoteState(
            input: QuoteInput(
                book: OrderBook(), spec: spec, now: .epoch, position: .zero, maxPosition: .zero, orderSize: .zero,
                externalAlpha: nil),
            levels: max(4, configuration.orderManager.levelsPerSide))
        self.bestBidTicks = nil
        self.bestAskTicks = nil
        self.markTicks = nil
        self.bookChangedSinceQuote = false
        self.executionEventsSinceReconcile = false
        self.orderManager = OrderManager(spec: spec, configuration: configuration.orderManager, ids: ids)
        self.risk = Risk(configuration: configuration.risk)
        self.dailyLossLimitUnits = risk.dailyLossLimitUnits(spec: spec)
        self.positions = PositionTracker()
        self.now = .epoch
        self.collateralUSD = nil
        self.availableUSD = nil
        self.orderSize = nil
        self.positionLimit = nil
        self.isFlattening = false
        self.counters = EngineCounters()
        self.pendingActions = []
        self.pendingActions.reserveCapacity(16)
        var logger = logger
        logger[metadataKey: "market"] = .string(spec.symbol)
        self.recorder = DecisionRecorder(
            spec: spec, levelsPerSide: configuration.orderManager.levelsPerSide,
            capacity: configuration.decisionLogCapacity, logger: logger, sink: sink,
            recordRepeatedHolds: configuration.recordRepeatedHolds)
        self.executionBuffer = []
        self.executionBuffer.reserveCapacity(64)
    }

    // MARK: Reading

    /// The recent decisions.
    public var decisions: DecisionLog { recorder.log }

    /// Holds and no-quotes not recorded because they repeated the slot's previous one.
    public var suppressedRepeatDecisions: Int { recorder.suppressedRepeats }

    /// The extra receiver of decisions.
    public var decisionSink: (any DecisionSink)? {
        get { recorder.sink }
        set { recorder.sink = newValue }
    }

    /// Our signed position.
    public var position: Quantity { positions.position }

    /// The mark price: the mid rounded to the tick grid, if the book is two-sided.
    public var markPrice: Price? { markTicks.map { Price(ticks: $0) } }

    /// Realised + unrealised (at the mid) − fees, in notional units; unrealised is zero without a book.
    public var netPnL: Int128 {
        guard let mark = markPrice else { return positions.realisedPnL - positions.feesPaid }
        return positions.netPnL(mark: mark)
    }

    /// The earliest future time at which a timer (lockout, breaker cooldown) ends: when a
    /// virtual-time loop should call ``tick(at:)`` next.
    public var nextTimerTime: Timestamp? {
        var earliest = orderManager.nextLockoutEndInPlace(after: now)
        if let end = risk.breakerCooldownEnd, end > now { earliest = earliest.map { min($0, end) } ?? end }
        let tomorrow = now.startOfUTCDay + 86_400_000_000_000
        if configuration.risk.dailyLossLimitUSD != nil { earliest = earliest.map { min($0, tomorrow) } ?? tomorrow }
        return earliest
    }

    // MARK: Events

    /// Handles a market event at its receive time: updates the book (or shows the strategy a
    /// trade), requotes, and queues the resulting actions.
    public func handle(_ event: MarketEvent) {
        handle(event, at: event.receivedAt)
    }

    /// Handles a market event at `time` (the engine's clock; normally the event's receive time):
    /// ``apply(_:at:)`` then ``quoteAfterMarketUpdate()``.
    public func handle(_ event: MarketEvent, at time: Timestamp) {
        apply(event, at: time)
        quoteAfterMarketUpdate()
    }

    /// Applies a market event without asking the strategy yet: the book takes a level change or a
    /// snapshot, the strategy sees a trade.
    ///
    /// For the events of one feed message (a Lighter book update carries every level that changed
    /// at one instant; a backtest groups the events of one instant): apply them all, then call
    /// ``quoteAfterMarketUpdate()`` once, so the strategy quotes on the whole message and never on
    /// a half-applied book (which can look crossed or gapped in between).
    public func apply(_ event: MarketEvent, at time: Timestamp) {
        advance(to: time)
        counters.marketEvents += 1
        switch event {
        case .trade(let trade):
            storedStrategy.observe(trade: trade)
            if quoteDependencies.readsTrades { lastQuote = nil }
        case .bookSnapshot, .bookDelta:
            bookChangedSinceQuote = true
            let (bid, ask) = quoting.apply(event)
            if bid != bestBidTicks || ask != bestAskTicks {
                bestBidTicks = bid
                bestAskTicks = ask
                if let bid, let ask {
                    // As `OrderBook.midTicks`, rounded half to even.
                    markTicks = Int64(FastRounding.nearestEven((Double(bid) + Double(ask)) * 0.5))
                } else {
                    markTicks = nil
                }
            }
        }
    }

    /// Asks the strategy for targets and reconciles orders, if the book changed since the last
    /// time (``apply(_:at:)``); does nothing otherwise.
    public func quoteAfterMarketUpdate() {
        guard bookChangedSinceQuote else { return }
        bookChangedSinceQuote = false
        counters.marketUpdates += 1
        requote()
    }

    /// Handles a venue event: updates orders, positions, PnL and risk, and queues follow-up actions
    /// (``apply(_:)-(ExecutionEvent)`` then ``reconcileAfterExecutionEvents()``).
    public func handle(_ event: ExecutionEvent) {
        apply(event)
        reconcileAfterExecutionEvents()
    }

    /// Applies a venue event (orders, positions, PnL, risk; a breaker trip or a daily-loss halt
    /// cancels at once) without comparing the orders with the targets yet.
    ///
    /// For the events the venue reports together (the answers to one batch, a fill and its
    /// position update): apply them all, then call ``reconcileAfterExecutionEvents()`` once, so
    /// the orders are compared with the targets on the venue's whole answer.
    public func apply(_ event: ExecutionEvent) {
        advance(to: event.time)
        counters.executionEvents += 1
        quietReconcile = nil
        executionEventsSinceReconcile = true
        let outcome = orderManager.apply(event, at: now)
        switch outcome {
        case .unknown:
            counters.unknownOrderEvents += 1
            recorder.record(
                Decision(
                    time: now, marketID: spec.marketID, side: nil, kind: .unknownOrder, orderID: event.orderID,
                    reason: .unknownOrderID))
        case .late:
            counters.lateOrderEvents += 1
        case .applied, .notAboutAnOrder:
            break
        }
        switch event {
        case .fill(let fill):
            counters.fills += 1
            positions.apply(fill)
            risk.recordSuccess()
            checkDailyLoss()
        case .accepted, .modified:
            risk.recordSuccess()
        case .canceled(_, let reason, _):
            if reason == .requested { risk.recordSuccess() }
        case .rejected(let id, let code, _, _):
            counters.rejects += 1
            if outcome != .late {
                recorder.record(
                    Decision(
                        time: now, marketID: spec.marketID, side: nil, kind: .reject, orderID: id,
                        reason: .venueReject(code: code)))
                if risk.recordReject(at: now) {
                    recorder.record(
                        Decision(
                            time: now, marketID: spec.marketID, side: nil, kind: .halt,
                            reason: .circuitBreaker(consecutiveRejects: risk.consecutiveRejects)))
                    orderManager.cancelAll(
                        at: now, reason: .circuitBreaker(consecutiveRejects: risk.consecutiveRejects),
                        recorder: &recorder, actions: &pendingActions)
                }
            }
        case .positionUpdate(let venuePosition, let averageEntry, _):
            if venuePosition != positions.position {
                counters.positionMismatches += 1
                recorder.record(
                    Decision(
                        time: now, marketID: spec.marketID, side: nil, kind: .positionMismatch,
                        reason: .positionDiffers(ours: positions.position, venue: venuePosition)))
                positions.reset(position: venuePosition, averageEntry: averageEntry)
            }
        case .balanceUpdate(let collateral, let available, _):
            collateralUSD = collateral
            availableUSD = available
        case .quotaUpdate:
            break
        }
        continueFlattening()
    }

    /// Compares the orders with the targets if venue events were applied since the last time
    /// (``apply(_:)-(ExecutionEvent)``); does nothing otherwise.
    public func reconcileAfterExecutionEvents() {
        guard executionEventsSinceReconcile else { return }
        executionEventsSinceReconcile = false
        reconcileOrders()
    }

    /// Advances the engine's time to `time` and acts on timers: lockouts that ended, the breaker's
    /// cooldown, the UTC day boundary, a pending flatten.
    public func tick(at time: Timestamp) {
        advance(to: time)
        quietReconcile = nil
        let stuck = orderManager.flagStuckSlots(at: now)
        if stuck > 0 {
            let reason = DecisionReason.inFlightTimeout(
                slots: stuck, timeoutMs: configuration.orderManager.inFlightTimeoutMs)
            if risk.tripBreaker(at: now) {
                recorder.record(Decision(time: now, marketID: spec.marketID, side: nil, kind: .halt, reason: reason))
                orderManager.cancelAll(at: now, reason: reason, recorder: &recorder, actions: &pendingActions)
            }
        }
        checkDailyLoss()
        continueFlattening()
        reconcileOrders()
    }

    // MARK: Operator and runner controls

    /// The kill switch: stops quoting, cancels every order of ours, and with `flatten` closes the
    /// position with reduce-only immediate-or-cancel orders (repeated until flat). Stays on until
    /// ``resume(at:)``.
    public func kill(flatten: Bool, at time: Timestamp) {
        advance(to: time)
        quietReconcile = nil
        risk.kill()
        recorder.record(Decision(time: now, marketID: spec.marketID, side: nil, kind: .halt, reason: .killSwitch))
        orderManager.cancelAll(at: now, reason: .killSwitch, recorder: &recorder, actions: &pendingActions)
        isFlattening = flatten
        continueFlattening()
    }

    /// Cancels every order of ours in the market (including ones a previous run left behind: call it
    /// at start-up), without stopping quoting: slots are quoted again once their cancels are answered.
    public func cancelAllOrders(at time: Timestamp) {
        advance(to: time)
        quietReconcile = nil
        orderManager.cancelAll(at: now, reason: .operatorCancelAll, recorder: &recorder, actions: &pendingActions)
    }

    /// An operator resume: lifts the kill switch and a daily-loss halt, stops flattening, and quotes
    /// again at the next update (a tripped breaker still needs its cooldown and reconciliation).
    public func resume(at time: Timestamp) {
        advance(to: time)
        quietReconcile = nil
        risk.operatorResume()
        isFlattening = false
        recorder.record(
            Decision(time: now, marketID: spec.marketID, side: nil, kind: .resume, reason: .operatorResume))
        reconcileOrders()
    }

    /// Reports that our orders and position were reconciled with the venue (e.g. open orders and
    /// position fetched over REST after a disconnect or a breaker trip). Lets a tripped breaker
    /// resume once its cooldown is over.
    ///
    /// - Parameters:
    ///   - openOrders: the ids the venue reports open; slots whose order is missing become idle. Pass
    ///     `nil` to keep the slots as they are.
    ///   - time: the engine's time.
    public func markReconciled(openOrders: [ClientOrderID]?, at time: Timestamp) {
        advance(to: time)
        quietReconcile = nil
        if let open = openOrders { orderManager.reconcile(openOrders: open) }
        risk.markReconciled()
        reconcileOrders()
    }

    // MARK: Actions out

    /// Moves the pending actions into `actions` (appending) and clears them.
    public func takePendingActions(into actions: inout [OrderAction]) {
        counters.actions += pendingActions.count
        actions.append(contentsOf: pendingActions)
        pendingActions.removeAll(keepingCapacity: true)
    }

    /// Submits the pending actions to `venue` at the engine's time and clears them.
    ///
    /// The venue must copy what it keeps (not hold on to the array), so the buffer is reused.
    public func submitPendingActions(to venue: some Venue) {
        guard !pendingActions.isEmpty else { return }
        counters.actions += pendingActions.count
        venue.submit(pendingActions, at: now)
        pendingActions.removeAll(keepingCapacity: true)
    }

    /// One step of a runner loop: submits pending actions, drains the venue's events up to `time`,
    /// handles them (submitting the actions they cause), and ticks timers at `time`.
    public func pump(_ venue: some Venue, upTo time: Timestamp) {
        submitPendingActions(to: venue)
        executionBuffer.removeAll(keepingCapacity: true)
        venue.drainEvents(upTo: time, into: &executionBuffer)
        for event in executionBuffer { apply(event) }
        reconcileAfterExecutionEvents()
        tick(at: time)
        submitPendingActions(to: venue)
    }

    // MARK: Internals

    private func advance(to time: Timestamp) {
        if time > now { now = time }
    }

    /// Asks the strategy for targets and reconciles orders with them.
    ///
    /// An empty or one-sided book withdraws our quotes (there is no reference price). A locked or
    /// crossed book is treated as a transient inconsistency: orders are held as they are until the
    /// book is consistent again (the feed resyncs a book that stays crossed).
    ///
    /// Unless ``EngineConfiguration/requotesEveryUpdate`` is set, two shortcuts give the same
    /// decisions for less work: the strategy is not asked again when nothing its quote reads changed
    /// (``QuoteDependencies``; its previous targets stand), and the orders are not compared with the
    /// targets again when the targets, the position and limits are those of a comparison that changed
    /// nothing (no action, nothing recorded) and no timer has ended since. Such a comparison would
    /// change nothing again: the same slots, targets and risk state give the same holds, each dropped
    /// as a repeat (the skipped repeats are still counted in ``suppressedRepeatDecisions``).
    private func requote() {
        guard let mark = markPrice else {
            lastQuote = nil
            quietReconcile = nil
            quoting.targets.removeAll()
            quoting.targets.suppressAll(because: .bookNotReady)
            reconcileOrders()
            return
        }
        if let bid = bestBidTicks, let ask = bestAskTicks, bid >= ask {
            recorder.record(
                Decision(time: now, marketID: spec.marketID, side: nil, kind: .hold, reason: .bookNotReady))
            return
        }
        let recordedBefore = recorder.log.totalRecorded
        let actionsBefore = pendingActions.count
        let capital = configuration.sizing.capitalUSD ?? collateralUSD
        if let sized = sizedFor, sized.mark == mark, sized.capital == capital {
            // Same mid and capital: same size and limit.
        } else {
            orderSize = configuration.sizing.orderSize(spec: spec, mid: mark, capitalUSD: capital)
            positionLimit = risk.positionLimit(
                spec: spec, mid: mark, orderSize: orderSize ?? spec.minimumQuantity(at: mark), capitalUSD: capital)
            sizedFor = (mark, capital)
        }
        checkDailyLoss()
        let skipping = !configuration.requotesEveryUpdate
        var targetsUnchanged = false
        if let size = orderSize, let limit = positionLimit {
            quoting.input.now = now
            quoting.input.position = positions.position
            quoting.input.maxPosition = limit
            quoting.input.orderSize = size
            var stamp: QuoteStamp?
            if skipping && quoteDependencies.readsOnlyBestPrices {
                stamp = QuoteStamp(
                    bestBid: bestBidTicks ?? .min, bestAsk: bestAskTicks ?? .min,
                    step: quoteDependencies.clockStepNanos.map { now.nanoseconds / $0 } ?? 0,
                    position: positions.position, maxPosition: limit, orderSize: size, externalAlpha: quoting.input.externalAlpha)
            }
            if let stamp, let last = lastQuote, stamp == last {
                counters.skippedQuotes += 1
                targetsUnchanged = true
            } else {
                quoting.quote(with: &storedStrategy)
                lastQuote = stamp
                targetsUnchanged = skipping && quoting.targetsUnchanged()
            }
        } else {
            lastQuote = nil
            quoting.targets.removeAll()
        }
        guard skipping else {
            reconcileOrders()
            return
        }
        let key = QuietReconcile.Key(position: positions.position, limit: positionLimit, orderSize: orderSize)
        if targetsUnchanged, let quiet = quietReconcile, quiet.key == key, now < quiet.until,
            recorder.log.totalRecorded == recordedBefore, pendingActions.count == actionsBefore
        {
            counters.skippedReconciles += 1
            recorder.countSuppressedRepeats(quiet.suppressedRepeats)
            return
        }
        let suppressedBefore = recorder.suppressedRepeats
        let recordedBeforeReconcile = recorder.log.totalRecorded
        let actionsBeforeReconcile = pendingActions.count
        reconcileOrders()
        if recorder.log.totalRecorded == recordedBeforeReconcile && pendingActions.count == actionsBeforeReconcile
            && !recorder.recordRepeatedHolds
        {
            quietReconcile = QuietReconcile(
                key: key, until: nextTimerTime ?? Timestamp(nanoseconds: .max),
                suppressedRepeats: recorder.suppressedRepeats - suppressedBefore)
        } else {
            quietReconcile = nil
        }
    }

    /// What a strategy declares it reads (``QuoteDependencyDeclaring``), else everything.
    private static func dependencies(of strategy: Strategy) -> QuoteDependencies {
        (strategy as? any QuoteDependencyDeclaring)?.quoteDependencies ?? .everyUpdate
    }

    /// Compares the latest targets with our orders under the current risk state.
    private func reconcileOrders() {
        executionEventsSinceReconcile = false
        if risk.resumeBreakerIfReady(at: now) {
            recorder.record(Decision(time: now, marketID: spec.marketID, side: nil, kind: .resume, reason: .reconciled))
        }
        var buyBlock: DecisionReason?
        var sellBlock: DecisionReason?
        let limit = positionLimit ?? .zero
        if let block = risk.blockReason(at: now, spec: spec) {
            buyBlock = block
            sellBlock = block
        } else if orderSize == nil || positionLimit == nil {
            let reason: DecisionReason = markPrice == nil ? .bookNotReady : .capitalUnknown
            buyBlock = reason
            sellBlock = reason
        } else {
            if positions.position.lots >= limit.lots { buyBlock = .noQuote(.positionLimit) }
            if -positions.position.lots >= limit.lots { sellBlock = .noQuote(.positionLimit) }
        }
        quoting.compare(
            &orderManager, buySuppressed: buyBlock, sellSuppressed: sellBlock, at: now, position: positions.position,
            limit: limit, risk: risk, recorder: &recorder, actions: &pendingActions)
    }

    /// Updates the daily PnL window; halts and cancels on a breach.
    private func checkDailyLoss() {
        guard configuration.risk.dailyLossLimitUSD != nil else { return }
        switch risk.updateDailyPnL(net: netPnL, at: now, limitUnits: dailyLossLimitUnits) {
        case .breached(let pnl, let limit)?:
            let reason = DecisionReason.dailyLossLimit(pnl: pnl, limit: limit)
            recorder.record(Decision(time: now, marketID: spec.marketID, side: nil, kind: .halt, reason: reason))
            orderManager.cancelAll(at: now, reason: reason, recorder: &recorder, actions: &pendingActions)
        case .newDay?:
            recorder.record(
                Decision(time: now, marketID: spec.marketID, side: nil, kind: .resume, reason: .newTradingDay))
        case nil:
            break
        }
    }

    /// While flattening: if a position remains and no flatten order is out, sends one.
    private func continueFlattening() {
        guard isFlattening else { return }
        let current = positions.position
        guard !current.isZero else {
            isFlattening = false
            return
        }
        guard !orderManager.hasFlattenOrder, now >= orderManager.flattenRetryAt else { return }
        let side: Side = current.lots > 0 ? .sell : .buy
        let size = Quantity(lots: current.lots.magnitude > UInt64(Int64.max) ? Int64.max : abs(current.lots))
        let slippage = configuration.risk.flattenSlippageBps / 10_000
        let price: Price
        if side == .sell, let bid = bestBidTicks {
            price = spec.priceRoundedDown(spec.double(Price(ticks: bid)) * (1 - slippage))
        } else if side == .buy, let ask = bestAskTicks {
            price = spec.priceRoundedUp(spec.double(Price(ticks: ask)) * (1 + slippage))
        } else {
            recorder.record(
                Decision(
                    time: now, marketID: spec.marketID, side: side, kind: .veto, toSize: size, reason: .bookNotReady,
                    vetoedAction: .flatten))
            return
        }
        switch risk.checkReduceOnly(price: price, size: size, spec: spec) {
        case .allow, .shrink:
            orderManager.placeFlatten(
                side: side, price: price, size: size, at: now, position: current, recorder: &recorder,
                actions: &pendingActions)
        case .veto(let reason):
            recorder.record(
                Decision(
                    time: now, marketID: spec.marketID, side: side, kind: .veto, toPrice: price, toSize: size,
                    reason: reason, vetoedAction: .flatten))
            isFlattening = false
        }
    }
}

/// What a strategy was shown at a quote, reduced to what its ``QuoteDependencies`` say it reads.
private struct QuoteStamp: Equatable {
    var bestBid: Int64
    var bestAsk: Int64
    var step: Int64
    var position: Quantity
    var maxPosition: Quantity
    var orderSize: Quantity
    var externalAlpha: ExternalAlpha?
}

/// An order comparison that changed nothing: its inputs besides the targets, until when no timer
/// can change its outcome, and how many repeated decisions it dropped.
private struct QuietReconcile {
    struct Key: Equatable {
        var position: Quantity
        var limit: Quantity?
        var orderSize: Quantity?
    }
    var key: Key
    var until: Timestamp
    var suppressedRepeats: Int
}

/// The strategy's input and targets. Its methods are `mutating` so that the engine reaches them
/// through one exclusive access, with no copy of the book or the targets.
private struct QuoteState {
    var input: QuoteInput
    var targets: QuoteTargets
    /// The targets before the latest quote (swapped with ``targets`` on every quote).
    var previousTargets: QuoteTargets

    init(input: QuoteInput, levels: Int) {
        self.input = input
        targets = QuoteTargets(levels: levels)
        previousTargets = QuoteTargets(levels: levels)
    }

    /// Applies a book event; returns the best bid and ask prices in ticks.
    mutating func apply(_ event: MarketEvent) -> (bid: Int64?, ask: Int64?) {
        input.book.apply(event)
        return (input.book.bestBid?.price.ticks, input.book.bestAsk?.price.ticks)
    }

    /// Compares `orders` with the targets (``OrderManager/update(targets:buySuppressed:sellSuppressed:at:position:limit:risk:recorder:actions:)``)
    /// through this value's exclusive access, so the targets' arrays are not retained for the call.
    mutating func compare(
        _ orders: inout OrderManager, buySuppressed: DecisionReason?, sellSuppressed: DecisionReason?,
        at now: Timestamp, position: Quantity, limit: Quantity, risk: Risk, recorder: inout DecisionRecorder,
        actions: inout [OrderAction]
    ) {
        orders.update(
            targets: targets, buySuppressed: buySuppressed, sellSuppressed: sellSuppressed, at: now, position: position,
            limit: limit, risk: risk, recorder: &recorder, actions: &actions)
    }

    /// Asks the strategy for new targets (the old ones become ``previousTargets``).
    mutating func quote(with strategy: inout some QuoteStrategy) {
        swap(&targets, &previousTargets)
        targets.removeAll()
        strategy.quote(input, into: &targets)
    }

    /// Whether the targets ask for the same orders for the same reasons as before the latest quote
    /// (what the order manager reads: levels, no-quote reasons and the alpha note; not the model's
    /// fair price and spread).
    mutating func targetsUnchanged() -> Bool {
        targets.bids == previousTargets.bids && targets.asks == previousTargets.asks
            && targets.bidReason == previousTargets.bidReason && targets.askReason == previousTargets.askReason
            && targets.alpha == previousTargets.alpha
    }
}

extension OrderManager {
    /// ``nextLockoutEnd(after:)`` through an exclusive access, so the engine does not copy the
    /// order manager to ask.
    fileprivate mutating func nextLockoutEndInPlace(after now: Timestamp) -> Timestamp? {
        nextLockoutEnd(after: now)
    }
}
