import MarketCore
import Testing
import Trading

/// PnL arithmetic against hand-computed fills. Prices in ticks, sizes in lots, amounts in
/// notional units (ticks × lots).
@Suite struct EnginePositionTests {
    @Test func buyTwoSellOneWithFees() {
        var book = PositionTracker()
        book.apply(side: .buy, price: px(100), size: qty(2), fee: 3)
        book.apply(side: .sell, price: px(110), size: qty(1), fee: 2)
        #expect(book.position == qty(1))
        // Sold 1 at 110 that cost 100.
        #expect(book.realisedPnL == 10)
        #expect(book.feesPaid == 5)
        #expect(book.costBasis == 100)
        #expect(book.averageEntryTicks == 100)
        // The remaining lot marked at 120: +20; net = 10 + 20 − 5.
        #expect(book.unrealisedPnL(mark: px(120)) == 20)
        #expect(book.netPnL(mark: px(120)) == 25)
        #expect(book.boughtLots == 2)
        #expect(book.soldLots == 1)
        #expect(book.tradedNotional == 310)
        #expect(book.fillCount == 2)
    }

    @Test func flipFromLongToShortAndBackToFlat() {
        var book = PositionTracker()
        book.apply(side: .buy, price: px(100), size: qty(1), fee: 0)
        // Sell 3 at 90: closes 1 (−10), opens a short of 2 at 90.
        book.apply(side: .sell, price: px(90), size: qty(3), fee: 0)
        #expect(book.position == qty(-2))
        #expect(book.realisedPnL == -10)
        #expect(book.costBasis == -180)
        // Short 2 from 90 marked at 80: +20.
        #expect(book.unrealisedPnL(mark: px(80)) == 20)
        // Buy 2 at 85: +10 on the short.
        book.apply(side: .buy, price: px(85), size: qty(2), fee: 0)
        #expect(book.position == .zero)
        #expect(book.realisedPnL == 0)
        #expect(book.costBasis == 0)
        #expect(book.averageEntryTicks == nil)
    }

    @Test func proportionalCostIsExactOnceFlat() {
        var book = PositionTracker()
        book.apply(side: .buy, price: px(100), size: qty(1), fee: 0)
        book.apply(side: .buy, price: px(101), size: qty(1), fee: 0)
        book.apply(side: .buy, price: px(101), size: qty(1), fee: 0)
        // Basis 302 over 3 lots; one lot closed removes 302/3 = 100 (rounded toward zero).
        book.apply(side: .sell, price: px(110), size: qty(1), fee: 0)
        #expect(book.realisedPnL == 10)
        #expect(book.costBasis == 202)
        book.apply(side: .sell, price: px(110), size: qty(2), fee: 0)
        // Round trip: sold 330, bought 302 → exactly 28.
        #expect(book.realisedPnL == 28)
        #expect(book.position == .zero)
    }

    @Test func rebatesReduceFees() {
        var book = PositionTracker()
        book.apply(side: .buy, price: px(302_410), size: qty(100), fee: -605)
        book.apply(side: .sell, price: px(302_430), size: qty(100), fee: 1210)
        // (302430 − 302410) × 100 = 2000 units = 0.002 USD at 6 notional decimals.
        #expect(book.realisedPnL == 2000)
        #expect(book.feesPaid == 605)
        #expect(book.netPnL(mark: px(302_420)) == 1395)
    }

    @Test func ethAmountsInUSD() throws {
        let spec = try ethSpec()
        var book = PositionTracker()
        // Buy 0.5 ETH at 3000.00, sell 0.2 at 3100.00; fee 0.30 USD on the buy.
        book.apply(side: .buy, price: px(300_000), size: qty(5000), fee: 300_000)
        book.apply(side: .sell, price: px(310_000), size: qty(2000), fee: 0)
        // 0.2 × 100 = 20 USD realised; 0.3 × (3050 − 3000) = 15 USD unrealised.
        #expect(spec.notionalDouble(book.realisedPnL) == 20)
        #expect(spec.notionalDouble(book.unrealisedPnL(mark: px(305_000))) == 15)
        #expect(spec.notionalDouble(book.netPnL(mark: px(305_000))) == 34.7)
        #expect(spec.notionalUnits(usd: 34.7) == 34_700_000)
    }

    @Test func engineTracksFillsAndTheVenuePosition() throws {
        let harness = try Harness()
        harness.engine.strategy.bids = [level(302_410, 100)]
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.send(
            .fill(
                Fill(
                    time: at(10), id: try cid(1001), side: .buy, price: px(302_410), size: qty(100), fee: 1000,
                    isMaker: true, remaining: .zero)))
        #expect(harness.engine.positions.feesPaid == 1000)
        // Mid 3024.20: 0.01 × 0.10 = 0.001 USD = 1000 units unrealised; net 0.
        #expect(harness.engine.netPnL == 0)
        // The venue agrees: no mismatch.
        harness.send(.positionUpdate(position: qty(100), averageEntry: px(302_410), time: at(20)))
        #expect(harness.engine.counters.positionMismatches == 0)
        // The venue disagrees: its view wins and the mismatch is logged.
        harness.send(.positionUpdate(position: qty(150), averageEntry: px(302_000), time: at(30)))
        #expect(harness.engine.position == qty(150))
        #expect(harness.engine.positions.costBasis == 150 * 302_000)
        #expect(harness.lines.contains("market: position_mismatch (position ours 0.0100 venue 0.0150)"))
    }
}
