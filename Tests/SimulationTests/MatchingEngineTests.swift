import MarketCore
import Simulation
import Testing
import Trading

@Suite struct MatchingEngineTests {
    /// A conservative engine with a standard book.
    func engine(fees: FeeSchedule = .zero, queue: QueueModel = .conservative) -> MatchingEngine {
        var engine = MatchingEngine(spec: eth, fees: fees, queueModel: queue)
        engine.apply(standardBook())
        return engine
    }

    @Test func queueAheadIsConsumedByTradesBeforeWeFill() throws {
        var engine = engine()
        engine.handle(order(1, .buy, 300_000, 500), at: at(ms: 1))
        #expect(engine.takeOutbox() == [.accepted(id: id(1), exchangeOrderID: 1 << 48, time: at(ms: 1))])
        #expect(engine.order(id(1))?.queue.ahead == 1000)

        // 600 trade at our price: 400 still ahead, nothing for us.
        engine.apply(trade(taker: .sell, 300_000, 600, ms: 2))
        engine.apply(delta(.buy, 300_000, 400, ms: 2))
        #expect(fills(engine.takeOutbox()).isEmpty)
        #expect(engine.order(id(1))?.queue.ahead == 400)

        // 700 more: 400 consumes the queue, 300 fill us.
        engine.apply(trade(taker: .sell, 300_000, 700, ms: 3, id: 2))
        let first = fills(engine.takeOutbox())
        #expect(first.count == 1)
        let fill = try #require(first.first)
        #expect(fill.size == Quantity(lots: 300))
        #expect(fill.price == Price(ticks: 300_000))
        #expect(fill.isMaker)
        #expect(fill.remaining == Quantity(lots: 200))
        #expect(fill.tradeID == 2)
        #expect(engine.position == Quantity(lots: 300))

        // The next 500 fills the remaining 200 and the order is gone.
        engine.apply(trade(taker: .sell, 300_000, 500, ms: 4, id: 3))
        let second = fills(engine.takeOutbox())
        #expect(second.map(\.size) == [Quantity(lots: 200)])
        #expect(second.first?.remaining == .zero)
        #expect(engine.orders.isEmpty)
        #expect(engine.position == Quantity(lots: 500))
    }

    @Test func tradeThroughOurPriceFillsTheWholeRemainder() {
        var engine = engine()
        engine.handle(order(1, .buy, 300_000, 500), at: at(ms: 1))
        _ = engine.takeOutbox()
        engine.apply(trade(taker: .sell, 299_990, 10, ms: 2))
        let result = fills(engine.takeOutbox())
        #expect(result.map(\.size) == [Quantity(lots: 500)])
        #expect(result.first?.price == Price(ticks: 300_000))
        #expect(engine.orders.isEmpty)
    }

    @Test func takerOrderFillsPartiallyAcrossLevelsAndRestsTheRest() {
        var engine = engine()
        // Buy 2000 up to 3000.30: 600 @ 3000.20, 1000 @ 3000.30, 400 rests at 3000.30 (nothing visible ahead).
        engine.handle(order(1, .buy, 300_030, 2000, tif: .goodTillTime), at: at(ms: 1))
        let events = engine.takeOutbox()
        let result = fills(events)
        #expect(result.map(\.size) == [Quantity(lots: 600), Quantity(lots: 1000)])
        #expect(result.map(\.price) == [Price(ticks: 300_020), Price(ticks: 300_030)])
        #expect(result.allSatisfy { !$0.isMaker })
        #expect(result.map(\.remaining) == [Quantity(lots: 1400), Quantity(lots: 400)])
        #expect(engine.order(id(1))?.remaining == Quantity(lots: 400))
        #expect(engine.order(id(1))?.queue.ahead == 0)
        #expect(engine.position == Quantity(lots: 1600))
    }

    @Test func immediateOrCancelCancelsWhatItCannotFill() {
        var engine = engine()
        engine.handle(order(1, .sell, 299_990, 5000, tif: .immediateOrCancel), at: at(ms: 1))
        let events = engine.takeOutbox()
        #expect(fills(events).map(\.size) == [Quantity(lots: 1000), Quantity(lots: 2000)])
        #expect(events.last == .canceled(id: id(1), reason: .unfilledImmediate, time: at(ms: 1)))
        #expect(engine.orders.isEmpty)
        #expect(engine.position == Quantity(lots: -3000))
    }

    @Test func postOnlyIsCancelledWhenItWouldCross() {
        var engine = engine()
        engine.handle(order(1, .buy, 300_020, 500), at: at(ms: 1))
        #expect(engine.takeOutbox() == [.canceled(id: id(1), reason: .postOnlyWouldCross, time: at(ms: 1))])
        #expect(engine.orders.isEmpty)
        // One tick below the ask rests.
        engine.handle(order(2, .buy, 300_010, 500), at: at(ms: 2))
        #expect(engine.takeOutbox() == [.accepted(id: id(2), exchangeOrderID: 1 << 48, time: at(ms: 2))])
        #expect(engine.order(id(2)) != nil)
        #expect(engine.position == .zero)
    }

    @Test func reduceOnlyNeverFlipsThePosition() {
        var engine = engine()
        // Flat: a reduce-only order is refused.
        engine.handle(order(1, .sell, 299_990, 300, tif: .immediateOrCancel, reduceOnly: true), at: at(ms: 1))
        let refused = engine.takeOutbox()
        #expect(refused.count == 1)
        if case .rejected(let rejectedID, let code, _, _) = refused[0] {
            #expect(rejectedID == id(1))
            #expect(code == 21732)
        } else {
            Issue.record("expected a rejection, got \(refused)")
        }
        // Get long 100 by taking the ask.
        engine.handle(order(2, .buy, 300_020, 100, tif: .immediateOrCancel), at: at(ms: 2))
        _ = engine.takeOutbox()
        #expect(engine.position == Quantity(lots: 100))
        // Reduce-only sell of 300 into 3000 lots of bids: only 100 fill.
        engine.handle(order(3, .sell, 299_990, 300, tif: .immediateOrCancel, reduceOnly: true), at: at(ms: 3))
        let events = engine.takeOutbox()
        #expect(fills(events).map(\.size) == [Quantity(lots: 100)])
        #expect(engine.position == .zero)
        #expect(events.contains(.canceled(id: id(3), reason: .unfilledImmediate, time: at(ms: 3))))
    }

    @Test func restingReduceOnlyIsCappedAtThePosition() {
        var engine = engine()
        engine.handle(order(1, .buy, 300_020, 100, tif: .immediateOrCancel), at: at(ms: 1))
        _ = engine.takeOutbox()
        // Resting reduce-only ask of 300 inside the spread; a buy sweeps through it.
        engine.handle(order(2, .sell, 300_010, 300, tif: .postOnly, reduceOnly: true), at: at(ms: 2))
        _ = engine.takeOutbox()
        engine.apply(trade(taker: .buy, 300_020, 1000, ms: 3))
        let events = engine.takeOutbox()
        #expect(fills(events).map(\.size) == [Quantity(lots: 100)])
        #expect(events.contains(.canceled(id: id(2), reason: .reduceOnly, time: at(ms: 3))))
        #expect(engine.position == .zero)
        #expect(engine.orders.isEmpty)
    }

    @Test func selfTradePreventionExpiresTheMaker() {
        var engine = engine()
        engine.handle(order(1, .sell, 300_010, 500), at: at(ms: 1))
        _ = engine.takeOutbox()
        // Our own buy at 3000.15 would trade with our ask at 3000.10: the ask is expired, the buy rests.
        engine.handle(order(2, .buy, 300_015, 500, tif: .goodTillTime), at: at(ms: 2))
        let events = engine.takeOutbox()
        #expect(
            events == [
                .accepted(id: id(2), exchangeOrderID: (1 << 48) + 1, time: at(ms: 2)),
                .canceled(id: id(1), reason: .selfTrade, time: at(ms: 2)),
            ])
        #expect(engine.orders.map(\.id) == [id(2)])
        #expect(engine.position == .zero)
        #expect(engine.statistics.selfTradeCancels == 1)
    }

    @Test func postOnlyCrossingOurOwnOrderIsCancelled() {
        var engine = engine()
        engine.handle(order(1, .sell, 300_010, 500), at: at(ms: 1))
        _ = engine.takeOutbox()
        engine.handle(order(2, .buy, 300_010, 500), at: at(ms: 2))
        #expect(engine.takeOutbox() == [.canceled(id: id(2), reason: .postOnlyWouldCross, time: at(ms: 2))])
        #expect(engine.orders.map(\.id) == [id(1)])
    }

    @Test func feesAreExactIntegers() {
        var taker = engine(fees: .lighterPremium)
        // 600 @ 300020 and 400 @ 300030 at 280 ppm, rounded up:
        // 180_012_000 × 280 / 10^6 = 50_403.36 → 50_404; 120_012_000 × 280 / 10^6 = 33_603.36 → 33_604.
        taker.handle(order(1, .buy, 300_030, 1000, tif: .immediateOrCancel), at: at(ms: 1))
        let takerFills = fills(taker.takeOutbox())
        #expect(takerFills.map(\.fee) == [50_404, 33_604])
        #expect(taker.feesPaid == 84_008)
        #expect(taker.cash == -(180_012_000 + 120_012_000) - 84_008)

        var maker = engine(fees: .lighterPremium)
        maker.handle(order(2, .sell, 300_020, 500), at: at(ms: 1))
        _ = maker.takeOutbox()
        maker.apply(trade(taker: .buy, 300_030, 50, ms: 2))
        // 500 × 300020 = 150_010_000 × 40 / 10^6 = 6_000.4 → 6_001.
        #expect(fills(maker.takeOutbox()).map(\.fee) == [6_001])
        #expect(maker.cash == 150_010_000 - 6_001)
    }

    @Test func rebatesRoundTowardZero() {
        let fees = FeeSchedule(makerPPM: -25, takerPPM: 300)
        // 150_010_000 × −25 / 10^6 = −3_750.25 → −3_750.
        #expect(fees.fee(notional: 150_010_000, isMaker: true) == -3_750)
        #expect(fees.fee(notional: 150_010_000, isMaker: false) == 45_003)
        #expect(FeeSchedule(makerBasisPoints: 0.4, takerBasisPoints: 2.8) == .lighterPremium)
    }

    @Test func invalidOrdersAreRejectedWithLighterCodes() {
        var engine = engine()
        engine.handle(order(1, .buy, 299_000, 10), at: at(ms: 1))  // 0.001 ETH < 0.005 minimum
        engine.handle(order(2, .buy, 0, 500), at: at(ms: 1))
        engine.handle(order(3, .buy, 299_000, 500), at: at(ms: 1))
        engine.handle(order(3, .buy, 298_000, 500), at: at(ms: 1))
        engine.handle(.cancel(id: id(9)), at: at(ms: 1))
        let codes = engine.takeOutbox().compactMap { event -> Int? in
            if case .rejected(_, let code, _, _) = event { return code }
            return nil
        }
        #expect(codes == [21706, 21702, 21728, 21600])
    }

    @Test func modifyKeepsPriorityOnlyWhenShrinkingInPlace() {
        var engine = engine()
        engine.handle(order(1, .buy, 300_000, 500), at: at(ms: 1))
        _ = engine.takeOutbox()
        engine.apply(trade(taker: .sell, 300_000, 600, ms: 2))
        #expect(engine.order(id(1))?.queue.ahead == 400)
        engine.handle(.modify(id: id(1), price: Price(ticks: 300_000), size: Quantity(lots: 300)), at: at(ms: 3))
        #expect(engine.takeOutbox() == [.modified(id: id(1), price: Price(ticks: 300_000), remaining: Quantity(lots: 300), time: at(ms: 3))])
        #expect(engine.order(id(1))?.queue.ahead == 400)
        // A new price joins the back of 2999.90's 2000 lots.
        engine.handle(.modify(id: id(1), price: Price(ticks: 299_990), size: Quantity(lots: 300)), at: at(ms: 4))
        _ = engine.takeOutbox()
        #expect(engine.order(id(1))?.queue.ahead == 2000)
        #expect(engine.order(id(1))?.price == Price(ticks: 299_990))
    }

    @Test func newSizeCrossingOurOrderFillsUsByWhatAppeared() {
        var engine = engine()
        engine.handle(order(1, .buy, 300_010, 500), at: at(ms: 1))
        _ = engine.takeOutbox()
        // An ask of 200 appears at our bid price: it would have traded with us.
        engine.apply(delta(.sell, 300_010, 200, ms: 2))
        #expect(fills(engine.takeOutbox()).map(\.size) == [Quantity(lots: 200)])
        #expect(engine.order(id(1))?.remaining == Quantity(lots: 300))
    }

    @Test func positionAndAverageEntryAreReported() {
        var engine = engine()
        engine.handle(order(1, .buy, 300_030, 1000, tif: .immediateOrCancel), at: at(ms: 1))
        let events = engine.takeOutbox()
        // After 600 @ 300020 and 400 @ 300030 the entry is (180_012_000 + 120_012_000) / 1000 = 300024.
        #expect(events.contains(.positionUpdate(position: Quantity(lots: 1000), averageEntry: Price(ticks: 300_024), time: at(ms: 1))))
        #expect(engine.averageEntry == Price(ticks: 300_024))
    }

    @Test func cancelAllRemovesEveryOrder() {
        var engine = engine()
        engine.handle(order(1, .buy, 300_000, 500), at: at(ms: 1))
        engine.handle(order(2, .sell, 300_020, 500), at: at(ms: 1))
        _ = engine.takeOutbox()
        engine.handle(.cancelAll, at: at(ms: 2))
        #expect(
            engine.takeOutbox() == [
                .canceled(id: id(1), reason: .requested, time: at(ms: 2)),
                .canceled(id: id(2), reason: .requested, time: at(ms: 2)),
            ])
        #expect(engine.orders.isEmpty)
    }
}
