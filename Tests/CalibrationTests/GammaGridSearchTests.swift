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
            #expect(abs(result.objective - (result.pnlUSD - 50 * result.averageAbsoluteInventory * result.averageAbsoluteInventory)) <= 1e-9)
        }
        let maximum = first.results.map(\.objective).max() ?? .nan
        #expect(first.best.objective == maximum)
        // Distinct γ change the quotes: not every candidate has the same PnL.
        #expect(Set(first.results.map(\.pnlUSD)).count > 1)
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
