import MarketCore
import Trading

/// A ``Venue`` in virtual time: a ``MatchingEngine`` behind a ``LatencyModel``.
///
/// Time has two faces here. The *exchange* sees market events at their own time (feed them with
/// ``process(_:)`` in time order) and our actions when they arrive: `submit` time + order-entry
/// latency + the exchange's maker or taker delay. The *engine* hears of what the exchange did a
/// response latency later: ``drainEvents(upTo:into:)`` hands out those events, stamped with the
/// time the engine receives them, once that time has come.
///
/// A virtual-time loop interleaves the three streams by time: actions arriving at the exchange
/// (``nextArrivalTime``), market events (``process(_:)``) and deliveries to the engine
/// (``nextDeliveryTime``); ``BacktestRunner`` does exactly that.
///
/// ```swift
/// let venue = SimVenue(spec: eth, latency: .lighterStandard(), queueModel: .power3, seed: 7)
/// venue.process(event)                       // market data at exchange time
/// venue.submit([.place(order)], at: now)     // reaches the exchange 205 ms later
/// venue.drainEvents(upTo: now, into: &events)
/// ```
///
/// Not reentrant (it calls nothing back), so its stored state is marked `@exclusivity(unchecked)`:
/// no runtime exclusivity checks on the per-event path.
public final class SimVenue: Venue {
    /// The exchange: book, our resting orders, account.
    @exclusivity(unchecked) public private(set) var exchange: MatchingEngine
    /// The delays between us and the exchange.
    public let latency: LatencyModel

    @exclusivity(unchecked) var random: SimulationRandom
    /// Actions on their way to the exchange, sorted by (arrival, sequence); `pendingHead` is the
    /// first not yet processed.
    @exclusivity(unchecked) var pending: [PendingAction] = []
    @exclusivity(unchecked) var pendingHead = 0
    @exclusivity(unchecked) var pendingSequence: Int64 = 0
    @exclusivity(unchecked) var lastMakerArrival: Int64 = .min
    @exclusivity(unchecked) var lastTakerArrival: Int64 = .min
    /// Events on their way to the engine, in delivery order; `deliveryHead` is the first not drained.
    @exclusivity(unchecked) var deliveries: [ExecutionEvent] = []
    @exclusivity(unchecked) var deliveryHead = 0
    @exclusivity(unchecked) var lastDelivery: Int64 = .min
    /// Orders the engine has been told are resting (accepted or modified, not yet done), by the
    /// events it has drained.
    @exclusivity(unchecked) public private(set) var reportedLiveOrders: Set<ClientOrderID> = []
    /// The volume quota, when the account has one (premium).
    @exclusivity(unchecked) var quota: VolumeQuotaState?
    /// The quota left, if the venue applies one.
    public var quotaRemaining: Int? { quota?.remaining }
    /// The position implied by the fills the engine has drained.
    @exclusivity(unchecked) public private(set) var reportedPosition: Quantity = .zero

    struct PendingAction {
        var arrival: Int64
        var sequence: Int64
        var action: OrderAction
    }

    /// A venue for `spec`.
    ///
    /// - Parameters:
    ///   - spec: the market.
    ///   - fees: fee rates.
    ///   - latency: the delays.
    ///   - queueModel: how queue positions advance.
    ///   - initialCollateral: the account's starting collateral in quote currency units (USD).
    ///   - seed: the seed of the latency draws (only used by random latency distributions).
    ///   - volumeQuota: Lighter's premium volume quota, or `nil` for none (standard accounts).
    public init(
        spec: MarketSpec, fees: FeeSchedule = .zero, latency: LatencyModel = .zero, queueModel: QueueModel = .power3,
        initialCollateral: Double = 100_000, seed: UInt64 = 0, volumeQuota: VolumeQuotaModel? = nil
    ) {
        self.quota = volumeQuota.map(VolumeQuotaState.init(model:))
        self.exchange = MatchingEngine(
            spec: spec, fees: fees, queueModel: queueModel, initialCollateral: initialCollateral)
        self.latency = latency
        self.random = SimulationRandom(seed: seed, stream: 0x1A7E_1C7)
        pending.reserveCapacity(64)
        deliveries.reserveCapacity(256)
    }

    // MARK: Venue

    /// Schedules `actions` to reach the exchange after the order-entry latency and the exchange's
    /// delay for their kind. Actions of one kind keep their order.
    public func submit(_ actions: [OrderAction], at time: Timestamp) {
        for action in actions {
            let isMakerKind: Bool
            switch action {
            case .place(let request): isMakerKind = request.timeInForce == .postOnly && request.type == .limit
            case .modify, .cancel, .cancelAll: isMakerKind = true
            }
            var arrival = time.nanoseconds &+ latency.orderEntry.sample(using: &random)
            if isMakerKind {
                arrival = max(arrival &+ latency.makerDelayNanoseconds, lastMakerArrival)
                lastMakerArrival = arrival
            } else {
                arrival = max(arrival &+ latency.takerDelayNanoseconds, lastTakerArrival)
                lastTakerArrival = arrival
            }
            enqueue(PendingAction(arrival: arrival, sequence: pendingSequence, action: action))
            pendingSequence += 1
        }
    }

    /// Processes actions that reached the exchange by `time`, then hands out every event the engine
    /// has received by `time`.
    public func drainEvents(upTo time: Timestamp, into events: inout [ExecutionEvent]) {
        advance(to: time)
        while deliveryHead < deliveries.count {
            let event = deliveries[deliveryHead]
            guard event.time <= time else { break }
            track(event)
            events.append(event)
            deliveryHead += 1
        }
        if deliveryHead == deliveries.count {
            deliveries.removeAll(keepingCapacity: true)
            deliveryHead = 0
        } else if deliveryHead >= 4096 && deliveryHead * 2 >= deliveries.count {
            deliveries.removeFirst(deliveryHead)
            deliveryHead = 0
        }
    }

    /// The earlier of the next action arrival at the exchange and the next delivery to the engine.
    public var nextEventTime: Timestamp? {
        switch (nextArrivalTime, nextDeliveryTime) {
        case (let arrival?, let delivery?): min(arrival, delivery)
        case (let arrival?, nil): arrival
        case (nil, let delivery?): delivery
        case (nil, nil): nil
        }
    }

    // MARK: Virtual time

    /// When the next submitted action reaches the exchange, if any is on its way.
    public var nextArrivalTime: Timestamp? {
        pendingHead < pending.count ? Timestamp(nanoseconds: pending[pendingHead].arrival) : nil
    }

    /// When the engine receives the next event, if any is on its way.
    public var nextDeliveryTime: Timestamp? {
        deliveryHead < deliveries.count ? deliveries[deliveryHead].time : nil
    }

    /// The next arrival at the exchange and the next delivery to the engine, in nanoseconds
    /// (`Int64.max` for none): one call for the runner's inner loop.
    public func nextTimes() -> (arrival: Int64, delivery: Int64) {
        (
            pendingHead < pending.count ? pending[pendingHead].arrival : .max,
            deliveryHead < deliveries.count ? deliveries[deliveryHead].time.nanoseconds : .max
        )
    }

    /// Feeds the time-weighted measures with the exchange's state just before a market event at `time`.
    func observe(at time: Int64, into metrics: inout MetricsAccumulator) {
        exchange.report(at: time, into: &metrics)
    }

    /// Whether actions are still on their way to the exchange.
    public var hasActionsInFlight: Bool { pendingHead < pending.count }

    /// Orders that have been submitted but have not reached the exchange yet.
    public var placementsInFlight: [ClientOrderID] {
        pending[pendingHead...].compactMap {
            if case .place(let request) = $0.action { return request.id }
            return nil
        }
    }

    /// Processes every action that reaches the exchange at or before `time`, in arrival order.
    public func advance(to time: Timestamp) {
        while pendingHead < pending.count && pending[pendingHead].arrival <= time.nanoseconds {
            let next = pending[pendingHead]
            pendingHead += 1
            let time = Timestamp(nanoseconds: next.arrival)
            if quota != nil {
                applyWithQuota(next.action, at: time)
            } else {
                exchange.handle(next.action, at: time)
            }
            flushOutbox()
        }
        if pendingHead > 0 && pendingHead == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingHead = 0
        }
    }

    /// Applies a market event at the exchange, at its `receivedAt` time (after any actions that
    /// arrived earlier).
    public func process(_ event: MarketEvent) {
        if pendingHead < pending.count { advance(to: event.receivedAt) }
        exchange.apply(event)
        if !exchange.outbox.isEmpty { flushOutbox() }
    }

    /// Charges the quota for an action, carries it out (or refuses it when the quota is empty) and
    /// reports the quota left.
    func applyWithQuota(_ action: OrderAction, at time: Timestamp) {
        guard var state = quota else { return }
        if state.charge(at: time.nanoseconds) {
            exchange.handle(action, at: time)
        } else {
            exchange.refuse(action.orderID, code: 23000, message: "volume quota exhausted", at: time)
        }
        let scale = Double(FixedPoint.powersOfTen[exchange.spec.notionalDecimals])
        let traded = Double(exchange.statistics.makerNotional + exchange.statistics.takerNotional) / scale
        state.credit(tradedUSD: traded)
        quota = state
        exchange.outbox.append(.quotaUpdate(remaining: state.remaining, time: time))
    }

    /// Moves the exchange's new events onto the way to the engine, adding the response latency.
    func flushOutbox() {
        for event in exchange.outbox {
            var delivery = event.time.nanoseconds &+ latency.response.sample(using: &random)
            delivery = max(delivery, lastDelivery)
            lastDelivery = delivery
            deliveries.append(event.retimed(to: Timestamp(nanoseconds: delivery)))
        }
        exchange.outbox.removeAll(keepingCapacity: true)
    }

    func enqueue(_ action: PendingAction) {
        if pendingHead > 256 && pendingHead * 2 > pending.count {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
        var index = pending.count
        while index > pendingHead {
            let previous = pending[index - 1]
            if previous.arrival < action.arrival
                || (previous.arrival == action.arrival && previous.sequence < action.sequence)
            {
                break
            }
            index -= 1
        }
        pending.insert(action, at: index)
    }

    func track(_ event: ExecutionEvent) {
        switch event {
        case .accepted(let id, _, _), .modified(let id, _, _, _): reportedLiveOrders.insert(id)
        case .canceled(let id, _, _): reportedLiveOrders.remove(id)
        case .fill(let fill):
            reportedPosition.lots += fill.side.sign * fill.size.lots
            if fill.remaining.isZero { reportedLiveOrders.remove(fill.id) }
        case .rejected, .positionUpdate, .balanceUpdate, .quotaUpdate: break
        }
    }
}

extension ExecutionEvent {
    /// The same event stamped with another time.
    public func retimed(to time: Timestamp) -> ExecutionEvent {
        switch self {
        case .accepted(let id, let exchangeID, _): .accepted(id: id, exchangeOrderID: exchangeID, time: time)
        case .rejected(let id, let code, let message, _): .rejected(id: id, code: code, message: message, time: time)
        case .modified(let id, let price, let remaining, _):
            .modified(id: id, price: price, remaining: remaining, time: time)
        case .fill(var fill):
            {
                fill.time = time
                return .fill(fill)
            }()
        case .canceled(let id, let reason, _): .canceled(id: id, reason: reason, time: time)
        case .positionUpdate(let position, let entry, _):
            .positionUpdate(position: position, averageEntry: entry, time: time)
        case .balanceUpdate(let collateral, let available, _):
            .balanceUpdate(collateral: collateral, available: available, time: time)
        case .quotaUpdate(let remaining, _): .quotaUpdate(remaining: remaining, time: time)
        }
    }
}
