import Foundation
import MarketCore
import Simulation
import Trading

/// One point of the risk-aversion grid.
public struct GridCandidate: Sendable, Hashable, Codable {
    /// Avellaneda–Stoikov risk aversion γ (per unit of inventory, as `StrategySettings.asGamma`).
    public var gamma: Double
    /// Horizon `T − t` in seconds (`StrategySettings.asHorizonSeconds`).
    public var horizonSeconds: Double

    /// Creates the candidate.
    public init(gamma: Double, horizonSeconds: Double) {
        self.gamma = gamma
        self.horizonSeconds = horizonSeconds
    }
}

/// A candidate's backtest and its score.
public struct GridResult: Sendable, Hashable, Codable {
    /// The candidate.
    public var candidate: GridCandidate
    /// Backtest PnL, USD.
    public var pnlUSD: Double
    /// Time-weighted average |position|, base units.
    public var averageAbsoluteInventory: Double
    /// Time-weighted variance of the signed position, base units² (nil in parameter files written
    /// before the objective used it).
    public var inventoryVariance: Double?
    /// Largest |position|, base units.
    public var maxAbsoluteInventory: Double
    /// Our executions.
    public var fills: Int
    /// `pnlUSD − penalty · inventoryVariance` (see ``GammaGridSearch/inventoryPenalty``).
    public var objective: Double

    /// Creates the result.
    public init(
        candidate: GridCandidate, pnlUSD: Double, averageAbsoluteInventory: Double, inventoryVariance: Double?,
        maxAbsoluteInventory: Double, fills: Int, objective: Double
    ) {
        self.candidate = candidate
        self.pnlUSD = pnlUSD
        self.averageAbsoluteInventory = averageAbsoluteInventory
        self.inventoryVariance = inventoryVariance
        self.maxAbsoluteInventory = maxAbsoluteInventory
        self.fills = fills
        self.objective = objective
    }
}

/// The grid's results in candidate order and the best one.
public struct GridSearchReport: Sendable, Hashable, Codable {
    /// Every candidate's result, in the grid's order (γ outer, horizon inner).
    public var results: [GridResult]
    /// The highest objective (the first such in grid order on ties).
    public var best: GridResult
    /// The penalty used.
    public var inventoryPenalty: Double
    /// The objective maximised, in words with the penalty's value, e.g.
    /// `PnL − 50·inventory variance (USD; variance time-weighted, base units²)`.
    public var objective: String

    /// Creates the report.
    public init(results: [GridResult], best: GridResult, inventoryPenalty: Double, objective: String) {
        self.results = results
        self.best = best
        self.inventoryPenalty = inventoryPenalty
        self.objective = objective
    }

    private enum CodingKeys: String, CodingKey {
        case results, best, inventoryPenalty, objective
    }

    /// Decodes a report; a file written before `objective` was recorded used
    /// `PnL − λ·(average |inventory|)²`, and says so.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        results = try container.decode([GridResult].self, forKey: .results)
        best = try container.decode(GridResult.self, forKey: .best)
        inventoryPenalty = try container.decode(Double.self, forKey: .inventoryPenalty)
        objective = try container.decodeIfPresent(String.self, forKey: .objective)
            ?? "PnL − \(inventoryPenalty)·(average |inventory|)² (USD; base units²)"
    }
}

/// Backtests every (γ, horizon) pair of an Avellaneda–Stoikov strategy on the same events and
/// picks the best by `PnL − penalty · inventory variance` (PnL in USD; the variance of the
/// signed position over the backtest's time, in base units², `BacktestSummary.inventoryVariance`).
///
/// Candidates run in parallel in a task group (at most `maximumConcurrency` at once); each
/// backtest is deterministic (same events, same options and seed), and results are collected
/// by index, so the report does not depend on scheduling.
public struct GammaGridSearch: Sendable {
    /// γ values.
    public var gammas: [Double]
    /// Horizons in seconds.
    public var horizonsSeconds: [Double]
    /// λ of the objective, USD per base unit² of inventory variance.
    public var inventoryPenalty: Double
    /// Backtests running at once.
    public var maximumConcurrency: Int

    /// Creates the grid.
    public init(gammas: [Double], horizonsSeconds: [Double], inventoryPenalty: Double, maximumConcurrency: Int = 2) {
        self.gammas = gammas
        self.horizonsSeconds = horizonsSeconds
        self.inventoryPenalty = inventoryPenalty
        self.maximumConcurrency = max(1, maximumConcurrency)
    }

    /// `count` values from `low` to `high` equally spaced in log (both ends included).
    public static func logSpaced(from low: Double, to high: Double, count: Int) -> [Double] {
        guard count > 1, low > 0, high > 0 else { return count == 1 ? [low] : [] }
        let step = (high / low).nthRoot(count - 1)
        return (0..<count).map { index in index == count - 1 ? high : low * pow(step, Double(index)) }
    }

    /// The candidates in grid order.
    public var candidates: [GridCandidate] {
        gammas.flatMap { gamma in horizonsSeconds.map { GridCandidate(gamma: gamma, horizonSeconds: $0) } }
    }

    /// Runs the grid on `events` with `settings` (its model is set to Avellaneda–Stoikov and its
    /// γ and horizon replaced per candidate), `engineConfiguration` and `options`.
    public func run(
        events: [MarketEvent], spec: MarketSpec, settings: StrategySettings, engineConfiguration: EngineConfiguration,
        options: BacktestOptions
    ) async throws(CalibrationError) -> GridSearchReport {
        let candidates = candidates
        guard !candidates.isEmpty else { throw CalibrationError("the γ/horizon grid is empty") }
        guard !events.isEmpty else { throw CalibrationError("the grid search has no market events") }
        for candidate in candidates where !(candidate.gamma > 0 && candidate.horizonSeconds > 0) {
            throw CalibrationError("grid candidate γ=\(candidate.gamma), horizon=\(candidate.horizonSeconds) s: both must be > 0")
        }
        let penalty = inventoryPenalty
        var strategies: [ConfiguredStrategy] = []
        for candidate in candidates {
            var candidateSettings = settings
            candidateSettings.model = .avellanedaStoikov
            candidateSettings.asGamma = candidate.gamma
            candidateSettings.asHorizonSeconds = candidate.horizonSeconds
            do {
                strategies.append(try ConfiguredStrategy(candidateSettings))
            } catch {
                throw CalibrationError("grid candidate γ=\(candidate.gamma), horizon=\(candidate.horizonSeconds) s: \(error)")
            }
        }
        let built = strategies
        var results = [GridResult?](repeating: nil, count: candidates.count)
        await withTaskGroup(of: (Int, GridResult).self) { group in
            var next = 0
            func submit(_ index: Int) {
                group.addTask {
                    let engine = Engine(
                        spec: spec, strategy: built[index], configuration: engineConfiguration,
                        ids: ClientOrderIDGenerator(start: 1_000))
                    let summary = BacktestRunner(
                        source: ArrayEventSource(spec: spec, events: events), engine: engine, options: options
                    ).run()
                    return (index, GridResult(
                        candidate: candidates[index], pnlUSD: summary.pnlUSD,
                        averageAbsoluteInventory: summary.averageAbsoluteInventory,
                        inventoryVariance: summary.inventoryVariance,
                        maxAbsoluteInventory: summary.maxAbsoluteInventory, fills: summary.fills,
                        objective: Self.objective(pnlUSD: summary.pnlUSD, inventoryVariance: summary.inventoryVariance, penalty: penalty)))
                }
            }
            while next < min(maximumConcurrency, candidates.count) {
                submit(next)
                next += 1
            }
            for await (index, result) in group {
                results[index] = result
                if next < candidates.count {
                    submit(next)
                    next += 1
                }
            }
        }
        let finished = results.compactMap { $0 }
        var best = finished[0]
        for result in finished.dropFirst() where result.objective > best.objective { best = result }
        return GridSearchReport(
            results: finished, best: best, inventoryPenalty: penalty, objective: Self.objectiveDescription(penalty: penalty))
    }

    /// The score of one backtest: `pnlUSD − penalty · inventoryVariance`.
    public static func objective(pnlUSD: Double, inventoryVariance: Double, penalty: Double) -> Double {
        pnlUSD - penalty * inventoryVariance
    }

    /// The objective in words with the penalty's value.
    public static func objectiveDescription(penalty: Double) -> String {
        "PnL − \(penalty)·inventory variance (USD; variance of the position over time, base units²)"
    }
}

extension Double {
    /// The n-th root `self^(1/n)`.
    fileprivate func nthRoot(_ n: Int) -> Double { pow(self, 1 / Double(n)) }
}
