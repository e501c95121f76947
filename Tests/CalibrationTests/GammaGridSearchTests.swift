import Calibration
import Foundation
import MarketCore
import Simulation
import Testing
import Trading

/// The γ/horizon grid search: deterministic, complete, and picks the objective's maximum.
@Suite struct GammaGridSearchTests {
    static func setup() throws -> (events: [MarketEvent], spec: MarketSpec, settings: StrategySettings, engine: EngineConfiguration) {
        var market = try SyntheticMarket(configuration: .eth(durationNanoseconds: 8 * 60_000_000_000), seed: 4)
        let spec = market.spec
        var events: [MarketEvent] = []
        while let event = market.nextEvent() { events.append(event) }
        var settings = StrategySettings()
        settings.model = .avellanedaStoikov
        settings.asK = 6
        settings.asSampleNanos = 1_000_000_000
        settings.warmUpSamples = 10
        settings.shaper = LadderShaper(levels: 1, spacing: 1, sizeMultiplier: 1, minSpreadBps: 1, maxSpreadBps: 200)
        var configuration = EngineConfiguration()
        configuration.orderManager.levelsPerSide = 1
        configuration.orderManager.toleranceBps = 0.5
        configuration.orderManager.maxLiveOrders = 2
        configuration.risk.maxPosition = .base(try spec.quantity("0.3"))
        configuration.risk.useDynamicLimit = false
        configuration.sizing = SizingConfiguration(rule: .fixed(try spec.quantity("0.05")), capitalUSD: 10_000)
        return (events, spec, settings, configuration)
    }

    @Test func logSpacedByHand() {
        let values = GammaGridSearch.logSpaced(from: 0.01, to: 1, count: 3)
        #expect(values.count == 3)
        #expect(abs(values[0] - 0.01) <= 1e-15 && abs(values[1] - 0.1) <= 1e-15 && values[2] == 1)
    }

    @Test func deterministicCompleteAndPicksTheMaximum() async throws {
        let (events, spec, settings, engine) = try Self.setup()
        let search = GammaGridSearch(
            gammas: GammaGridSearch.logSpaced(from: 0.01, to: 1, count: 3), horizonsSeconds: [30, 600], inventoryPenalty: 50)
        let options = BacktestOptions(seed: 7)
        let first = try await search.run(events: events, spec: spec, settings: settings, engineConfiguration: engine, options: options)
        let second = try await search.run(events: events, spec: spec, settings: settings, engineConfiguration: engine, options: options)
        #expect(first == second)
        #expect(first.results.map(\.candidate) == search.candidates)
        #expect(first.results.count == 6)
        #expect(first.results.contains { $0.fills > 0 }, "the backtests traded")
        // The objective by hand, and the best is its maximum.
        for result in first.results {
            let variance = try #require(result.inventoryVariance)
            #expect(abs(result.objective - (result.pnlUSD - 50 * variance)) <= 1e-9)
        }
        #expect(first.objective.contains("50.0·inventory variance"), "\(first.objective)")
        let maximum = first.results.map(\.objective).max() ?? .nan
        #expect(first.best.objective == maximum)
        // Distinct γ change the quotes: not every candidate has the same PnL.
        #expect(Set(first.results.map(\.pnlUSD)).count > 1)
    }

    /// A grid whose winner follows by hand. With a horizon of at most 0.01 s the risk term γσ²τ is negligible
    /// (σ ≈ 0.35 USD/√s here: γσ²τ ≤ 10 × 0.12 × 0.01 = 0.012 USD, and it only widens the spread), so the
    /// AS spread is the liquidity part (2/γ)·ln(1 + γ/k) with k = 1 per USD:
    /// γ = 0.01 → 200·ln 1.01 = 1.9901 USD = 6.6 bps at a mid of 3000 (over 5.5 bps for any mid below 3618);
    /// γ = 1 → 2·ln 2 = 1.3863 USD = 4.6 bps; γ = 10 → 0.2·ln 11 = 0.4796 USD = 1.6 bps.
    /// With a 5.5 bps maximum spread only γ = 0.01 never quotes: no fills, PnL 0, inventory variance 0,
    /// objective exactly 0. The others trade, so their position varies over time, and with a penalty of
    /// 10¹² USD per base unit² their objective is negative. The best is γ = 0.01, at the first horizon
    /// (the two horizons tie at 0 and ties go to the first in grid order).
    @Test func picksTheOnlyNonQuotingGammaWhenTheInventoryPenaltyDominates() async throws {
        var (events, spec, settings, engine) = try Self.setup()
        settings.asK = 1
        settings.shaper = LadderShaper(levels: 1, spacing: 1, sizeMultiplier: 1, minSpreadBps: 1, maxSpreadBps: 5.5)
        let search = GammaGridSearch(gammas: [0.01, 1, 10], horizonsSeconds: [0.001, 0.01], inventoryPenalty: 1e12)
        let options = BacktestOptions(seed: 3)
        let report = try await search.run(events: events, spec: spec, settings: settings, engineConfiguration: engine, options: options)
        #expect(report.best.candidate == GridCandidate(gamma: 0.01, horizonSeconds: 0.001))
        for result in report.results {
            if result.candidate.gamma == 0.01 {
                #expect(result.fills == 0 && result.pnlUSD == 0 && result.inventoryVariance == 0 && result.objective == 0,
                        "γ = 0.01 never quotes inside 5.5 bps: \(result)")
            } else {
                #expect(result.fills > 0 && (result.inventoryVariance ?? 0) > 0 && result.objective < 0,
                        "γ = \(result.candidate.gamma) quotes and trades: \(result)")
            }
        }
        // The same seed gives the same report.
        let again = try await search.run(events: events, spec: spec, settings: settings, engineConfiguration: engine, options: options)
        #expect(again == report)
    }

    @Test func badGridIsAClearError() async throws {
        let (events, spec, settings, engine) = try Self.setup()
        await #expect {
            _ = try await GammaGridSearch(gammas: [], horizonsSeconds: [30], inventoryPenalty: 1)
                .run(events: events, spec: spec, settings: settings, engineConfiguration: engine, options: BacktestOptions())
        } throws: { error in "\(error)".contains("grid is empty") }
        await #expect {
            _ = try await GammaGridSearch(gammas: [-1], horizonsSeconds: [30], inventoryPenalty: 1)
                .run(events: events, spec: spec, settings: settings, engineConfiguration: engine, options: BacktestOptions())
        } throws: { error in "\(error)".contains("must be > 0") }
    }
}
