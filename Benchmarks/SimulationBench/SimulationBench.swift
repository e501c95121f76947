// The simulator's throughput: the synthetic market alone, the matching engine on top of it, and
// whole backtests through the trading engine (events per second of virtual market data).
// Run: swift package --package-path Benchmarks benchmark --target SimulationBench
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Benchmark
import MarketCore
import Simulation
import Trading

/// A day of ETH-like synthetic data (about 10 M events); generators restart when they run out.
let day: Int64 = 86_400_000_000_000

func cpuSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// A strategy that never quotes: the engine still applies every event and reconciles, so the
/// backtest measures the simulator and the engine's fixed cost.
struct IdleStrategy: QuoteStrategy {
    let name = "idle"
    mutating func quote(_ input: QuoteInput, into targets: inout QuoteTargets) {
        targets.suppressAll(because: .halted)
    }
}

/// The CLI's `grid`: a 3-level Avellaneda–Stoikov ladder, fixed 0.05 ETH orders, 0.3 ETH limit.
func gridConfiguration(spec: MarketSpec, requotesEveryUpdate: Bool) throws -> EngineConfiguration {
    var configuration = EngineConfiguration()
    configuration.orderManager.levelsPerSide = 3
    configuration.orderManager.toleranceBps = 0.5
    configuration.orderManager.maxLiveOrders = 6
    configuration.risk.maxPosition = .base(try spec.quantity("0.3"))
    configuration.risk.useDynamicLimit = false
    configuration.sizing = SizingConfiguration(rule: .fixed(try spec.quantity("0.05")), capitalUSD: 10_000)
    configuration.requotesEveryUpdate = requotesEveryUpdate
    return configuration
}

/// The grid's settings as the CLI builds them.
func gridSettings() -> StrategySettings {
    var settings = StrategySettings()
    settings.model = .avellanedaStoikov
    settings.asGamma = 0.1
    settings.asK = 6
    settings.asHorizonSeconds = 30
    settings.warmUpSamples = 10
    settings.shaper = LadderShaper(levels: 3, spacing: 1, sizeMultiplier: 1, minSpreadBps: 1, maxSpreadBps: 200)
    return settings
}

/// The same AS ladder, saying what its quote reads (best prices, position and sizes, the time
/// through its 1 s σ step), so the engine can skip quotes that could not change. This is what
/// `ConfiguredStrategy` would declare for AS with a rolling horizon.
struct DeclaredGridStrategy: QuoteStrategy, QuoteDependencyDeclaring {
    var base: AvellanedaStoikovStrategy
    var name: String { "grid(as)" }
    var quoteDependencies: QuoteDependencies { .bestPrices(clockStepNanos: 1_000_000_000) }

    init() throws {
        let settings = gridSettings()
        base = try AvellanedaStoikovStrategy(
            gamma: settings.asGamma, k: settings.asK, horizonSeconds: settings.asHorizonSeconds,
            sampleNanos: settings.asSampleNanos, volHalfLifeSeconds: settings.asVolHalfLifeSeconds,
            warmUpSamples: settings.warmUpSamples, shaper: settings.shaper)
    }

    mutating func quote(_ input: QuoteInput, into targets: inout QuoteTargets) { base.quote(input, into: &targets) }
}

func gridEngine(spec: MarketSpec, requotesEveryUpdate: Bool) throws -> Engine<ConfiguredStrategy> {
    Engine(
        spec: spec, strategy: try ConfiguredStrategy(gridSettings()),
        configuration: try gridConfiguration(spec: spec, requotesEveryUpdate: requotesEveryUpdate),
        ids: ClientOrderIDGenerator(start: 1), logger: .backtest)
}

func declaredGridEngine(spec: MarketSpec, requotesEveryUpdate: Bool) throws -> Engine<DeclaredGridStrategy> {
    Engine(
        spec: spec, strategy: try DeclaredGridStrategy(),
        configuration: try gridConfiguration(spec: spec, requotesEveryUpdate: requotesEveryUpdate),
        ids: ClientOrderIDGenerator(start: 1), logger: .backtest)
}

/// One timed 1 h grid backtest: events per CPU second.
func gridBacktest<S: QuoteStrategy>(_ engine: (MarketSpec) throws -> Engine<S>) throws -> (Int, BacktestSummary) {
    let market = try SyntheticMarket(configuration: .eth(durationNanoseconds: day / 24), seed: 1)
    let runner = BacktestRunner(
        source: market, engine: try engine(market.spec),
        options: BacktestOptions(latency: .lighterStandard(), queueModel: .power3))
    let start = cpuSeconds()
    let summary = runner.run()
    return (Int(Double(summary.events) / (cpuSeconds() - start)), summary)
}

let eventsPerSecond = BenchmarkMetric.custom("events/s (CPU time)", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal], maxDuration: .seconds(5), maxIterations: 20)

    Benchmark("synthetic market (ETH), 1M events", configuration: .init(scalingFactor: .mega)) { benchmark in
        var market = try SyntheticMarket(configuration: .eth(durationNanoseconds: day), seed: 1)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            if let event = market.nextEvent() {
                blackHole(event)
            } else {
                market = try SyntheticMarket(configuration: .eth(durationNanoseconds: day), seed: 1)
            }
        }
    }

    Benchmark("synthetic market + SimVenue with 6 resting orders (power3), 1M events", configuration: .init(scalingFactor: .mega)) { benchmark in
        var market = try SyntheticMarket(configuration: .eth(durationNanoseconds: day), seed: 1)
        let venue = SimVenue(spec: market.spec, queueModel: .power3)
        var nextID: Int64 = 1
        var events: [ExecutionEvent] = []
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations {
            guard let event = market.nextEvent() else {
                market = try SyntheticMarket(configuration: .eth(durationNanoseconds: day), seed: 1)
                continue
            }
            venue.process(event)
            // Keep three bids and three asks resting two to four levels from the touch.
            if iteration & 1023 == 0, let bid = venue.exchange.book.bestBid, let ask = venue.exchange.book.bestAsk {
                venue.submit([.cancelAll], at: event.receivedAt)
                var actions: [OrderAction] = []
                for level in 1...3 {
                    for side in Side.allCases {
                        guard let id = ClientOrderID(rawValue: nextID) else { continue }
                        nextID += 1
                        let price = side == .buy ? bid.price - Int64(level) * 10 : ask.price + Int64(level) * 10
                        actions.append(.place(OrderRequest(id: id, side: side, price: price, size: Quantity(lots: 500))))
                    }
                }
                venue.submit(actions, at: event.receivedAt)
                venue.advance(to: event.receivedAt)
                events.removeAll(keepingCapacity: true)
                venue.drainEvents(upTo: event.receivedAt, into: &events)
            }
        }
        blackHole(venue.exchange.position)
    }

    Benchmark("backtest 1h ETH, idle strategy (simulator + engine fixed cost)", configuration: .init(metrics: [.wallClock, .cpuTotal, eventsPerSecond])) { benchmark in
        for _ in benchmark.scaledIterations {
            let market = try SyntheticMarket(configuration: .eth(durationNanoseconds: day / 24), seed: 1)
            let engine = Engine(
                spec: market.spec, strategy: IdleStrategy(), ids: ClientOrderIDGenerator(start: 1), logger: .backtest)
            let runner = BacktestRunner(source: market, engine: engine, options: BacktestOptions(queueModel: .power3))
            let start = cpuSeconds()
            let summary = runner.run()
            benchmark.measurement(eventsPerSecond, Int(Double(summary.events) / (cpuSeconds() - start)))
            blackHole(summary)
        }
    }

    // The grid backtest three ways: requoting on every book change (the reference), the default
    // engine with the strategy as the CLI builds it (order comparisons skipped when nothing
    // changed), and with the strategy declaring what it reads (quotes skipped too).
    Benchmark("backtest 1h ETH, grid(as) 3 levels, power3, Lighter standard latency, requote every update (reference)", configuration: .init(metrics: [.wallClock, .cpuTotal, eventsPerSecond])) { benchmark in
        for _ in benchmark.scaledIterations {
            let (rate, summary) = try gridBacktest { try gridEngine(spec: $0, requotesEveryUpdate: true) }
            benchmark.measurement(eventsPerSecond, rate)
            blackHole(summary)
        }
    }

    Benchmark("backtest 1h ETH, grid(as) 3 levels, power3, Lighter standard latency", configuration: .init(metrics: [.wallClock, .cpuTotal, eventsPerSecond])) { benchmark in
        for _ in benchmark.scaledIterations {
            let (rate, summary) = try gridBacktest { try gridEngine(spec: $0, requotesEveryUpdate: false) }
            benchmark.measurement(eventsPerSecond, rate)
            blackHole(summary)
        }
    }

    Benchmark("backtest 1h ETH, grid(as) 3 levels, power3, Lighter standard latency, declared dependencies", configuration: .init(metrics: [.wallClock, .cpuTotal, eventsPerSecond])) { benchmark in
        for _ in benchmark.scaledIterations {
            let (rate, summary) = try gridBacktest { try declaredGridEngine(spec: $0, requotesEveryUpdate: false) }
            benchmark.measurement(eventsPerSecond, rate)
            blackHole(summary)
        }
    }
}
