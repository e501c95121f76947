import MarketCore
import Trading

/// One of our orders resting in the simulated exchange.
public struct SimulatedOrder: Hashable, Sendable {
    /// Our id.
    public var id: ClientOrderID
    /// The exchange's order index (from `2^48` up, as on Lighter).
    public var exchangeOrderID: Int64
    /// Buy or sell.
    public var side: Side
    /// The limit price.
    public var price: Price
    /// What is left to fill.
    public var remaining: Quantity
    /// How long it may rest (post-only or good-till-time; immediate orders never rest).
    public var timeInForce: TimeInForce
    /// Whether it may only reduce the position.
    public var reduceOnly: Bool
    /// The estimated queue ahead of it at its price.
    public var queue: QueuePosition
    /// Time priority: lower joined the level earlier.
    public var priority: Int64
    /// Whether any of it has filled.
    public var hasFilled: Bool = false
}

/// Lighter's error codes the simulated exchange uses when it refuses an action.
public enum SimulatedRejection {
    /// The order is not active (cancel or modify of an order that is filled, cancelled or unknown).
    public static let orderNotActive = 21600
    /// The size is zero, negative or off the lot grid.
    public static let invalidBaseAmount = 21701
    /// The price is zero, negative or off the tick grid.
    public static let invalidPrice = 21702
    /// The order is below the market's minimum size or notional.
    public static let belowMinimum = 21706
    /// An active order already has this client order index.
    public static let duplicateClientOrderID = 21728
    /// A reduce-only order would increase the position.
    public static let reduceOnlyIncreases = 21732
}

/// A price-time-priority matching engine for our orders against a market known only from L2 data.
///
/// The market's book comes from ``apply(_:)`` (snapshots, level changes and trades from a feed or
/// a generator); our orders are invisible to that data, so the engine estimates where each of them
/// stands in its level's queue (see ``QueueModel``) and fills them from the market's trades:
///
/// - a trade *through* our price (a sell below our bid, a buy above our ask) fills all of our
///   remaining size, at our price, as maker;
/// - a trade *at* our price first consumes the queue ahead of us; what is left of it fills us;
/// - new opposite-side size appearing at or through our price (the market's book crossing our
///   order) fills us by the size that appeared, as maker.
///
/// Orders that cross the book on arrival take the visible liquidity level by level at the levels'
/// prices, as taker, without changing the data's book afterwards (no market impact). Self-trade
/// prevention is Lighter's default, expire-maker: a resting order of ours that an incoming order of
/// ours would trade with is cancelled and the incoming order continues.
///
/// Every consequence is appended to ``outbox`` as an ``ExecutionEvent`` stamped with the exchange
/// time it happened at; ``SimVenue`` adds the latency before the engine sees it.
public struct MatchingEngine: Sendable {
    /// The market's increments and minimums.
    public let spec: MarketSpec
    /// Maker and taker fee rates.
    public var fees: FeeSchedule
    /// How queue positions advance.
    public var queueModel: QueueModel
    /// The fraction of the position's notional held as margin, for ``ExecutionEvent/balanceUpdate(collateral:available:time:)``.
    public var initialMarginFraction: Double

    /// The market's book as the exchange has it (from the data).
    public private(set) var book: OrderBook
    /// Our resting orders, oldest first.
    public private(set) var orders: [SimulatedOrder]

    /// Our highest resting bid, if any.
    public var ourBestBid: Price? { highestBid == .min ? nil : Price(ticks: highestBid) }
    /// Our lowest resting ask, if any.
    public var ourBestAsk: Price? { lowestAsk == .max ? nil : Price(ticks: lowestAsk) }
    /// Our signed position.
    public private(set) var position: Quantity
    /// Cash flows of our fills in notional units: minus what we paid for buys, plus what we got for
    /// sells, minus fees.
    public private(set) var cash: Int64
    /// The starting collateral, in notional units.
    public let initialCollateral: Int64
    /// Total fees paid (negative: rebates earned), in notional units.
    public private(set) var feesPaid: Int64
    /// Events produced and not yet collected, stamped with exchange time.
    public var outbox: [ExecutionEvent]

    /// Running totals for reports.
    public private(set) var statistics: ExecutionStatistics

    var nextExchangeOrderID: Int64 = 1 << 48
    var nextPriority: Int64 = 0
    /// The cost of the open position (|position| lots at their entry prices), in notional units.
    var entryNotional: Int128 = 0
    /// Our highest resting bid and lowest resting ask in ticks (sentinels when none), so market
    /// events far from our orders cost two comparisons.
    var highestBid: Int64 = .min
    var lowestAsk: Int64 = .max
    var now: Timestamp = .epoch

    /// An engine with an empty book and no orders.
    ///
    /// - Parameters:
    ///   - spec: the market.
    ///   - fees: fee rates.
    ///   - queueModel: how queue positions advance.
    ///   - initialCollateral: the account's starting collateral in quote currency units (USD).
    ///   - initialMarginFraction: margin held per unit of position notional (0.05 = 20× leverage).
    public init(
        spec: MarketSpec, fees: FeeSchedule = .zero, queueModel: QueueModel = .power3,
        initialCollateral: Double = 100_000, initialMarginFraction: Double = 0.05
    ) {
        self.spec = spec
        self.fees = fees
        self.queueModel = queueModel
        self.initialMarginFraction = initialMarginFraction
        self.book = OrderBook(capacity: 64)
        self.orders = []
        self.orders.reserveCapacity(32)
        self.position = .zero
        self.cash = 0
        self.feesPaid = 0
        self.initialCollateral = Int64(
            (initialCollateral * Double(FixedPoint.powersOfTen[spec.notionalDecimals])).rounded())
        self.outbox = []
        self.outbox.reserveCapacity(32)
        self.statistics = ExecutionStatistics()
    }

    /// Our resting order with this id, if any.
    public func order(_ id: ClientOrderID) -> SimulatedOrder? {
        orders.first { $0.id == id }
    }

    /// The mark price for equity: the book's mid, or `nil` if the book is one-sided.
    public var markTicks: Double? { book.midTicks }

    /// Equity in notional units at `markTicks`: collateral + cash + position × mark.
    public func equity(markTicks: Double) -> Double {
        Double(initialCollateral) + Double(cash) + Double(position.lots) * markTicks
    }

    // MARK: Market data

    /// Applies a market event at its time (`receivedAt` is the exchange time here): updates the book
    /// and fills our orders it reaches.
    public mutating func apply(_ event: MarketEvent) {
        switch event {
        case .bookDelta(let delta):
            now = delta.receivedAt
            let previous = book.apply(side: delta.side, price: delta.price, size: delta.size)
            if orders.isEmpty { return }
            levelChanged(side: delta.side, price: delta.price, previous: previous, new: delta.size)
        case .trade(let trade):
            now = trade.receivedAt
            if orders.isEmpty { return }
            if trade.takerSide == .sell {
                if trade.price.ticks <= highestBid { marketTrade(trade) }
            } else {
                if trade.price.ticks >= lowestAsk { marketTrade(trade) }
            }
        case .bookSnapshot(let snapshot):
            now = snapshot.receivedAt
            book.replace(bids: snapshot.bids, asks: snapshot.asks)
            for index in orders.indices {
                let visible = Double(book.levels(orders[index].side).size(at: orders[index].price).lots)
                orders[index].queue.ahead = min(orders[index].queue.ahead, visible)
                orders[index].queue.tradedSinceUpdate = 0
            }
        }
    }

    mutating func levelChanged(side: Side, price: Price, previous: Quantity, new: Quantity) {
        // Our own side: the queue at our price moved.
        if side == .buy ? price.ticks <= highestBid : price.ticks >= lowestAsk {
            for index in orders.indices where orders[index].side == side && orders[index].price == price {
                orders[index].queue.levelChanged(
                    from: Double(previous.lots), to: Double(new.lots), model: queueModel)
            }
        }
        // The other side: size appearing at or through our price crosses our orders.
        let increase = new.lots - previous.lots
        guard increase > 0 else { return }
        let crosses = side == .sell ? price.ticks <= highestBid : price.ticks >= lowestAsk
        guard crosses else { return }
        var available = increase
        var index = 0
        while index < orders.count && available > 0 {
            let order = orders[index]
            let reached = side == .sell ? order.side == .buy && order.price >= price
                : order.side == .sell && order.price <= price
            if reached {
                let size = min(available, order.remaining.lots)
                available -= size
                index = fill(at: index, size: size, price: order.price, isMaker: true, tradeID: nil)
                continue
            }
            index += 1
        }
    }

    mutating func marketTrade(_ trade: Trade) {
        let makerSide = trade.takerSide.opposite
        var index = 0
        // Orders are in time priority, so earlier orders at the same price absorb the trade first;
        // each order's queue already counts our earlier orders at its price as ahead of it.
        while index < orders.count {
            let order = orders[index]
            guard order.side == makerSide else {
                index += 1
                continue
            }
            let through = makerSide == .buy ? trade.price < order.price : trade.price > order.price
            var size: Int64 = 0
            if through {
                size = order.remaining.lots
            } else if trade.price == order.price {
                let reaching = orders[index].queue.trade(size: Double(trade.size.lots))
                size = min(order.remaining.lots, Int64(reaching.rounded(.down)))
            }
            if size > 0 {
                index = fill(at: index, size: size, price: order.price, isMaker: true, tradeID: trade.tradeID)
                continue
            }
            index += 1
        }
    }

    // MARK: Actions

    /// Carries out one action at exchange time `time`.
    public mutating func handle(_ action: OrderAction, at time: Timestamp) {
        now = time
        switch action {
        case .place(let request): place(request)
        case .modify(let id, let price, let size): modify(id: id, price: price, size: size)
        case .cancel(let id): cancel(id: id)
        case .cancelAll: cancelAll()
        }
    }

    mutating func place(_ request: OrderRequest) {
        if let problem = validate(price: request.price, size: request.size) {
            reject(request.id, problem)
            return
        }
        if orders.contains(where: { $0.id == request.id }) {
            reject(request.id, (SimulatedRejection.duplicateClientOrderID, "client order index already exists"))
            return
        }
        if request.reduceOnly && !reduces(request.side) {
            reject(request.id, (SimulatedRejection.reduceOnlyIncreases, "reduce only order increases position"))
            return
        }
        let isImmediate = request.type == .market || request.timeInForce == .immediateOrCancel
        if request.timeInForce == .postOnly && request.type == .limit && crosses(request.side, request.price) {
            statistics.ordersPlaced += 1
            outbox.append(.canceled(id: request.id, reason: .postOnlyWouldCross, time: now))
            statistics.postOnlyRejections += 1
            return
        }
        statistics.ordersPlaced += 1
        statistics.ordersAccepted += 1
        let exchangeID = nextExchangeOrderID
        nextExchangeOrderID += 1
        outbox.append(.accepted(id: request.id, exchangeOrderID: exchangeID, time: now))
        var order = SimulatedOrder(
            id: request.id, exchangeOrderID: exchangeID, side: request.side, price: request.price,
            remaining: request.size, timeInForce: isImmediate ? .immediateOrCancel : request.timeInForce,
            reduceOnly: request.reduceOnly, queue: QueuePosition(ahead: 0), priority: 0)
        rest(&order, takingFirst: true, isImmediate: isImmediate)
    }

    /// Takes what `order` crosses, then rests the remainder (or cancels it if immediate).
    mutating func rest(_ order: inout SimulatedOrder, takingFirst: Bool, isImmediate: Bool) {
        if takingFirst && crosses(order.side, order.price) {
            take(&order)
        }
        if order.remaining.lots <= 0 { return }
        if isImmediate {
            outbox.append(.canceled(id: order.id, reason: .unfilledImmediate, time: now))
            return
        }
        if order.reduceOnly && !reduces(order.side) {
            outbox.append(.canceled(id: order.id, reason: .reduceOnly, time: now))
            return
        }
        var ahead = book.levels(order.side).size(at: order.price).lots
        for other in orders where other.side == order.side && other.price == order.price {
            ahead += other.remaining.lots
        }
        order.queue = QueuePosition(ahead: Double(ahead))
        order.priority = nextPriority
        nextPriority += 1
        orders.append(order)
        refreshExtremes()
    }

    /// Matches an incoming order against the visible book (and expires our own crossing orders).
    mutating func take(_ order: inout SimulatedOrder) {
        let opposite = order.side.opposite
        var depth = 0
        while order.remaining.lots > 0 {
            let level = book.levels(opposite).level(at: depth)
            let levelReachable = level.map { order.side == .buy ? $0.price <= order.price : $0.price >= order.price }
                ?? false
            // Our own resting orders in the way, at prices up to the next market level.
            if let ownIndex = bestOwnOrder(on: opposite, within: order.price) {
                let ownPrice = orders[ownIndex].price
                let ownFirst = !levelReachable || level.map { order.side == .buy ? ownPrice <= $0.price : ownPrice >= $0.price } ?? true
                if ownFirst {
                    let own = orders[ownIndex]
                    removeOrder(at: ownIndex)
                    statistics.selfTradeCancels += 1
                    outbox.append(.canceled(id: own.id, reason: .selfTrade, time: now))
                    continue
                }
            }
            guard levelReachable, let level else { break }
            var size = min(order.remaining.lots, level.size.lots)
            if order.reduceOnly { size = min(size, reducibleSize(order.side)) }
            if size <= 0 { break }
            order.remaining.lots -= size
            if !order.hasFilled {
                order.hasFilled = true
                statistics.filledOrders += 1
            }
            execute(
                id: order.id, side: order.side, price: level.price, size: size, isMaker: false,
                remaining: order.remaining, tradeID: nil)
            depth += 1
        }
    }

    mutating func modify(id: ClientOrderID, price: Price, size: Quantity) {
        guard let index = orders.firstIndex(where: { $0.id == id }) else {
            reject(id, (SimulatedRejection.orderNotActive, "order is not active"))
            return
        }
        if let problem = validate(price: price, size: size) {
            reject(id, problem)
            return
        }
        statistics.modifies += 1
        var order = orders[index]
        if price == order.price && size <= order.remaining {
            orders[index].remaining = size
            outbox.append(.modified(id: id, price: price, remaining: size, time: now))
            return
        }
        removeOrder(at: index)
        if order.timeInForce == .postOnly && crosses(order.side, price) {
            statistics.postOnlyRejections += 1
            outbox.append(.canceled(id: id, reason: .postOnlyWouldCross, time: now))
            return
        }
        order.price = price
        order.remaining = size
        outbox.append(.modified(id: id, price: price, remaining: size, time: now))
        rest(&order, takingFirst: true, isImmediate: false)
    }

    mutating func cancel(id: ClientOrderID) {
        guard let index = orders.firstIndex(where: { $0.id == id }) else {
            reject(id, (SimulatedRejection.orderNotActive, "order is not active"))
            return
        }
        removeOrder(at: index)
        statistics.cancels += 1
        outbox.append(.canceled(id: id, reason: .requested, time: now))
    }

    mutating func cancelAll() {
        for order in orders {
            statistics.cancels += 1
            outbox.append(.canceled(id: order.id, reason: .requested, time: now))
        }
        orders.removeAll(keepingCapacity: true)
        refreshExtremes()
    }

    // MARK: Fills and the account

    /// Fills `size` of the resting order at `index` and returns the index of the first order after
    /// it in time priority (orders may have left the book meanwhile: this one when it is done, and
    /// reduce-only orders the fill made stale).
    mutating func fill(at index: Int, size requested: Int64, price: Price, isMaker: Bool, tradeID: Int64?) -> Int {
        var order = orders[index]
        var size = requested
        var cancelRest = false
        if order.reduceOnly {
            let allowed = reducibleSize(order.side)
            if allowed < size {
                size = allowed
                cancelRest = true
            }
        }
        if size > 0 {
            order.remaining.lots -= size
            orders[index].remaining = order.remaining
            if !order.hasFilled {
                orders[index].hasFilled = true
                statistics.filledOrders += 1
            }
            execute(
                id: order.id, side: order.side, price: price, size: size, isMaker: isMaker,
                remaining: cancelRest ? .zero : order.remaining, tradeID: tradeID)
        }
        if order.remaining.lots <= 0 || cancelRest, let current = orders.firstIndex(where: { $0.id == order.id }) {
            removeOrder(at: current)
            if cancelRest && order.remaining.lots > 0 {
                outbox.append(.canceled(id: order.id, reason: .reduceOnly, time: now))
            }
        }
        // Orders stay sorted by priority, so the next one is the first with a later priority.
        var next = 0
        while next < orders.count && orders[next].priority <= order.priority { next += 1 }
        return next
    }

    /// Books one execution: account, fees, statistics and the fill/position/balance events.
    mutating func execute(
        id: ClientOrderID, side: Side, price: Price, size: Int64, isMaker: Bool, remaining: Quantity, tradeID: Int64?
    ) {
        let notional = Int128(price.ticks) * Int128(size)
        let fee = fees.fee(notional: notional, isMaker: isMaker)
        cash -= Int64(clamping: notional) * side.sign
        cash -= fee
        feesPaid += fee
        updateEntry(side: side, price: price, size: size)
        position.lots += side.sign * size
        statistics.record(side: side, notional: notional, size: size, fee: fee, isMaker: isMaker)
        if isMaker, let mid = book.midTicks {
            // Edge against the mid at the fill, in notional units: what the spread paid us.
            statistics.makerEdge += Double(side.sign) * (mid - Double(price.ticks)) * Double(size)
        }
        outbox.append(
            .fill(
                Fill(
                    time: now, id: id, side: side, price: price, size: Quantity(lots: size), fee: fee,
                    isMaker: isMaker, remaining: remaining, tradeID: tradeID)))
        outbox.append(.positionUpdate(position: position, averageEntry: averageEntry, time: now))
        let scale = Double(FixedPoint.powersOfTen[spec.notionalDecimals])
        let mark = book.midTicks ?? Double(price.ticks)
        let equity = self.equity(markTicks: mark) / scale
        let margin = abs(Double(position.lots)) * mark / scale * initialMarginFraction
        outbox.append(.balanceUpdate(collateral: equity, available: equity - margin, time: now))
        cancelStaleReduceOnly(except: id)
    }

    /// The average entry price of the open position, to the nearest tick; nil when flat.
    public var averageEntry: Price? {
        guard position.lots != 0 else { return nil }
        let lots = Int128(abs(position.lots))
        return Price(ticks: Int64(clamping: (entryNotional + lots / 2) / lots))
    }

    mutating func updateEntry(side: Side, price: Price, size: Int64) {
        let current = position.lots
        let signed = side.sign * size
        if current == 0 || (current > 0) == (signed > 0) {
            entryNotional += Int128(price.ticks) * Int128(size)
            return
        }
        let open = abs(current)
        if size < open {
            entryNotional -= entryNotional * Int128(size) / Int128(open)
        } else {
            entryNotional = Int128(price.ticks) * Int128(size - open)
        }
    }

    /// Whether an order of `side` reduces the current position.
    func reduces(_ side: Side) -> Bool {
        side == .buy ? position.lots < 0 : position.lots > 0
    }

    /// How much an order of `side` may fill and still only reduce the position.
    func reducibleSize(_ side: Side) -> Int64 {
        reduces(side) ? abs(position.lots) : 0
    }

    mutating func cancelStaleReduceOnly(except id: ClientOrderID) {
        var index = 0
        while index < orders.count {
            if orders[index].reduceOnly && orders[index].id != id && !reduces(orders[index].side) {
                let order = orders[index]
                removeOrder(at: index)
                outbox.append(.canceled(id: order.id, reason: .reduceOnly, time: now))
                continue
            }
            index += 1
        }
    }

    // MARK: Helpers

    /// Whether a `side` order at `price` would trade on arrival: against the market's book or
    /// against one of our own opposite orders.
    func crosses(_ side: Side, _ price: Price) -> Bool {
        if side == .buy {
            if let ask = book.bestAsk, ask.price <= price { return true }
            return lowestAsk <= price.ticks
        } else {
            if let bid = book.bestBid, bid.price >= price { return true }
            return highestBid >= price.ticks
        }
    }

    /// The index of our best order on `side` that an incoming opposite order limited at `limit`
    /// would reach (oldest first among equal prices).
    func bestOwnOrder(on side: Side, within limit: Price) -> Int? {
        var best: Int?
        for index in orders.indices where orders[index].side == side {
            let price = orders[index].price
            let reachable = side == .sell ? price <= limit : price >= limit
            guard reachable else { continue }
            if let current = best {
                let better = side == .sell ? price < orders[current].price : price > orders[current].price
                if better { best = index }
            } else {
                best = index
            }
        }
        return best
    }

    func validate(price: Price, size: Quantity) -> (Int, String)? {
        if size.lots <= 0 || size.lots % spec.lotSize != 0 {
            return (SimulatedRejection.invalidBaseAmount, "invalid base amount \(size.lots)")
        }
        if price.ticks <= 0 || price.ticks % spec.tickSize != 0 {
            return (SimulatedRejection.invalidPrice, "invalid price \(price.ticks)")
        }
        if !spec.meetsMinimums(price: price, quantity: size) {
            return (SimulatedRejection.belowMinimum, "invalid order base or quote amount")
        }
        return nil
    }

    /// Refuses an action before it reaches the book (e.g. the venue's quota is exhausted).
    mutating func refuse(_ id: ClientOrderID?, code: Int, message: String, at time: Timestamp) {
        now = time
        statistics.rejections += 1
        outbox.append(.rejected(id: id, code: code, message: message, time: time))
    }

    mutating func reject(_ id: ClientOrderID, _ problem: (Int, String)) {
        statistics.rejections += 1
        outbox.append(.rejected(id: id, code: problem.0, message: problem.1, time: now))
    }

    /// Removes a resting order that did not fill away: later orders of ours at its price no longer
    /// have its size ahead of them.
    mutating func removeOrder(at index: Int) {
        let removed = orders.remove(at: index)
        for later in index..<orders.count where orders[later].side == removed.side && orders[later].price == removed.price {
            orders[later].queue.ahead = max(0, orders[later].queue.ahead - Double(removed.remaining.lots))
        }
        refreshExtremes()
    }

    mutating func refreshExtremes() {
        var high = Int64.min
        var low = Int64.max
        for order in orders {
            if order.side == .buy {
                high = max(high, order.price.ticks)
            } else {
                low = min(low, order.price.ticks)
            }
        }
        highestBid = high
        lowestAsk = low
    }
}

/// Running totals of a simulated account's executions.
public struct ExecutionStatistics: Hashable, Sendable {
    /// Orders that reached the exchange as valid placements (including post-only ones it cancelled).
    public var ordersPlaced = 0
    /// Placements the exchange accepted.
    public var ordersAccepted = 0
    /// Accepted orders that filled at least partly.
    public var filledOrders = 0
    /// The maker fills' edge against the mid at the time of each fill, Σ side·(mid − price)·size,
    /// in notional units.
    public var makerEdge: Double = 0
    /// Placements and modifies refused as invalid.
    public var rejections = 0
    /// Post-only orders (or modifies) cancelled because they would have crossed.
    public var postOnlyRejections = 0
    /// Modifies carried out.
    public var modifies = 0
    /// Cancels carried out (each order of a cancel-all counts).
    public var cancels = 0
    /// Our resting orders expired by self-trade prevention.
    public var selfTradeCancels = 0
    /// Executions as maker.
    public var makerFills = 0
    /// Executions as taker.
    public var takerFills = 0
    /// Maker volume in notional units.
    public var makerNotional: Int128 = 0
    /// Taker volume in notional units.
    public var takerNotional: Int128 = 0
    /// Maker volume in lots.
    public var makerLots: Int64 = 0
    /// Taker volume in lots.
    public var takerLots: Int64 = 0
    /// Fees paid in notional units (negative: rebates).
    public var fees: Int64 = 0

    /// Empty totals.
    public init() {}

    mutating func record(side: Side, notional: Int128, size: Int64, fee: Int64, isMaker: Bool) {
        if isMaker {
            makerFills += 1
            makerNotional += notional
            makerLots += size
        } else {
            takerFills += 1
            takerNotional += notional
            takerLots += size
        }
        fees += fee
    }
}

extension MatchingEngine {
    /// Feeds the time-weighted measures with the account and book at `time`. `mutating` so that
    /// the venue reaches the book through its exclusive access: read through the venue's stored
    /// property, the book's arrays would be retained and released on every market event.
    mutating func report(at time: Int64, into metrics: inout MetricsAccumulator) {
        metrics.observeMarket(
            at: time, position: position.lots, cash: cash, ourBid: highestBid, ourAsk: lowestAsk,
            midTicks: book.midTicks)
    }
}
