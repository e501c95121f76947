import Foundation
import Quant
import Testing

/// `λ(δ) = A·e^(−kδ)` recovered from trades generated with known A and k.
@Suite struct IntensityFitTests {
    /// Trades at distances (b+½) ticks, b = 0…9, both sides of a mid of 2000 (tick 0.01): a
    /// Poisson process of rate A·e^(−kδ) per level over `duration` seconds (exponential gaps).
    static func generate(a: Double, k: Double, duration: Double, seed: UInt64) -> (prices: [Double], mids: [Double]) {
        var random = Xoshiro256StarStar(seed: seed)
        var prices: [Double] = []
        var mids: [Double] = []
        let mid = 2_000.0
        let tick = 0.01
        for bucket in 0..<10 {
            let delta = Double(bucket) + 0.5
            let rate = a * exp(-k * delta)
            var time = 0.0
            while true {
                time += -log(1 - random.nextUnitDouble()) / rate
                if time > duration { break }
                let side: Double = random.next() & 1 == 0 ? 1 : -1
                prices.append(mid + side * delta * tick)
                mids.append(mid)
            }
        }
        return (prices, mids)
    }

    @Test(arguments: [IntensityFitMethod.poissonMaximumLikelihood, .logLinear])
    func recoversKnownAAndK(method: IntensityFitMethod) throws {
        let (a, k) = (2.0, 0.3)
        let data = Self.generate(a: a, k: k, duration: 3_600, seed: 42)
        let estimator = IntensityEstimator(tickSize: 0.01, bucketTicks: 1, maximumTicks: 10)
        let fit = try estimator.fit(tradePrices: data.prices, mids: data.mids, durationSeconds: 3_600, method: method)
        #expect(abs(fit.a - a) <= 0.05 * a, "A \(fit.a) vs \(a)")
        #expect(abs(fit.k - k) <= 0.05 * k, "k \(fit.k) vs \(k)")
        #expect(fit.rSquared > 0.99)
        #expect(fit.table.count == 10)
        #expect(fit.table.reduce(0) { $0 + $1.count } == data.prices.count)
    }

    @Test func exactExponentialCountsGiveExactParameters() throws {
        // Counts 1000·e^(−0.5·(b+½)) rounded are not exact; use k = ln 2 per tick so counts halve: 1024, 512, … 2.
        let counts = (0..<10).map { 1_024 >> $0 }
        let estimator = IntensityEstimator(tickSize: 1, maximumTicks: 10)
        let fit = try estimator.fit(counts: counts, durationSeconds: 100, method: .logLinear)
        #expect(abs(fit.k - log(2)) <= 1e-12)
        // A·e^(−k·½) = 1024/100 → A = 10.24·√2.
        #expect(abs(fit.a - 10.24 * 2.0.squareRoot()) <= 1e-10)
        #expect(abs(fit.rSquared - 1) <= 1e-12)
    }

    @Test func tooFewTradesIsAClearError() {
        let estimator = IntensityEstimator(tickSize: 0.01, minimumTrades: 30)
        #expect {
            try estimator.fit(tradePrices: [2000.005, 1999.985], mids: [2000, 2000], durationSeconds: 60)
        } throws: { error in
            (error as? IntensityFitError)?.reason.contains("2 trades") == true
        }
        #expect(throws: IntensityFitError.self) {
            try estimator.fit(tradePrices: [1, 2], mids: [1], durationSeconds: 60)
        }
    }
}
