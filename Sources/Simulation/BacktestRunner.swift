#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import MarketCore
import Trading

/// The settings of a backtest other than the strategy and the engine's own configuration.
public struct BacktestOptions: Hashable, Sendable {
    /// Fee rates.
    public var fees: FeeSchedule
    /// Delays between the engine and the simulated exchange.
    public var latency: LatencyModel
    /// How queue positions advance.
    public var queueModel: QueueModel
    /// The account's starting collateral in USD (the capital returns are measured against).
    public var initialCollateralUSD: Double
    /// The seed of the latency draws (the market has its own seed).
    public var seed: UInt64
    /// Lighter's premium volume quota, or `nil` for none (standard accounts).
    public var volumeQuota: VolumeQuotaModel?
    /// When the data is expected to end, for the progress bar (`nil`: no bar).
    public var expectedEndTime: Timestamp?
    /// Whether to draw a progress bar on standard error when it is a terminal and the run lasts
    /// longer than a second.
    public var showsProgress: Bool
    /// Whether the engine quotes after every market event. By default (`false`) the events that
    /// reach it at the same instant (the level changes and trades of one feed message) are applied
    /// together and quoted once, as the live runner does with a book message.
    public var quotesEveryEvent: Bool

    /// Options; by default a Lighter standard account (no fees, 200/300 ms exchange delays, 5 ms
    /// network), the `x³` probabilistic queue model and 10 000 USD.
    public init(
        fees: FeeSchedule = .lighterStandard, latency: LatencyModel = .lighterStandard(),
        queueModel: QueueModel = .power3, initialCollateralUSD: Double = 10_000, seed: UInt64 = 0,
        expectedEndTime: Timestamp? = nil, showsProgress: Bool = false, volumeQuota: VolumeQuotaModel? = nil,
        quotesEveryEvent: Bool = false
    ) {
        self.quotesEveryEvent = quotesEveryEvent
        self.volumeQuota = volumeQuota
        self.fees = fees
        self.latency = latency
        self.queueModel = queueModel
        self.initialCollateralUSD = initialCollateralUSD
        self.seed = seed
        self.expectedEndTime = expectedEndTime
        self.showsProgress = showsProgress
    }
}

/// Drives a market through an ``Engine`` and a ``SimVenue`` in virtual time and measures the result.
///
/// Four streams are merged by time: actions reaching the exchange, market events at the exchange
/// (``MarketEventSource``), the same events reaching the engine after the feed latency, and the
/// venue's reports reaching the engine after the response latency; the engine's timers (lockouts)
/// are ticked when they end. At equal times the exchange side goes first. The events of one
/// instant of the source travel together, as one feed message: they reach the engine at the same
/// time (one latency draw) and are quoted once (``BacktestOptions/quotesEveryEvent``). The clock
/// (``clock``) follows the engine's time. The run is deterministic: the same source, strategy,
/// configuration and seeds give the same ``BacktestSummary``, bit for bit.
///
/// ```swift
/// let market = try SyntheticMarket(configuration: .eth(durationNanoseconds: 6 * 3_600_000_000_000), seed: 1)
/// let engine = Engine(spec: market.spec, strategy: strategy, configuration: configuration,
///                     ids: ClientOrderIDGenerator(start: 0), logger: .backtest)
/// let runner = BacktestRunner(source: market, engine: engine, options: BacktestOptions())
/// let summary = runner.run()
/// print(summary.json())
/// ```
public final class BacktestRunner<Source: MarketEventSource, Strategy: QuoteStrategy> {
    /// The engine under test.
    public let engine: Engine<Strategy>
    /// The simulated exchange.
    public let venue: SimVenue
    /// The options.
    public let options: BacktestOptions
    /// Virtual time: the engine's clock, advanced to the time of each step the engine takes when
    /// ``afterEngineStep`` is set (otherwise every 1024 steps and at the end of the run).
    public let clock: ManualClock
    /// Called after every step the engine takes (an event or a timer), for checks in tests.
    public var afterEngineStep: ((BacktestRunner) -> Void)?
    /// Called with every venue event just before the engine handles it, for checks in tests.
    public var beforeExecutionEvent: ((ExecutionEvent) -> Void)?

    var source: Source
    /// Market events processed so far.
    public private(set) var marketEvents = 0

    /// A runner for `engine` over `source`.
    public init(source: Source, engine: Engine<Strategy>, options: BacktestOptions = BacktestOptions()) {
        self.source = source
        self.engine = engine
        self.options = options
        self.venue = SimVenue(
            spec: source.spec, fees: options.fees, latency: options.latency, queueModel: options.queueModel,
            initialCollateral: options.initialCollateralUSD, seed: options.seed, volumeQuota: options.volumeQuota)
        self.clock = ManualClock()
    }

    /// Runs to the end of the data and returns the summary.
    public func run() -> BacktestSummary {
        // Hot state lives in locals: no exclusivity checks, no copies of the exchange.
        var source = self.source
        let venue = self.venue
        let engine = self.engine
        let afterEngineStep = self.afterEngineStep
        let beforeExecutionEvent = self.beforeExecutionEvent
        let quotesEveryEvent = options.quotesEveryEvent
        var metrics = MetricsAccumulator(spec: source.spec, initialCollateralUSD: options.initialCollateralUSD)
        var progress = ProgressBar(enabled: options.showsProgress, end: options.expectedEndTime)
        var feed = FeedQueue()
        var executionBuffer: [ExecutionEvent] = []
        executionBuffer.reserveCapacity(64)
        var feedRandom = SimulationRandom(seed: options.seed, stream: 0xFEED)
        var lastFeedDelivery: Int64 = .min
        var lastFeedMarketTime: Int64 = .min
        var events = 0

        var next = source.nextEvent()
        if let first = next {
            clock.advance(to: first.receivedAt)
            progress.start(at: first.receivedAt)
            metrics.start(at: first.receivedAt)
        }
        let feedLatency = options.latency.feed
        let constantFeed: Int64? = {
            if case .constant(let nanoseconds) = feedLatency { return max(0, nanoseconds) }
            return nil
        }()
        var timer: Int64 = .max
        var lastEngineTime: Int64 = .min
        var steps = 0
        while let event = next {
            let marketTime = event.receivedAt.nanoseconds
            let (arrival, delivery) = venue.nextTimes()
            let feedTime = feed.nextTime
            if arrival <= marketTime && arrival <= delivery && arrival <= feedTime && arrival <= timer {
                venue.advance(to: Timestamp(nanoseconds: arrival))
                continue
            }
            if marketTime <= delivery && marketTime <= feedTime && marketTime <= timer {
                venue.observe(at: marketTime, into: &metrics)
                venue.process(event)
                if marketTime != lastFeedMarketTime {
                    // A new message (the events of one instant travel together).
                    var deliveryTime = marketTime &+ (constantFeed ?? feedLatency.sample(using: &feedRandom))
                    if deliveryTime < lastFeedDelivery { deliveryTime = lastFeedDelivery }
                    lastFeedDelivery = deliveryTime
                    lastFeedMarketTime = marketTime
                }
                feed.push(event, deliveredAt: lastFeedDelivery)
                events += 1
                if events & 0xFFFF == 0 { progress.update(time: event.receivedAt, events: events) }
                next = source.nextEvent()
                continue
            }
            let now: Int64
            var timersMayHaveChanged = false
            if delivery <= feedTime && delivery <= timer {
                now = delivery
                executionBuffer.removeAll(keepingCapacity: true)
                venue.drainEvents(upTo: Timestamp(nanoseconds: now), into: &executionBuffer)
                // The venue's answers of one instant, compared with the targets once.
                for report in executionBuffer {
                    beforeExecutionEvent?(report)
                    engine.apply(report)
                }
                engine.reconcileAfterExecutionEvents()
                timersMayHaveChanged = true
            } else if feedTime <= timer {
                now = feedTime
                let time = Timestamp(nanoseconds: now)
                if quotesEveryEvent {
                    engine.handle(feed.pop(), at: time)
                } else {
                    // Everything that reaches the engine at this instant, as one message. Market
                    // events go first at equal times, so every event delivered at `now` is queued.
                    repeat {
                        engine.apply(feed.pop(), at: time)
                    } while feed.nextTime == now
                    engine.quoteAfterMarketUpdate()
                }
            } else {
                now = timer
                engine.tick(at: Timestamp(nanoseconds: now))
                timersMayHaveChanged = true
            }
            // Timers (lockouts) only start when the engine acts or hears from the venue, so the
            // next timer is recomputed only then, or once the cached one has passed.
            if engine.hasPendingActions {
                engine.submitPendingActions(to: venue)
                timersMayHaveChanged = true
            }
            if timersMayHaveChanged || timer <= now {
                timer = engine.nextTimerTime?.nanoseconds ?? .max
                if timer <= now { timer = .max }
            }
            if let afterEngineStep {
                clock.advance(to: Timestamp(nanoseconds: now))
                afterEngineStep(self)
            } else {
                // Nobody looks at every step: move the (locked) clock now and then, and at the end.
                lastEngineTime = now
                steps &+= 1
                if steps & 0x3FF == 0 { clock.advance(to: Timestamp(nanoseconds: now)) }
            }
        }
        if lastEngineTime != .min { clock.advance(to: Timestamp(nanoseconds: lastEngineTime)) }
        progress.finish(events: events)
        self.source = source
        marketEvents = events
        return metrics.summary(
            exchange: venue.exchange, engine: engine.counters, strategy: engine.strategy.name,
            market: source.spec.symbol, events: events, options: options)
    }
}

/// The market events on their way to the engine, in delivery order.
///
/// Book changes and trades are queued as plain values (``PlainMarketEvent``: no reference
/// counting per event); the rare snapshots wait in a side list.
struct FeedQueue {
    private enum Entry {
        case plain(PlainMarketEvent)
        /// A snapshot: its number (position in `snapshots` plus `snapshotBase`) and delivery time.
        case snapshot(Int, Int64)

        var time: Int64 {
            switch self {
            case .plain(let event): event.receivedAt.nanoseconds
            case .snapshot(_, let time): time
            }
        }
    }

    private var entries: [Entry] = []
    private var head = 0
    private var snapshots: [BookSnapshot?] = []
    private var snapshotBase = 0

    init() { entries.reserveCapacity(1024) }

    /// The delivery time of the next event, or `Int64.max` when none waits.
    var nextTime: Int64 { head < entries.count ? entries[head].time : .max }

    /// Queues `event`, to be delivered at `time` (not before the events already queued).
    mutating func push(_ event: MarketEvent, deliveredAt time: Int64) {
        if head == entries.count {
            // Emptied: start over (every snapshot has been delivered).
            if head > 0 {
                entries.removeAll(keepingCapacity: true)
                head = 0
            }
            if !snapshots.isEmpty {
                snapshotBase += snapshots.count
                snapshots.removeAll(keepingCapacity: true)
            }
        } else if head >= 4096 && head * 2 >= entries.count {
            // A queue that never empties (latency longer than the gaps) must not grow forever.
            entries.removeFirst(head)
            head = 0
            let delivered = snapshots.prefix { $0 == nil }.count
            snapshots.removeFirst(delivered)
            snapshotBase += delivered
        }
        let at = Timestamp(nanoseconds: time)
        switch event {
        case .bookDelta(var delta):
            delta.receivedAt = at
            entries.append(.plain(.bookDelta(delta)))
        case .trade(var trade):
            trade.receivedAt = at
            entries.append(.plain(.trade(trade)))
        case .bookSnapshot(var snapshot):
            snapshot.receivedAt = at
            entries.append(.snapshot(snapshotBase + snapshots.count, time))
            snapshots.append(snapshot)
        }
    }

    /// Takes the next event (there must be one: check ``nextTime``).
    mutating func pop() -> MarketEvent {
        let entry = entries[head]
        head += 1
        switch entry {
        case .plain(let event):
            return event.marketEvent
        case .snapshot(let number, _):
            let index = number - snapshotBase
            defer { snapshots[index] = nil }
            return .bookSnapshot(snapshots[index] ?? BookSnapshot(receivedAt: .epoch, exchangeTimeMs: 0, sequence: 0, bids: [], asks: []))
        }
    }
}

extension Logger {
    /// A logger that drops everything: backtests keep decisions in the engine's decision log
    /// instead of printing millions of lines.
    public static var backtest: Logger {
        Logger(label: "lighter-mm.backtest", factory: { _ in SwiftLogNoOpLogHandler() })
    }
}

/// A one-line progress bar on standard error, drawn only when it is a terminal and the run has
/// lasted more than a second.
struct ProgressBar {
    let enabled: Bool
    let end: Timestamp?
    var start: Timestamp = .epoch
    var wallStart: Double = 0
    var drawn = false

    init(enabled: Bool, end: Timestamp?) {
        self.enabled = enabled && isatty(2) == 1
        self.end = end
    }

    static func wallSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    mutating func start(at time: Timestamp) {
        start = time
        if enabled { wallStart = Self.wallSeconds() }
    }

    mutating func update(time: Timestamp, events: Int) {
        guard enabled else { return }
        let elapsed = Self.wallSeconds() - wallStart
        guard elapsed > 1 else { return }
        var fraction = 0.0
        if let end, end > start { fraction = min(1, max(0, Double(time - start) / Double(end - start))) }
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let rate = Double(events) / elapsed / 1e6
        let line = "\r[\(bar)] \(Int(fraction * 100))%  \(events / 1000)k events  \((rate * 10).rounded() / 10)M/s "
        Self.writeToStandardError(line)
        drawn = true
    }

    static func writeToStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    mutating func finish(events: Int) {
        guard drawn else { return }
        Self.writeToStandardError("\r" + String(repeating: " ", count: 72) + "\r")
    }
}
