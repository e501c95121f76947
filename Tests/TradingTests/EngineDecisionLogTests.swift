import MarketCore
import Testing
import Trading

@Suite struct EngineDecisionLogTests {
    let spec: MarketSpec
    let time = Timestamp(milliseconds: 1_763_697_600_000)

    init() throws { spec = try ethSpec() }

    @Test func placeLine() throws {
        let decision = Decision(
            time: time, marketID: 0, side: .buy, level: 0, kind: .place, orderID: try cid(5), toPrice: px(302_410),
            toSize: qty(100), reason: .target(inventory: qty(-4000)))
        #expect(decision.line(spec: spec) == "buy: place 0.0100@3024.10 (target, inventory=-0.4)")
    }

    @Test func modifyLine() throws {
        let decision = Decision(
            time: time, marketID: 0, side: .buy, level: 0, kind: .modify, orderID: try cid(5),
            fromPrice: px(302_410), toPrice: px(302_420), fromSize: qty(100), toSize: qty(100),
            reason: .targetMoved(bps: 3.3, toleranceBps: 2))
        #expect(decision.line(spec: spec) == "buy: modify 3024.10→3024.20 (target moved 3.3bp > 2.0bp)")
    }

    @Test func holdLineRoundsTheLockoutUpToWholeMilliseconds() {
        let decision = Decision(
            time: time, marketID: 0, side: .sell, level: 0, kind: .hold, reason: .fillLockout(remainingNs: 411_200_000))
        #expect(decision.line(spec: spec) == "sell: hold (fill_lockout 412ms left)")
    }

    @Test func vetoAndShrinkLines() {
        let reason = DecisionReason.positionLimit(
            position: qty(4000), resting: qty(200), order: qty(100), limit: qty(4250))
        let veto = Decision(
            time: time, marketID: 0, side: .buy, level: 1, kind: .veto, toPrice: px(302_410), toSize: qty(100),
            reason: reason, vetoedAction: .place)
        #expect(
            veto.line(spec: spec) == "buy[1]: veto place 0.0100@3024.10 (position_limit 0.4000+0.0200+0.0100 > 0.4250)")
        let shrink = Decision(
            time: time, marketID: 0, side: .buy, level: 0, kind: .shrink, toPrice: px(302_410), fromSize: qty(100),
            toSize: qty(50), reason: reason, vetoedAction: .place)
        #expect(
            shrink.line(spec: spec)
                == "buy: shrink place 0.0100→0.0050@3024.10 (position_limit 0.4000+0.0200+0.0100 > 0.4250)")
    }

    @Test func marketWideLines() {
        let halt = Decision(
            time: time, marketID: 0, side: nil, kind: .halt, reason: .circuitBreaker(consecutiveRejects: 5))
        #expect(halt.line(spec: spec) == "market: halt (circuit_breaker 5 consecutive rejects)")
        let loss = Decision(
            time: time, marketID: 0, side: nil, kind: .halt,
            reason: .dailyLossLimit(pnl: -12_345_678, limit: 10_000_000))
        #expect(loss.line(spec: spec) == "market: halt (daily_loss_limit pnl -12.35 < -10.00)")
    }

    @Test func ringBufferKeepsTheNewestOldestFirst() {
        var log = DecisionLog(capacity: 3)
        for index in 0..<5 {
            log.append(
                Decision(
                    time: Timestamp(nanoseconds: Int64(index)), marketID: 0, side: nil, kind: .hold, reason: .reconciled
                ))
        }
        #expect(log.count == 3)
        #expect(log.totalRecorded == 5)
        #expect(log.decisions.map(\.time.nanoseconds) == [2, 3, 4])
        #expect(log.last?.time.nanoseconds == 4)
    }

    @Test func repeatedHoldsAreRecordedOnceByDefault() throws {
        var configuration = testConfiguration()
        configuration.recordRepeatedHolds = false
        let harness = try Harness(configuration: configuration)
        harness.engine.strategy.bids = [level(302_410, 100)]
        harness.engine.strategy.asks = [level(302_430, 100)]
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.send(.accepted(id: try cid(1001), exchangeOrderID: nil, time: at(10)))
        let recorded = harness.engine.decisions.totalRecorded
        for ms: Int64 in [300, 400, 500, 600] { harness.book(bid: 302_410, ask: 302_430, at: ms) }
        // Four more identical holds per side: none recorded, eight dropped.
        let holds = harness.lines.filter { $0.hasPrefix("buy: hold (within tolerance") }
        #expect(holds.count == 1)
        #expect(harness.engine.decisions.totalRecorded == recorded)
        #expect(harness.engine.suppressedRepeatDecisions == 8)
        // A decision of another kind is recorded.
        harness.engine.strategy.bids = [level(302_510, 100)]
        harness.book(bid: 302_510, ask: 302_530, at: 700)
        #expect(harness.engine.decisions.totalRecorded == recorded + 1)
        #expect(harness.lines.contains("buy: modify 3024.10→3025.10 (target moved 3.3bp > 2.0bp)"))
    }

    @Test func aSinkReceivesEveryRecordedDecision() throws {
        final class Collector: DecisionSink {
            var kinds: [Decision.Kind] = []
            func record(_ decision: Decision) { kinds.append(decision.kind) }
        }
        let collector = Collector()
        let harness = try Harness()
        harness.engine.decisionSink = collector
        harness.engine.strategy.bids = [level(302_410, 100)]
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        #expect(collector.kinds == [.place, .none])
    }
}
