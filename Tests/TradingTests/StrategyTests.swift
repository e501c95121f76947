import MarketCore
import Quant
import Testing
@testable import Trading

/// Helpers shared by the strategy tests.
enum StrategyFixture {
    static let spec = try! MarketSpec(
        symbol: "TEST", marketID: 1, priceDecimals: 2, sizeDecimals: 4, minBaseAmount: Quantity(lots: 10), minQuoteNotional: 0)

    /// A book with best bid/ask one tick around `mid` (price units), sizes given in lots.
    static func book(mid: Double, bidSize: Int64 = 1000, askSize: Int64 = 1000) -> OrderBook {
        var book = OrderBook()
        let center = Int64((mid * 100).rounded())
        book.replace(
            bids: [BookLevel(price: Price(ticks: center - 1), size: Quantity(lots: bidSize))],
            asks: [BookLevel(price: Price(ticks: center + 1), size: Quantity(lots: askSize))])
        return book
    }

    static func input(
        mid: Double, seconds: Double, position: Int64 = 0, maxPosition: Int64 = 100_000, orderSize: Int64 = 10_000,
        bidSize: Int64 = 1000, askSize: Int64 = 1000, alpha: ExternalAlpha? = nil
    ) -> QuoteInput {
        QuoteInput(
            book: book(mid: mid, bidSize: bidSize, askSize: askSize), spec: spec, now: Timestamp(seconds: seconds),
            position: Quantity(lots: position), maxPosition: Quantity(lots: maxPosition), orderSize: Quantity(lots: orderSize),
            externalAlpha: alpha)
    }
}

@Suite struct LadderShaperTests {
    let spec = StrategyFixture.spec

    func shape(_ shaper: LadderShaper, bid: Double, ask: Double, mid: Double = 100, position: Int64 = 0, maxPosition: Int64 = 100_000, orderSize: Int64 = 10_000) -> QuoteTargets {
        var targets = QuoteTargets()
        let input = StrategyFixture.input(mid: mid, seconds: 0, position: position, maxPosition: maxPosition, orderSize: orderSize)
        shaper.shape(bid: bid, ask: ask, mid: mid, input: input, into: &targets)
        return targets
    }

    @Test func roundsBidDownAndAskUp() {
        let targets = shape(LadderShaper(), bid: 99.987, ask: 100.011)
        #expect(targets.bids == [QuoteLevel(price: Price(ticks: 9998), size: Quantity(lots: 10_000))])
        #expect(targets.asks == [QuoteLevel(price: Price(ticks: 10002), size: Quantity(lots: 10_000))])
    }

    @Test func dropsAPairThatWouldCrossAfterRounding() {
        // 99.999 → 99.99 and 100.001 → 100.01 do not cross; 100.004/100.006 both round into 100.00/100.01...
        let fine = shape(LadderShaper(), bid: 100.001, ask: 100.009)
        #expect(fine.bids.first?.price == Price(ticks: 10000))
        #expect(fine.asks.first?.price == Price(ticks: 10001))
        // A model whose bid is above its ask: the pair is dropped, never sent crossed.
        let crossed = shape(LadderShaper(), bid: 100.02, ask: 100.01)
        #expect(crossed.bids.isEmpty && crossed.asks.isEmpty)
        #expect(crossed.bidReason == .crossedPair && crossed.askReason == .crossedPair)
    }

    @Test func widensToMinimumSpreadAndStopsAboveMaximum() {
        // 10 bp of 100 = 0.10 total: 99.99/100.01 widens to 99.95/100.05.
        let widened = shape(LadderShaper(minSpreadBps: 10), bid: 99.99, ask: 100.01)
        #expect(widened.bids.first?.price == Price(ticks: 9995))
        #expect(widened.asks.first?.price == Price(ticks: 10005))
        let tooWide = shape(LadderShaper(maxSpreadBps: 50), bid: 99.5, ask: 100.5)  // 100 bp
        #expect(tooWide.bids.isEmpty && tooWide.asks.isEmpty)
        #expect(tooWide.bidReason == .spreadTooWide(bps: 100))
    }

    @Test func suppressesTheSideThatGrowsThePositionAtTheLimit() {
        let long = shape(LadderShaper(), bid: 99.9, ask: 100.1, position: 50_000, maxPosition: 50_000)
        #expect(long.bids.isEmpty && long.bidReason == .positionLimit)
        #expect(long.asks.count == 1 && long.askReason == nil)
        let short = shape(LadderShaper(), bid: 99.9, ask: 100.1, position: -60_000, maxPosition: 50_000)
        #expect(short.asks.isEmpty && short.askReason == .positionLimit)
        #expect(short.bids.count == 1)
    }

    @Test func laddersLevelsWithSpacingAndSizeMultiplier() {
        // half-spread 0.10; spacing 1.5 → levels 0.15 apart; sizes 10000, 20000, 40000.
        let targets = shape(LadderShaper(levels: 3, spacing: 1.5, sizeMultiplier: 2), bid: 99.9, ask: 100.1)
        #expect(targets.bids.map(\.price.ticks) == [9990, 9975, 9960])
        #expect(targets.asks.map(\.price.ticks) == [10010, 10025, 10040])
        #expect(targets.bids.map(\.size.lots) == [10_000, 20_000, 40_000])
    }

    @Test func neverQuotesThroughTheMarket() {
        // The book is 99.99 / 100.01; a model bid of 100.05 would take: it is pulled to 100.00.
        let targets = shape(LadderShaper(), bid: 100.05, ask: 100.20)
        #expect(targets.bids.first?.price == Price(ticks: 10000))
        #expect(targets.asks.first?.price == Price(ticks: 10020))
    }

    @Test func raisesSizesToTheExchangeMinimum() {
        let targets = shape(LadderShaper(), bid: 99.9, ask: 100.1, orderSize: 3)
        #expect(targets.bids.first?.size == Quantity(lots: 10))
    }

    @Test func reusesStorage() {
        var targets = QuoteTargets(levels: 4)
        let input = StrategyFixture.input(mid: 100, seconds: 0)
        LadderShaper(levels: 4).shape(bid: 99.9, ask: 100.1, mid: 100, input: input, into: &targets)
        let capacity = targets.bids.capacity
        for _ in 0..<100 {
            targets.removeAll()
            LadderShaper(levels: 4).shape(bid: 99.9, ask: 100.1, mid: 100, input: input, into: &targets)
        }
        #expect(targets.bids.capacity == capacity)
    }
}

@Suite struct ModelStrategyTests {
    /// Feeds a mid alternating 100.5 / 100 once per second, ending on 100, so every sampled
    /// change is ±0.5 and σ = 0.5 per √second exactly.
    func warm<S: QuoteStrategy>(_ strategy: inout S, steps: Int, jump: Double = 0.5, position: Int64 = 0) -> QuoteTargets {
        var targets = QuoteTargets()
        for step in 0...steps {
            targets.removeAll()
            let mid = (steps - step) % 2 == 0 ? 100.0 : 100.0 + jump
            strategy.quote(StrategyFixture.input(mid: mid, seconds: Double(step), position: position), into: &targets)
        }
        return targets
    }

    @Test func avellanedaStoikovWarmsUpThenQuotesTheClosedForm() throws {
        var strategy = try AvellanedaStoikovStrategy(
            gamma: 0.1, k: 1.5, horizonSeconds: 3600, warmUpSamples: 5, shaper: LadderShaper())
        var targets = QuoteTargets()
        strategy.quote(StrategyFixture.input(mid: 100, seconds: 0), into: &targets)
        #expect(targets.bidReason == .warmingUp(samples: 0, needed: 5))
        // Constant mid: σ = 0, spread = (2/γ)ln(1+γ/k) = 1.2907704 → 99.3546 / 100.6454.
        targets = warm(&strategy, steps: 20, jump: 0)
        #expect(targets.bids.first?.price == Price(ticks: 9935))
        #expect(targets.asks.first?.price == Price(ticks: 10065))
    }

    @Test func avellanedaStoikovSkewsWithInventory() throws {
        // σ = 0.01/√s, q = 1 (position = order size), γ = 0.1, τ = 3600:
        // r = 100 − 0.036 = 99.964; δ = 0.036 + 1.2907704 → bid 99.30061, ask 100.62739.
        var strategy = try AvellanedaStoikovStrategy(
            gamma: 0.1, k: 1.5, horizonSeconds: 3600, volHalfLifeSeconds: 1e6, warmUpSamples: 5, shaper: LadderShaper())
        let targets = warm(&strategy, steps: 40, jump: 0.01, position: 10_000)
        #expect(targets.bids.first?.price == Price(ticks: 9930))
        #expect(targets.asks.first?.price == Price(ticks: 10063))
    }

    @Test func glftMatchesHandComputedCoefficients() throws {
        // γ = ξ = 0.1, A = 140, k = 1.5: c1 = 0.6453852, c2 = 0.0258586; σ = 0.5:
        // half = c1 + σ·c2/2 = 0.6518499, skew = σ·c2 = 0.0129293.
        var flat = try GLFTStrategy(gamma: 0.1, a: 140, k: 1.5, warmUpSamples: 5, shaper: LadderShaper())
        let symmetric = warm(&flat, steps: 40)
        #expect(symmetric.bids.first?.price == Price(ticks: 9934))  // 99.34815 down
        #expect(symmetric.asks.first?.price == Price(ticks: 10066))  // 100.65185 up
        // q = 2 orders long: bid 99.32229 → 99.32, ask 100.62599 → 100.63.
        var long = try GLFTStrategy(gamma: 0.1, a: 140, k: 1.5, warmUpSamples: 5, shaper: LadderShaper())
        let skewed = warm(&long, steps: 40, position: 20_000)
        #expect(skewed.bids.first?.price == Price(ticks: 9932))
        #expect(skewed.asks.first?.price == Price(ticks: 10063))
    }

    func volOBI(c1: Double = 0.05) throws -> VolOBIStrategy {
        try VolOBIStrategy(
            configuration: VolOBIConfiguration(
                stepNanos: 1_000_000_000, volWindow: 50, obiWindow: 50, lookingDepth: 0.01, volToHalfSpread: 1,
                c1: c1, skew: 1, positionLimit: 1, minHalfSpreadBps: 1, minWarmUpSamples: 5, minWarmUpNanos: 0),
            shaper: LadderShaper())
    }

    @Test func volOBIUsesOwnImbalanceThenFreshExternalAlpha() throws {
        var strategy = try volOBI()
        var targets = QuoteTargets()
        for second in 0..<30 {
            targets.removeAll()
            // Balanced books while warming up; a bid-heavy book on the last update.
            let bidSize: Int64 = second == 29 ? 9000 : (second % 2 == 0 ? 1000 : 1200)
            strategy.quote(StrategyFixture.input(mid: 100, seconds: Double(second), bidSize: bidSize), into: &targets)
        }
        let own = try #require(strategy.lastQuote)
        #expect(own.alphaSource == .ownImbalance)
        #expect(own.alpha > 0)
        #expect(own.fairPrice > own.mid)

        // A fresh external alpha of −3 overrides the own imbalance: fair price below mid.
        targets.removeAll()
        let fresh = ExternalAlpha(value: -3, updatedAt: Timestamp(seconds: 30), source: "binance_obi")
        strategy.quote(StrategyFixture.input(mid: 100, seconds: 30.5, alpha: fresh), into: &targets)
        let external = try #require(strategy.lastQuote)
        #expect(external.alphaSource == .external)
        #expect(external.alpha == -3)
        #expect(abs(external.fairPrice - (100 - 0.15)) < 1e-9)

        // The same alpha ten seconds later is stale (default max age 5 s): back to the own OBI.
        targets.removeAll()
        strategy.quote(StrategyFixture.input(mid: 100, seconds: 40, alpha: fresh), into: &targets)
        #expect(strategy.lastQuote?.alphaSource == .ownImbalance)
    }

    @Test func volOBISkewsAgainstInventory() throws {
        var flat = try volOBI(c1: 0)
        var long = try volOBI(c1: 0)
        var a = QuoteTargets()
        var b = QuoteTargets()
        for second in 0..<30 {
            a.removeAll()
            b.removeAll()
            let mid = second % 2 == 0 ? 100.0 : 100.2
            flat.quote(StrategyFixture.input(mid: mid, seconds: Double(second)), into: &a)
            long.quote(StrategyFixture.input(mid: mid, seconds: Double(second), position: 50_000), into: &b)
        }
        let flatQuote = try #require(flat.lastQuote)
        let longQuote = try #require(long.lastQuote)
        #expect(longQuote.fairPrice < flatQuote.fairPrice)
        #expect(try #require(b.asks.first).price <= (try #require(a.asks.first)).price)
    }
}

@Suite struct ConfiguredStrategyTests {
    @Test(arguments: StrategySettings.Model.allCases)
    func buildsEachModelAndQuotes(model: StrategySettings.Model) throws {
        var settings = StrategySettings()
        settings.model = model
        settings.warmUpSamples = 3
        settings.asSampleNanos = 1_000_000_000
        settings.glftSampleNanos = 1_000_000_000
        settings.volOBI = VolOBIConfiguration(
            stepNanos: 1_000_000_000, volWindow: 10, obiWindow: 10, c1: 0, positionLimit: 1, minWarmUpSamples: 3)
        settings.shaper = LadderShaper(levels: 2)
        var strategy = try ConfiguredStrategy(settings)
        #expect(strategy.name == "grid(\(model.rawValue))")
        var targets = QuoteTargets()
        for second in 0..<20 {
            targets.removeAll()
            let mid = second % 2 == 0 ? 100.0 : 100.1
            strategy.quote(StrategyFixture.input(mid: mid, seconds: Double(second)), into: &targets)
        }
        #expect(targets.bids.count == 2)
        #expect(targets.asks.count == 2)
        #expect(try #require(targets.bids.first).price < (try #require(targets.asks.first)).price)
    }

    @Test func rejectsBadParameters() {
        var settings = StrategySettings()
        settings.model = .avellanedaStoikov
        settings.asGamma = -1
        #expect(throws: QuantParameterError.self) { try ConfiguredStrategy(settings) }
    }
}
