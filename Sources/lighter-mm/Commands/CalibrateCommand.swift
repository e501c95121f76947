import AppConfig
import ArgumentParser
import Calibration
import Foundation
import MarketCore
import Simulation
import Trading

/// `lighter-mm calibrate`: volatility (GARCH) and execution intensity from a recorded dataset,
/// written to `params/<market>.json`.
struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Fit volatility (GARCH(1,1) on 1 s mid returns) and trade intensity λ(δ)=A·e^(−kδ) from a recorded dataset.",
        discussion: """
            Reads book_events and trades of --market from the dataset written by `lighter-mm collect` (--data; \
            or, with --synthetic-seed, generates --hours of the seeded synthetic market instead), \
            keeps the last --hours, resamples the mid every --interval seconds, fits a zero-mean Student-t \
            GARCH(1,1) (falling back to the rolling standard deviation, flagged, when the fit fails) and fits \
            the intensity of trades by distance from the mid (Poisson maximum likelihood, with the log-linear \
            fit for comparison). With --gamma grid, also backtests an Avellaneda–Stoikov strategy (settings, \
            sizing and risk from the configuration) for every pair of --grid-gammas log-spaced γ in \
            [--gamma-min, --gamma-max] and --horizons, in parallel on all cores, and chooses the pair with the \
            highest PnL − --inventory-penalty·(variance of the position over time, base units²); the file and \
            the summary name the objective. Writes the parameters with units and diagnostics to --out (default params/<MARKET>.json) atomically and prints a summary.
            """
    )

    @Option(help: "Market symbol, e.g. ETH (the market= partition of the dataset).")
    var market: String

    @Option(help: "Dataset root (the --out of `lighter-mm collect`).")
    var data: String?

    @Option(
        name: .customLong("synthetic-seed"),
        help: "Instead of --data: calibrate on --hours of the seeded synthetic market preset for --market (ETH or BTC), to try the command or time it.")
    var syntheticSeed: UInt64?

    @Option(help: "Venue directory in the dataset: lighter or binance.")
    var venue: String = "lighter"

    @Option(help: "Hours of data to use, ending at the last recorded event.")
    var hours: Double = 4

    @Option(help: "Seconds between resampled mids (the GARCH return interval).")
    var interval: Double = 1

    @Option(name: .customLong("max-ticks"), help: "Intensity fit: ignore trades this many ticks or more from the mid.")
    var maximumTicks: Double = 10

    @Option(name: .customLong("bucket-ticks"), help: "Intensity fit: width of the distance buckets in ticks.")
    var bucketTicks: Double = 1

    @Option(help: "Parameter file to write (default params/<MARKET>.json).")
    var out: String?

    enum GammaMode: String, ExpressibleByArgument, CaseIterable {
        case fixed, grid
    }

    @Option(help: "fixed: keep the configured γ; grid: choose γ and horizon by backtesting a grid.")
    var gamma: GammaMode = .fixed

    @Option(name: .customLong("gamma-min"), help: "Grid: smallest γ.")
    var gammaMinimum: Double = 0.01

    @Option(name: .customLong("gamma-max"), help: "Grid: largest γ.")
    var gammaMaximum: Double = 10

    @Option(name: .customLong("grid-gammas"), help: "Grid: number of log-spaced γ values.")
    var gridGammas: Int = 8

    @Option(help: "Grid: horizons in seconds, comma separated.")
    var horizons: String = "60,300,900,3600"

    @Option(name: .customLong("inventory-penalty"), help: "Grid: λ in PnL − λ·(inventory variance, base units², time-weighted).")
    var inventoryPenalty: Double = 1

    @Option(help: "Grid: seed of the backtests' latency draws.")
    var seed: UInt64 = 1

    @OptionGroup var configOptions: ConfigOptions

    func validate() throws {
        guard (data == nil) != (syntheticSeed == nil) else {
            throw ValidationError("give exactly one of --data DIR and --synthetic-seed SEED")
        }
        guard hours > 0, hours.isFinite else { throw ValidationError("--hours must be > 0, got \(hours)") }
        guard interval > 0, interval.isFinite else { throw ValidationError("--interval must be > 0 seconds, got \(interval)") }
        guard bucketTicks > 0, maximumTicks > bucketTicks else {
            throw ValidationError("--bucket-ticks must be > 0 and --max-ticks larger than it")
        }
        if gamma == .grid {
            guard gammaMinimum > 0, gammaMaximum >= gammaMinimum, gridGammas >= 1 else {
                throw ValidationError("--gamma-min must be > 0, --gamma-max ≥ --gamma-min and --grid-gammas ≥ 1")
            }
            guard let values = parsedHorizons, !values.isEmpty else {
                throw ValidationError("--horizons: '\(horizons)' is not a comma-separated list of seconds > 0")
            }
            _ = values
            guard inventoryPenalty >= 0, inventoryPenalty.isFinite else {
                throw ValidationError("--inventory-penalty must be ≥ 0, got \(inventoryPenalty)")
            }
        }
    }

    /// `--horizons` as seconds; nil if an entry is not a number > 0.
    var parsedHorizons: [Double]? {
        var values: [Double] = []
        for part in horizons.split(separator: ",") {
            guard let value = Double(part.trimmingCharacters(in: .whitespaces)), value > 0, value.isFinite else { return nil }
            values.append(value)
        }
        return values
    }

    /// The recorded events of `symbol` (--data), or --hours of its synthetic preset (--synthetic-seed).
    func loadEvents(symbol: String) throws -> (events: [MarketEvent], spec: MarketSpec) {
        if let data {
            return try Calibrator.loadRecorded(root: data, venue: venue, market: symbol, hours: hours)
        }
        let duration = Int64((hours * 3_600e9).rounded())
        guard let configuration = SyntheticMarketConfiguration.preset(symbol: symbol, durationNanoseconds: duration) else {
            throw ValidationError("--market: no synthetic preset for '\(market)' (ETH or BTC)")
        }
        var market = try SyntheticMarket(configuration: configuration, seed: syntheticSeed ?? 1)
        var events: [MarketEvent] = []
        while let event = market.nextEvent() { events.append(event) }
        return (events, configuration.spec)
    }

    func run() async throws {
        var settings = CalibrationSettings()
        settings.intervalSeconds = interval
        settings.intensityMaximumTicks = maximumTicks
        settings.intensityBucketTicks = bucketTicks
        let symbol = market.uppercased()
        var result: CalibrationResult
        do {
            let (events, spec) = try loadEvents(symbol: symbol)
            result = try Calibrator.calibrate(events: events, spec: spec, market: symbol, settings: settings)
            if gamma == .grid {
                let values = try configOptions.load()
                var strategySettings = StrategySettings(configuration: values, strategy: "as")
                strategySettings.shaper.levels = max(1, strategySettings.shaper.levels)
                let search = GammaGridSearch(
                    gammas: GammaGridSearch.logSpaced(from: gammaMinimum, to: gammaMaximum, count: gridGammas),
                    horizonsSeconds: parsedHorizons ?? [], inventoryPenalty: inventoryPenalty,
                    maximumConcurrency: ProcessInfo.processInfo.activeProcessorCount)
                let options = BacktestOptions(
                    fees: .lighterStandard, latency: .lighterStandard(network: .milliseconds(5)),
                    initialCollateralUSD: values.double("sizing.paper_capital"), seed: seed)
                let started = Date()
                result.grid = try await search.run(
                    events: events, spec: spec, settings: strategySettings,
                    engineConfiguration: backtestEngineConfiguration(values, spec: spec, levels: strategySettings.shaper.levels),
                    options: options)
                print(String(format: "grid: %d backtests in %.1f s", search.candidates.count, Date().timeIntervalSince(started)))
            }
        } catch let error as CalibrationError {
            throw ValidationError("calibrate: \(error)")
        }
        let path = out ?? "params/\(symbol).json"
        do {
            try result.write(toFile: path)
        } catch {
            throw ValidationError("--out: \(error)")
        }
        print(result.summary)
        print("wrote \(path)")
    }
}
