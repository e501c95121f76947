import MarketCore
import Testing
import Trading

/// A venue double: records what it is given; hands out the events a test queues.
final class RecordingVenue: Venue {
    private(set) var submitted: [(time: Timestamp, action: OrderAction)] = []
    var queued: [ExecutionEvent] = []

    func submit(_ actions: [OrderAction], at time: Timestamp) {
        for action in actions { submitted.append((time, action)) }
    }

    func drainEvents(upTo time: Timestamp, into events: inout [ExecutionEvent]) {
        let due = queued.filter { $0.time <= time }
        queued.removeAll { $0.time <= time }
        events.append(contentsOf: due)
    }

    var nextEventTime: Timestamp? { queued.map(\.time).min() }
}

/// A strategy that quotes whatever the test sets.
struct ScriptedStrategy: QuoteStrategy {
    var name: String { "scripted" }
    var bids: [QuoteLevel] = []
    var asks: [QuoteLevel] = []
    var bidReason: NoQuoteReason?
    var askReason: NoQuoteReason?
    var lastInput: QuoteInput?
    var calls = 0

    mutating func quote(_ input: QuoteInput, into targets: inout QuoteTargets) {
        calls += 1
        lastInput = input
        for level in bids { targets.append(level, to: .buy) }
        for level in asks { targets.append(level, to: .sell) }
        if bids.isEmpty, let reason = bidReason { targets.suppress(.buy, because: reason) }
        if asks.isEmpty, let reason = askReason { targets.suppress(.sell, because: reason) }
    }
}

/// ETH-like market: prices in cents, sizes in 0.0001, minimum 0.0050 ETH and 10 USD.
func ethSpec(lotSize: Int64 = 1) throws -> MarketSpec {
    try MarketSpec(
        symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4, lotSize: lotSize,
        minBaseAmount: Quantity(lots: 50), minQuoteNotional: 10_000_000)
}

/// 2025-11-21 04:00:00 UTC, in milliseconds.
let baseMs: Int64 = 1_763_697_600_000

func at(_ offsetMs: Int64) -> Timestamp { Timestamp(milliseconds: baseMs + offsetMs) }

func px(_ ticks: Int64) -> Price { Price(ticks: ticks) }
func qty(_ lots: Int64) -> Quantity { Quantity(lots: lots) }
func level(_ ticks: Int64, _ lots: Int64) -> QuoteLevel { QuoteLevel(price: px(ticks), size: qty(lots)) }
func cid(_ raw: Int64) throws -> ClientOrderID { try #require(ClientOrderID(rawValue: raw)) }

/// The engine settings most tests use: one level, 2 bp band, 500/250/2000 ms lockouts, a static
/// 1 ETH limit, no dynamic limit.
func testConfiguration(levels: Int = 1) -> EngineConfiguration {
    var configuration = EngineConfiguration()
    configuration.orderManager = OrderManagerConfiguration(
        levelsPerSide: levels, toleranceBps: 2, fillLockoutMs: 500, actionLockoutMs: 250, rejectLockoutMs: 2000,
        maxLiveOrders: 8, timeInForce: .postOnly)
    configuration.risk = RiskConfiguration(
        maxPosition: .base(qty(10_000)), useDynamicLimit: false, dailyLossLimitUSD: nil, circuitBreakerRejects: 3,
        circuitBreakerCooldownMs: 10_000, flattenSlippageBps: 50)
    configuration.sizing = SizingConfiguration(rule: .fixed(qty(100)))
    configuration.recordRepeatedHolds = true
    return configuration
}

/// An engine, a recording venue and a clock, driven step by step.
final class Harness {
    let spec: MarketSpec
    let engine: Engine<ScriptedStrategy>
    let venue = RecordingVenue()

    init(configuration: EngineConfiguration = testConfiguration(), spec: MarketSpec? = nil, idStart: Int64 = 1000)
        throws
    {
        let spec = try spec ?? ethSpec()
        self.spec = spec
        engine = Engine(
            spec: spec, strategy: ScriptedStrategy(), configuration: configuration,
            ids: ClientOrderIDGenerator(start: idStart))
    }

    /// Shows a one-level book (bid/ask in ticks, 1 ETH each) at `ms`; returns the actions submitted.
    @discardableResult
    func book(bid: Int64, ask: Int64, at ms: Int64) -> [OrderAction] {
        let snapshot = BookSnapshot(
            receivedAt: at(ms), exchangeTimeMs: baseMs + ms, sequence: ms,
            bids: [BookLevel(price: px(bid), size: qty(10_000))], asks: [BookLevel(price: px(ask), size: qty(10_000))])
        return step { $0.handle(.bookSnapshot(snapshot)) }
    }

    /// Hands the engine a venue event; returns the actions submitted.
    @discardableResult
    func send(_ event: ExecutionEvent) -> [OrderAction] { step { $0.handle(event) } }

    /// Ticks the engine at `ms`; returns the actions submitted.
    @discardableResult
    func tick(at ms: Int64) -> [OrderAction] { step { $0.tick(at: at(ms)) } }

    /// Runs `body` and returns the actions it made the engine submit.
    @discardableResult
    func step(_ body: (Engine<ScriptedStrategy>) -> Void) -> [OrderAction] {
        let before = venue.submitted.count
        body(engine)
        engine.submitPendingActions(to: venue)
        return venue.submitted[before...].map(\.action)
    }

    /// The decision lines recorded so far.
    var lines: [String] { engine.decisions.decisions.map { $0.line(spec: spec) } }

    /// The current order of a slot.
    func slot(_ side: Side, level: Int = 0) -> OrderSlot { engine.orderManager.slot(side, level: level) }
}

extension OrderAction {
    /// The request, if this is a place.
    var placed: OrderRequest? {
        if case .place(let request) = self { return request }
        return nil
    }
}
