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

/// A `grid` as the CLI builds it: a 3-level ladder, fixed 0.05 ETH orders, 0.3 ETH limit.
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

/// The grid's settings: Avellaneda–Stoikov (rolling 30 s horizon, 1 s σ step) or vol+OBI (the
/// defaults) behind the 3-level ladder.
func gridSettings(_ model: StrategySettings.Model) -> StrategySettings {
    var settings = StrategySettings()
    settings.model = model
    settings.asGamma = 0.1
    settings.asK = 6
    settings.asHorizonSeconds = 30
    settings.warmUpSamples = 10
    settings.shaper = LadderShaper(levels: 3, spacing: 1, sizeMultiplier: 1, minSpreadBps: 1, maxSpreadBps: 200)
    return settings
}

func gridEngine(
    spec: MarketSpec, model: StrategySettings.Model = .avellanedaStoikov, requotesEveryUpdate: Bool = false
) throws -> Engine<ConfiguredStrategy> {
    Engine(
        spec: spec, strategy: try ConfiguredStrategy(gridSettings(model)),
        configuration: try gridConfiguration(spec: spec, requotesEveryUpdate: requotesEveryUpdate),
        ids: ClientOrderIDGenerator(start: 1), logger: .backtest)
}

/// One timed 1 h grid backtest with the probabilistic `x³` queue model and Lighter's standard
/// latencies: events per CPU second.
func gridBacktest<S: QuoteStrategy>(quotesEveryEvent: Bool = false, _ engine: (MarketSpec) throws -> Engine<S>) throws
    -> (Int, BacktestSummary)
{
    let market = try SyntheticMarket(configuration: .eth(durationNanoseconds: day / 24), seed: 1)
    let runner = BacktestRunner(
        source: market, engine: try engine(market.spec),
        options: BacktestOptions(latency: .lighterStandard(), queueModel: .power3, quotesEveryEvent: quotesEveryEvent))
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

    // The grid backtest: the default (the events of one instant quoted once, quotes and order
    // comparisons that cannot change anything skipped), then the same with one quote per event
    // and with the engine's reference mode (asking the strategy and comparing on every update),
    // the baselines of the ratios; and the CLI's default model (vol+OBI, which reads the whole
    // book and quotes on every update).
    Benchmark("backtest 1h ETH, grid(as) 3 levels, power3, Lighter standard latency", configuration: .init(metrics: [.wallClock, .cpuTotal, eventsPerSecond])) { benchmark in
        for _ in benchmark.scaledIterations {
            let (rate, summary) = try gridBacktest { try gridEngine(spec: $0) }
            benchmark.measurement(eventsPerSecond, rate)
            blackHole(summary)
        }
    }

    Benchmark("backtest 1h ETH, grid(as), one quote per event (baseline)", configuration: .init(metrics: [.wallClock, .cpuTotal, eventsPerSecond])) { benchmark in
        for _ in benchmark.scaledIterations {
            let (rate, summary) = try gridBacktest(quotesEveryEvent: true) { try gridEngine(spec: $0) }
            benchmark.measurement(eventsPerSecond, rate)
            blackHole(summary)
        }
    }

    Benchmark("backtest 1h ETH, grid(as), one quote per event, requote every update (reference mode)", configuration: .init(metrics: [.wallClock, .cpuTotal, eventsPerSecond])) { benchmark in
        for _ in benchmark.scaledIterations {
            let (rate, summary) = try gridBacktest(quotesEveryEvent: true) { try gridEngine(spec: $0, requotesEveryUpdate: true) }
            benchmark.measurement(eventsPerSecond, rate)
            blackHole(summary)
        }
    }

    Benchmark("backtest 1h ETH, grid(volobi) 3 levels, power3, Lighter standard latency", configuration: .init(metrics: [.wallClock, .cpuTotal, eventsPerSecond])) { benchmark in
        for _ in benchmark.scaledIterations {
            let (rate, summary) = try gridBacktest { try gridEngine(spec: $0, model: .volOBI) }
            benchmark.measurement(eventsPerSecond, rate)
            blackHole(summary)
        }
    }
}
