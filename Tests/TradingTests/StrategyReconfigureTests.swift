import MarketCore
import Quant
import Testing
@testable import Trading

/// `ConfiguredStrategy.reconfigure`: new parameters apply at once, the estimators carry on.
@Suite struct StrategyReconfigureTests {
    /// AS settings with σ sampled every second, a half-life long enough that σ² is the plain
    /// mean of the squared changes, τ = 100 s and 5 warm-up samples.
    func asSettings(gamma: Double) -> StrategySettings {
        var settings = StrategySettings()
        settings.model = .avellanedaStoikov
        settings.asGamma = gamma
        settings.asK = 1.5
        settings.asHorizonSeconds = 100
        settings.asSampleNanos = 1_000_000_000
        settings.asVolHalfLifeSeconds = 1e6
        settings.warmUpSamples = 5
        settings.shaper = LadderShaper()
        return settings
    }

    func volOBISettings(volToHalfSpread: Double = 1, minWarmUpSamples: Int = 5, volWindow: Int = 50) -> StrategySettings {
        var settings = StrategySettings()
        settings.model = .volOBI
        settings.volOBI = VolOBIConfiguration(
            stepNanos: 1_000_000_000, volWindow: volWindow, obiWindow: 50, lookingDepth: 0.01,
            volToHalfSpread: volToHalfSpread, c1: 0, skew: 1, positionLimit: 1, minHalfSpreadBps: 1,
            minWarmUpSamples: minWarmUpSamples, minWarmUpNanos: 0)
        settings.shaper = LadderShaper()
        return settings
    }

    /// One update per second for seconds `0...20`, the mid alternating 100.5 / 100 and ending on
    /// 100: every sampled change is ±0.5, so σ = 0.5 per √second.
    func warm(_ strategy: inout ConfiguredStrategy) {
        var targets = QuoteTargets()
        for second in 0...20 {
            targets.removeAll()
            let mid = (20 - second) % 2 == 0 ? 100.0 : 100.5
            strategy.quote(StrategyFixture.input(mid: mid, seconds: Double(second)), into: &targets)
        }
    }

    func quote(_ strategy: inout ConfiguredStrategy, mid: Double = 100, second: Double) -> QuoteTargets {
        var targets = QuoteTargets()
        strategy.quote(StrategyFixture.input(mid: mid, seconds: second), into: &targets)
        return targets
    }

    @Test func biggerGammaWidensTheNextAvellanedaStoikovQuoteWithoutNewWarmUp() throws {
        var kept = try ConfiguredStrategy(asSettings(gamma: 0.1))
        var changed = try ConfiguredStrategy(asSettings(gamma: 0.1))
        warm(&kept)
        warm(&changed)
        try changed.reconfigure(asSettings(gamma: 0.5))
        #expect(changed.model == .avellanedaStoikov)

        // σ² = 0.25, τ = 100, k = 1.5, q = 0, mid 100. Spread γσ²τ + (2/γ)ln(1 + γ/k):
        // γ = 0.1: 2.5 + 20·ln(1.0666667) = 3.7907704, half 1.8953852 → 98.1046 / 101.8954;
        let before = quote(&kept, second: 21)
        #expect(before.bids.first?.price == Price(ticks: 9810))
        #expect(before.asks.first?.price == Price(ticks: 10190))
        // γ = 0.5: 12.5 + 4·ln(1.3333333) = 13.6507283, half 6.8253641 → 93.1746 / 106.8254.
        let after = quote(&changed, second: 21)
        #expect(after.bidReason == nil && after.askReason == nil)
        #expect(after.bids.first?.price == Price(ticks: 9317))
        #expect(after.asks.first?.price == Price(ticks: 10683))

        // A strategy built from scratch with γ = 0.5 would still be warming up.
        var fresh = try ConfiguredStrategy(asSettings(gamma: 0.5))
        #expect(quote(&fresh, second: 21).bidReason == .warmingUp(samples: 0, needed: 5))
    }

    @Test func volOBIKeepsItsWindowsAndAppliesTheNewCoefficients() throws {
        var kept = try ConfiguredStrategy(volOBISettings(volToHalfSpread: 1))
        var changed = try ConfiguredStrategy(volOBISettings(volToHalfSpread: 1))
        warm(&kept)
        warm(&changed)
        try changed.reconfigure(volOBISettings(volToHalfSpread: 2, volWindow: 40))

        // After the update at second 21 the window holds 20 changes, ten of +0.5 and ten of
        // −0.5: mean 0, population σ = 0.5 per 1 s step = 0.5 per √second.
        _ = quote(&kept, second: 21)
        _ = quote(&changed, second: 21)
        let before = try #require(kept.volOBI?.lastQuote)
        let after = try #require(changed.volOBI?.lastQuote)
        #expect(abs(before.volatility - 0.5) < 1e-9 && abs(before.halfSpread - 0.5) < 1e-9)
        // Same σ (the window, shortened to 40, still holds all 20 changes), now × 2.
        #expect(abs(after.volatility - 0.5) < 1e-9)
        #expect(abs(after.halfSpread - 1.0) < 1e-9)
    }

    @Test func raisedWarmUpCountCountsTheSamplesAlreadySeen() throws {
        var strategy = try ConfiguredStrategy(volOBISettings(minWarmUpSamples: 5))
        warm(&strategy)
        // Updates at seconds 0…20 pass 20 boundaries; the first has nothing to difference
        // against, so 19 changes. The update at second 21 adds one: 20 of the new 40.
        try strategy.reconfigure(volOBISettings(minWarmUpSamples: 40))
        let targets = quote(&strategy, second: 21)
        #expect(targets.bidReason == .warmingUp(samples: 20, needed: 40))
        #expect(targets.bids.isEmpty && targets.asks.isEmpty)
    }

    @Test func invalidSettingsThrowAndLeaveTheStrategyAsItWas() throws {
        var strategy = try ConfiguredStrategy(asSettings(gamma: 0.1))
        warm(&strategy)
        var bad = asSettings(gamma: -1)
        bad.model = .avellanedaStoikov
        #expect(throws: QuantParameterError.self) { try strategy.reconfigure(bad) }
        var badVolOBI = volOBISettings()
        badVolOBI.volOBI.obiWindow = 1
        #expect(throws: QuantParameterError.self) { try strategy.reconfigure(badVolOBI) }
        // Still AS with γ = 0.1 and its warm estimate (same prices as the γ = 0.1 case above).
        #expect(strategy.model == .avellanedaStoikov)
        let targets = quote(&strategy, second: 21)
        #expect(targets.bids.first?.price == Price(ticks: 9810))
        #expect(targets.asks.first?.price == Price(ticks: 10190))
    }

    @Test func changingTheModelStartsFresh() throws {
        var strategy = try ConfiguredStrategy(asSettings(gamma: 0.1))
        warm(&strategy)
        var glft = asSettings(gamma: 0.1)
        glft.model = .glft
        glft.glftSampleNanos = 1_000_000_000
        glft.shaper = LadderShaper(levels: 2)
        try strategy.reconfigure(glft)
        #expect(strategy.model == .glft)
        #expect(strategy.name == "grid(glft)")
        #expect(quote(&strategy, second: 21).bidReason == .warmingUp(samples: 0, needed: 5))

        // Back to volobi: also from nothing.
        try strategy.reconfigure(volOBISettings())
        #expect(strategy.volOBI?.lastQuote == nil)
        #expect(quote(&strategy, second: 22).bidReason == .warmingUp(samples: 0, needed: 5))
    }

    @Test func changedSamplingStepRestartsOnlyThatEstimator() throws {
        var strategy = try ConfiguredStrategy(asSettings(gamma: 0.1))
        warm(&strategy)
        var settings = asSettings(gamma: 0.1)
        settings.asSampleNanos = 500_000_000
        try strategy.reconfigure(settings)
        #expect(quote(&strategy, second: 21).bidReason == .warmingUp(samples: 0, needed: 5))
    }
}

/// The shaper's shortcut for order sizes against `max(lots, minimumQuantity(at:))` on random
/// markets, prices and sizes on the lot grid.
@Suite struct LadderShaperSizeTests {
    @Test func quoteSizeEqualsTheMinimumRule() throws {
        var random = Xoshiro256StarStar(seed: 3)
        for _ in 0..<20_000 {
            let lot = Int64(random.next() % 5) + 1
            let spec = try MarketSpec(
                symbol: "R", marketID: 0, priceDecimals: 2, sizeDecimals: 4, lotSize: lot,
                minBaseAmount: Quantity(lots: Int64(random.next() % 200)), minQuoteNotional: Int64(random.next() % 50_000_000))
            let lots = Int64(random.next() % 3000) / lot * lot
            let price = Price(ticks: Int64(random.next() % 400_000) - 1000)
            let expected = max(Quantity(lots: lots), spec.minimumQuantity(at: price))
            #expect(LadderShaper.quoteSize(lots: lots, at: price, spec: spec) == expected)
        }
    }
}
