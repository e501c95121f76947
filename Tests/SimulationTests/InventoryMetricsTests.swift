import MarketCore
@testable import Simulation
import Testing

@Suite struct InventoryMetricsTests {
    /// 1 lot for one second, then 3 lots for one second (sizeDecimals 4, so 1 lot = 0.0001):
    /// mean 2 lots, E[q²] = 5 lots², variance = 1 lot² = 1e-8 base².
    @Test func inventoryVarianceIsTimeWeighted() throws {
        let spec = try MarketSpec(
            symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4, minBaseAmount: "0.001",
            minQuoteAmount: "10")
        var metrics = MetricsAccumulator(spec: spec, initialCollateralUSD: 1000)
        let start = Timestamp(nanoseconds: 0)
        metrics.start(at: start)
        let second: Int64 = 1_000_000_000
        metrics.observeMarket(at: second, position: 1, cash: 0, ourBid: .min, ourAsk: .max, midTicks: 100)
        metrics.observeMarket(at: 2 * second, position: 3, cash: 0, ourBid: .min, ourAsk: .max, midTicks: 100)
        let variance = metrics.inventoryVariance(duration: Double(2 * second))
        #expect(abs(variance - 1e-8) < 1e-20)
    }

    @Test func constantInventoryHasNoVariance() throws {
        let spec = try MarketSpec(
            symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4, minBaseAmount: "0.001",
            minQuoteAmount: "10")
        var metrics = MetricsAccumulator(spec: spec, initialCollateralUSD: 1000)
        metrics.start(at: Timestamp(nanoseconds: 0))
        for step in 1...5 {
            metrics.observeMarket(
                at: Int64(step) * 1_000_000_000, position: -7, cash: 0, ourBid: .min, ourAsk: .max, midTicks: 100)
        }
        #expect(metrics.inventoryVariance(duration: 5e9) == 0)
        #expect(metrics.inventoryVariance(duration: 0) == 0)
    }
}
