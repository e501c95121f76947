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

        /// A configuration for one market.
        public init(
            chain: LighterChain, accountIndex: Int64, apiKeyIndex: UInt8, spec: MarketSpec,
            orderLifetimeMilliseconds: Int64 = OrderInfo.defaultExpiryPeriodMilliseconds
        ) {
            self.chain = chain
            self.accountIndex = accountIndex
            self.apiKeyIndex = apiKeyIndex
            self.spec = spec
            self.orderLifetimeMilliseconds = orderLifetimeMilliseconds
        }
    }

    /// What the venue last saw of one of our orders on the stream.
    struct TrackedOrder {
        var acknowledged = false
        var price: Price
        var remaining: Quantity
        var filled: Quantity = .zero
        var side: Side
        var isDone = false
    }

    private struct State {
        var outbox: [OrderAction] = []
        var events: [ExecutionEvent] = []
        var orders: [Int64: TrackedOrder] = [:]
        var transactionsSent = 0
        var batchesSent = 0
        var places = 0
        var modifies = 0
        var cancels = 0
    }

    /// The settings.
    public let configuration: Configuration
    private let key: PrivateKey
    private let rest: LighterRESTClient
    private let sender: TransactionSender
    private let clock: any TradingClock
    private let logger: Logger
    private let state = Mutex(State())
    private let wakeSender: AsyncStream<Void>.Continuation
    private let senderSignals: AsyncStream<Void>
    private let eventSignal: AsyncStream<Void>.Continuation
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
                        price: request.price, remaining: request.size, side: request.side)
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
        let queued = state.withLock { state -> [ExecutionEvent] in
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

    // MARK: Sending

    /// Sends queued actions until the task is cancelled.
    public func runSender() async {
        for await _ in senderSignals {
            if Task.isCancelled { return }
            await sendQueued()
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
            } else {
                let reply = try await sender.sendBatch(count: bodies.count, isCancel: isCancel) { index, slot in
                    EncodedTransaction(try Self.sign(bodies[index], slot: slot, chain: chain, key: key, now: now))
                }
                state.withLock {
                    $0.transactionsSent += bodies.count
                    $0.batchesSent += 1
                }
                if reply.code != 200 { reject(actions, code: reply.code, message: reply.message ?? "rejected") }
            }
        } catch {
            let code = error.apiError?.code.rawValue ?? -1
            let message = error.apiError?.message ?? error.description
            logger.warning("Lighter venue: \(actions.count) transaction(s) not accepted: \(code) \(message)")
            reject(actions, code: code, message: message)
        }
    }

    private static func sign(
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
        state.withLock { state in
            for action in actions {
                state.events.append(.rejected(id: action.orderID, code: code, message: message, time: time))
                if case .place(let request) = action { state.orders[request.id.rawValue] = nil }
            }
        }
        eventSignal.yield()
    }

    // MARK: Stream

    /// Feeds a stream event; account order updates (`account_all_orders`, `account_orders`,
    /// `account_all`) of this market become execution events. Other events are ignored.
    public func handle(_ event: LighterStreamEvent) {
        guard case .message(let type, _, let json, let receivedAt) = event,
            type.hasSuffix("account_all_orders") || type.hasSuffix("account_orders") || type.hasSuffix("account_all")
        else { return }
        let orders: [LighterOrder]
        do { orders = try LighterMessages.orders(fromJSON: json) } catch {
            logger.warning("Lighter venue: undecodable account message \(type): \(error)")
            return
        }
        apply(orders, at: receivedAt)
    }

    /// Turns order updates into execution events (fills from growth of the filled amount).
    public func apply(_ orders: [LighterOrder], at time: Timestamp) {
        let spec = configuration.spec
        var produced = false
        state.withLock { state in
            for order in orders where order.marketIndex == spec.marketID {
                guard let id = ClientOrderID(rawValue: order.clientOrderIndex),
                    var tracked = state.orders[order.clientOrderIndex], !tracked.isDone
                else { continue }
                guard let price = try? spec.price(order.price), let remaining = try? spec.quantity(order.remainingBaseAmount)
                else {
                    logger.warning("Lighter venue: order \(id) has an unreadable price or size")
                    continue
                }
                let initial = (try? spec.quantity(order.initialBaseAmount)) ?? remaining
                let filled = order.filledBaseAmount.flatMap { try? spec.quantity($0) } ?? Quantity(lots: initial.lots - remaining.lots)
                let status = order.status
                if !tracked.acknowledged && (status == "open" || status == "filled" || status == "partially_filled") {
                    tracked.acknowledged = true
                    state.events.append(.accepted(id: id, exchangeOrderID: order.orderIndex, time: time))
                    tracked.price = price
                    tracked.remaining = remaining
                } else if status == "open" && (price != tracked.price || remaining.lots != tracked.remaining.lots - (filled.lots - tracked.filled.lots)) {
                    state.events.append(.modified(id: id, price: price, remaining: remaining, time: time))
                }
                if filled.lots > tracked.filled.lots {
                    let size = Quantity(lots: filled.lots - tracked.filled.lots)
                    state.events.append(
                        .fill(
                            Fill(
                                time: time, id: id, side: tracked.side, price: price, size: size, fee: 0, isMaker: true,
                                remaining: remaining)))
                }
                tracked.price = price
                tracked.remaining = remaining
                tracked.filled = filled
                if status == "filled" {
                    tracked.isDone = true
                } else if status.hasPrefix("canceled") {
                    tracked.isDone = true
                    state.events.append(.canceled(id: id, reason: Self.cancelReason(status), time: time))
                }
                state.orders[order.clientOrderIndex] = tracked.isDone ? nil : tracked
                produced = true
            }
        }
        if produced { eventSignal.yield() }
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
                let reply = try await sender.send(isCancel: true) { slot in
                    EncodedTransaction(try Self.sign(body, slot: slot, chain: chain, key: key, now: now))
                }
                if reply.code != 200 {
                    throw .invalidRequest("cancelling stale order \(index) answered \(reply.code): \(reply.message ?? "")")
                }
            }
        }
        return ours
    }
}
