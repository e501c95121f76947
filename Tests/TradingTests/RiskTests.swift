import MarketCore
import Testing
import Trading

private func quotingHarness(_ configuration: EngineConfiguration = testConfiguration()) throws -> Harness {
    let harness = try Harness(configuration: configuration)
    harness.engine.strategy.bids = [level(302_410, 100)]
    harness.engine.strategy.asks = [level(302_430, 100)]
    return harness
}

private func fill(
    _ raw: Int64, _ side: Side, _ ticks: Int64, _ lots: Int64, remaining: Int64, fee: Int64 = 0, at ms: Int64
)
    throws -> ExecutionEvent
{
    .fill(
        Fill(
            time: at(ms), id: try cid(raw), side: side, price: px(ticks), size: qty(lots), fee: fee, isMaker: true,
            remaining: qty(remaining)))
}

@Suite struct RiskLimitTests {
    let spec: MarketSpec
    let risk = Risk(configuration: RiskConfiguration(maxPosition: .base(Quantity(lots: 150)), useDynamicLimit: false))

    init() throws { spec = try ethSpec() }

    @Test func orderWithinTheLimitPasses() {
        // position 50 + resting 30 + 70 = 150 ≤ 150.
        let verdict = risk.checkOrder(
            side: .buy, price: px(302_410), size: qty(70), position: qty(50), resting: qty(30), limit: qty(150),
            spec: spec)
        #expect(verdict == .allow)
    }

    @Test func restingSameSideOrdersCountAsFilled() {
        // position 50 + resting 30 + 100 = 180 > 150: room 70 (≥ the 50-lot minimum) → shrink to 70.
        let verdict = risk.checkOrder(
            side: .buy, price: px(302_410), size: qty(100), position: qty(50), resting: qty(30), limit: qty(150),
            spec: spec)
        #expect(
            verdict
                == .shrink(
                    to: qty(70),
                    because: .positionLimit(position: qty(50), resting: qty(30), order: qty(100), limit: qty(150))))
    }

    @Test func noRoomAboveTheMinimumVetoes() {
        // room 150 − 60 − 50 = 40 < 50 minimum lots.
        let verdict = risk.checkOrder(
            side: .buy, price: px(302_410), size: qty(100), position: qty(60), resting: qty(50), limit: qty(150),
            spec: spec)
        #expect(
            verdict == .veto(.positionLimit(position: qty(60), resting: qty(50), order: qty(100), limit: qty(150))))
    }

    @Test func theLimitIsPerDirection() {
        // Short 50: a sell grows it (towards = 50), a buy shrinks it (towards = −50).
        let sell = risk.checkOrder(
            side: .sell, price: px(302_410), size: qty(100), position: qty(-50), resting: qty(30), limit: qty(150),
            spec: spec)
        #expect(
            sell
                == .shrink(
                    to: qty(70),
                    because: .positionLimit(position: qty(50), resting: qty(30), order: qty(100), limit: qty(150))))
        let buy = risk.checkOrder(
            side: .buy, price: px(302_410), size: qty(100), position: qty(-50), resting: qty(30), limit: qty(150),
            spec: spec)
        #expect(buy == .allow)
    }

    @Test func belowMinimumBaseAmountIsVetoed() {
        // 40 lots < 0.0050 ETH minimum; the minimum at 3024.10 is 50 lots (10 USD needs only 34).
        let verdict = risk.checkOrder(
            side: .buy, price: px(302_410), size: qty(40), position: .zero, resting: .zero, limit: qty(10_000),
            spec: spec)
        #expect(verdict == .veto(.belowMinimum(minimumSize: qty(50))))
    }

    @Test func belowMinimumNotionalIsVetoed() {
        // At 1000.00 USD, 50 lots = 5 USD < 10 USD; the minimum is 100 lots (10 USD).
        let verdict = risk.checkOrder(
            side: .sell, price: px(100_000), size: qty(50), position: .zero, resting: .zero, limit: qty(10_000),
            spec: spec)
        #expect(verdict == .veto(.belowMinimum(minimumSize: qty(100))))
        let enough = risk.checkOrder(
            side: .sell, price: px(100_000), size: qty(100), position: .zero, resting: .zero, limit: qty(10_000),
            spec: spec)
        #expect(enough == .allow)
    }

    @Test func staticNotionalLimitConvertsAtTheMid() {
        // 1000 USD at 2500.00 = 0.4 ETH = 4000 lots.
        let risk = Risk(configuration: RiskConfiguration(maxPosition: .notionalUSD(1000), useDynamicLimit: false))
        #expect(risk.positionLimit(spec: spec, mid: px(250_000), orderSize: qty(100), capitalUSD: nil) == qty(4000))
    }

    @Test func dynamicLimitFromCapital() {
        // (1000 × 2 − 2 × 0.01 × 2000) × 0.9 / 2000 = (2000 − 40) × 0.9 / 2000 = 0.882 ETH.
        let risk = Risk(
            configuration: RiskConfiguration(
                maxPosition: .base(qty(10_000)), useDynamicLimit: true, leverage: 2, dynamicSafetyFactor: 0.9))
        #expect(risk.positionLimit(spec: spec, mid: px(200_000), orderSize: qty(100), capitalUSD: 1000) == qty(8820))
        // Without a capital only the static limit applies; with neither there is no limit.
        #expect(risk.positionLimit(spec: spec, mid: px(200_000), orderSize: qty(100), capitalUSD: nil) == qty(10_000))
        let dynamicOnly = Risk(configuration: RiskConfiguration(maxPosition: nil, useDynamicLimit: true))
        #expect(dynamicOnly.positionLimit(spec: spec, mid: px(200_000), orderSize: qty(100), capitalUSD: nil) == nil)
    }

    @Test func atThePositionLimitTheGrowingSideIsCanceled() throws {
        var configuration = testConfiguration()
        configuration.risk.maxPosition = .base(qty(200))
        let harness = try quotingHarness(configuration)
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.send(.accepted(id: try cid(1001), exchangeOrderID: nil, time: at(10)))
        harness.send(.accepted(id: try cid(1002), exchangeOrderID: nil, time: at(10)))
        // The venue reports a long of 0.0200 = the limit.
        let actions = harness.send(.positionUpdate(position: qty(200), averageEntry: px(302_000), time: at(50)))
        #expect(actions == [.cancel(id: try cid(1001))])
        #expect(harness.lines.contains("buy: cancel 0.0100@3024.10 (position_limit)"))
        #expect(harness.slot(.sell).state == .live)
        #expect(harness.engine.counters.positionMismatches == 1)
        // And it stays off while at the limit.
        harness.send(.canceled(id: try cid(1001), reason: .requested, time: at(60)))
        #expect(harness.book(bid: 302_410, ask: 302_430, at: 1000).isEmpty)
        #expect(harness.slot(.buy).state == .idle)
    }

    @Test func aModifyIsShrunkToTheRoomLeftAndThenHeld() throws {
        var configuration = testConfiguration()
        configuration.risk.maxPosition = .base(qty(150))
        configuration.recordRepeatedHolds = false
        let harness = try quotingHarness(configuration)
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.send(.accepted(id: try cid(1001), exchangeOrderID: nil, time: at(10)))
        harness.send(.positionUpdate(position: qty(100), averageEntry: px(302_000), time: at(20)))
        // The target moves 3.3 bp: the modify may add only 150 − 100 = 50 lots.
        harness.engine.strategy.bids = [level(302_510, 100)]
        let actions = harness.book(bid: 302_510, ask: 302_530, at: 300)
        #expect(actions == [.modify(id: try cid(1001), price: px(302_510), size: qty(50))])
        #expect(
            harness.lines.contains(
                "buy: shrink modify 0.0100→0.0050@3025.10 (position_limit 0.0100+0.0000+0.0100 > 0.0150)"))
        harness.send(.modified(id: try cid(1001), price: px(302_510), remaining: qty(50), time: at(310)))
        // Later updates want 100 again; risk allows exactly what rests, so nothing is sent and the
        // hold is recorded once.
        for ms: Int64 in [600, 700, 800] {
            #expect(harness.book(bid: 302_510, ask: 302_530, at: ms).isEmpty)
        }
        let holds = harness.lines.filter { $0.hasPrefix("buy: hold (position_limit") }
        #expect(holds == ["buy: hold (position_limit 0.0100+0.0000+0.0100 > 0.0150)"])
        #expect(harness.lines.filter { $0.hasPrefix("buy: shrink") }.count == 1)
    }

    @Test func fillsThatReachTheLimitStopNewOrdersOnThatSide() throws {
        var configuration = testConfiguration()
        configuration.risk.maxPosition = .base(qty(100))
        let harness = try quotingHarness(configuration)
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.send(.accepted(id: try cid(1001), exchangeOrderID: nil, time: at(10)))
        harness.send(try fill(1001, .buy, 302_410, 100, remaining: 0, at: 100))
        #expect(harness.engine.position == qty(100))
        // After the fill lockout the bid would be placed again, but the side is at its limit.
        #expect(harness.tick(at: 2000).isEmpty)
        #expect(harness.lines.last(where: { $0.hasPrefix("buy:") }) == "buy: none (position_limit)")
    }
}

@Suite struct RiskSizingTests {
    @Test func fixedSizeBelowTheMinimumIsRaised() throws {
        let spec = try ethSpec()
        // Zero → the minimum at 3024.20: max(0.0050, 10 USD / 3024.20 = 34 lots) = 50 lots.
        let sizing = SizingConfiguration(rule: .fixed(.zero))
        #expect(sizing.orderSize(spec: spec, mid: px(302_420), capitalUSD: nil) == qty(50))
        // At 1000.00 the notional minimum dominates: 10 USD / 1000 = 0.01 = 100 lots.
        #expect(sizing.orderSize(spec: spec, mid: px(100_000), capitalUSD: nil) == qty(100))
    }

    @Test func fixedSizeIsRoundedDownToTheLot() throws {
        let spec = try ethSpec(lotSize: 10)
        let sizing = SizingConfiguration(rule: .fixed(qty(105)))
        #expect(sizing.orderSize(spec: spec, mid: px(302_420), capitalUSD: nil) == qty(100))
    }

    @Test func capitalFractionSizing() throws {
        let spec = try ethSpec()
        // 1000 USD × 0.1 × 2 / 2000.00 = 0.1 ETH = 1000 lots.
        let sizing = SizingConfiguration(rule: .capitalFraction(usage: 0.1, leverage: 2))
        #expect(sizing.orderSize(spec: spec, mid: px(200_000), capitalUSD: 1000) == qty(1000))
        // 30 USD × 0.1 × 1 / 2000 = 0.0015 → raised to the 0.0050 minimum.
        let small = SizingConfiguration(rule: .capitalFraction(usage: 0.1, leverage: 1))
        #expect(small.orderSize(spec: spec, mid: px(200_000), capitalUSD: 30) == qty(50))
        // No capital known: no size.
        #expect(sizing.orderSize(spec: spec, mid: px(200_000), capitalUSD: nil) == nil)
        // A configured capital wins over the reported one.
        let fixedCapital = SizingConfiguration(rule: .capitalFraction(usage: 0.1, leverage: 2), capitalUSD: 500)
        #expect(fixedCapital.orderSize(spec: spec, mid: px(200_000), capitalUSD: 1000) == qty(500))
    }

    @Test func theEngineWaitsForCapitalWhenSizingNeedsIt() throws {
        var configuration = testConfiguration()
        configuration.sizing = SizingConfiguration(rule: .capitalFraction(usage: 0.1, leverage: 2))
        let harness = try Harness(configuration: configuration)
        harness.engine.strategy.bids = [level(199_990, 1000)]
        harness.engine.strategy.asks = [level(200_010, 1000)]
        #expect(harness.book(bid: 199_990, ask: 200_010, at: 0).isEmpty)
        #expect(harness.lines.contains("buy: none (capital_unknown)"))
        harness.send(.balanceUpdate(collateral: 1000, available: 1000, time: at(10)))
        let actions = harness.book(bid: 199_990, ask: 200_010, at: 20)
        #expect(actions.count == 2)
        // The strategy was told the size (0.1 ETH) and the limit (static 1 ETH).
        #expect(harness.engine.strategy.lastInput?.orderSize == qty(1000))
        #expect(harness.engine.strategy.lastInput?.maxPosition == qty(10_000))
    }
}

@Suite struct RiskDailyLossTests {
    @Test func aDailyLossBreachHaltsAndCancelsUntilTheNextUTCDay() throws {
        var configuration = testConfiguration()
        configuration.risk.dailyLossLimitUSD = 5
        let harness = try Harness(configuration: configuration)
        harness.engine.strategy.bids = [level(299_990, 100)]
        harness.engine.strategy.asks = [level(300_010, 100)]
        harness.book(bid: 299_990, ask: 300_010, at: 0)
        harness.send(.accepted(id: try cid(1001), exchangeOrderID: nil, time: at(10)))
        harness.send(.accepted(id: try cid(1002), exchangeOrderID: nil, time: at(10)))
        // Bought 0.01 ETH at 2999.90.
        harness.send(try fill(1001, .buy, 299_990, 100, remaining: 0, at: 100))
        // Mid drops to 2400.00: unrealised 0.01 × (2400 − 2999.90) = −5.999 USD < −5.
        let actions = harness.book(bid: 239_990, ask: 240_010, at: 1000)
        #expect(actions == [.cancelAll])
        #expect(harness.engine.risk.isDailyLossHalted)
        #expect(harness.engine.risk.dailyPnL == -5_999_000)
        #expect(harness.lines.contains("market: halt (daily_loss_limit pnl -6.00 < -5.00)"))
        #expect(harness.slot(.sell).state == .canceling)
        harness.send(.canceled(id: try cid(1002), reason: .requested, time: at(1010)))
        // Still halted later the same day.
        harness.engine.strategy.bids = [level(239_990, 100)]
        harness.engine.strategy.asks = [level(240_010, 100)]
        #expect(harness.book(bid: 239_990, ask: 240_010, at: 3_600_000).isEmpty)
        // 2025-11-22 00:00 UTC is 20 h after the base time: the halt lifts and quoting resumes.
        let resumed = harness.tick(at: 72_000_000)
        #expect(resumed.compactMap(\.placed).map(\.side) == [.buy, .sell])
        #expect(harness.lines.contains("market: resume (new_trading_day)"))
        #expect(harness.engine.risk.dailyPnL == 0)
    }
}

@Suite struct RiskCircuitBreakerTests {
    /// Three rejects in a row (the configured N) at 10, 10 and 2110 ms.
    private func trippedHarness() throws -> (Harness, [OrderAction]) {
        let harness = try quotingHarness()
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.send(.rejected(id: try cid(1001), code: 21_120, message: "invalid nonce", time: at(10)))
        harness.send(.rejected(id: try cid(1002), code: 21_120, message: "invalid nonce", time: at(10)))
        #expect(!harness.engine.risk.isBreakerTripped)
        // After the 2 s reject lockout both are placed again; the buy is rejected once more.
        #expect(harness.tick(at: 2010).compactMap(\.placed).map(\.id) == [try cid(1003), try cid(1004)])
        let trip = harness.send(.rejected(id: try cid(1003), code: 21_120, message: "invalid nonce", time: at(2110)))
        return (harness, trip)
    }

    @Test func consecutiveRejectsTripTheBreakerAndCancelOurOrders() throws {
        let (harness, trip) = try trippedHarness()
        #expect(trip == [.cancelAll])
        #expect(harness.engine.risk.isBreakerTripped)
        #expect(harness.lines.contains("market: halt (circuit_breaker 3 consecutive rejects)"))
        #expect(harness.slot(.sell).state == .canceling)
    }

    @Test func anAcceptResetsTheRejectCount() throws {
        let harness = try quotingHarness()
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.send(.rejected(id: try cid(1001), code: 1, message: "x", time: at(10)))
        harness.send(.accepted(id: try cid(1002), exchangeOrderID: nil, time: at(10)))
        #expect(harness.engine.risk.consecutiveRejects == 0)
    }

    @Test func theBreakerWaitsForCooldownAndReconcileThenResumes() throws {
        let (harness, _) = try trippedHarness()
        harness.send(.canceled(id: try cid(1004), reason: .requested, time: at(2120)))
        // During the 10 s cooldown: nothing.
        #expect(harness.tick(at: 5000).isEmpty)
        #expect(harness.lines.contains("buy: none (cooldown 7110ms left)"))
        // Cooldown over, but no reconciliation yet: still nothing.
        #expect(harness.tick(at: 12_200).isEmpty)
        #expect(harness.book(bid: 302_410, ask: 302_430, at: 12_300).isEmpty)
        #expect(harness.lines.last(where: { $0.hasPrefix("buy:") }) == "buy: none (awaiting_reconcile)")
        #expect(harness.engine.risk.isBreakerTripped)
        // Reconciled: quoting resumes at once.
        let resumed = harness.step { $0.markReconciled(openOrders: [], at: at(12_400)) }
        #expect(resumed.compactMap(\.placed).map(\.side) == [.buy, .sell])
        #expect(!harness.engine.risk.isBreakerTripped)
        #expect(harness.lines.contains("market: resume (reconciled)"))
    }

    @Test func aReconcileDuringTheCooldownResumesOnlyAfterIt() throws {
        let (harness, _) = try trippedHarness()
        harness.send(.canceled(id: try cid(1004), reason: .requested, time: at(2120)))
        #expect(harness.step { $0.markReconciled(openOrders: nil, at: at(3000)) }.isEmpty)
        #expect(harness.tick(at: 12_109).isEmpty)
        #expect(harness.engine.nextTimerTime == at(12_110))
        #expect(harness.tick(at: 12_110).compactMap(\.placed).count == 2)
    }

    @Test func anUnansweredActionTripsTheBreaker() throws {
        let harness = try quotingHarness()
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.send(.accepted(id: try cid(1002), exchangeOrderID: nil, time: at(10)))
        // The buy's place is never answered; at the 10 s in-flight timeout the engine gives up on the link.
        #expect(harness.engine.nextTimerTime == at(250))
        #expect(harness.tick(at: 9_999).isEmpty)
        let actions = harness.tick(at: 10_000)
        #expect(actions == [.cancelAll])
        #expect(harness.engine.risk.isBreakerTripped)
        #expect(harness.lines.contains("market: halt (in_flight_timeout 1 unanswered > 10000ms)"))
        // Only a reconcile (after the cooldown) brings quoting back.
        #expect(harness.tick(at: 20_000).isEmpty)
        let resumed = harness.step { $0.markReconciled(openOrders: [], at: at(20_100)) }
        #expect(resumed.compactMap(\.placed).map(\.side) == [.buy, .sell])
    }

    @Test func reconcileForgetsOrdersTheVenueNoLongerHas() throws {
        let (harness, _) = try trippedHarness()
        // The cancel-all's answer never came for #1004; the venue says nothing is open.
        #expect(harness.slot(.sell).state == .canceling)
        harness.step { $0.markReconciled(openOrders: [], at: at(3000)) }
        #expect(harness.slot(.sell).state == .idle)
    }
}

@Suite struct RiskKillSwitchTests {
    @Test func killCancelsEverythingAndFlattensReduceOnly() throws {
        let harness = try Harness()
        harness.engine.strategy.bids = [level(302_410, 200)]
        harness.engine.strategy.asks = [level(302_430, 100)]
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.send(.accepted(id: try cid(1001), exchangeOrderID: nil, time: at(10)))
        harness.send(.accepted(id: try cid(1002), exchangeOrderID: nil, time: at(10)))
        harness.send(try fill(1001, .buy, 302_410, 200, remaining: 0, at: 100))
        #expect(harness.engine.position == qty(200))

        let actions = harness.step { $0.kill(flatten: true, at: at(400)) }
        // Sell 0.0200 reduce-only IOC at 3024.10 × (1 − 50 bp) = 3008.9795 → 3008.97.
        #expect(
            actions == [
                .cancelAll,
                .place(
                    OrderRequest(
                        id: try cid(1003), side: .sell, price: px(300_897), size: qty(200), type: .limit,
                        timeInForce: .immediateOrCancel, reduceOnly: true)),
            ])
        #expect(harness.lines.contains("market: halt (kill_switch)"))
        #expect(harness.lines.contains("sell: flatten 0.0200@3008.97 (flatten position 0.0200)"))

        // Half fills, the rest is canceled (IOC): another flatten for the remaining 0.0100.
        harness.send(try fill(1003, .sell, 302_410, 100, remaining: 100, at: 450))
        let again = harness.send(.canceled(id: try cid(1003), reason: .unfilledImmediate, time: at(450)))
        #expect(
            again == [
                .place(
                    OrderRequest(
                        id: try cid(1004), side: .sell, price: px(300_897), size: qty(100), type: .limit,
                        timeInForce: .immediateOrCancel, reduceOnly: true))
            ])
        harness.send(try fill(1004, .sell, 302_410, 100, remaining: 0, at: 500))
        #expect(harness.engine.position == .zero)
        #expect(!harness.engine.isFlattening)
        // No quoting while killed.
        harness.send(.canceled(id: try cid(1002), reason: .requested, time: at(500)))
        #expect(harness.book(bid: 302_410, ask: 302_430, at: 5000).isEmpty)
        #expect(harness.lines.last(where: { $0.hasPrefix("buy:") }) == "buy: none (kill_switch)")
        // Until an operator resumes.
        let resumed = harness.step { $0.resume(at: at(6000)) }
        #expect(resumed.compactMap(\.placed).map(\.side) == [.buy, .sell])
    }

    @Test func aRejectedFlattenIsRetriedAfterTheRejectLockout() throws {
        let harness = try Harness()
        harness.engine.strategy.bids = [level(302_410, 100)]
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.send(try fill(1001, .buy, 302_410, 100, remaining: 0, at: 100))
        let kill = harness.step { $0.kill(flatten: true, at: at(200)) }
        #expect(kill.compactMap(\.placed).map(\.id) == [try cid(1002)])
        #expect(harness.send(.rejected(id: try cid(1002), code: 1, message: "busy", time: at(210))).isEmpty)
        #expect(harness.tick(at: 2209).isEmpty)
        let retry = harness.tick(at: 2210)
        #expect(retry.compactMap(\.placed).map(\.reduceOnly) == [true])
        #expect(retry.compactMap(\.placed).map(\.size) == [qty(100)])
    }

    @Test func killWithoutFlattenOnlyCancels() throws {
        let harness = try Harness()
        harness.engine.strategy.bids = [level(302_410, 100)]
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.send(try fill(1001, .buy, 302_410, 100, remaining: 0, at: 100))
        let actions = harness.step { $0.kill(flatten: false, at: at(200)) }
        #expect(actions == [.cancelAll])
        #expect(harness.engine.position == qty(100))
    }

    @Test func aFlattenBelowTheMinimumIsVetoed() throws {
        let harness = try Harness()
        harness.engine.strategy.bids = [level(302_410, 100)]
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        // Only 0.0030 bought: below the 0.0050 minimum, no valid order can close it.
        harness.send(try fill(1001, .buy, 302_410, 30, remaining: 70, at: 100))
        let actions = harness.step { $0.kill(flatten: true, at: at(200)) }
        #expect(actions == [.cancelAll])
        #expect(harness.lines.contains("sell: veto flatten 0.0030@3008.97 (below_minimum 0.0050)"))
    }
}
