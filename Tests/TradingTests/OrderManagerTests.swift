import MarketCore
import Testing
import Trading

/// Book 3024.10 / 3024.30; the strategy bids 0.0100 at 3024.10 and offers 0.0100 at 3024.30.
private func quotingHarness(_ configuration: EngineConfiguration = testConfiguration(), spec: MarketSpec? = nil)
    throws -> Harness
{
    let harness = try Harness(configuration: configuration, spec: spec)
    harness.engine.strategy.bids = [level(302_410, 100)]
    harness.engine.strategy.asks = [level(302_430, 100)]
    return harness
}

/// Places both sides at t=0 and acknowledges them at t=10 ms. Buy is #1001, sell #1002.
private func liveHarness(_ configuration: EngineConfiguration = testConfiguration(), spec: MarketSpec? = nil) throws
    -> Harness
{
    let harness = try quotingHarness(configuration, spec: spec)
    harness.book(bid: 302_410, ask: 302_430, at: 0)
    harness.send(.accepted(id: try cid(1001), exchangeOrderID: 281_474_976_710_700, time: at(10)))
    harness.send(.accepted(id: try cid(1002), exchangeOrderID: 281_474_976_710_701, time: at(10)))
    return harness
}

@Suite struct OrderManagerTests {
    @Test func idleSlotsArePlacedAsPostOnlyLimits() throws {
        let harness = try quotingHarness()
        let actions = harness.book(bid: 302_410, ask: 302_430, at: 0)
        #expect(
            actions == [
                .place(OrderRequest(id: try cid(1001), side: .buy, price: px(302_410), size: qty(100))),
                .place(OrderRequest(id: try cid(1002), side: .sell, price: px(302_430), size: qty(100))),
            ])
        #expect(actions.first?.placed?.timeInForce == .postOnly)
        #expect(actions.first?.placed?.type == .limit)
        #expect(actions.first?.placed?.reduceOnly == false)
        #expect(harness.slot(.buy).state == .placing)
        #expect(harness.lines.contains("buy: place 0.0100@3024.10 (target, inventory=0)"))
        #expect(harness.lines.contains("sell: place 0.0100@3024.30 (target, inventory=0)"))
    }

    @Test func acknowledgedOrdersBecomeLive() throws {
        let harness = try liveHarness()
        #expect(harness.slot(.buy).state == .live)
        #expect(harness.slot(.buy).exchangeOrderID == 281_474_976_710_700)
        #expect(harness.slot(.sell).state == .live)
        #expect(harness.engine.orderManager.liveOrderCount == 2)
    }

    @Test func targetWithinToleranceKeepsTheOrder() throws {
        let harness = try liveHarness()
        // 10 ticks on 302410 = 0.33 bp ≤ 2 bp.
        harness.engine.strategy.bids = [level(302_420, 100)]
        let actions = harness.book(bid: 302_420, ask: 302_430, at: 300)
        #expect(actions.isEmpty)
        #expect(harness.slot(.buy).price == px(302_410))
        #expect(harness.lines.last(where: { $0.hasPrefix("buy:") }) == "buy: hold (within tolerance 0.3bp ≤ 2.0bp)")
    }

    @Test func targetBeyondToleranceModifiesInPlace() throws {
        let harness = try liveHarness()
        // 100 ticks on 302410 = 3.31 bp > 2 bp.
        harness.engine.strategy.bids = [level(302_510, 100)]
        let actions = harness.book(bid: 302_510, ask: 302_530, at: 300)
        #expect(actions == [.modify(id: try cid(1001), price: px(302_510), size: qty(100))])
        #expect(harness.slot(.buy).state == .modifying)
        #expect(harness.lines.contains("buy: modify 3024.10→3025.10 (target moved 3.3bp > 2.0bp)"))
        harness.send(.modified(id: try cid(1001), price: px(302_510), remaining: qty(100), time: at(320)))
        #expect(harness.slot(.buy).state == .live)
        #expect(harness.slot(.buy).price == px(302_510))
    }

    @Test func sizeChangeOfLessThanOneLotKeepsAndOneLotModifies() throws {
        // Lot of 10 size units.
        let spec = try ethSpec(lotSize: 10)
        let harness = try liveHarness(spec: spec)
        harness.engine.strategy.bids = [level(302_410, 109)]
        #expect(harness.book(bid: 302_410, ask: 302_430, at: 300).isEmpty)
        harness.engine.strategy.bids = [level(302_410, 110)]
        let actions = harness.book(bid: 302_410, ask: 302_430, at: 400)
        #expect(actions == [.modify(id: try cid(1001), price: px(302_410), size: qty(110))])
        #expect(harness.lines.contains("buy: modify 0.0100→0.0110@3024.10 (size 0.0100→0.0110)"))
    }

    @Test func fillLockoutHoldsTheSideThenReleases() throws {
        let harness = try liveHarness()
        // A partial fill on the buy at 300 ms: 0.0040 of 0.0100.
        harness.send(
            .fill(
                Fill(
                    time: at(300), id: try cid(1001), side: .buy, price: px(302_410), size: qty(40), fee: 0,
                    isMaker: true, remaining: qty(60))))
        #expect(harness.slot(.buy).size == qty(60))
        harness.engine.strategy.bids = [level(302_510, 100)]
        harness.engine.strategy.asks = [level(302_530, 100)]
        let held = harness.book(bid: 302_510, ask: 302_530, at: 400)
        // The sell side is not locked: it moves; the buy side waits until 800 ms.
        #expect(held == [.modify(id: try cid(1002), price: px(302_530), size: qty(100))])
        #expect(harness.lines.contains("buy: hold (fill_lockout 400ms left)"))
        #expect(harness.tick(at: 799).isEmpty)
        let released = harness.tick(at: 800)
        #expect(released == [.modify(id: try cid(1001), price: px(302_510), size: qty(100))])
    }

    @Test func actionLockoutHoldsTheSlotThenReleases() throws {
        let harness = try liveHarness()
        harness.engine.strategy.bids = [level(302_510, 100)]
        // The place went out at 0 ms; the lockout lasts 250 ms.
        #expect(harness.book(bid: 302_510, ask: 302_530, at: 100).isEmpty)
        #expect(harness.lines.contains("buy: hold (action_lockout 150ms left)"))
        #expect(harness.tick(at: 249).isEmpty)
        #expect(harness.tick(at: 250) == [.modify(id: try cid(1001), price: px(302_510), size: qty(100))])
    }

    @Test func rejectLockoutHoldsTheSlotThenReleases() throws {
        let harness = try quotingHarness()
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        let afterReject = harness.send(
            .rejected(id: try cid(1001), code: 21_700, message: "post only would cross", time: at(20)))
        #expect(afterReject.isEmpty)
        #expect(harness.slot(.buy).state == .idle)
        #expect(harness.lines.contains("buy: hold (reject_lockout 2000ms left)"))
        #expect(harness.lines.contains("market: reject (venue_reject code 21700)"))
        #expect(harness.tick(at: 2019).isEmpty)
        let released = harness.tick(at: 2020)
        #expect(released == [.place(OrderRequest(id: try cid(1003), side: .buy, price: px(302_410), size: qty(100)))])
    }

    @Test func aNewTargetWhilePlacingWaitsForTheAck() throws {
        let harness = try quotingHarness()
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.engine.strategy.bids = [level(302_510, 100)]
        // No ack yet at 300 ms: never a second action for the slot.
        #expect(harness.book(bid: 302_510, ask: 302_530, at: 300).isEmpty)
        #expect(harness.lines.contains("buy: hold (in_flight placing)"))
        // The ack arrives: now the modify goes.
        let actions = harness.send(.accepted(id: try cid(1001), exchangeOrderID: nil, time: at(310)))
        #expect(actions == [.modify(id: try cid(1001), price: px(302_510), size: qty(100))])
        // And while that modify is in flight, another target waits again.
        harness.engine.strategy.bids = [level(302_610, 100)]
        #expect(harness.book(bid: 302_610, ask: 302_630, at: 700).isEmpty)
        #expect(harness.slot(.buy).state == .modifying)
    }

    @Test func maxLiveOrdersCapsPlaces() throws {
        var configuration = testConfiguration(levels: 3)
        configuration.orderManager.maxLiveOrders = 4
        let harness = try Harness(configuration: configuration)
        harness.engine.strategy.bids = [level(302_410, 100), level(302_400, 100), level(302_390, 100)]
        harness.engine.strategy.asks = [level(302_430, 100), level(302_440, 100), level(302_450, 100)]
        let actions = harness.book(bid: 302_410, ask: 302_430, at: 0)
        #expect(actions.count == 4)
        #expect(actions.compactMap(\.placed).map(\.side) == [.buy, .buy, .buy, .sell])
        #expect(harness.engine.orderManager.liveOrderCount == 4)
        #expect(harness.lines.contains("sell[1]: hold (max_live_orders 4)"))
        #expect(harness.slot(.sell, level: 1).state == .idle)
    }

    @Test func aRemovedLevelIsCanceled() throws {
        let harness = try Harness(configuration: testConfiguration(levels: 2))
        harness.engine.strategy.bids = [level(302_410, 100), level(302_400, 100)]
        harness.engine.strategy.asks = [level(302_430, 100)]
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        for raw: Int64 in 1001...1003 {
            harness.send(.accepted(id: try cid(raw), exchangeOrderID: nil, time: at(10)))
        }
        harness.engine.strategy.bids = [level(302_410, 100)]
        let actions = harness.book(bid: 302_410, ask: 302_430, at: 20)
        #expect(actions == [.cancel(id: try cid(1002))])
        #expect(harness.lines.contains("buy[1]: cancel 0.0100@3024.00 (level_removed)"))
        harness.send(.canceled(id: try cid(1002), reason: .requested, time: at(30)))
        #expect(harness.slot(.buy, level: 1).state == .idle)
    }

    @Test func aSideTheStrategySuppressesIsCanceled() throws {
        let harness = try liveHarness()
        harness.engine.strategy.bids = []
        harness.engine.strategy.bidReason = .crossedPair
        let actions = harness.book(bid: 302_410, ask: 302_430, at: 20)
        #expect(actions == [.cancel(id: try cid(1001))])
        #expect(harness.lines.contains("buy: cancel 0.0100@3024.10 (crossed_pair)"))
        #expect(harness.slot(.buy).state == .canceling)
        // Canceled: the side stays empty with its reason.
        harness.send(.canceled(id: try cid(1001), reason: .requested, time: at(40)))
        #expect(harness.slot(.buy).state == .idle)
        #expect(harness.lines.last(where: { $0.hasPrefix("buy:") }) == "buy: none (crossed_pair)")
    }

    @Test func aCanceledSlotIsPlacedAgainAfterTheActionLockout() throws {
        let harness = try liveHarness()
        // The venue drops the post-only bid at 100 ms.
        harness.send(.canceled(id: try cid(1001), reason: .postOnlyWouldCross, time: at(100)))
        #expect(harness.slot(.buy).state == .idle)
        #expect(harness.tick(at: 200).isEmpty)  // place at 0 + 250 ms lockout
        let actions = harness.tick(at: 250)
        #expect(actions == [.place(OrderRequest(id: try cid(1003), side: .buy, price: px(302_410), size: qty(100)))])
    }

    @Test(arguments: [
        (Int?.none, 1.0), (10_000, 1.0), (500, 1.0), (499, 2.0), (50, 2.0), (49, 3.5), (10, 3.5), (9, 5.0), (0, 5.0),
    ])
    func quotaMultiplierThresholds(quota: Int?, multiplier: Double) {
        #expect(OrderManagerConfiguration.toleranceMultiplier(quotaRemaining: quota) == multiplier)
    }

    @Test func lowQuotaWidensTheBand() throws {
        let harness = try liveHarness()
        harness.send(.quotaUpdate(remaining: 30, time: at(100)))
        #expect(harness.engine.orderManager.effectiveToleranceBps == 7)
        // 3.3 bp is inside 2 bp × 3.5.
        harness.engine.strategy.bids = [level(302_510, 100)]
        #expect(harness.book(bid: 302_510, ask: 302_530, at: 300).isEmpty)
        #expect(harness.lines.contains("buy: hold (within tolerance 3.3bp ≤ 7.0bp)"))
        harness.send(.quotaUpdate(remaining: 800, time: at(400)))
        // Back to ×1: the quota event itself triggers the modify.
        #expect(harness.venue.submitted.last?.action == .modify(id: try cid(1001), price: px(302_510), size: qty(100)))
    }

    @Test func eventsForUnknownOrdersAreCountedNotFatal() throws {
        let harness = try liveHarness()
        let stranger = try cid(777)
        harness.send(
            .fill(
                Fill(
                    time: at(100), id: stranger, side: .buy, price: px(302_410), size: qty(10), fee: 0, isMaker: true,
                    remaining: .zero)))
        harness.send(.canceled(id: stranger, reason: .requested, time: at(110)))
        harness.send(.accepted(id: stranger, exchangeOrderID: nil, time: at(120)))
        #expect(harness.engine.counters.unknownOrderEvents == 3)
        #expect(harness.engine.orderManager.unknownOrderEvents == 3)
        // A fill is ours whatever the slot: the position counts it.
        #expect(harness.engine.position == qty(10))
        #expect(harness.lines.contains("market: unknown_order (unknown_order_id)"))
        // Our own orders are untouched.
        #expect(harness.slot(.buy).state == .live)
        #expect(harness.slot(.sell).state == .live)
    }

    @Test func fullFillFreesTheSlotAndALateRejectIsIgnored() throws {
        let harness = try liveHarness()
        harness.send(
            .fill(
                Fill(
                    time: at(100), id: try cid(1001), side: .buy, price: px(302_410), size: qty(100), fee: 0,
                    isMaker: true, remaining: .zero)))
        #expect(harness.slot(.buy).state == .idle)
        #expect(harness.engine.position == qty(100))
        // A reject about the finished order (a race) is late, not unknown, and not a breaker reject.
        harness.send(.rejected(id: try cid(1001), code: 21_701, message: "order not found", time: at(110)))
        #expect(harness.engine.counters.lateOrderEvents == 1)
        #expect(harness.engine.counters.unknownOrderEvents == 0)
        #expect(harness.engine.risk.consecutiveRejects == 0)
    }
}
