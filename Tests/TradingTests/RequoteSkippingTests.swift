import MarketCore
import Testing
import Trading

/// The scripted strategy, declaring that its quote reads only the best prices, the position and
/// sizes, and the time through a 1 s clock.
struct DeclaringScriptedStrategy: QuoteStrategy, QuoteDependencyDeclaring {
    var inner = ScriptedStrategy()
    var name: String { "declaring" }
    var quoteDependencies: QuoteDependencies { .bestPrices(clockStepNanos: 1_000_000_000) }
    mutating func quote(_ input: QuoteInput, into targets: inout QuoteTargets) { inner.quote(input, into: &targets) }
}

@Suite struct RequoteSkippingUnitTests {
    func configuration() -> EngineConfiguration {
        var configuration = testConfiguration()
        configuration.recordRepeatedHolds = false
        return configuration
    }

    func snapshot(bid: Int64, ask: Int64, bidSize: Int64 = 10_000, at ms: Int64) -> MarketEvent {
        .bookSnapshot(
            BookSnapshot(
                receivedAt: at(ms), exchangeTimeMs: baseMs + ms, sequence: ms,
                bids: [BookLevel(price: px(bid), size: qty(bidSize)), BookLevel(price: px(bid - 50), size: qty(500))],
                asks: [BookLevel(price: px(ask), size: qty(10_000))]))
    }

    @Test func aDeclaringStrategyIsAskedOnlyWhenWhatItReadsChanges() throws {
        let spec = try ethSpec()
        var strategy = DeclaringScriptedStrategy()
        strategy.inner.bids = [level(300_000, 100)]
        strategy.inner.asks = [level(300_200, 100)]
        let engine = Engine(
            spec: spec, strategy: strategy, configuration: configuration(), ids: ClientOrderIDGenerator(start: 1))
        engine.handle(snapshot(bid: 300_050, ask: 300_150, at: 0))
        #expect(engine.strategy.inner.calls == 1)
        // Sizes change, best prices do not: not asked.
        engine.handle(snapshot(bid: 300_050, ask: 300_150, bidSize: 7_000, at: 100))
        engine.handle(snapshot(bid: 300_050, ask: 300_150, bidSize: 9_000, at: 900))
        #expect(engine.strategy.inner.calls == 1)
        #expect(engine.counters.skippedQuotes == 2)
        // The best bid moves: asked.
        engine.handle(snapshot(bid: 300_060, ask: 300_150, at: 950))
        #expect(engine.strategy.inner.calls == 2)
        // The 1 s clock steps: asked.
        engine.handle(snapshot(bid: 300_060, ask: 300_150, at: 1_000))
        #expect(engine.strategy.inner.calls == 3)
        // A new external alpha: asked.
        engine.externalAlpha = ExternalAlpha(value: 0.5, updatedAt: at(1_010), source: "test")
        engine.handle(snapshot(bid: 300_060, ask: 300_150, at: 1_020))
        #expect(engine.strategy.inner.calls == 4)
        // A trade (not read) changes nothing; replacing the strategy asks again.
        engine.handle(
            .trade(
                Trade(
                    receivedAt: at(1_030), exchangeTimeMs: baseMs + 1_030, tradeID: 1, price: px(300_060),
                    size: qty(10), takerSide: .sell)))
        engine.handle(snapshot(bid: 300_060, ask: 300_150, at: 1_040))
        #expect(engine.strategy.inner.calls == 4)
        engine.strategy.inner.bids = [level(300_010, 100)]
        engine.handle(snapshot(bid: 300_060, ask: 300_150, at: 1_050))
        #expect(engine.strategy.inner.calls == 5)
        #expect(engine.targets.bids == [level(300_010, 100)])
    }

    @Test func anUndeclaredStrategyIsAskedOnEveryBookChange() throws {
        let spec = try ethSpec()
        var strategy = ScriptedStrategy()
        strategy.bids = [level(300_000, 100)]
        let engine = Engine(
            spec: spec, strategy: strategy, configuration: configuration(), ids: ClientOrderIDGenerator(start: 1))
        for ms in stride(from: Int64(0), to: 500, by: 100) {
            engine.handle(snapshot(bid: 300_050, ask: 300_150, bidSize: 1_000 + ms, at: ms))
        }
        #expect(engine.strategy.calls == 5)
        #expect(engine.counters.skippedQuotes == 0)
    }

    @Test func aLockoutEndingWithoutATickStillPlaces() throws {
        // The bid fills at 10 ms (fill lockout until 510 ms); book changes follow with no tick.
        let spec = try ethSpec()
        var strategy = DeclaringScriptedStrategy()
        strategy.inner.bids = [level(300_000, 100)]
        let engine = Engine(
            spec: spec, strategy: strategy, configuration: configuration(), ids: ClientOrderIDGenerator(start: 1))
        var actions: [OrderAction] = []
        engine.handle(snapshot(bid: 300_050, ask: 300_150, at: 0))
        engine.takePendingActions(into: &actions)
        let id = try #require(actions.first?.placed?.id)
        engine.handle(.accepted(id: id, exchangeOrderID: nil, time: at(5)))
        engine.handle(
            .fill(
                Fill(
                    time: at(10), id: id, side: .buy, price: px(300_000), size: qty(100), fee: 0, isMaker: true,
                    remaining: .zero)))
        engine.handle(snapshot(bid: 300_050, ask: 300_150, at: 20))
        engine.handle(snapshot(bid: 300_050, ask: 300_150, at: 30))
        engine.handle(snapshot(bid: 300_050, ask: 300_150, at: 500))
        actions.removeAll()
        engine.takePendingActions(into: &actions)
        #expect(actions.isEmpty)
        #expect(engine.counters.skippedReconciles >= 1)
        #expect(engine.decisions.last?.reason.code == "fill_lockout")
        // 510 ms: the lockout is over, so the same book places again.
        engine.handle(snapshot(bid: 300_050, ask: 300_150, at: 600))
        engine.takePendingActions(into: &actions)
        #expect(actions.count == 1)
        #expect(actions.first?.placed?.price == px(300_000))
        #expect(actions.first?.placed?.side == .buy)
    }
}
