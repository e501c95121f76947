import Testing
@testable import Quant

@Suite struct AvellanedaStoikovTests {
    @Test func reservationPriceAndSpreadMatchHandComputation() {
        // s = 100, q = 2, γ = 0.1, σ = 2, τ = 0.5, k = 1.5
        // r = 100 − 2·0.1·4·0.5 = 99.6
        // δ = 0.1·4·0.5 + (2/0.1)·ln(1 + 0.1/1.5) = 0.2 + 20·0.0645385211375712 = 1.4907704227514234
        let quote = AvellanedaStoikov.quote(mid: 100, inventory: 2, gamma: 0.1, sigma: 2, k: 1.5, timeRemaining: 0.5)
        #expect(isClose(quote.center, 99.6))
        #expect(isClose(quote.halfSpread, 1.4907704227514234 / 2))
        #expect(isClose(quote.bid, 98.85461478862429))   // 99.6 − 0.7453852113757117
        #expect(isClose(quote.ask, 100.3453852113757))   // 99.6 + 0.7453852113757117
        #expect(isClose(AvellanedaStoikov.liquiditySpread(gamma: 0.1, k: 1.5), 1.2907704227514234))
    }

    @Test func zeroInventoryIsSymmetricAroundMid() {
        let quote = AvellanedaStoikov.quote(mid: 250, inventory: 0, gamma: 0.3, sigma: 1.7, k: 2.2, timeRemaining: 3)
        #expect(quote.center == 250)
        #expect(isClose(250 - quote.bid, quote.ask - 250))
    }

    @Test func longInventoryLowersBothQuotesShortRaisesThem() {
        let flat = AvellanedaStoikov.quote(mid: 100, inventory: 0, gamma: 0.1, sigma: 2, k: 1.5, timeRemaining: 1)
        let long = AvellanedaStoikov.quote(mid: 100, inventory: 3, gamma: 0.1, sigma: 2, k: 1.5, timeRemaining: 1)
        let short = AvellanedaStoikov.quote(mid: 100, inventory: -3, gamma: 0.1, sigma: 2, k: 1.5, timeRemaining: 1)
        #expect(long.bid < flat.bid && long.ask < flat.ask)
        #expect(short.bid > flat.bid && short.ask > flat.ask)
        // The inventory does not change the spread: 3·0.1·4·1 = 1.2 shift each way.
        #expect(isClose(flat.center - long.center, 1.2))
        #expect(isClose(long.ask - long.bid, flat.ask - flat.bid))
    }

    @Test func atTheHorizonOnlyTheLiquiditySpreadRemains() {
        // τ → 0: r = s whatever q, δ = (2/γ)ln(1+γ/k) = 20·ln(16/15) = 1.2907704227514234
        let quote = AvellanedaStoikov.quote(mid: 100, inventory: 7, gamma: 0.1, sigma: 2, k: 1.5, timeRemaining: 0)
        #expect(quote.center == 100)
        #expect(isClose(quote.ask - quote.bid, 1.2907704227514234))
    }

    @Test func smallGammaTendsToTwoOverK() {
        // lim γ→0 (2/γ)ln(1+γ/k) = 2/k = 1.3333…; at γ = 1e-9 the difference is ~γ/k² ≈ 4.4e-10.
        #expect(isClose(AvellanedaStoikov.liquiditySpread(gamma: 1e-9, k: 1.5), 2 / 1.5, tolerance: 1e-9))
        #expect(AvellanedaStoikov.liquiditySpread(gamma: 0, k: 1.5) == 2 / 1.5)
    }

    @Test func modelHorizons() throws {
        let finite = try AvellanedaStoikovModel(gamma: 0.1, k: 1.5, horizon: .sessionEnd(seconds: 10))
        #expect(finite.timeRemaining(at: 4) == 6)
        #expect(finite.timeRemaining(at: 12) == 0)
        let rolling = try AvellanedaStoikovModel(gamma: 0.1, k: 1.5, horizon: .rolling(seconds: 0.5))
        #expect(rolling.timeRemaining(at: 1_000_000) == 0.5)
        // Rolling τ = 0.5 at any time reproduces the hand-computed quote above.
        let quote = rolling.quote(mid: 100, inventory: 2, sigma: 2, time: 12345)
        #expect(isClose(quote.bid, 98.85461478862429))
        #expect(throws: QuantParameterError.self) { try AvellanedaStoikovModel(gamma: 0, k: 1.5, horizon: .rolling(seconds: 1)) }
        #expect(throws: QuantParameterError.self) { try AvellanedaStoikovModel(gamma: 0.1, k: -1, horizon: .rolling(seconds: 1)) }
    }
}

@Suite struct GLFTTests {
    // γ = ξ = 0.05, Δ = 1, A = 0.8, k = 2:
    // ξΔ/k = 0.025; c1 = ln(1.025)/0.05 = 0.024692612590371/0.05 = 0.4938522518074283
    // c2 = sqrt(0.05/(2·0.8·1·2) · 1.025^(2/0.05 + 1)) = sqrt(0.015625 · 1.025^41)
    //    = sqrt(0.015625 · 2.752159…) = 0.20737158806527536
    @Test func coefficientsMatchHandComputation() {
        let c = GLFT.coefficients(gamma: 0.05, xi: 0.05, delta: 1, A: 0.8, k: 2)
        #expect(isClose(c.c1, 0.4938522518074283))
        #expect(isClose(c.c2, 0.20737158806527536))
    }

    @Test func quotesMatchHandComputation() {
        // σ = 0.3: half = c1 + 0.5·0.3·c2 = 0.5249579900172197; skew = 0.3·c2 = 0.062211476419582606
        // q = 3: bid = 100 − (half + 3·skew) = 99.28840758072403; ask = 100 + (half − 3·skew) = 100.33832356075847
        let c = GLFT.coefficients(gamma: 0.05, xi: 0.05, delta: 1, A: 0.8, k: 2)
        #expect(isClose(GLFT.halfSpread(c, sigma: 0.3, delta: 1), 0.5249579900172197))
        #expect(isClose(GLFT.skew(c, sigma: 0.3), 0.062211476419582606))
        let quote = GLFT.quote(mid: 100, inventoryInOrders: 3, sigma: 0.3, delta: 1, coefficients: c)
        #expect(isClose(quote.bid, 99.28840758072403))
        #expect(isClose(quote.ask, 100.33832356075847))
    }

    @Test func zeroInventoryIsSymmetricAndSkewSignFollowsInventory() throws {
        let model = try GLFTModel(gamma: 0.05, orderSize: 0.5, A: 0.8, k: 2)
        let flat = model.quote(mid: 100, position: 0, sigma: 0.3)
        #expect(isClose(100 - flat.bid, flat.ask - 100))
        // Position 1.5 with order size 0.5 is q = 3 orders: the hand-computed quote above.
        let long = model.quote(mid: 100, position: 1.5, sigma: 0.3)
        #expect(isClose(long.bid, 99.28840758072403))
        #expect(long.center < 100)
        let short = model.quote(mid: 100, position: -1.5, sigma: 0.3)
        #expect(short.center > 100)
    }

    @Test func xiZeroUsesTheAnalyticLimit() {
        // ξ → 0: c1 → 1/k = 0.5, c2 → sqrt(γ·e/(2AΔk)) = sqrt(0.05·2.718281828/3.2) = 0.20609015883751602
        let c = GLFT.coefficients(gamma: 0.05, xi: 0, delta: 1, A: 0.8, k: 2)
        #expect(isClose(c.c1, 0.5))
        #expect(isClose(c.c2, 0.20609015883751602))
        let nearZero = GLFT.coefficients(gamma: 0.05, xi: 1e-9, delta: 1, A: 0.8, k: 2)
        #expect(isClose(nearZero.c1, 0.5, tolerance: 1e-9))
        #expect(isClose(nearZero.c2, 0.20609015883751602, tolerance: 1e-9))
    }

    @Test func zeroVolatilityLeavesOnlyC1() {
        let c = GLFT.coefficients(gamma: 0.05, xi: 0.05, delta: 1, A: 0.8, k: 2)
        let quote = GLFT.quote(mid: 100, inventoryInOrders: 5, sigma: 0, delta: 1, coefficients: c)
        #expect(isClose(quote.bid, 100 - 0.4938522518074283))
        #expect(isClose(quote.ask, 100 + 0.4938522518074283))
    }
}

@Suite struct RandomNumberGeneratorTests {
    @Test func splitMix64MatchesReferenceOutputs() {
        // splitmix64.c with x = 0: 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func xoshiroMatchesReferenceOutputs() throws {
        // xoshiro256starstar.c with s = {1, 2, 3, 4}: 11520, 0, 1509978240
        var generator = try #require(Xoshiro256StarStar(state: (1, 2, 3, 4)))
        #expect(generator.next() == 11520)
        #expect(generator.next() == 0)
        #expect(generator.next() == 1_509_978_240)
        // Seeded through SplitMix64(0) (state e220a839…, 6e789e6a…, 06c45d18…, f88bb8a8724c81ec):
        var seeded = Xoshiro256StarStar(seed: 0)
        #expect(seeded.next() == 0x99EC_5F36_CB75_F2B4)
        #expect(seeded.next() == 0xBF6E_1F78_4956_452A)
        #expect(Xoshiro256StarStar(state: (0, 0, 0, 0)) == nil)
    }

    @Test func unitDoublesStayInRange() {
        var generator = Xoshiro256StarStar(seed: 42)
        var sum = 0.0
        for _ in 0..<100_000 {
            let u = generator.nextUnitDouble()
            #expect(u >= 0 && u < 1)
            sum += u
        }
        // Mean of 1e5 uniforms: 0.5 ± 4.5·(1/sqrt(12·1e5)) ≈ 0.5 ± 0.0041
        #expect(abs(sum / 100_000 - 0.5) < 0.0041)
    }
}
