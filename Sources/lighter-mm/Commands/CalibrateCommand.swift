import ArgumentParser
import Calibration
import Foundation

/// `lighter-mm calibrate`: volatility (GARCH) and execution intensity from a recorded dataset,
/// written to `params/<market>.json`.
struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Fit volatility (GARCH(1,1) on 1 s mid returns) and trade intensity λ(δ)=A·e^(−kδ) from a recorded dataset.",
        discussion: """
            Reads book_events and trades of --market from the dataset written by `lighter-mm collect` (--data), \
            keeps the last --hours, resamples the mid every --interval seconds, fits a zero-mean Student-t \
            GARCH(1,1) (falling back to the rolling standard deviation, flagged, when the fit fails) and fits \
            the intensity of trades by distance from the mid (Poisson maximum likelihood, with the log-linear \
            fit for comparison). Writes the parameters with units and diagnostics to --out \
            (default params/<MARKET>.json) atomically and prints a summary.
            """
    )

    @Option(help: "Market symbol, e.g. ETH (the market= partition of the dataset).")
    var market: String

    @Option(help: "Dataset root (the --out of `lighter-mm collect`).")
    var data: String

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

    func validate() throws {
        guard hours > 0, hours.isFinite else { throw ValidationError("--hours must be > 0, got \(hours)") }
        guard interval > 0, interval.isFinite else { throw ValidationError("--interval must be > 0 seconds, got \(interval)") }
        guard bucketTicks > 0, maximumTicks > bucketTicks else {
            throw ValidationError("--bucket-ticks must be > 0 and --max-ticks larger than it")
        }
    }

    func run() async throws {
        var settings = CalibrationSettings()
        settings.intervalSeconds = interval
        settings.intensityMaximumTicks = maximumTicks
        settings.intensityBucketTicks = bucketTicks
        let symbol = market.uppercased()
        let result: CalibrationResult
        do {
            result = try Calibrator.calibrateRecorded(root: data, venue: venue, market: symbol, hours: hours, settings: settings)
        } catch {
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
