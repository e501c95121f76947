import Testing
@testable import Quant

/// Seconds → nanoseconds.
private func ns(_ seconds: Double) -> Int64 { Int64((seconds * 1e9).rounded()) }

private func configuration(
    stepNanos: Int64 = 1_000_000_000, c1: Double = 0.01, skew: Double = 1, positionLimit: Double = 10,
    volToHalfSpread: Double = 0.5, minHalfSpreadBps: Double = 1, minWarmUpSamples: Int = 2,
    minWarmUpNanos: Int64 = 0, externalAlphaMaxAgeNanos: Int64 = 1_000_000_000
) -> VolOBIConfiguration {
    VolOBIConfiguration(
        stepNanos: stepNanos, volWindow: 100, obiWindow: 100, lookingDepth: 0.025,
        volToHalfSpread: volToHalfSpread, c1: c1, skew: skew, positionLimit: positionLimit,
        minHalfSpreadBps: minHalfSpreadBps, minWarmUpSamples: minWarmUpSamples,
        minWarmUpNanos: minWarmUpNanos, externalAlphaMaxAgeNanos: externalAlphaMaxAgeNanos)
}

/// Feeds one update per step at t = (i + 0.5)·step, i = 0..<count, mid alternating 100, 101
/// (100 + i % 2), zero imbalance. Boundary i samples mid_{i−1}, so from i = 2 on each update
/// pushes mid_{i−1} − mid_{i−2} = ±1: `count − 2` samples alternating +1, −1.
private func feedAlternatingMids(_ model: inout VolOBIModel, count: Int, stepSeconds: Double = 1) {
    for i in 0..<count {
        model.update(timestampNanos: ns((Double(i) + 0.5) * stepSeconds), mid: 100 + Double(i % 2), bidDepth: 3, askDepth: 3)
    }
}

@Suite struct VolOBIModelTests {
    @Test func stepClockSamplesOncePerStepAndFillsEmptySteps() throws {
        var model = try VolOBIModel(configuration: configuration())
        // Step 0: three messages; only the last mid (102) is in force at boundary 1.
        model.update(timestampNanos: ns(0.1), mid: 100, bidDepth: 1, askDepth: 1)
        model.update(timestampNanos: ns(0.5), mid: 101, bidDepth: 1, askDepth: 1)
        model.update(timestampNanos: ns(0.9), mid: 102, bidDepth: 1, askDepth: 1)
        #expect(model.sampleCount == 0)
        // Crossing boundary 1: first sampled mid (102), nothing to difference against yet.
        model.update(timestampNanos: ns(1.2), mid: 103, bidDepth: 1, askDepth: 1)
        #expect(model.sampleCount == 0)
        model.update(timestampNanos: ns(1.9), mid: 104, bidDepth: 1, askDepth: 1)
        // Boundary 2 samples 104: change 104 − 102 = 2 (one sample for two messages in step 1).
        model.update(timestampNanos: ns(2.05), mid: 104.5, bidDepth: 1, askDepth: 1)
        #expect(model.sampleCount == 1)
        // Jump to step 5: boundaries 3, 4, 5 all sample 104.5: changes 0.5, 0, 0.
        model.update(timestampNanos: ns(5.5), mid: 104.5, bidDepth: 1, askDepth: 1)
        #expect(model.sampleCount == 4)
        // Changes {2, 0.5, 0, 0}: mean 0.625; variance (1.375² + 0.125² + 2·0.625²)/4 = 2.6875/4
        // = 0.671875; σ = 0.8196798....; step 1 s so no rescaling.
        #expect(isClose(model.volatility, 0.671875.squareRoot()))
    }

    @Test func volatilityIsScaledToPerSqrtSecond() throws {
        var model = try VolOBIModel(configuration: configuration(stepNanos: 100_000_000))
        feedAlternatingMids(&model, count: 22, stepSeconds: 0.1)
        // 20 samples ±1 alternating: std 1 per 100 ms step → 1·sqrt(1e9/1e8) = sqrt(10) per √s.
        #expect(model.sampleCount == 20)
        #expect(isClose(model.volatility, 3.1622776601683795, tolerance: 1e-12))
    }

    @Test func resumeTakesSamplesUnlessTheStepChanged() throws {
        var earlier = try VolOBIModel(configuration: configuration(volToHalfSpread: 0.5, minWarmUpSamples: 2))
        feedAlternatingMids(&earlier, count: 22)  // 20 samples ±1: σ = 1 per √s
        var wider = configuration(volToHalfSpread: 2, minWarmUpSamples: 2)
        wider.volWindow = 10  // keeps the newest 10: still ±1 alternating
        var resumed = try VolOBIModel(configuration: wider)
        resumed.resume(from: earlier)
        #expect(resumed.sampleCount == 20)
        #expect(isClose(resumed.volatility, 1))
        // Mid 101 (the last fed), half-spread σ × 2 = 2, no position, zero alpha: 99 / 103.
        let quote = try #require(resumed.quote(position: 0, timestampNanos: ns(22)).quote)
        #expect(isClose(quote.halfSpread, 2) && isClose(quote.bid, 99) && isClose(quote.ask, 103))

        var otherStep = try VolOBIModel(configuration: configuration(stepNanos: 500_000_000))
        otherStep.resume(from: earlier)
        #expect(otherStep.sampleCount == 0)
        #expect(otherStep.quote(position: 0, timestampNanos: ns(22)) == .notReady(.noData))
    }

    @Test func warmUpNeedsSamplesAndTime() throws {
        var model = try VolOBIModel(configuration: configuration(minWarmUpSamples: 3, minWarmUpNanos: 10_000_000_000))
        #expect(model.quote(position: 0, timestampNanos: 0) == .notReady(.noData))
        feedAlternatingMids(&model, count: 4)  // updates at 0.5 … 3.5 s: 2 samples
        #expect(model.quote(position: 0, timestampNanos: ns(3.6)) == .notReady(.tooFewSamples(have: 2, need: 3)))
        model.update(timestampNanos: ns(4.5), mid: 100, bidDepth: 3, askDepth: 3)  // 3rd sample
        #expect(model.sampleCount == 3)
        // Elapsed since the first update (0.5 s): 4.1 s < 10 s.
        #expect(model.quote(position: 0, timestampNanos: ns(4.6)) == .notReady(.warmingUp(elapsedNanos: ns(4.1), needNanos: ns(10))))
        #expect(model.quote(position: 0, timestampNanos: ns(10.5)).quote != nil)
    }

    @Test func bidHeavyBookGivesPositiveAlphaAndRaisesFairPrice() throws {
        var model = try VolOBIModel(configuration: configuration(c1: 0.01, minHalfSpreadBps: 2))
        // Updates i = 0…20 at i + 0.5 s, mid 100, imbalance +1 (i even) / −1 (i odd). Boundary i
        // samples imbalance_{i−1}: samples imbalance_0…imbalance_19 = ten +1 and ten −1:
        // mean 0, σ 1.
        for i in 0...20 {
            let imbalance: Double = i.isMultiple(of: 2) ? 1 : -1
            model.update(timestampNanos: ns(Double(i) + 0.5), mid: 100, bidDepth: 4 + imbalance, askDepth: 4)
        }
        // Within the same step, a bid-heavy book: 7 − 2 = 5 → z = (5 − 0)/1 = 5.
        model.update(timestampNanos: ns(20.7), mid: 100, bidDepth: 7, askDepth: 2)
        let quote = try #require(model.quote(position: 0, timestampNanos: ns(20.8)).quote)
        #expect(quote.alphaSource == .ownImbalance)
        #expect(isClose(quote.alpha, 5))
        // Constant mid → σ = 0 → half-spread = floor 100·2/1e4 = 0.02; fair = 100 + 0.01·5 = 100.05
        #expect(isClose(quote.fairPrice, 100.05))
        #expect(isClose(quote.halfSpread, 0.02))
        // bid = min(100.05 − 0.02, 100 − 0.02) = 99.98; ask = max(100.07, 100.02) = 100.07
        #expect(isClose(quote.bid, 99.98) && isClose(quote.ask, 100.07))

        // An ask-heavy book: 2 − 7 = −5 → alpha −5, fair 99.95.
        model.update(timestampNanos: ns(20.75), mid: 100, bidDepth: 2, askDepth: 7)
        let askHeavy = try #require(model.quote(position: 0, timestampNanos: ns(20.8)).quote)
        #expect(isClose(askHeavy.alpha, -5) && isClose(askHeavy.fairPrice, 99.95))

        // External alpha 2 produced at 20.0 s, max age 1 s: fresh at 20.9 s, stale after 21.0 s.
        model.setExternalAlpha(2, timestampNanos: ns(20))
        let fresh = try #require(model.quote(position: 0, timestampNanos: ns(20.9)).quote)
        #expect(fresh.alphaSource == .external && isClose(fresh.fairPrice, 100.02))
        let stale = try #require(model.quote(position: 0, timestampNanos: ns(21) + 1).quote)
        #expect(stale.alphaSource == .ownImbalance && isClose(stale.alpha, -5))
        model.setExternalAlpha(2, timestampNanos: ns(20.95))
        model.clearExternalAlpha()
        #expect(model.quote(position: 0, timestampNanos: ns(21)).quote?.alphaSource == .ownImbalance)
    }

    @Test func minimumHalfSpreadFloorAppliesWhenVolatilityIsZero() throws {
        var model = try VolOBIModel(configuration: configuration(c1: 0, minHalfSpreadBps: 2))
        for i in 0..<5 { model.update(timestampNanos: ns(Double(i) + 0.5), mid: 250, bidDepth: 1, askDepth: 1) }
        let quote = try #require(model.quote(position: 0, timestampNanos: ns(5)).quote)
        // σ = 0; floor = 250·2/1e4 = 0.05 → 249.95 / 250.05
        #expect(quote.volatility == 0)
        #expect(isClose(quote.halfSpread, 0.05))
        #expect(isClose(quote.bid, 249.95) && isClose(quote.ask, 250.05))
    }

    @Test func inventorySkewMovesQuotesAgainstThePosition() throws {
        var model = try VolOBIModel(configuration: configuration(c1: 0, skew: 1, positionLimit: 10, volToHalfSpread: 0.5, minHalfSpreadBps: 1))
        feedAlternatingMids(&model, count: 22)  // σ = 1 per √s, latest mid 101 (i = 21 odd)
        // half = max(1·0.5, 101·1e-4 = 0.0101) = 0.5
        let flat = try #require(model.quote(position: 0, timestampNanos: ns(21.6)).quote)
        #expect(isClose(flat.bid, 100.5) && isClose(flat.ask, 101.5))
        // long 5 of limit 10: p = 0.5 → fair = 101 − 1·0.5·0.5 = 100.75 → 100.25 / 101.25
        let long = try #require(model.quote(position: 5, timestampNanos: ns(21.6)).quote)
        #expect(isClose(long.fairPrice, 100.75))
        #expect(isClose(long.bid, 100.25) && isClose(long.ask, 101.25))
        // short 5: fair 101.25 → 100.75 / 101.75
        let short = try #require(model.quote(position: -5, timestampNanos: ns(21.6)).quote)
        #expect(isClose(short.bid, 100.75) && isClose(short.ask, 101.75))
        // long 40 is clamped to p = 1: fair = 100.5; ask = max(101.0, 101 + 0.0101) = 101.0101
        let capped = try #require(model.quote(position: 40, timestampNanos: ns(21.6)).quote)
        #expect(isClose(capped.fairPrice, 100.5))
        #expect(isClose(capped.bid, 100.0) && isClose(capped.ask, 101.0101))
    }

    @Test func invalidInputsAreRejected() throws {
        var model = try VolOBIModel(configuration: configuration())
        model.update(timestampNanos: 0, mid: .nan, bidDepth: 1, askDepth: 1)
        model.update(timestampNanos: 0, mid: -1, bidDepth: 1, askDepth: 1)
        model.update(timestampNanos: 0, mid: 100, bidDepth: .infinity, askDepth: 1)
        #expect(model.rejectedUpdates == 3)
        #expect(model.quote(position: 0, timestampNanos: 0) == .notReady(.noData))
        feedAlternatingMids(&model, count: 5)
        #expect(model.quote(position: .nan, timestampNanos: ns(5)) == .notReady(.invalidPosition))
        var bad = configuration()
        bad.obiWindow = 1
        #expect(throws: QuantParameterError(parameter: "obiWindow", value: 1, requirement: "must be > 1")) {
            try VolOBIModel(configuration: bad)
        }
        model.reset()
        #expect(model.sampleCount == 0 && model.quote(position: 0, timestampNanos: ns(6)) == .notReady(.noData))
    }
}
