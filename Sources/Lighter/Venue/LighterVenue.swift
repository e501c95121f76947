import Foundation
import LighterCrypto
import Logging
import MarketCore
import Synchronization
import Trading

/// The engine's ``Venue`` on a real Lighter server (mainnet, testnet or the sandbox): order actions
/// become signed transactions sent by a background task, and the account's order updates from the
/// WebSocket become ``ExecutionEvent``s.
///
/// `submit` never blocks: actions are queued and a sender task signs and sends them (one
/// `sendTx`, or `sendTxBatch` when several are queued). Rejections (code and message) and the
/// order updates the runner forwards with ``handle(_:)`` are queued for ``drainEvents(upTo:into:)``;
/// ``eventsAvailable`` yields whenever something was queued.
///
/// Client order indices are the engine's ``ClientOrderID``s; orders are limit orders with a
/// 28-day expiry (post-only unless the request says otherwise); a modify carries the new
/// remaining size; cancels go by client order index; cancel-all is immediate.
///
/// What the account channels become:
/// - `account_all_orders` / `account_orders`: acknowledgements, modifies and cancels (and fills from
///   the growth of the filled amount, fee unknown, until an `account_all` message has been seen).
/// - `account_all`: fills from the account's trades (exact size, price, trade id and fee: the trade's
///   `maker_fee`/`taker_fee` rate applied to the notional), each followed by the exchange's position
///   in the market (``ExecutionEvent/positionUpdate(position:averageEntry:time:)``, after the fills
///   of the same message). An order the order channel reports finished waits for its trades
///   (``Configuration/tradeWaitNanoseconds``) before it is reported done; after that the missing
///   fill is taken from the order's filled amount.
/// - `user_stats`: ``ExecutionEvent/balanceUpdate(collateral:available:time:)`` when it changes.
/// - `.disconnected` / `.connected`: see ``supervise(_:at:)``.
///
/// A cancel or modify refused because the order is no longer active (21600, 21709, 21715) while
/// the order is known to have filled or been cancelled is a benign race, not a reject: it is
/// dropped (counted in ``benignRaces``). If the order's end has not been seen yet, the refusal
/// waits up to ``Configuration/raceWaitNanoseconds`` for it.
public final class LighterVenue: Venue, Sendable {
    /// What the venue trades and as whom.
    public struct Configuration: Sendable {
        /// The chain the transactions are signed for.
        public var chain: LighterChain
        /// The account.
        public var accountIndex: Int64
        /// The API key that signs.
        public var apiKeyIndex: UInt8
        /// The market traded.
        public var spec: MarketSpec
        /// How long placed orders live, milliseconds (28 days).
        public var orderLifetimeMilliseconds: Int64
        /// The dead-man's switch: the scheduled cancel-all is kept this far ahead (milliseconds;
        /// Lighter accepts 5 minutes … 15 days), renewed every third of it. `nil`: off. It cancels
        /// every order of the account, so only one venue of an account should arm it.
        public var deadMansSwitchMilliseconds: Int64?
        /// How long a finished order waits for its trades on `account_all` before the missing fill
        /// is taken from the order channel (fee unknown), nanoseconds.
        public var tradeWaitNanoseconds: Int64
        /// How long a "not active" refusal of a cancel or modify waits for the order's end to show
        /// on the stream before it counts as a reject, nanoseconds.
        public var raceWaitNanoseconds: Int64
        /// The least time between two resynchronisation attempts after a reconnect, nanoseconds.
        public var resyncRetryNanoseconds: Int64
        /// Quota recovery by small IOC pairs (``recoverQuotaIfNeeded(bestBid:bestAsk:at:)``); `nil`: off.
        public var quotaRecovery: QuotaRecovery?
        /// How often ``supervise(_:at:)`` sweeps the exchange's open orders for ones the engine does
        /// not know and cancels them (nothing is adopted), nanoseconds; `nil`: only after reconnects
        /// and circuit-breaker trips.
        public var reconcileIntervalNanoseconds: Int64?

        /// A configuration for one market.
        public init(
            chain: LighterChain, accountIndex: Int64, apiKeyIndex: UInt8, spec: MarketSpec,
            orderLifetimeMilliseconds: Int64 = OrderInfo.defaultExpiryPeriodMilliseconds,
            deadMansSwitchMilliseconds: Int64? = nil, tradeWaitNanoseconds: Int64 = 2_000_000_000,
            raceWaitNanoseconds: Int64 = 3_000_000_000, resyncRetryNanoseconds: Int64 = 1_000_000_000,
            quotaRecovery: QuotaRecovery? = nil, reconcileIntervalNanoseconds: Int64? = 60_000_000_000
        ) {
            self.quotaRecovery = quotaRecovery
            self.reconcileIntervalNanoseconds = reconcileIntervalNanoseconds.flatMap { $0 > 0 ? $0 : nil }
            self.chain = chain
            self.accountIndex = accountIndex
            self.apiKeyIndex = apiKeyIndex
            self.spec = spec
            self.orderLifetimeMilliseconds = orderLifetimeMilliseconds
            self.deadMansSwitchMilliseconds = deadMansSwitchMilliseconds.flatMap { $0 > 0 ? $0 : nil }
            self.tradeWaitNanoseconds = tradeWaitNanoseconds
            self.raceWaitNanoseconds = raceWaitNanoseconds
            self.resyncRetryNanoseconds = resyncRetryNanoseconds
        }
    }

    /// How an order ended on the exchange.
    enum Ending: Hashable {
        case filled
        case canceled(CancelReason)
    }

    /// What the venue last saw of one of our orders on the stream.
    struct TrackedOrder {
        var acknowledged = false
        var price: Price
        /// Remaining size per the order channel (or as placed).
        var remaining: Quantity
        /// Filled plus remaining: the order's size after modifies.
        var total: Quantity
        /// Filled size per the order channel.
        var exchangeFilled: Quantity = .zero
        /// Filled size per the account's trades.
        var tradeFilled: Quantity = .zero
        /// Filled size reported as fills.
        var reported: Quantity = .zero
        var side: Side
        /// The end the exchange reported, not yet passed on (fills still missing).
        var ending: Ending?
        /// Since when the order channel shows more filled than the trades did.
        var lagSince: Timestamp?
    }

    /// A refusal held back because it may be a benign race with a fill or cancel.
    struct HeldReject {
        var event: ExecutionEvent
        var deadline: Timestamp
    }

    /// What the venue knows about the stream and the engine it paused.
    struct StreamLink {
        var isDown = false
        var disconnects = 0
        var needsResync = false
        var enginePaused = false
        var ownsKill = false
        var lastResyncAttempt: Timestamp?
        var resyncs = 0
        /// When the last periodic sweep or breaker reconcile started.
        var lastReconcile: Timestamp?
        /// Breaker trips answered with a reconcile.
        var breakerReconciles = 0
        /// Periodic sweeps done, and the unknown orders they cancelled.
        var sweeps = 0
        var sweptOrders = 0
    }

    /// The dead-man's switch.
    struct DeadMansSwitch {
        var armedUntilMilliseconds: Int64?
        var nextRenewal: Timestamp?
        var disarmed = false
        var renewals = 0
    }

    struct State {
        var outbox: [OrderAction] = []
        var events: [ExecutionEvent] = []
        var orders: [Int64: TrackedOrder] = [:]
        var transactionsSent = 0
        var batchesSent = 0
        var places = 0
        var modifies = 0
        var cancels = 0
        /// Whether fills come from `account_all` trades (once such a message was seen).
        var fillsFromTrades = false
        /// (trade id, client order index) pairs already applied, oldest first for eviction.
        var seenTrades: Set<SeenTrade> = []
        var seenTradeOrder: [SeenTrade] = []
        /// Client order indexes of orders that ended recently.
        var finished: Set<Int64> = []
        var finishedOrder: [Int64] = []
        var heldRejects: [Int64: HeldReject] = [:]
        var benignRaces = 0
        var lastBalance: LighterUserStats?
        var link = StreamLink()
        var deadMansSwitch = DeadMansSwitch()
        var quotaRemaining: Int64?
        var recovery = QuotaRecoveryState()
        /// Places reported rejected because their batch failed (an earlier part of a batch may have
        /// executed): if one shows up open, it is cancelled, not adopted.
        var disowned: Set<Int64> = []
        var disownedCancelled: Set<Int64> = []
        var disownedCleanups = 0
    }

    struct SeenTrade: Hashable {
        var tradeID: Int64
        var clientOrderIndex: Int64
    }

    /// The settings.
    public let configuration: Configuration
    let key: PrivateKey
    let rest: LighterRESTClient
    let sender: TransactionSender
    let clock: any TradingClock
    let logger: Logger
    let state = Mutex(State())
    let wakeSender: AsyncStream<Void>.Continuation
    private let senderSignals: AsyncStream<Void>
    let eventSignal: AsyncStream<Void>.Continuation
    /// Yields (coalesced) whenever events were queued for ``drainEvents(upTo:into:)``.
    public let eventsAvailable: AsyncStream<Void>

    /// A venue (call ``runSender()`` in a task to start sending).
    ///
    /// - Parameters:
    ///   - configuration: chain, account, key index and market.
    ///   - privateKey: the API key's private key (never logged).
    ///   - rest: the REST client (sends, active orders).
    ///   - sender: the nonce-managing sender for the same account and key.
    public init(
        configuration: Configuration, privateKey: PrivateKey, rest: LighterRESTClient, sender: TransactionSender,
        clock: any TradingClock = LiveClock(), logger: Logger = Logger(label: "lighter.venue")
    ) {
        self.configuration = configuration
        self.key = privateKey
        self.rest = rest
        self.sender = sender
        self.clock = clock
        self.logger = logger
        (senderSignals, wakeSender) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let (events, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.eventsAvailable = events
        self.eventSignal = continuation
    }

    deinit {
        wakeSender.finish()
        eventSignal.finish()
    }

    // MARK: Venue

    /// Queues `actions` for the sender task; returns at once.
    public func submit(_ actions: [OrderAction], at time: Timestamp) {
        guard !actions.isEmpty else { return }
        state.withLock { state in
            for action in actions {
                switch action {
                case .place(let request):
                    state.places += 1
                    state.orders[request.id.rawValue] = TrackedOrder(
                        price: request.price, remaining: request.size, total: request.size, side: request.side)
                case .modify: state.modifies += 1
                case .cancel, .cancelAll: state.cancels += 1
                }
            }
            state.outbox.append(contentsOf: actions)
        }
        wakeSender.yield()
    }

    /// Moves every queued event into `events` (a live venue has no future events; `time` is ignored).
    public func drainEvents(upTo time: Timestamp, into events: inout [ExecutionEvent]) {
        let now = clock.now
        let queued = state.withLock { state -> [ExecutionEvent] in
            Self.checkTimers(&state, at: now, configuration: configuration, logger: logger)
            defer { state.events.removeAll(keepingCapacity: true) }
            return state.events
        }
        events.append(contentsOf: queued)
    }

    /// Transactions sent so far (singly or in batches) and the number of batches.
    public var sendCounts: (transactions: Int, batches: Int) {
        state.withLock { ($0.transactionsSent, $0.batchesSent) }
    }

    /// Actions submitted so far: places, modifies, and cancels (single or all).
    public var actionCounts: (places: Int, modifies: Int, cancels: Int) {
        state.withLock { ($0.places, $0.modifies, $0.cancels) }
    }

    /// Cancels and modifies refused because the order had just filled or been cancelled (not
    /// reported as rejects).
    public var benignRaces: Int { state.withLock { $0.benignRaces } }

    // MARK: Sending

    /// Sends queued actions until the task is cancelled; with the dead-man's switch configured,
    /// also arms it at once and renews it every third of its period (a ticker wakes the loop).
    public func runSender() async {
        await withTaskGroup(of: Void.self) { group in
            if let period = configuration.deadMansSwitchMilliseconds {
                let wake = wakeSender
                // Wake at least six times per renewal interval, at most once per 200 ms… 1 s.
                let tick = UInt64(min(1_000, max(200, period / 18))) * 1_000_000
                wake.yield()
                group.addTask {
                    while !Task.isCancelled {
                        do { try await Task.sleep(nanoseconds: tick) } catch { return }
                        wake.yield()
                    }
                }
            }
            for await _ in senderSignals {
                if Task.isCancelled { break }
                await renewDeadMansSwitchIfDue()
                await sendQueued()
            }
            group.cancelAll()
        }
    }

    /// Sends whatever is queued now (also used by ``runSender()``).
    public func sendQueued() async {
        while true {
            let actions = state.withLock { state -> [OrderAction] in
                let taken = Array(state.outbox.prefix(50))
                state.outbox.removeFirst(taken.count)
                return taken
            }
            if actions.isEmpty { return }
            await send(actions)
        }
    }

    private func send(_ actions: [OrderAction]) async {
        let now = clock.now
        let bodies = actions.map { body(for: $0, nowMilliseconds: now.milliseconds) }
        let chain = configuration.chain
        let key = self.key
        let isCancel = actions.allSatisfy { if case .place = $0 { false } else if case .modify = $0 { false } else { true } }
        do {
            if bodies.count == 1 {
                let body = bodies[0]
                let reply = try await sender.send(isCancel: isCancel) { slot in
                    EncodedTransaction(try Self.sign(body, slot: slot, chain: chain, key: key, now: now))
                }
                state.withLock { $0.transactionsSent += 1 }
                if reply.code != 200 { reject(actions, code: reply.code, message: reply.message ?? "rejected") }
                reportQuota(reply.volumeQuotaRemaining)
            } else {
                let reply = try await sender.sendBatch(count: bodies.count, isCancel: isCancel) { index, slot in
                    EncodedTransaction(try Self.sign(bodies[index], slot: slot, chain: chain, key: key, now: now))
                }
                state.withLock {
                    $0.transactionsSent += bodies.count
                    $0.batchesSent += 1
                }
                if reply.code != 200 { reject(actions, code: reply.code, message: reply.message ?? "rejected") }
                reportQuota(reply.volumeQuotaRemaining)
            }
        } catch {
            let code = error.apiError?.code.rawValue ?? -1
            let message = error.apiError?.message ?? error.description
            logger.warning("Lighter venue: \(actions.count) transaction(s) not accepted: \(code) \(message)")
            reject(actions, code: code, message: message)
        }
    }

    private func reportQuota(_ remaining: Int64?) {
        guard let remaining else { return }
        let time = clock.now
        state.withLock { state in
            state.quotaRemaining = remaining
            state.events.append(.quotaUpdate(remaining: Int(clamping: remaining), time: time))
        }
        eventSignal.yield()
    }

    static func sign(
        _ body: TransactionBody, slot: TransactionSlot, chain: LighterChain, key: PrivateKey, now: Timestamp
    ) throws -> SignedTransaction {
        let envelope = TxEnvelope(
            chain: chain, accountIndex: slot.accountIndex, apiKeyIndex: slot.apiKeyIndex, nonce: slot.nonce,
            nowMilliseconds: now.milliseconds)
        return try Transaction(body, envelope: envelope).signed(with: key)
    }

    /// The transaction body of one action.
    func body(for action: OrderAction, nowMilliseconds: Int64) -> TransactionBody {
        let market = Int64(configuration.spec.marketID)
        switch action {
        case .place(let request):
            let timeInForce: TxTimeInForce =
                switch request.timeInForce {
                case .postOnly: .postOnly
                case .goodTillTime: .goodTillTime
                case .immediateOrCancel: .immediateOrCancel
                }
            return .createOrder(
                OrderInfo(
                    marketIndex: market, clientOrderIndex: request.id.rawValue, baseAmount: request.size.lots,
                    price: UInt32(clamping: request.price.ticks), isAsk: request.side == .sell,
                    type: request.type == .market ? .market : .limit, timeInForce: timeInForce,
                    reduceOnly: request.reduceOnly,
                    orderExpiry: request.timeInForce == .immediateOrCancel
                        ? 0 : nowMilliseconds + configuration.orderLifetimeMilliseconds))
        case .modify(let id, let price, let size):
            return .modifyOrder(
                ModifyOrderTx(
                    marketIndex: market, index: id.rawValue, baseAmount: size.lots, price: UInt32(clamping: price.ticks)))
        case .cancel(let id):
            return .cancelOrder(CancelOrderTx(marketIndex: market, index: id.rawValue))
        case .cancelAll:
            return .cancelAllOrders(.immediate)
        }
    }

    private func reject(_ actions: [OrderAction], code: Int, message: String) {
        let time = clock.now
        let notActive = LighterErrorCode(rawValue: code).isOrderAlreadyInactive
        let raceWait = configuration.raceWaitNanoseconds
        state.withLock { state in
            for action in actions {
                let event = ExecutionEvent.rejected(id: action.orderID, code: code, message: message, time: time)
                switch action {
                case .cancel(let id) where state.disownedCancelled.contains(id.rawValue):
                    // Our own clean-up cancel of a disowned order: not the engine's business.
                    if notActive { state.disownedCancelled.remove(id.rawValue) } else { state.disowned.insert(id.rawValue) }
                    continue
                case .cancel(let id), .modify(let id, _, _):
                    if notActive {
                        if state.finished.contains(id.rawValue) || state.orders[id.rawValue]?.ending != nil {
                            state.benignRaces += 1
                        } else {
                            state.heldRejects[id.rawValue] = HeldReject(event: event, deadline: time + raceWait)
                        }
                        continue
                    }
                case .place(let request):
                    // A failed batch may have executed its first part: a place the stream already
                    // showed open exists, so it stays ours; one not seen yet is disowned.
                    if actions.count > 1, state.orders[request.id.rawValue]?.acknowledged == true { continue }
                    state.orders[request.id.rawValue] = nil
                    if actions.count > 1 { state.disowned.insert(request.id.rawValue) }
                    if state.recovery.ids.contains(request.id.rawValue) {
                        Self.finishRecoveryLeg(&state)
                        continue
                    }
                case .cancelAll:
                    break
                }
                state.events.append(event)
            }
        }
        eventSignal.yield()
    }

    // MARK: Stream

    /// Feeds a stream event: connection changes (see ``supervise(_:at:)``) and the account
    /// channels of this market (`account_all_orders`, `account_orders`, `account_all`,
    /// `user_stats`) become execution events. Other events are ignored.
    public func handle(_ event: LighterStreamEvent) {
        switch event {
        case .connected:
            state.withLock { state in
                if state.link.isDown { state.link.needsResync = true }
                state.link.isDown = false
            }
            eventSignal.yield()  // wakes an event-driven run loop to call `supervise` at once
        case .disconnected:
            state.withLock { state in
                state.link.isDown = true
                state.link.disconnects += 1
                state.link.needsResync = true
            }
            eventSignal.yield()  // wakes an event-driven run loop to call `supervise` at once
        case .message(let type, let channel, let json, let receivedAt):
            let kind = Self.accountChannelKind(type: type, channel: channel)
            guard kind != .none else { return }
            let message: LighterAccountMessage
            do { message = try LighterAccountMessage(json: json) } catch {
                logger.warning("Lighter venue: undecodable account message \(type): \(error)")
                return
            }
            apply(message, kind: kind, at: receivedAt)
        default:
            return
        }
    }

    /// Which account channel a message belongs to.
    enum AccountChannelKind {
        case none, orders, all, stats
    }

    static func accountChannelKind(type: String, channel: String?) -> AccountChannelKind {
        let name = channel.map { String($0.prefix { $0 != ":" && $0 != "/" }) } ?? ""
        switch name {
        case "account_all_orders", "account_orders": return .orders
        case "account_all", "account_market": return .all
        case "user_stats": return .stats
        default: break
        }
        if type.hasSuffix("account_all_orders") || type.hasSuffix("account_orders") { return .orders }
        if type.hasSuffix("account_all") || type == "update/account" || type.hasSuffix("account_market") { return .all }
        if type.hasSuffix("user_stats") { return .stats }
        return .none
    }

    /// Applies one decoded account message: orders, then trades (fills), then the position, then
    /// the balance.
    func apply(_ message: LighterAccountMessage, kind: AccountChannelKind, at time: Timestamp) {
        let spec = configuration.spec
        let account = configuration.accountIndex
        state.withLock { state in
            if kind == .all { state.fillsFromTrades = true }
            Self.applyOrders(message.orders, to: &state, spec: spec, at: time, logger: logger)
            if kind == .all {
                Self.applyTrades(message.trades, to: &state, spec: spec, account: account, at: time, logger: logger)
                for position in message.positions where position.marketID == spec.marketID {
                    guard let quantity = try? position.signedQuantity(sizeDecimals: spec.sizeDecimals) else {
                        logger.warning("Lighter venue: unreadable position '\(position.position)' in \(spec.symbol)")
                        continue
                    }
                    let entry = quantity.lots == 0 ? nil : position.avgEntryPrice.flatMap { try? spec.price($0) }
                    state.events.append(.positionUpdate(position: quantity, averageEntry: entry, time: time))
                }
            }
            if let stats = message.stats, stats != state.lastBalance {
                state.lastBalance = stats
                state.events.append(
                    .balanceUpdate(collateral: stats.collateral, available: stats.availableBalance, time: time))
            }
            Self.checkTimers(&state, at: time, configuration: configuration, logger: logger)
        }
        eventSignal.yield()
        wakeSender.yield()  // a clean-up cancel may have been queued
    }

    /// Orders that were reported rejected with a failed batch but showed up open, and were cancelled.
    public var disownedOrdersCancelled: Int { state.withLock { $0.disownedCleanups } }

    /// Turns order updates into execution events (fills from growth of the filled amount until
    /// `account_all` trades are the source of fills).
    public func apply(_ orders: [LighterOrder], at time: Timestamp) {
        let spec = configuration.spec
        state.withLock { state in
            Self.applyOrders(orders, to: &state, spec: spec, at: time, logger: logger)
        }
        eventSignal.yield()
        wakeSender.yield()
    }

    static func applyOrders(
        _ orders: [LighterOrder], to state: inout State, spec: MarketSpec, at time: Timestamp, logger: Logger
    ) {
        for order in orders where order.marketIndex == spec.marketID {
            if state.disowned.contains(order.clientOrderIndex) {
                // Reported rejected with its batch, yet placed: cancel it (nothing is adopted).
                state.disowned.remove(order.clientOrderIndex)
                if order.status == "open", let id = ClientOrderID(rawValue: order.clientOrderIndex) {
                    logger.warning("Lighter venue: order \(id) was reported rejected with its batch but is open; cancelling it")
                    state.disownedCancelled.insert(id.rawValue)
                    state.disownedCleanups += 1
                    state.outbox.append(.cancel(id: id))
                }
                continue
            }
            if state.recovery.ids.contains(order.clientOrderIndex) {
                if order.status == "filled" || order.status.hasPrefix("canceled") {
                    state.recovery.ids.remove(order.clientOrderIndex)
                    state.recovery.recentIDs.insert(order.clientOrderIndex)
                    if state.recovery.recentIDs.count > 1_000 { state.recovery.recentIDs.removeAll() }
                    finishRecoveryLeg(&state)
                }
                continue
            }
            guard let id = ClientOrderID(rawValue: order.clientOrderIndex), var tracked = state.orders[order.clientOrderIndex],
                tracked.ending == nil
            else { continue }
            guard let price = try? spec.price(order.price), let remaining = try? spec.quantity(order.remainingBaseAmount)
            else {
                logger.warning("Lighter venue: order \(id) has an unreadable price or size")
                continue
            }
            let initial = (try? spec.quantity(order.initialBaseAmount)) ?? remaining
            let filled =
                order.filledBaseAmount.flatMap { try? spec.quantity($0) } ?? Quantity(lots: initial.lots - remaining.lots)
            let status = order.status
            let newlyFilled = max(0, filled.lots - tracked.exchangeFilled.lots)
            if !tracked.acknowledged && (status == "open" || status == "filled" || status == "partially_filled") {
                tracked.acknowledged = true
                state.events.append(.accepted(id: id, exchangeOrderID: order.orderIndex, time: time))
            } else if status == "open" && (price != tracked.price || remaining.lots != tracked.remaining.lots - newlyFilled) {
                state.events.append(.modified(id: id, price: price, remaining: remaining, time: time))
            }
            tracked.price = price
            tracked.remaining = remaining
            tracked.total = Quantity(lots: max(filled.lots, tracked.exchangeFilled.lots) + remaining.lots)
            if filled.lots > tracked.exchangeFilled.lots { tracked.exchangeFilled = filled }
            if !state.fillsFromTrades {
                if tracked.exchangeFilled.lots > tracked.reported.lots {
                    let size = Quantity(lots: tracked.exchangeFilled.lots - tracked.reported.lots)
                    tracked.reported = tracked.exchangeFilled
                    state.events.append(
                        .fill(
                            Fill(
                                time: time, id: id, side: tracked.side, price: price, size: size, fee: 0, isMaker: true,
                                remaining: remaining)))
                }
            } else if tracked.exchangeFilled.lots > tracked.reported.lots && tracked.lagSince == nil {
                tracked.lagSince = time
            }
            if status == "filled" {
                tracked.ending = .filled
            } else if status.hasPrefix("canceled") {
                tracked.ending = .canceled(cancelReason(status))
            }
            settle(tracked, id: id, in: &state, at: time)
        }
    }

    static func applyTrades(
        _ trades: [LighterAccountTrade], to state: inout State, spec: MarketSpec, account: Int64, at time: Timestamp,
        logger: Logger
    ) {
        for trade in trades where trade.marketID == spec.marketID {
            let side: Side
            let clientIndex: Int64
            if trade.askAccountID == account {
                side = .sell
                clientIndex = trade.askClientID ?? 0
            } else if trade.bidAccountID == account {
                side = .buy
                clientIndex = trade.bidClientID ?? 0
            } else {
                continue
            }
            let key = SeenTrade(tradeID: trade.tradeID, clientOrderIndex: clientIndex)
            guard !state.seenTrades.contains(key) else { continue }
            state.seenTrades.insert(key)
            state.seenTradeOrder.append(key)
            if state.seenTradeOrder.count > 20_000 {
                for old in state.seenTradeOrder.prefix(10_000) { state.seenTrades.remove(old) }
                state.seenTradeOrder.removeFirst(10_000)
            }
            guard let price = try? spec.price(trade.price), let size = try? spec.quantity(trade.size), size.lots > 0 else {
                logger.warning("Lighter venue: trade \(trade.tradeID) has an unreadable price or size")
                continue
            }
            let isMaker = trade.isMakerAsk == (side == .sell)
            let rate = (isMaker ? trade.makerFee : trade.takerFee) ?? 0
            if state.recovery.ids.contains(clientIndex) || state.recovery.recentIDs.contains(clientIndex) {
                recordRecoveryTrade(&state, side: side, price: price, size: size, feeRatePPM: rate)
                continue
            }
            // Trades of orders we do not track (another run's, stale ones) only move the position,
            // which the position update of the same message reports.
            guard let id = ClientOrderID(rawValue: clientIndex), var tracked = state.orders[clientIndex] else { continue }
            tracked.tradeFilled = Quantity(lots: tracked.tradeFilled.lots + size.lots)
            let fresh = min(size.lots, tracked.tradeFilled.lots - tracked.reported.lots)
            if fresh > 0 {
                tracked.reported = Quantity(lots: tracked.reported.lots + fresh)
                let fee = feeUnits(notional: Int128(price.ticks) * Int128(fresh), ratePPM: rate)
                let remaining = Quantity(lots: max(0, tracked.total.lots - tracked.reported.lots))
                state.events.append(
                    .fill(
                        Fill(
                            time: time, id: id, side: side, price: price, size: Quantity(lots: fresh), fee: fee,
                            isMaker: isMaker, remaining: remaining, tradeID: trade.tradeID)))
            }
            if tracked.reported.lots >= tracked.exchangeFilled.lots { tracked.lagSince = nil }
            settle(tracked, id: id, in: &state, at: time)
        }
    }

    /// The fee of a trade: `notional × rate / 10^6` in notional units, a charge rounded up and a
    /// rebate toward zero (Lighter's rates are parts per million of the notional).
    static func feeUnits(notional: Int128, ratePPM: Int64) -> Int64 {
        let product = notional * Int128(ratePPM)
        if product >= 0 { return Int64(clamping: (product + 999_999) / 1_000_000) }
        return Int64(clamping: product / 1_000_000)
    }

    /// Stores `tracked`, or, if the exchange reported its end and every fill has been reported,
    /// passes the end on (a cancel event) and forgets the order.
    static func settle(_ tracked: TrackedOrder, id: ClientOrderID, in state: inout State, at time: Timestamp) {
        guard let ending = tracked.ending, tracked.reported.lots >= tracked.exchangeFilled.lots else {
            state.orders[id.rawValue] = tracked
            return
        }
        if case .canceled(let reason) = ending {
            state.events.append(.canceled(id: id, reason: reason, time: time))
        }
        state.orders[id.rawValue] = nil
        state.finished.insert(id.rawValue)
        state.finishedOrder.append(id.rawValue)
        if state.finishedOrder.count > 4_000 {
            for old in state.finishedOrder.prefix(2_000) { state.finished.remove(old) }
            state.finishedOrder.removeFirst(2_000)
        }
        if state.heldRejects.removeValue(forKey: id.rawValue) != nil { state.benignRaces += 1 }
    }

    /// Acts on what waited too long: orders whose trades did not arrive (the missing fill is taken
    /// from the order channel, fee unknown) and held refusals whose order did not end (real rejects).
    static func checkTimers(_ state: inout State, at now: Timestamp, configuration: Configuration, logger: Logger) {
        for (index, tracked) in state.orders where tracked.lagSince.map({ now - $0 >= configuration.tradeWaitNanoseconds }) == true {
            guard let id = ClientOrderID(rawValue: index) else { continue }
            var order = tracked
            let size = Quantity(lots: order.exchangeFilled.lots - order.reported.lots)
            order.lagSince = nil
            if size.lots > 0 {
                logger.warning(
                    "Lighter venue: no trade on account_all for \(size.lots) lot(s) of order \(id) within \(Double(configuration.tradeWaitNanoseconds) / 1e9) s; reporting the fill from the order channel (fee unknown)")
                order.reported = order.exchangeFilled
                state.events.append(
                    .fill(
                        Fill(
                            time: now, id: id, side: order.side, price: order.price, size: size, fee: 0, isMaker: true,
                            remaining: Quantity(lots: max(0, order.total.lots - order.reported.lots)))))
            }
            settle(order, id: id, in: &state, at: now)
        }
        for (index, held) in state.heldRejects where held.deadline <= now {
            state.heldRejects[index] = nil
            state.events.append(held.event)
        }
    }

    /// The cancel reason of a Lighter `canceled-…` status.
    static func cancelReason(_ status: String) -> CancelReason {
        switch status {
        case "canceled": .requested
        case "canceled-post-only": .postOnlyWouldCross
        case "canceled-reduce-only": .reduceOnly
        case "canceled-expired": .expired
        case "canceled-self-trade": .selfTrade
        case "canceled-margin-not-allowed", "canceled-not-enough-margin": .margin
        case "canceled-liquidation": .liquidation
        case "canceled-too-much-slippage", "canceled-invalid-balance", "canceled-oco": .other(code: 0)
        default: .other(code: 0)
        }
    }

    // MARK: Reconcile

    /// An auth token for this account's key, valid for `lifetimeSeconds`.
    public func authToken(lifetimeSeconds: Int64 = AuthToken.defaultLifetimeSeconds) -> AuthTokenGrant {
        let now = clock.now
        let deadline = now.milliseconds / 1000 + lifetimeSeconds
        let token = AuthToken(
            deadline: deadline, accountIndex: configuration.accountIndex, apiKeyIndex: configuration.apiKeyIndex,
            signingWith: key)
        return AuthTokenGrant(token: token.token, expiresAt: Timestamp(nanoseconds: deadline * 1_000_000_000))
    }

    /// The account's open orders in this market, over REST.
    public func openOrders() async throws(LighterClientError) -> [LighterOrder] {
        try await rest.accountActiveOrders(
            accountIndex: configuration.accountIndex, marketID: configuration.spec.marketID, authToken: authToken().token)
    }

    /// Fetches the open orders and cancels (directly, not through the queue) every one whose client
    /// order index is not in `known`; returns the open orders that remain ours.
    ///
    /// Nothing unknown is adopted. Tell the engine with `markReconciled(openOrders:at:)`.
    public func reconcile(known: Set<ClientOrderID>) async throws(LighterClientError) -> [ClientOrderID] {
        let open = try await openOrders()
        var ours: [ClientOrderID] = []
        var stale: [Int64] = []
        for order in open {
            if let id = ClientOrderID(rawValue: order.clientOrderIndex), known.contains(id) {
                ours.append(id)
            } else {
                stale.append(order.clientOrderIndex > 0 ? order.clientOrderIndex : order.orderIndex)
            }
        }
        if !stale.isEmpty {
            logger.info("Lighter venue: cancelling \(stale.count) stale order(s) in \(configuration.spec.symbol)")
            let market = Int64(configuration.spec.marketID)
            let chain = configuration.chain
            let key = self.key
            let now = clock.now
            for index in stale {
                let body = TransactionBody.cancelOrder(CancelOrderTx(marketIndex: market, index: index))
                let reply: LighterSendTxResponse
                do {
                    reply = try await sender.send(isCancel: true) { slot in
                        EncodedTransaction(try Self.sign(body, slot: slot, chain: chain, key: key, now: now))
                    }
                } catch .api(let error) where error.code.isOrderAlreadyInactive {
                    continue  // it ended meanwhile (filled, or our own cancel already went): gone, as wanted
                }
                // An order that ended meanwhile (filled, or a cancel of ours already went) is gone: fine.
                if reply.code != 200 && !LighterErrorCode(rawValue: reply.code).isOrderAlreadyInactive {
                    throw .invalidRequest("cancelling stale order \(index) answered \(reply.code): \(reply.message ?? "")")
                }
            }
        }
        return ours
    }
}
