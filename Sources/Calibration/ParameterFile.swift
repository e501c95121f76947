import Foundation
import MarketCore
import Trading

/// Why a parameter file was refused; the message names the file and the reason.
public struct ParameterFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What is wrong with it, in words.
    public let reason: String

    /// Creates the error.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `parameter file <path>: <reason>`.
    public var description: String { "parameter file \(path): \(reason)" }
}

/// One strategy parameter changed by a parameter file, for logs: `γ 0.1→0.2`.
public struct ParameterChange: Sendable, Hashable, CustomStringConvertible {
    /// The parameter's short name (`γ`, `k`, `horizon`, `A`).
    public let name: String
    /// The value before.
    public let old: Double
    /// The value after.
    public let new: Double

    /// Creates the change.
    public init(name: String, old: Double, new: Double) {
        self.name = name
        self.old = old
        self.new = new
    }

    /// `γ 0.1→0.2` (values with up to 6 significant digits).
    public var description: String {
        "\(name) \(String(format: "%.6g", old))→\(String(format: "%.6g", new))"
    }
}

/// A calibration parameter file (`params/<market>.json`, written by `lighter-mm calibrate`),
/// checked and ready to apply to the strategy settings.
///
/// Checks, in order: the file is readable JSON, its `schemaVersion` is
/// ``supportedSchemaVersion``, its market is the one traded, its data window ended no longer than
/// `maxAgeHours` ago (0 = no age check), and every value used is finite and in range. Each failure
/// is a ``ParameterFileError`` naming the file and the reason.
///
/// What is applied (``settings(applyingTo:spec:)``), and in which units:
/// - Avellaneda–Stoikov: γ (`as.gamma`) and the horizon in seconds (`as.horizon_seconds`) from
///   `grid.best.candidate` when the file has a grid; k (`as.k`) from the intensity fit.
/// - GLFT: A (`glft.a`) and k (`glft.k`) from the intensity fit; γ stays as configured (the grid
///   searched γ for Avellaneda–Stoikov).
/// - k: the file's decay per tick of distance (one tick = one unit of the price's last decimal,
///   `10^-priceDecimals`) becomes a decay per price unit, the strategies' unit:
///   `k_price = k_tick · 10^priceDecimals`.
/// - A: the file's trades per second at the mid counts both sides' aggressive flow; one side of
///   our quotes sees half of it, so `glft.a = A / 2` (fills per second at the touch, per side).
/// - Volatility is not applied: the strategies estimate σ online and take no seed; the file's σ is
///   reported only.
/// - vol+OBI takes nothing from the file.
///
/// ```swift
/// let file = try ParameterFile.load(path: "params/ETH.json", market: "ETH", maxAgeHours: 48, now: clock.now)
/// let settings = try file.settings(applyingTo: configured, spec: spec)
/// ```
public struct ParameterFile: Sendable, Hashable {
    /// The schema version this reader understands.
    public static let supportedSchemaVersion = 1

    /// The file's path.
    public let path: String
    /// Its contents.
    public let result: CalibrationResult

    /// A file already read.
    public init(path: String, result: CalibrationResult) {
        self.path = path
        self.result = result
    }

    /// Reads and checks the file at `path` for `market` at time `now`.
    ///
    /// - Parameter maxAgeHours: the data window must have ended at most this long before `now`;
    ///   0 turns the check off.
    /// - Throws: ``ParameterFileError`` naming the file and what is wrong.
    public static func load(path: String, market: String, maxAgeHours: Double, now: Timestamp) throws(ParameterFileError)
        -> ParameterFile
    {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (\(error.localizedDescription))" : "does not exist"
            throw ParameterFileError(path: path, reason: reason)
        }
        let file = ParameterFile(path: path, result: try decode(data, path: path))
        try file.validate(market: market, maxAgeHours: maxAgeHours, now: now)
        return file
    }

    /// Decodes a file's JSON, checking the schema version first (so a file of another layout is
    /// refused for its version, not for a missing field). Non-finite numbers written as the
    /// strings `"NaN"`, `"Infinity"`, `"-Infinity"` are decoded (and refused by the checks).
    ///
    /// - Throws: ``ParameterFileError``.
    public static func decode(_ data: Data, path: String) throws(ParameterFileError) -> CalibrationResult {
        struct Header: Decodable {
            var schemaVersion: Int?
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: data)
        } catch {
            throw ParameterFileError(path: path, reason: "is not a JSON object (\(Self.describe(error)))")
        }
        guard let version = header.schemaVersion else {
            throw ParameterFileError(path: path, reason: "has no schemaVersion (is it a calibration file?)")
        }
        guard version == supportedSchemaVersion else {
            throw ParameterFileError(
                path: path, reason: "schema version \(version) is not supported (this program reads version \(supportedSchemaVersion))")
        }
        do {
            return try decoder.decode(CalibrationResult.self, from: data)
        } catch {
            throw ParameterFileError(path: path, reason: "does not match schema version \(version): \(Self.describe(error))")
        }
    }

    /// Checks the market, the age and the values.
    ///
    /// - Throws: ``ParameterFileError``.
    public func validate(market: String, maxAgeHours: Double, now: Timestamp) throws(ParameterFileError) {
        guard result.market.uppercased() == market.uppercased() else {
            throw ParameterFileError(path: path, reason: "is for market \(result.market), not \(market)")
        }
        guard result.windowEndNanoseconds >= result.windowStartNanoseconds else {
            throw ParameterFileError(path: path, reason: "its data window ends before it starts")
        }
        if maxAgeHours > 0 {
            let ageHours = Double(now.nanoseconds - result.windowEndNanoseconds) / 3.6e12
            if ageHours > maxAgeHours {
                throw ParameterFileError(
                    path: path,
                    reason: String(
                        format: "is stale: its data window ended %.1f h ago, more than strategy.params_max_age_hours = %g",
                        ageHours, maxAgeHours))
            }
        }
        func check(_ name: String, _ value: Double, _ range: ClosedRange<Double>, _ unit: String) throws(ParameterFileError) {
            guard value.isFinite else { throw ParameterFileError(path: path, reason: "\(name) is \(value), not a finite number") }
            guard range.contains(value) else {
                throw ParameterFileError(
                    path: path, reason: "\(name) = \(value) \(unit) is outside \(range.lowerBound)…\(range.upperBound)")
            }
        }
        try check("volatilityPerSecond", result.volatilityPerSecond.value, 1e-12...1, "per √s")
        try check("intensityA", result.intensityA.value, 1e-9...1e9, "trades/s")
        try check("intensityK", result.intensityK.value, 1e-9...1e9, "per tick")
        if let candidate = result.grid?.best.candidate {
            try check("grid.best.candidate.gamma", candidate.gamma, 1e-6...100, "")
            try check("grid.best.candidate.horizonSeconds", candidate.horizonSeconds, 1...604_800, "s")
        }
    }

    /// `base` with the file's values applied (see the type's documentation for what and in which
    /// units), for market `spec`.
    ///
    /// - Throws: ``ParameterFileError`` if a converted value is outside the strategies' range.
    public func settings(applyingTo base: StrategySettings, spec: MarketSpec) throws(ParameterFileError) -> StrategySettings {
        var settings = base
        let kPerPriceUnit = result.intensityK.value * pow(10, Double(spec.priceDecimals))
        guard kPerPriceUnit.isFinite, (1e-6...1e9).contains(kPerPriceUnit) else {
            throw ParameterFileError(
                path: path,
                reason: "k = \(result.intensityK.value) per tick is \(kPerPriceUnit) per price unit for \(spec.symbol), outside 1e-06…1e+09")
        }
        settings.asK = kPerPriceUnit
        settings.glftK = kPerPriceUnit
        settings.glftA = result.intensityA.value / 2
        if let candidate = result.grid?.best.candidate {
            settings.asGamma = candidate.gamma
            settings.asHorizonSeconds = candidate.horizonSeconds
        }
        return settings
    }

    /// The parameters a file can set that differ between `old` and `new`, in a fixed order
    /// (γ, horizon, k, A), for the model `new` uses.
    public static func changes(from old: StrategySettings, to new: StrategySettings) -> [ParameterChange] {
        var changes: [ParameterChange] = []
        func add(_ name: String, _ a: Double, _ b: Double) {
            if a != b { changes.append(ParameterChange(name: name, old: a, new: b)) }
        }
        switch new.model {
        case .avellanedaStoikov:
            add("γ", old.asGamma, new.asGamma)
            add("horizon", old.asHorizonSeconds, new.asHorizonSeconds)
            add("k", old.asK, new.asK)
        case .glft:
            add("k", old.glftK, new.glftK)
            add("A", old.glftA, new.glftA)
        case .volOBI:
            break
        }
        return changes
    }

    /// The file's modification time, nil if it cannot be read.
    public static func modificationTime(path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing \(Self.path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(Self.path(context.codingPath)): \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? context.debugDescription : "bad value at \(Self.path(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
