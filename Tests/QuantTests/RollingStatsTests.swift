import Testing
@testable import Quant

@Suite struct RollingStatsTests {
    @Test func smallWindowHandComputed() {
        var stats = RollingStats(capacity: 3)
        #expect(stats.isEmpty && stats.zScore(of: 1) == nil)
        stats.push(2)
        stats.push(4)
        // {2, 4}: mean 3, population variance 1
        #expect(stats.mean == 3 && isClose(stats.variance, 1))
        stats.push(9)
        // {2, 4, 9}: mean 5, variance ((−3)² + (−1)² + 4²)/3 = 26/3
        #expect(stats.isFull && isClose(stats.mean, 5) && isClose(stats.variance, 26.0 / 3))
        stats.push(1)
        // evicts 2 → {4, 9, 1}: mean 14/3, variance ((−2/3)² + (13/3)² + (−11/3)²)/3
        //   = (4/9 + 169/9 + 121/9)/3 = 294/27
        #expect(stats.count == 3 && isClose(stats.mean, 14.0 / 3) && isClose(stats.variance, 294.0 / 27))
        #expect(stats.oldest == 4 && stats.newest == 1)
        // z of 9: (9 − 14/3)/sqrt(294/27) = 4.333…/3.299831… = 1.313198…
        #expect(isClose(stats.zScore(of: 9) ?? .nan, (13.0 / 3) / (294.0 / 27).squareRoot()))
        // sample variance: (294/9)/2 = 294/18
        #expect(isClose(stats.sampleVariance, 294.0 / 18))
    }

    @Test func matchesDirectComputationOverRandomSequencesWithEvictionAndClear() {
        var generator = Xoshiro256StarStar(seed: 7)
        for capacity in [1, 2, 5, 64, 1000] {
            var stats = RollingStats(capacity: capacity)
            var history: [Double] = []
            for round in 0..<3 {
                for _ in 0..<(capacity * 3 + 17) {
                    let value = (generator.nextUnitDouble() - 0.5) * 200 + Double(round) * 50
                    stats.push(value)
                    history.append(value)
                    let window = history.suffix(capacity)
                    let (mean, std) = directMeanAndStd(window)
                    #expect(stats.count == window.count)
                    #expect(isClose(stats.mean, mean, tolerance: 1e-9))
                    #expect(isClose(stats.standardDeviation, window.count > 1 ? std : 0, tolerance: 1e-9))
                }
                stats.clear()
                history.removeAll()
                #expect(stats.count == 0 && stats.mean == 0 && stats.variance == 0 && stats.newest == nil)
            }
        }
    }

    @Test func resizedKeepsTheNewestValuesInOrder() {
        var generator = Xoshiro256StarStar(seed: 11)
        for (capacity, pushes, newCapacity) in [(5, 3, 2), (5, 3, 8), (5, 12, 3), (5, 12, 5), (5, 12, 9), (1, 4, 3)] {
            var stats = RollingStats(capacity: capacity)
            var history: [Double] = []
            for _ in 0..<pushes {
                let value = generator.nextUnitDouble() * 10
                stats.push(value)
                history.append(value)
            }
            var resized = stats.resized(toCapacity: newCapacity)
            let expected = history.suffix(capacity).suffix(newCapacity)
            let (mean, std) = directMeanAndStd(expected)
            #expect(resized.capacity == newCapacity && resized.count == expected.count)
            #expect(isClose(resized.mean, mean, tolerance: 1e-12))
            #expect(isClose(resized.standardDeviation, expected.count > 1 ? std : 0, tolerance: 1e-12))
            #expect(resized.newest == history.last && resized.oldest == expected.first)
            // Pushing on evicts in the original order.
            var continued = Array(expected)
            for _ in 0..<(newCapacity + 2) {
                let value = generator.nextUnitDouble() * 10
                resized.push(value)
                continued.append(value)
                let window = continued.suffix(newCapacity)
                #expect(resized.oldest == window.first)
                #expect(isClose(resized.mean, directMeanAndStd(window).mean, tolerance: 1e-12))
            }
        }
    }

    @Test func noDriftOverMillionsOfPushesWithLargeOffset() {
        // Values 1e4 + U(−0.5, 0.5): a large mean relative to the spread is the hard case for
        // running variance. After 3 million pushes the window must still match a direct
        // two-pass computation closely.
        var generator = Xoshiro256StarStar(seed: 99)
        let capacity = 997
        var stats = RollingStats(capacity: capacity)
        var ring = [Double](repeating: 0, count: capacity)
        for index in 0..<3_000_000 {
            let value = 10_000 + generator.nextUnitDouble() - 0.5
            stats.push(value)
            ring[index % capacity] = value
        }
        let (mean, std) = directMeanAndStd(ring[...])
        #expect(isClose(stats.mean, mean, tolerance: 1e-9))
        // σ of U(−0.5, 0.5) ≈ 0.2887; require 1e-9 relative agreement.
        #expect(isClose(stats.standardDeviation, std, tolerance: 3e-10))
    }

    @Test func constantWindowHasZeroVarianceAndNoZScore() {
        var stats = RollingStats(capacity: 4)
        for _ in 0..<10 { stats.push(0.1) }
        #expect(stats.variance >= 0 && stats.variance < 1e-30)
        #expect(stats.zScore(of: 0.2) == nil)
    }
}

@Suite struct EWMAVolatilityTests {
    @Test func knownSequence() throws {
        // λ = 0.5, returns 1, 2, −3 (squares 1, 4, 9):
        // S1 = 0.5·1 = 0.5 → /(1−0.5) = 1
        // S2 = 0.5·0.5 + 0.5·4 = 2.25 → /(1−0.25) = 3
        // S3 = 0.5·2.25 + 0.5·9 = 5.625 → /(1−0.125) = 6.428571428571429
        //   (= weighted mean (0.25·1 + 0.5·4 + 1·9)/1.75 = 11.25/1.75)
        var ewma = try EWMAVolatility(lambda: 0.5, warmUpCount: 2)
        ewma.update(return: 1)
        #expect(ewma.variance == nil && !ewma.isWarm)
        ewma.update(return: 2)
        #expect(isClose(ewma.variance ?? .nan, 3))
        ewma.update(return: -3)
        #expect(isClose(ewma.variance ?? .nan, 6.428571428571429))
        #expect(isClose(ewma.volatility ?? .nan, 2.5354627641855494))  // sqrt(6.428571428571429)
        // Sampled every 0.25 s: per √second σ/sqrt(0.25) = 5.070925528371099
        #expect(isClose(ewma.volatility(perSqrtSecondWithInterval: 0.25) ?? .nan, 5.070925528371099))
    }

    @Test func halfLifeAndValidation() throws {
        // half-life 1 → λ = 0.5; half-life 10 → λ = 2^(−0.1) = 0.9330329915368074
        #expect(isClose(EWMAVolatility.lambda(halfLife: 1), 0.5))
        #expect(isClose(EWMAVolatility.lambda(halfLife: 10), 0.9330329915368074))
        let fromHalfLife = try EWMAVolatility(halfLife: 10)
        #expect(isClose(fromHalfLife.lambda, 0.9330329915368074))
        #expect(throws: QuantParameterError.self) { try EWMAVolatility(lambda: 1) }
        #expect(throws: QuantParameterError.self) { try EWMAVolatility(halfLife: 0) }
    }

    @Test func matchesTheDirectWeightedMeanOfSquares() throws {
        // σ²_n must equal Σ λ^(n−i)·r_i² / Σ λ^(n−i), computed here directly for each n.
        var generator = Xoshiro256StarStar(seed: 5)
        var ewma = try EWMAVolatility(lambda: 0.94)
        var returns: [Double] = []
        for _ in 0..<300 {
            let r = (generator.nextUnitDouble() - 0.5) * 0.02
            ewma.update(return: r)
            returns.append(r)
            var weighted = 0.0
            var weights = 0.0
            var weight = 1.0
            for value in returns.reversed() {
                weighted += weight * value * value
                weights += weight
                weight *= 0.94
            }
            #expect(isClose(ewma.variance ?? .nan, weighted / weights, tolerance: 1e-15))
        }
        ewma.update(return: .nan)
        #expect(ewma.count == 300)
        ewma.reset()
        #expect(ewma.count == 0 && ewma.variance == nil)
    }

    @Test func usesSquaredNotAbsoluteReturns() throws {
        // Returns ±2 alternating: mean of squares 4 → σ = 2 (mean of |r| would also be 2, so use
        // 1 and 3: squares average 5 (σ = 2.236…) while |r| averages 2). λ = 0 keeps only the last
        // square, so use λ close to 1 over many samples.
        var ewma = try EWMAVolatility(lambda: 0.999)
        for index in 0..<20_000 { ewma.update(return: index.isMultiple(of: 2) ? 1 : -3) }
        #expect(isClose(ewma.volatility ?? .nan, 5.0.squareRoot(), tolerance: 1e-3))
    }
}
