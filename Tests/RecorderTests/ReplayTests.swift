import Foundation
import MarketCore
import Recorder
import Simulation
import Testing
import Trading

extension RecordedMarket: MarketEventSource {}

private let start = Timestamp(nanoseconds: 1_767_225_600_000_000_000)  // 2026-01-01T00:00:00Z
private func at(_ ms: Int64) -> Timestamp { start + ms * 1_000_000 }
private func level(_ price: Int64, _ size: Int64) -> BookLevel { BookLevel(price: Price(ticks: price), size: Quantity(lots: size)) }
private let ethInfo = RecordedMarketInfo(venue: "lighter", symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4)

private func snapshotEvent(_ ms: Int64, seq: Int64, bids: [BookLevel], asks: [BookLevel]) -> MarketEvent {
    .bookSnapshot(BookSnapshot(receivedAt: at(ms), exchangeTimeMs: at(ms).milliseconds, sequence: seq, bids: bids, asks: asks))
}
private func deltaEvent(_ ms: Int64, seq: Int64, _ side: Side, _ price: Int64, _ size: Int64) -> MarketEvent {
    .bookDelta(
        BookDelta(
            receivedAt: at(ms), exchangeTimeMs: at(ms).milliseconds, sequence: seq, side: side, price: Price(ticks: price),
            size: Quantity(lots: size)))
}
private func tradeValue(_ ms: Int64, id: Int64, _ price: Int64, _ size: Int64, _ taker: Side) -> Trade {
    Trade(
        receivedAt: at(ms), exchangeTimeMs: at(ms).milliseconds, tradeID: id, price: Price(ticks: price),
        size: Quantity(lots: size), takerSide: taker)
}

/// Records a small hand-made session: snapshot, updates, trades (one replayed), a resync, a new
/// snapshot and an update without levels.
private func recordHandSession(root: String) {
    let clock = ManualClock(start: start)
    let recorder = DatasetRecorder(options: RecorderOptions(root: root), markets: [ethInfo], clock: clock)
    func sequence(_ seq: Int64) -> BookSequence { BookSequence(seq: seq, nonce: seq * 10) }
    recorder.recordSnapshot(
        symbol: "ETH", receivedAt: at(0), exchangeTimeMs: at(0).milliseconds, sequence: sequence(1),
        bids: [level(300_000, 1000), level(299_990, 2000)], asks: [level(300_020, 600)])
    recorder.recordTrade(tradeValue(10, id: 5, 300_020, 100, .buy), symbol: "ETH")
    recorder.recordUpdate(
        symbol: "ETH", receivedAt: at(10), exchangeTimeMs: at(10).milliseconds, sequence: sequence(2),
        bids: [level(300_000, 500)], asks: [])
    recorder.recordUpdate(
        symbol: "ETH", receivedAt: at(20), exchangeTimeMs: at(20).milliseconds, sequence: sequence(3),
        bids: [level(299_990, 0)], asks: [level(300_030, 700)])
    recorder.recordTrade(tradeValue(25, id: 6, 300_000, 40, .sell), symbol: "ETH")
    recorder.recordTrade(tradeValue(25, id: 6, 300_000, 40, .sell), symbol: "ETH")
    recorder.recordResync(symbol: "ETH", receivedAt: at(30), reason: "test gap")
    recorder.recordSnapshot(
        symbol: "ETH", receivedAt: at(40), exchangeTimeMs: at(40).milliseconds, sequence: sequence(10),
        bids: [level(300_010, 10)], asks: [level(300_020, 20)])
    recorder.recordUpdate(
        symbol: "ETH", receivedAt: at(50), exchangeTimeMs: at(50).milliseconds, sequence: sequence(11), bids: [], asks: [])
    recorder.close()
}

private func drain(_ market: inout RecordedMarket) -> [MarketEvent] {
    var events: [MarketEvent] = []
    while let event = market.nextEvent() { events.append(event) }
    return events
}

@Suite struct ReplayTests {
    @Test func replayMergesBooksAndTradesInReceiveOrder() throws {
        let root = try makeTemporaryDirectory("replay")
        defer { try? FileManager.default.removeItem(atPath: root) }
        recordHandSession(root: root)
        var market = try RecordedMarket(root: root, market: "ETH")
        #expect(market.spec.priceDecimals == 2)
        #expect(market.spec.sizeDecimals == 4)
        let events = drain(&market)
        #expect(market.readError == nil)
        // By hand: equal times in the order recorded (the trade at 10 ms came before the update);
        // the replayed trade 6 was not recorded; the resync is an empty book; the update without
        // levels gives no event.
        let expected: [MarketEvent] = [
            snapshotEvent(0, seq: 1, bids: [level(300_000, 1000), level(299_990, 2000)], asks: [level(300_020, 600)]),
            .trade(tradeValue(10, id: 5, 300_020, 100, .buy)),
            deltaEvent(10, seq: 2, .buy, 300_000, 500),
            deltaEvent(20, seq: 3, .buy, 299_990, 0),
            deltaEvent(20, seq: 3, .sell, 300_030, 700),
            .trade(tradeValue(25, id: 6, 300_000, 40, .sell)),
            .bookSnapshot(BookSnapshot(receivedAt: at(30), exchangeTimeMs: 0, sequence: 0, bids: [], asks: [])),
            snapshotEvent(40, seq: 10, bids: [level(300_010, 10)], asks: [level(300_020, 20)]),
        ]
        #expect(events == expected)
    }

    @Test func windowStartsWithTheBookAsOfItsStart() throws {
        let root = try makeTemporaryDirectory("window")
        defer { try? FileManager.default.removeItem(atPath: root) }
        recordHandSession(root: root)
        var market = try RecordedMarket(root: root, market: "ETH", from: at(15), to: at(45))
        let events = drain(&market)
        #expect(market.readError == nil)
        // The book after the snapshot and the 10 ms update, folded into one snapshot at 15 ms.
        let opening = MarketEvent.bookSnapshot(
            BookSnapshot(
                receivedAt: at(15), exchangeTimeMs: at(10).milliseconds, sequence: 0,
                bids: [level(300_000, 500), level(299_990, 2000)], asks: [level(300_020, 600)]))
        #expect(events.first == opening)
        #expect(events.count == 6)
        #expect(events.last == snapshotEvent(40, seq: 10, bids: [level(300_010, 10)], asks: [level(300_020, 20)]))
        #expect(events.allSatisfy { $0.receivedAt >= at(15) && $0.receivedAt <= at(45) })
    }

    @Test func missingMarketIsAClearError() throws {
        let root = try makeTemporaryDirectory("missing")
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: RecordedDataError.self) { try RecordedMarket(root: root, market: "ETH") }
        do {
            _ = try RecordedMarket(root: root, market: "ETH")
        } catch {
            #expect("\(error)".contains("no book_events part files under \(root)/lighter/book_events/market=ETH"))
        }
    }

    @Test func recordedSyntheticMarketBacktestsExactlyLikeTheOriginal() throws {
        let root = try makeTemporaryDirectory("synthetic")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spec = MarketSpec.syntheticETH
        let (original, recorded) = try recordSyntheticMarket(
            try #require(SyntheticMarketConfiguration.preset(symbol: "ETH", durationNanoseconds: 4 * 60_000_000_000)), seed: 3,
            root: root)
        #expect(original.count > 1000)
        let statistics = try #require(recorded)
        #expect((statistics.tables[.bookEvents]?.filesClosed ?? 0) == 1)

        // The replay gives back the same events (sequence numbers aside: the synthetic market has none).
        var replay = try RecordedMarket(root: root, market: spec.symbol, spec: spec)
        let replayed = drain(&replay)
        #expect(replay.readError == nil)
        func withoutSequence(_ events: [MarketEvent]) -> [MarketEvent] {
            events.map { event in
                switch event {
                case .bookSnapshot(var s):
                    s.sequence = 0
                    return .bookSnapshot(s)
                case .bookDelta(var d):
                    d.sequence = 0
                    return .bookDelta(d)
                case .trade:
                    return event
                }
            }
        }
        #expect(replayed.count == original.count)
        let mismatch = zip(withoutSequence(replayed), withoutSequence(original)).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(mismatch == nil, "first difference at event \(mismatch?.offset ?? -1)")

        // Same data → same backtest: original events, the replay, and the replay again.
        func backtest<Source: MarketEventSource>(_ source: Source) throws -> String {
            BacktestRunner(
                source: source, engine: try gridEngine(spec: spec),
                options: BacktestOptions(latency: .lighterStandard(network: .milliseconds(3)), seed: 4)
            ).run().json()
        }
        let fromOriginal = try backtest(ArrayEventSource(spec: spec, events: original))
        let fromReplay = try backtest(try RecordedMarket(root: root, market: spec.symbol, spec: spec))
        let again = try backtest(try RecordedMarket(root: root, market: spec.symbol, spec: spec))
        #expect(fromReplay == again, "replaying twice gave different summaries")
        #expect(fromReplay == fromOriginal, "the replay's summary differs from the original events'")
        let summary = try JSONSerialization.jsonObject(with: Data(fromReplay.utf8)) as? [String: Any]
        #expect((summary?["fills"] as? Int ?? 0) > 0, "the backtest should trade on the replayed market")
    }
}

/// Generates a synthetic market and records it under `root` as a collector would (one update per
/// level change, a row group every 10 s of virtual time); returns the original events and the
/// recorder's counters.
func recordSyntheticMarket(_ configuration: SyntheticMarketConfiguration, seed: UInt64, root: String) throws
    -> (events: [MarketEvent], statistics: MarketRecordingStatistics?)
{
    let spec = configuration.spec
    var source = try SyntheticMarket(configuration: configuration, seed: seed)
    var original: [MarketEvent] = []
    while let event = source.nextEvent() { original.append(event) }
    guard let first = original.first else { return ([], nil) }
    let clock = ManualClock(start: first.receivedAt)
    let recorder = DatasetRecorder(
        options: RecorderOptions(root: root),
        markets: [
            RecordedMarketInfo(
                venue: "lighter", symbol: spec.symbol, marketID: spec.marketID, priceDecimals: spec.priceDecimals,
                sizeDecimals: spec.sizeDecimals)
        ], clock: clock)
    for (index, event) in original.enumerated() {
        if event.receivedAt > clock.now { clock.advance(to: event.receivedAt) }
        let seq = BookSequence(seq: Int64(index + 1))
        switch event {
        case .bookSnapshot(let s):
            recorder.recordSnapshot(
                symbol: spec.symbol, receivedAt: s.receivedAt, exchangeTimeMs: s.exchangeTimeMs, sequence: seq, bids: s.bids,
                asks: s.asks)
        case .bookDelta(let d):
            let levels = [BookLevel(price: d.price, size: d.size)]
            recorder.recordUpdate(
                symbol: spec.symbol, receivedAt: d.receivedAt, exchangeTimeMs: d.exchangeTimeMs, sequence: seq,
                bids: d.side == .buy ? levels : [], asks: d.side == .sell ? levels : [])
        case .trade(let t):
            recorder.recordTrade(t, symbol: spec.symbol)
        }
        recorder.tick()
    }
    recorder.close()
    return (original, recorder.statistics[spec.symbol])
}

/// A 3-level Avellaneda–Stoikov ladder with a fixed order size and limit (as in SimulationTests).
func gridEngine(spec: MarketSpec) throws -> Engine<ConfiguredStrategy> {
    var settings = StrategySettings()
    settings.model = .avellanedaStoikov
    settings.asGamma = 0.1
    settings.asK = 6
    settings.asHorizonSeconds = 30
    settings.asSampleNanos = 1_000_000_000
    settings.warmUpSamples = 10
    settings.shaper = LadderShaper(levels: 3, spacing: 1, sizeMultiplier: 1, minSpreadBps: 1, maxSpreadBps: 200)
    let strategy = try ConfiguredStrategy(settings)
    var configuration = EngineConfiguration()
    configuration.orderManager.levelsPerSide = 3
    configuration.orderManager.toleranceBps = 0.5
    configuration.orderManager.maxLiveOrders = 6
    configuration.risk.maxPosition = .base(try spec.quantity("0.3"))
    configuration.risk.useDynamicLimit = false
    configuration.sizing = SizingConfiguration(rule: .fixed(try spec.quantity("0.05")), capitalUSD: 10_000)
    return Engine(
        spec: spec, strategy: strategy, configuration: configuration, ids: ClientOrderIDGenerator(start: 1000),
        logger: .backtest)
}
