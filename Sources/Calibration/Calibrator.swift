import Foundation
import MarketCore
import Quant
import Recorder
import Simulation

/// Calibration settings.
public struct CalibrationSettings: Sendable, Hashable {
    /// Seconds between resampled mids (the GARCH return interval).
    public var intervalSeconds: Double = 1
    /// The GARCH specification.
    public var garch = GARCHModel(mean: .zero, innovation: .studentT, minimumObservations: 300)
    /// Trades farther than this many ticks from the mid are ignored by the intensity fit.
    public var intensityMaximumTicks: Double = 10
    /// Width of the intensity fit's distance buckets, in ticks.
    public var intensityBucketTicks: Double = 1
    /// Fewer trades inside the intensity range than this is an error.
    public var minimumTrades: Int = 30

    /// The defaults: 1 s returns, zero-mean Student-t GARCH, 10 ticks in 1-tick buckets, 30 trades.
    public init() {}
}

/// A value with its unit, as written to the parameter file.
public struct CalibratedValue: Sendable, Hashable, Codable {
    /// The value.
    public var value: Double
    /// Its unit in words (for example `per second`).
    public var unit: String
    /// Standard error, when the estimator gives one.
    public var standardError: Double?

    /// Creates the value.
    public init(value: Double, unit: String, standardError: Double? = nil) {
        self.value = value
        self.unit = unit
        self.standardError = standardError
    }
}

/// The result of a calibration, written as `params/<market>.json`.
public struct CalibrationResult: Sendable, Hashable, Codable {
    /// Version of this file's layout; readers check it.
    public var schemaVersion = 1
    /// The market symbol.
    public var market: String
    /// First receive time of the data used (nanoseconds since the epoch).
    public var windowStartNanoseconds: Int64
    /// Last receive time used.
    public var windowEndNanoseconds: Int64
    /// Events read in the window.
    public var eventCount: Int
    /// Volatility per second of the mid's log price (next interval): GARCH, or the rolling
    /// standard deviation when `volatilityIsFallback`.
    public var volatilityPerSecond: CalibratedValue
    /// The same volatility per day (× √86400).
    public var volatilityPerDay: CalibratedValue
    /// Whether the volatility is the rolling-std fallback, and why.
    public var volatilityFallbackReason: String?
    /// The GARCH fit (nil on fallback).
    public var garch: GARCHFit?
    /// Intensity at the mid, trades per second (both sides together).
    public var intensityA: CalibratedValue
    /// Intensity decay per tick of distance from the mid.
    public var intensityK: CalibratedValue
    /// The Poisson maximum-likelihood intensity fit with its table and R².
    public var intensity: IntensityFit
    /// The log-linear least-squares fit, for comparison.
    public var intensityLogLinear: IntensityFit
    /// The γ/horizon grid search (nil with a fixed γ); `grid.best.candidate` is the chosen pair.
    public var grid: GridSearchReport?

    /// JSON with sorted keys, pretty printed.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Writes the JSON to `path` atomically: a temporary file in the same directory, then rename.
    public func write(toFile path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
            try json().write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                let code = errno
                try? FileManager.default.removeItem(at: temporary)
                throw CalibrationError("cannot rename into \(path): \(String(cString: strerror(code)))")
            }
        } catch let error as CalibrationError {
            throw error
        } catch {
            throw CalibrationError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// A readable multi-line summary.
    public var summary: String {
        var lines: [String] = []
        let seconds = Double(windowEndNanoseconds - windowStartNanoseconds) / 1e9
        lines.append("market \(market): \(eventCount) events over \(String(format: "%.0f", seconds)) s")
        if let garch {
            let p = garch.parameters
            lines.append(String(
                format: "GARCH(1,1) %@: ω=%.4g α=%.4f β=%.4f%@ logL=%.2f (n=%d, %.3g s returns)",
                garch.innovation.rawValue, p.omega, p.alpha, p.beta, p.nu.map { String(format: " ν=%.2f", $0) } ?? "",
                garch.logLikelihood, garch.observationCount, garch.intervalSeconds))
        } else {
            lines.append("volatility: rolling std FALLBACK (\(volatilityFallbackReason ?? "unknown"))")
        }
        lines.append(String(format: "σ = %.4g per second = %.4g per day", volatilityPerSecond.value, volatilityPerDay.value))
        lines.append(String(
            format: "intensity λ(δ)=A·e^(−kδ): A=%.4g /s, k=%.4g /tick (Poisson ML, R²=%.3f); log-linear A=%.4g k=%.4g",
            intensity.a, intensity.k, intensity.rSquared, intensityLogLinear.a, intensityLogLinear.k))
        lines.append("  δ ticks   trades   observed/s   fitted/s")
        for row in intensity.table {
            lines.append(String(format: "  %7.1f %8d %12.5f %10.5f", row.distanceTicks, row.count, row.observedRate, row.fittedRate))
        }
        if let grid {
            lines.append("γ/horizon grid, objective \(grid.objective):")
            lines.append("        γ   horizon s    PnL USD   avg|q|    var(q)   fills   objective")
            for result in grid.results {
                lines.append(String(
                    format: "  %8.4g %10.0f %10.2f %8.4f %9.4g %7d %11.2f%@", result.candidate.gamma,
                    result.candidate.horizonSeconds, result.pnlUSD, result.averageAbsoluteInventory,
                    result.inventoryVariance ?? .nan, result.fills, result.objective,
                    result == grid.best ? "  ← chosen" : ""))
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// Estimates volatility (GARCH on resampled mid returns) and execution intensity (trades by
/// distance from the mid) from a market's events.
public enum Calibrator {
    /// Calibrates from an already collected sample.
    public static func calibrate(
        sample: MarketSample, market: String, settings: CalibrationSettings = CalibrationSettings()
    ) throws(CalibrationError) -> CalibrationResult {
        let returns = sample.returns
        guard returns.count >= 2 else {
            throw CalibrationError("\(market): only \(returns.count) mid returns in the window (is the book ever two-sided?)")
        }
        let volatility = VolatilityEstimate.estimate(
            returns, intervalSeconds: settings.intervalSeconds, model: settings.garch, window: 3_600)
        let estimator = IntensityEstimator(
            tickSize: 1, bucketTicks: settings.intensityBucketTicks, maximumTicks: settings.intensityMaximumTicks,
            minimumTrades: settings.minimumTrades)
        let poisson: IntensityFit
        let logLinear: IntensityFit
        do {
            let counts = try estimator.bucketCounts(
                tradePrices: sample.tradePrices, mids: sample.tradeMids, orderKeys: sample.tradeOrderKeys)
            poisson = try estimator.fit(counts: counts, durationSeconds: sample.durationSeconds, method: .poissonMaximumLikelihood)
            logLinear = try estimator.fit(counts: counts, durationSeconds: sample.durationSeconds, method: .logLinear)
        } catch {
            throw CalibrationError("\(market): \(error.description) (\(sample.tradePrices.count) trades in the window)")
        }
        var garch: GARCHFit?
        var reason: String?
        switch volatility {
        case .garch(let fit): garch = fit
        case .rollingStandardDeviation(_, _, _, let why): reason = why
        }
        let perSecond = volatility.perSecondVolatility
        return CalibrationResult(
            market: market, windowStartNanoseconds: sample.start.nanoseconds, windowEndNanoseconds: sample.end.nanoseconds,
            eventCount: sample.eventCount,
            volatilityPerSecond: CalibratedValue(value: perSecond, unit: "log-price per √second"),
            volatilityPerDay: CalibratedValue(value: perSecond * 86_400.0.squareRoot(), unit: "log-price per √day"),
            volatilityFallbackReason: reason, garch: garch,
            intensityA: CalibratedValue(value: poisson.a, unit: "trades per second at the mid (both sides)"),
            intensityK: CalibratedValue(value: poisson.k, unit: "per tick of distance from the mid"),
            intensity: poisson, intensityLogLinear: logLinear)
    }

    /// The events of `market` of `venue` in the dataset at `root`, from `hours` before the last
    /// recorded event (nil: all; earlier book rows are folded into a snapshot at the window's
    /// start), with the market's spec.
    public static func loadRecorded(
        root: String, venue: String = "lighter", market: String, hours: Double?
    ) throws(CalibrationError) -> (events: [MarketEvent], spec: MarketSpec) {
        func open(from: Timestamp?) throws(CalibrationError) -> RecordedMarket {
            do {
                return try RecordedMarket(root: root, venue: venue, market: market, from: from)
            } catch {
                throw CalibrationError("market \(market) (\(venue)) in \(root): \(error)")
            }
        }
        var recorded = try open(from: nil)
        var since: Timestamp?
        if let hours {
            guard hours > 0, hours.isFinite else { throw CalibrationError("hours must be > 0, got \(hours)") }
            // The window ends at the last recorded event: one pass finds it.
            var last: Timestamp?
            while let event = recorded.nextEvent() { last = event.receivedAt }
            if let error = recorded.readError { throw CalibrationError("reading \(market): \(error)") }
            guard let last else { throw CalibrationError("market \(market) in \(root): the dataset has no events") }
            since = last + -Int64(hours * 3_600 * 1e9)
            recorded = try open(from: since)
        }
        var events: [MarketEvent] = []
        while let event = recorded.nextEvent() { events.append(event) }
        if let error = recorded.readError { throw CalibrationError("reading \(market): \(error)") }
        guard !events.isEmpty else { throw CalibrationError("market \(market) in \(root): the dataset has no events") }
        return (events, recorded.spec)
    }

    /// Opens `market` of `venue` in the dataset at `root`, keeps the last `hours` (nil: all)
    /// and calibrates volatility and intensity.
    public static func calibrateRecorded(
        root: String, venue: String = "lighter", market: String, hours: Double?, settings: CalibrationSettings = CalibrationSettings()
    ) throws(CalibrationError) -> CalibrationResult {
        let (events, spec) = try loadRecorded(root: root, venue: venue, market: market, hours: hours)
        return try calibrate(events: events, spec: spec, market: market, settings: settings)
    }

    /// Calibrates volatility and intensity from events in receive order.
    public static func calibrate(
        events: [MarketEvent], spec: MarketSpec, market: String, settings: CalibrationSettings = CalibrationSettings()
    ) throws(CalibrationError) -> CalibrationResult {
        var source = ArrayEventSource(spec: spec, events: events)
        let sample = try MarketSample.collect(from: &source, intervalSeconds: settings.intervalSeconds)
        return try calibrate(sample: sample, market: market, settings: settings)
    }
}
