import MarketCore
import Quant
import Simulation
import Testing
import Trading

/// A 3-level Avellaneda–Stoikov ladder (the CLI's `grid`) with a fixed order size and a fixed limit.
func gridEngine(spec: MarketSpec, orderSize: String = "0.05", limit: String = "0.3", levels: Int = 3) throws
    -> Engine<ConfiguredStrategy>
{
    var settings = StrategySettings()
    settings.model = .avellanedaStoikov
    settings.asGamma = 0.1
    settings.asK = 6
    settings.asHorizonSeconds = 30
    settings.asSampleNanos = 1_000_000_000
    settings.warmUpSamples = 10
    settings.shaper = LadderShaper(levels: levels, spacing: 1, sizeMultiplier: 1, minSpreadBps: 1, maxSpreadBps: 200)
    let strategy = try ConfiguredStrategy(settings)
    var configuration = EngineConfiguration()
    configuration.orderManager.levelsPerSide = levels
    configuration.orderManager.toleranceBps = 0.5
    configuration.orderManager.maxLiveOrders = 2 * levels
    configuration.risk.maxPosition = .base(try spec.quantity(limit))
    configuration.risk.useDynamicLimit = false
    configuration.sizing = SizingConfiguration(rule: .fixed(try spec.quantity(orderSize)), capitalUSD: 10_000)
    return Engine(
        spec: spec, strategy: strategy, configuration: configuration, ids: ClientOrderIDGenerator(start: 1000),
        logger: .backtest)
}

func ethMarket(minutes: Int64, seed: UInt64) throws -> SyntheticMarket {
    try SyntheticMarket(configuration: .eth(durationNanoseconds: minutes * 60_000_000_000), seed: seed)
}

@Suite struct BacktestTests {
    @Test func sameSeedGivesIdenticalJSONBytes() throws {
        func run(marketSeed: UInt64) throws -> (String, BacktestSummary) {
            let options = BacktestOptions(
                latency: LatencyModel(
                    feed: .uniform(minNanoseconds: 2_000_000, maxNanoseconds: 8_000_000),
                    orderEntry: .logNormal(medianNanoseconds: 5_000_000, sigma: 0.4, maxNanoseconds: 50_000_000),
                    response: .milliseconds(5), makerDelayNanoseconds: 200_000_000,
                    takerDelayNanoseconds: 300_000_000),
                seed: 9)
            let runner = BacktestRunner(
                source: try ethMarket(minutes: 20, seed: marketSeed), engine: try gridEngine(spec: eth),
                options: options)
            let summary = runner.run()
            return (summary.json(), summary)
        }
        let (first, summary) = try run(marketSeed: 1)
        let (second, _) = try run(marketSeed: 1)
        let (other, _) = try run(marketSeed: 2)
        #expect(Array(first.utf8) == Array(second.utf8))
        #expect(first != other)
        // The run did something worth comparing.
        #expect(summary.events > 50_000)
        #expect(summary.fills > 10)
        #expect(summary.ordersAccepted > 10)
        #expect(first.hasPrefix("{\n  \"strategy\": \"grid(as)\",\n  \"market\": \"ETH\","))
    }

    /// Over many seeded runs, with random latencies (some with a volume quota that runs out): after
    /// every step of the engine
    /// - the position never exceeds the limit by more than one order;
    /// - the orders the engine believes resting (live or being modified) are among those the venue
    ///   has told it are resting (accepted and not yet done), and each of those is one the engine
    ///   tracks (live, being modified or being cancelled);
    /// - every order resting at the exchange is one the engine knows (live or in flight).
    @Test(arguments: 0..<12)
    func engineAndVenueAgreeOnOrdersAndLimits(seed: Int) throws {
        let limit = try eth.quantity("0.2")
        let size = try eth.quantity("0.05")
        let latency = LatencyModel(
            feed: .uniform(minNanoseconds: 1_000_000, maxNanoseconds: 20_000_000),
            orderEntry: .uniform(minNanoseconds: 1_000_000, maxNanoseconds: 30_000_000),
            response: .uniform(minNanoseconds: 1_000_000, maxNanoseconds: 30_000_000),
            makerDelayNanoseconds: seed.isMultiple(of: 2) ? 200_000_000 : 0,
            takerDelayNanoseconds: seed.isMultiple(of: 2) ? 300_000_000 : 0)
        let runner = BacktestRunner(
            source: try ethMarket(minutes: 6, seed: UInt64(100 + seed)),
            engine: try gridEngine(spec: eth, orderSize: "0.05", limit: "0.2", levels: 1 + seed % 3),
            options: BacktestOptions(
                latency: latency, queueModel: seed % 3 == 0 ? .conservative : .power3, seed: UInt64(seed),
                // Some runs on a premium account with a small volume quota, so actions get refused.
                volumeQuota: seed % 4 == 3 ? VolumeQuotaModel(initial: 40, notionalPerUnitUSD: 1000) : nil))
        var steps = 0
        var worstExcess: Int64 = .min
        var liveMismatches = 0
        var unknownAtExchange = 0
        runner.afterEngineStep = { runner in
            steps += 1
            let position = abs(runner.venue.exchange.position.lots)
            worstExcess = max(worstExcess, position - limit.lots)
            // Slots that rest for sure (live or modifying) and every slot holding an order id.
            var believedLive: Set<ClientOrderID> = []
            var known: Set<ClientOrderID> = []
            for slot in runner.engine.orderManager.allSlots {
                guard let id = slot.orderID, slot.state != .idle else { continue }
                known.insert(id)
                if slot.state == .live || slot.state == .modifying { believedLive.insert(id) }
            }
            // A canceling slot may hold an order never acknowledged (cancel sent while placing), so
            // the comparison is: acknowledged-resting ⊆ reported-live ⊆ known.
            if !believedLive.isSubset(of: runner.venue.reportedLiveOrders)
                || !runner.venue.reportedLiveOrders.isSubset(of: known)
            {
                liveMismatches += 1
            }
            if !runner.engine.orderManager.hasFlattenOrder {
                for order in runner.venue.exchange.orders where !known.contains(order.id) { unknownAtExchange += 1 }
            }
        }
        let summary = runner.run()
        #expect(steps > 1000)
        #expect(summary.fills > 0)
        #expect(worstExcess <= size.lots)
        if seed % 4 == 3 { #expect(summary.rejections > 0) }
        #expect(liveMismatches == 0)
        #expect(unknownAtExchange == 0)
        #expect(runner.engine.counters.unknownOrderEvents == 0)
        #expect(runner.engine.counters.positionMismatches == 0)
    }

    @Test func eventsOfOneInstantAreQuotedOnce() throws {
        func run(quotesEveryEvent: Bool) throws -> (BacktestSummary, EngineCounters) {
            let runner = BacktestRunner(
                source: try ethMarket(minutes: 5, seed: 4), engine: try gridEngine(spec: eth),
                options: BacktestOptions(
                    latency: .lighterStandard(network: .milliseconds(3)), seed: 4, quotesEveryEvent: quotesEveryEvent))
            return (runner.run(), runner.engine.counters)
        }
        let (grouped, groupedCounters) = try run(quotesEveryEvent: false)
        let (single, singleCounters) = try run(quotesEveryEvent: true)
        // The same events reach the engine either way (only the last few milliseconds are still
        // on their way at the end).
        #expect(groupedCounters.marketEvents == singleCounters.marketEvents)
        #expect(grouped.events == single.events)
        #expect(grouped.events - groupedCounters.marketEvents < 100)
        // Quoting once per instant: the synthetic market moves several levels at once (a sweep,
        // the refills, its trades), so there are far fewer quotes than book events.
        #expect(groupedCounters.marketUpdates < singleCounters.marketUpdates * 4 / 5)
        #expect(groupedCounters.marketUpdates > 1000)
        // Both runs trade.
        #expect(grouped.fills > 10 && single.fills > 10)
    }

    @Test func aMessageIsNeverQuotedHalfApplied() throws {
        // At 1 s a message moves the market up: a new best bid at 3000.20 (above the old best ask),
        // the old ask 3000.10 gone, a new ask at 3000.30. Applied one change at a time the book is
        // crossed after the first; as a message it never is.
        func level(_ ticks: Int64, _ lots: Int64) -> BookLevel { BookLevel(price: Price(ticks: ticks), size: Quantity(lots: lots)) }
        func delta(_ side: Side, _ ticks: Int64, _ lots: Int64, at nanoseconds: Int64) -> MarketEvent {
            .bookDelta(
                BookDelta(
                    receivedAt: Timestamp(nanoseconds: nanoseconds), exchangeTimeMs: nanoseconds / 1_000_000, sequence: 2,
                    side: side, price: Price(ticks: ticks), size: Quantity(lots: lots)))
        }
        let second: Int64 = 1_000_000_000
        var events: [MarketEvent] = [
            .bookSnapshot(
                BookSnapshot(
                    receivedAt: .epoch, exchangeTimeMs: 0, sequence: 1, bids: [level(300_000, 50_000)],
                    asks: [level(300_010, 50_000)]))
        ]
        events += [delta(.buy, 300_020, 50_000, at: second), delta(.sell, 300_010, 0, at: second), delta(.sell, 300_030, 50_000, at: second)]
        events.append(delta(.buy, 300_000, 40_000, at: 2 * second))
        func crossedHolds(quotesEveryEvent: Bool) throws -> Int {
            let runner = BacktestRunner(
                source: ArrayEventSource(spec: eth, events: events), engine: try gridEngine(spec: eth),
                options: BacktestOptions(latency: LatencyModel(feed: .milliseconds(5)), quotesEveryEvent: quotesEveryEvent))
            _ = runner.run()
            // (The run ends with the data: the last event is still on its way to the engine.)
            #expect(runner.engine.counters.marketEvents == events.count - 1)
            #expect(runner.engine.book.bestBid?.price == Price(ticks: 300_020))
            #expect(runner.engine.book.bestAsk?.price == Price(ticks: 300_030))
            return runner.engine.decisions.decisions.filter { $0.kind == .hold && $0.reason == .bookNotReady }.count
        }
        #expect(try crossedHolds(quotesEveryEvent: true) == 1)
        #expect(try crossedHolds(quotesEveryEvent: false) == 0)
    }

    @Test func longFeedLatencyDeliversEveryEventOnceInOrder() throws {
        // 250 ms of feed latency: the engine's queue never empties, so it is compacted while running.
        let runner = BacktestRunner(
            source: try ethMarket(minutes: 10, seed: 8), engine: try gridEngine(spec: eth),
            options: BacktestOptions(latency: LatencyModel(feed: .milliseconds(250)), seed: 8))
        var lastTime = Timestamp.epoch
        var backwards = 0
        runner.afterEngineStep = { runner in
            if runner.clock.now < lastTime { backwards += 1 }
            lastTime = runner.clock.now
        }
        let summary = runner.run()
        let delivered = runner.engine.counters.marketEvents
        // Everything but the last 250 ms of data reached the engine, exactly once.
        #expect(delivered <= summary.events)
        #expect(summary.events - delivered > 0)
        #expect(summary.events - delivered < 2000)
        #expect(backwards == 0)
    }
}

/// The grid's Avellaneda–Stoikov ladder, saying what its quote reads: with a rolling horizon, AS
/// reads the best prices (mid and the post-only clamp), the position, limit and order size, and the
/// time only through its σ sampling step; it ignores trades.
struct DeclaredGridStrategy: QuoteStrategy, QuoteDependencyDeclaring {
    var base: AvellanedaStoikovStrategy
    let sampleNanos: Int64
    var name: String { "grid(as)" }
    var quoteDependencies: QuoteDependencies { .bestPrices(clockStepNanos: sampleNanos) }

    init(levels: Int = 3, sampleNanos: Int64 = 1_000_000_000) throws {
        base = try AvellanedaStoikovStrategy(
            gamma: 0.1, k: 6, horizonSeconds: 30, sampleNanos: sampleNanos, warmUpSamples: 10,
            shaper: LadderShaper(levels: levels, spacing: 1, sizeMultiplier: 1, minSpreadBps: 1, maxSpreadBps: 200))
        self.sampleNanos = sampleNanos
    }

    mutating func quote(_ input: QuoteInput, into targets: inout QuoteTargets) { base.quote(input, into: &targets) }
}

/// Keeps every decision the engine records.
final class DecisionCollector: DecisionSink {
    var decisions: [Decision] = []
    func record(_ decision: Decision) { decisions.append(decision) }
}

/// Skipping quotes and order comparisons that could not change anything gives the run that
/// requoting on every book change gives: the same decisions, venue events and summary bytes.
@Suite struct RequoteSkippingTests {
    struct Run {
        var json: String
        var decisions: [Decision]
        var venueEvents: [ExecutionEvent]
        var suppressedRepeats: Int
        var counters: EngineCounters
    }

    func run<S: QuoteStrategy>(
        _ strategy: S, seed: UInt64, everyUpdate: Bool, dailyLossLimitUSD: Double? = nil, minutes: Int64 = 15
    ) throws -> Run {
        let market = try ethMarket(minutes: minutes, seed: seed)
        let spec = market.spec
        var configuration = EngineConfiguration()
        configuration.orderManager.levelsPerSide = 3
        configuration.orderManager.toleranceBps = 0.5
        configuration.orderManager.maxLiveOrders = 6
        configuration.risk.maxPosition = .base(try spec.quantity("0.3"))
        configuration.risk.useDynamicLimit = false
        configuration.risk.dailyLossLimitUSD = dailyLossLimitUSD
        configuration.sizing = SizingConfiguration(rule: .fixed(try spec.quantity("0.05")), capitalUSD: 10_000)
        configuration.requotesEveryUpdate = everyUpdate
        let collector = DecisionCollector()
        let engine = Engine(
            spec: spec, strategy: strategy, configuration: configuration, ids: ClientOrderIDGenerator(start: 1),
            logger: .backtest, sink: collector)
        let runner = BacktestRunner(
            source: market, engine: engine,
            options: BacktestOptions(latency: .lighterStandard(network: .milliseconds(3)), seed: seed))
        var venueEvents: [ExecutionEvent] = []
        runner.beforeExecutionEvent = { venueEvents.append($0) }
        let summary = runner.run()
        return Run(
            json: summary.json(), decisions: collector.decisions, venueEvents: venueEvents,
            suppressedRepeats: engine.suppressedRepeatDecisions, counters: engine.counters)
    }

    func expectSameRun(_ skipping: Run, _ reference: Run) {
        #expect(Array(skipping.json.utf8) == Array(reference.json.utf8))
        #expect(skipping.decisions.count == reference.decisions.count)
        #expect(skipping.decisions == reference.decisions)
        #expect(skipping.venueEvents == reference.venueEvents)
        #expect(skipping.suppressedRepeats == reference.suppressedRepeats)
        var counters = skipping.counters
        counters.skippedQuotes = 0
        counters.skippedReconciles = 0
        #expect(counters == reference.counters)
        #expect(reference.counters.skippedQuotes == 0 && reference.counters.skippedReconciles == 0)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func declaredStrategySkipsAndDecidesTheSame(seed: UInt64) throws {
        let skipping = try run(DeclaredGridStrategy(), seed: seed, everyUpdate: false)
        let reference = try run(DeclaredGridStrategy(), seed: seed, everyUpdate: true)
        expectSameRun(skipping, reference)
        // The run traded, and most book changes were skipped.
        #expect(reference.counters.fills > 5)
        #expect(reference.decisions.count > 200)
        #expect(skipping.counters.skippedQuotes > skipping.counters.marketEvents / 4)
        #expect(skipping.counters.skippedReconciles > skipping.counters.marketEvents / 4)
    }

    /// The CLI's strategy: AS and GLFT declare best prices and their σ step, vol+OBI (which reads
    /// the depth) is asked on every book change; all decide as requoting every update does.
    @Test(arguments: [(StrategySettings.Model.avellanedaStoikov, UInt64(5)), (.glft, 6), (.volOBI, 5)])
    func configuredStrategyDecidesTheSame(model: StrategySettings.Model, seed: UInt64) throws {
        func strategy() throws -> ConfiguredStrategy {
            var settings = StrategySettings()
            settings.model = model
            settings.asGamma = 0.1
            settings.asK = 6
            settings.asHorizonSeconds = 30
            settings.glftGamma = 0.1
            settings.glftA = 2.5
            settings.glftK = 6
            settings.warmUpSamples = 10
            settings.volOBI = VolOBIConfiguration(
                stepNanos: 100_000_000, volWindow: 300, obiWindow: 300, lookingDepth: 0.025, volToHalfSpread: 0.8, c1: 0,
                skew: 1, positionLimit: 0.3, minHalfSpreadBps: 1, minWarmUpSamples: 20)
            settings.shaper = LadderShaper(levels: 3, spacing: 1, sizeMultiplier: 1, minSpreadBps: 1, maxSpreadBps: 200)
            return try ConfiguredStrategy(settings)
        }
        let skipping = try run(try strategy(), seed: seed, everyUpdate: false)
        let reference = try run(try strategy(), seed: seed, everyUpdate: true)
        expectSameRun(skipping, reference)
        #expect(reference.counters.fills > 5)
        if model == .volOBI {
            #expect(skipping.counters.skippedQuotes == 0)
        } else {
            #expect(skipping.counters.skippedQuotes > skipping.counters.marketEvents / 4)
        }
        #expect(skipping.counters.skippedReconciles > 0)
    }

    @Test func dailyLossLimitAndAFastClockDecideTheSame() throws {
        // A 100 ms σ clock and a loss limit low enough to halt: day-window and halt decisions too.
        let skipping = try run(
            DeclaredGridStrategy(sampleNanos: 100_000_000), seed: 7, everyUpdate: false, dailyLossLimitUSD: 0.01)
        let reference = try run(
            DeclaredGridStrategy(sampleNanos: 100_000_000), seed: 7, everyUpdate: true, dailyLossLimitUSD: 0.01)
        expectSameRun(skipping, reference)
        #expect(reference.decisions.contains { $0.kind == .halt })
        #expect(skipping.counters.skippedQuotes > 0)
    }
}
