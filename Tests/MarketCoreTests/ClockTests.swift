import MarketCore
import Testing

@Suite struct ClockTests {
    @Test func manualClockMovesOnlyForward() {
        let clock = ManualClock(start: Timestamp(milliseconds: 1_000))
        #expect(clock.now == Timestamp(nanoseconds: 1_000_000_000))
        clock.advance(byNanoseconds: 500)
        #expect(clock.now.nanoseconds == 1_000_000_500)
        clock.advance(to: Timestamp(nanoseconds: 10))
        #expect(clock.now.nanoseconds == 1_000_000_500)
        clock.advance(to: Timestamp(seconds: 2))
        #expect(clock.now.milliseconds == 2_000)
    }

    @Test func liveClockIsNearTheSystemTime() {
        // 2026-01-01 and 2100-01-01 in seconds: a sanity bound, not a timing test.
        let now = LiveClock().now.seconds
        #expect(now > 1_767_225_600 && now < 4_102_444_800)
    }

    @Test func utcDayStart() {
        // 2026-11-21T15:41:39.5Z → 2026-11-21T00:00:00Z = 1_795_219_200 s.
        let time = Timestamp(seconds: 1_795_275_699.5)
        #expect(time.startOfUTCDay == Timestamp(seconds: 1_795_219_200))
        #expect(Timestamp(nanoseconds: -1).startOfUTCDay == Timestamp(seconds: -86_400))
    }

    @Test func eventTimes() {
        let trade = Trade(
            receivedAt: Timestamp(nanoseconds: 7), exchangeTimeMs: 1, tradeID: 1, price: Price(ticks: 1),
            size: Quantity(lots: 1), takerSide: .buy)
        #expect(MarketEvent.trade(trade).receivedAt == Timestamp(nanoseconds: 7))
        var book = OrderBook()
        book.apply(.bookDelta(BookDelta(receivedAt: .epoch, exchangeTimeMs: 0, sequence: 1, side: .sell, price: Price(ticks: 5), size: Quantity(lots: 2))))
        #expect(book.bestAsk?.price == Price(ticks: 5))
    }
}
