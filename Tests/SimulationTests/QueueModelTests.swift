import MarketCore
import Simulation
import Testing
import Trading

@Suite struct QueueModelTests {
    /// The same sequence under each model: we join 1000 lots at 3000.00 with 500, 500 more join
    /// behind us (1500), then 400 are cancelled (1100), then a 800-lot trade prints at our price.
    ///
    /// Hand computation (front = 1000, back = 500, decrease = 400; p = probability behind,
    /// new front = front − (1 − p)·400 + min(back − p·400, 0)):
    /// - conservative: front stays 1000; the trade leaves 200 ahead → no fill.
    /// - power(1): p = 500/1500 = 1/3 → 733.33; trade beyond front 66.67 → fill 66.
    /// - power(3): p = 500³/(500³ + 1000³) = 1/9 → 644.44; beyond 155.56 → fill 155.
    /// - log: p = ln 501/(ln 501 + ln 1001) = 0.47363 → 789.45; beyond 10.55 → fill 10.
    @Test(arguments: [
        (QueueModel.conservative, 1000.0, Int64(0)),
        (QueueModel.probabilistic(.power(1)), 733.333, Int64(66)),
        (QueueModel.probabilistic(.power(3)), 644.444, Int64(155)),
        (QueueModel.probabilistic(.logarithmic), 789.453, Int64(10)),
    ])
    func cancelsAheadAreCreditedByModel(model: QueueModel, expectedAhead: Double, expectedFill: Int64) throws {
        var engine = MatchingEngine(spec: eth, queueModel: model)
        engine.apply(standardBook())
        engine.handle(order(1, .buy, 300_000, 500), at: at(ms: 1))
        engine.apply(delta(.buy, 300_000, 1500, ms: 2))
        engine.apply(delta(.buy, 300_000, 1100, ms: 3))
        let ahead = try #require(engine.order(id(1))?.queue.ahead)
        #expect(abs(ahead - expectedAhead) < 0.001)
        engine.outbox.removeAll()
        engine.apply(trade(taker: .sell, 300_000, 800, ms: 4))
        let filled = fills(engine.outbox).reduce(0) { $0 + $1.size.lots }
        #expect(filled == expectedFill)
    }

    @Test(arguments: [QueueModel.conservative, .power3, .probabilistic(.logarithmic)])
    func tradeFollowedByItsLevelUpdateIsNotCountedTwice(model: QueueModel) throws {
        var engine = MatchingEngine(spec: eth, queueModel: model)
        engine.apply(standardBook())
        engine.handle(order(1, .buy, 300_000, 500), at: at(ms: 1))
        // A 300 trade, then the feed's level update showing the same 300 gone.
        engine.apply(trade(taker: .sell, 300_000, 300, ms: 2))
        engine.apply(delta(.buy, 300_000, 700, ms: 2))
        #expect(try #require(engine.order(id(1))?.queue.ahead) == 700)
    }

    @Test func probabilityShapes() {
        // Front only: everything cancelled must be ahead of us.
        #expect(QueueProbability.power(2).probabilityBehind(front: 100, back: 0) == 0)
        // Back only: everything behind.
        #expect(QueueProbability.logarithmic.probabilityBehind(front: 0, back: 100) == 1)
        // Equal sizes: a coin flip for every shape.
        #expect(QueueProbability.power(3).probabilityBehind(front: 50, back: 50) == 0.5)
        #expect(QueueProbability.logarithmic.probabilityBehind(front: 50, back: 50) == 0.5)
    }

    @Test func levelShrinkingBelowOurPositionMovesUsForwardInEveryModel() throws {
        for model in [QueueModel.conservative, .power3] {
            var engine = MatchingEngine(spec: eth, queueModel: model)
            engine.apply(standardBook())
            engine.handle(order(1, .buy, 300_000, 500), at: at(ms: 1))
            engine.apply(delta(.buy, 300_000, 250, ms: 2))
            #expect(try #require(engine.order(id(1))?.queue.ahead) == 250)
        }
    }

    @Test func laterOrderOfOursQueuesBehindTheEarlierOne() throws {
        var engine = MatchingEngine(spec: eth, queueModel: .conservative)
        engine.apply(standardBook())
        engine.handle(order(1, .buy, 300_000, 500), at: at(ms: 1))
        engine.handle(order(2, .buy, 300_000, 500), at: at(ms: 1))
        #expect(try #require(engine.order(id(2))?.queue.ahead) == 1500)
        engine.outbox.removeAll()
        // 1200 trades: 1000 visible ahead, then 200 of our first order; the second gets nothing.
        engine.apply(trade(taker: .sell, 300_000, 1200, ms: 2))
        let result = fills(engine.outbox)
        #expect(result.map(\.id) == [id(1)])
        #expect(result.map(\.size) == [Quantity(lots: 200)])
        // Cancelling the first order takes its 300 out of the second's queue.
        engine.handle(.cancel(id: id(1)), at: at(ms: 3))
        #expect(try #require(engine.order(id(2))?.queue.ahead) == 0)
    }
}
