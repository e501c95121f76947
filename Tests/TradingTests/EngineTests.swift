import MarketCore
import Testing
import Trading

@Suite struct EngineTests {
    @Test func aOneSidedBookQuotesNothing() throws {
        let harness = try Harness()
        harness.engine.strategy.bids = [level(302_410, 100)]
        let snapshot = BookSnapshot(
            receivedAt: at(0), exchangeTimeMs: baseMs, sequence: 1,
            bids: [BookLevel(price: px(302_410), size: qty(100))], asks: [])
        #expect(harness.step { $0.handle(.bookSnapshot(snapshot)) }.isEmpty)
        #expect(harness.engine.strategy.calls == 0)
        #expect(harness.lines.contains("buy: none (book_not_ready)"))
    }

    @Test func aCrossedBookHoldsOrdersAsTheyAre() throws {
        let harness = try Harness()
        harness.engine.strategy.bids = [level(302_410, 100)]
        harness.engine.strategy.asks = [level(302_430, 100)]
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.send(.accepted(id: try cid(1001), exchangeOrderID: nil, time: at(10)))
        harness.send(.accepted(id: try cid(1002), exchangeOrderID: nil, time: at(10)))
        let calls = harness.engine.strategy.calls
        // A transient cross: no cancels, no new quotes, the strategy is not asked.
        harness.engine.strategy.bids = [level(302_610, 100)]
        #expect(harness.book(bid: 302_440, ask: 302_430, at: 500).isEmpty)
        #expect(harness.engine.strategy.calls == calls)
        #expect(harness.slot(.buy).state == .live)
        #expect(harness.lines.last == "market: hold (book_not_ready)")
        // Once consistent again, quoting continues.
        #expect(harness.book(bid: 302_610, ask: 302_630, at: 600).count == 1)
    }

    @Test func anEmptyBookWithdrawsQuotes() throws {
        let harness = try Harness()
        harness.engine.strategy.bids = [level(302_410, 100)]
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.send(.accepted(id: try cid(1001), exchangeOrderID: nil, time: at(10)))
        let empty = BookSnapshot(receivedAt: at(20), exchangeTimeMs: baseMs + 20, sequence: 2, bids: [], asks: [])
        let actions = harness.step { $0.handle(.bookSnapshot(empty)) }
        #expect(actions == [.cancel(id: try cid(1001))])
        #expect(harness.lines.contains("buy: cancel 0.0100@3024.10 (book_not_ready)"))
    }

    @Test func theStrategySeesBookPositionAndSize() throws {
        let harness = try Harness()
        harness.book(bid: 302_410, ask: 302_430, at: 5)
        let input = try #require(harness.engine.strategy.lastInput)
        #expect(input.book.bestBid?.price == px(302_410))
        #expect(input.now == at(5))
        #expect(input.position == .zero)
        #expect(input.orderSize == qty(100))
        #expect(input.maxPosition == qty(10_000))
        #expect(input.spec.symbol == "ETH")
    }

    @Test func tradesGoToTheStrategyWithoutRequoting() throws {
        struct TradeCounter: QuoteStrategy {
            var name: String { "count" }
            var trades = 0
            var quotes = 0
            mutating func quote(_ input: QuoteInput, into targets: inout QuoteTargets) { quotes += 1 }
            mutating func observe(trade: Trade) { trades += 1 }
        }
        let engine = Engine(
            spec: try ethSpec(), strategy: TradeCounter(), configuration: testConfiguration(),
            ids: ClientOrderIDGenerator(start: 1))
        let trade = Trade(
            receivedAt: at(0), exchangeTimeMs: baseMs, tradeID: 9, price: px(302_420), size: qty(10), takerSide: .buy)
        engine.handle(.trade(trade))
        #expect(engine.strategy.trades == 1)
        #expect(engine.strategy.quotes == 0)
        #expect(engine.counters.marketEvents == 1)
    }

    @Test func pumpSubmitsDrainsAndFollowsUp() throws {
        let harness = try Harness()
        harness.engine.strategy.bids = [level(302_410, 100)]
        harness.engine.strategy.asks = [level(302_430, 100)]
        let snapshot = BookSnapshot(
            receivedAt: at(0), exchangeTimeMs: baseMs, sequence: 1,
            bids: [BookLevel(price: px(302_410), size: qty(10_000))],
            asks: [BookLevel(price: px(302_430), size: qty(10_000))])
        harness.engine.handle(.bookSnapshot(snapshot))
        harness.engine.pump(harness.venue, upTo: at(0))
        #expect(harness.venue.submitted.count == 2)
        #expect(harness.venue.submitted.allSatisfy { $0.time == at(0) })
        // The venue acks at 5 ms and the bid fills at 40 ms; an event due later stays queued.
        harness.venue.queued = [
            .accepted(id: try cid(1001), exchangeOrderID: nil, time: at(5)),
            .accepted(id: try cid(1002), exchangeOrderID: nil, time: at(5)),
            .fill(
                Fill(
                    time: at(40), id: try cid(1001), side: .buy, price: px(302_410), size: qty(100), fee: 0,
                    isMaker: true, remaining: .zero)),
            .quotaUpdate(remaining: 100, time: at(900)),
        ]
        #expect(harness.venue.nextEventTime == at(5))
        harness.engine.pump(harness.venue, upTo: at(50))
        #expect(harness.engine.position == qty(100))
        #expect(harness.venue.queued.count == 1)
        #expect(harness.engine.counters.executionEvents == 3)
        // The next timer is the end of the buy side's fill lockout (40 + 500 ms).
        #expect(harness.engine.nextTimerTime == at(250))  // sell slot's action lockout ends first
        harness.engine.pump(harness.venue, upTo: at(540))
        #expect(harness.venue.submitted.last?.action.placed?.side == .buy)
        #expect(harness.engine.counters.actions == 3)
    }

    @Test func timeNeverGoesBackwards() throws {
        let harness = try Harness()
        harness.tick(at: 1000)
        harness.tick(at: 500)
        #expect(harness.engine.now == at(1000))
    }

    @Test func twoEnginesOnOneAccountUseDisjointIds() throws {
        let eth = Engine(
            spec: try ethSpec(), strategy: ScriptedStrategy(bids: [level(302_410, 100)]),
            configuration: testConfiguration(), ids: ClientOrderIDGenerator(start: 1000, lane: 0, lanes: 2))
        let other = Engine(
            spec: try ethSpec(), strategy: ScriptedStrategy(bids: [level(302_410, 100)]),
            configuration: testConfiguration(), ids: ClientOrderIDGenerator(start: 1000, lane: 1, lanes: 2))
        let snapshot = BookSnapshot(
            receivedAt: at(0), exchangeTimeMs: baseMs, sequence: 1,
            bids: [BookLevel(price: px(302_410), size: qty(100))], asks: [BookLevel(price: px(302_430), size: qty(100))]
        )
        eth.handle(.bookSnapshot(snapshot))
        other.handle(.bookSnapshot(snapshot))
        #expect(eth.pendingActions.compactMap(\.orderID) == [try cid(1002)])
        #expect(other.pendingActions.compactMap(\.orderID) == [try cid(1001)])
    }
}

@Suite struct EngineConfigurationTests {
    @Test func defaultsAreValid() throws {
        #expect(EngineConfiguration().problems.isEmpty)
        try EngineConfiguration().validate()
    }

    @Test func problemsNameTheirKeys() {
        var configuration = EngineConfiguration()
        configuration.orderManager.toleranceBps = -1
        configuration.orderManager.timeInForce = .immediateOrCancel
        configuration.risk.dynamicSafetyFactor = 1.5
        configuration.risk.maxPosition = nil
        configuration.risk.useDynamicLimit = false
        configuration.sizing.rule = .capitalFraction(usage: 0, leverage: 2)
        #expect(
            configuration.problems.map(\.key) == [
                "orderManager.toleranceBps", "orderManager.timeInForce", "risk.maxPosition",
                "risk.dynamicSafetyFactor", "sizing.rule",
            ])
        #expect(
            throws: EngineConfigurationError(
                key: "orderManager.toleranceBps", problem: "must be a number ≥ 0, got -1.0")
        ) {
            try configuration.validate()
        }
    }
}

@Suite struct EngineCancelAllTests {
    @Test func startUpCancelAllThenQuotesAgain() throws {
        let harness = try Harness()
        harness.engine.strategy.bids = [level(302_410, 100)]
        harness.book(bid: 302_410, ask: 302_430, at: 0)
        harness.send(.accepted(id: try cid(1001), exchangeOrderID: nil, time: at(10)))
        let actions = harness.step { $0.cancelAllOrders(at: at(20)) }
        #expect(actions == [.cancelAll])
        #expect(harness.lines.contains("market: cancel_all (operator_cancel_all)"))
        #expect(harness.slot(.buy).state == .canceling)
        harness.send(.canceled(id: try cid(1001), reason: .requested, time: at(30)))
        // Quoting continues after the action lockout from the cancel (20 + 250 ms).
        #expect(harness.tick(at: 269).isEmpty)
        #expect(harness.tick(at: 270).compactMap(\.placed).map(\.side) == [.buy])
    }
}
