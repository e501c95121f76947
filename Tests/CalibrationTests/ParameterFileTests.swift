import Calibration
import Foundation
import MarketCore
import Testing
import Trading

/// Reading, checking and applying `params/<market>.json` (files written here by hand in the
/// layout `lighter-mm calibrate` writes).
@Suite struct ParameterFileTests {
    /// 2026-11-21T12:00:00Z in nanoseconds.
    static let noon: Int64 = 1_763_726_400_000_000_000

    /// A calibration file's JSON; `kPerTick`, `sigma` and `gamma` are written as given (strings
    /// such as `"NaN"` are written quoted).
    static func json(
        schemaVersion: Int = 1, market: String = "ETH", windowEnd: Int64 = noon, sigma: String = "0.0002",
        a: String = "3.2", kPerTick: String = "0.05", gamma: String? = "0.2", horizon: String = "600"
    ) -> String {
        // Finite numbers as JSON numbers; NaN and infinities as the strings the reader accepts.
        func number(_ text: String) -> String { Double(text)?.isFinite == true ? text : "\"\(text)\"" }
        let fit = """
            {"method":"poissonMaximumLikelihood","a":\(number(a)),"k":\(number(kPerTick)),"rSquared":0.9,"durationSeconds":3600,
             "table":[{"distanceTicks":0.5,"count":100,"observedRate":0.03,"fittedRate":0.031}]}
            """
        let grid = gamma.map { gamma in
            let result = """
                {"candidate":{"gamma":\(number(gamma)),"horizonSeconds":\(number(horizon))},"pnlUSD":12.5,
                 "averageAbsoluteInventory":0.1,"maxAbsoluteInventory":0.3,"fills":40,"objective":12.4}
                """
            return #","grid":{"results":[\#(result)],"best":\#(result),"inventoryPenalty":10}"#
        } ?? ""
        return """
            {"schemaVersion":\(schemaVersion),"market":"\(market)","windowStartNanoseconds":\(windowEnd - 3_600_000_000_000),
             "windowEndNanoseconds":\(windowEnd),"eventCount":5000,
             "volatilityPerSecond":{"value":\(number(sigma)),"unit":"log-price per √second"},
             "volatilityPerDay":{"value":0.0588,"unit":"log-price per √day"},
             "intensityA":{"value":\(number(a)),"unit":"trades per second at the mid (both sides)"},
             "intensityK":{"value":\(number(kPerTick)),"unit":"per tick of distance from the mid"},
             "intensity":\(fit),"intensityLogLinear":\(fit)\(grid)}
            """
    }

    /// Writes `text` to a fresh temporary file and returns its path.
    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("params-\(UUID().uuidString).json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func load(_ text: String, market: String = "ETH", maxAgeHours: Double = 48, nowOffsetHours: Double = 1)
        throws(ParameterFileError) -> ParameterFile
    {
        let path: String
        do { path = try write(text) } catch { throw ParameterFileError(path: "?", reason: "test could not write: \(error)") }
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ParameterFile.load(
            path: path, market: market, maxAgeHours: maxAgeHours,
            now: Timestamp(nanoseconds: noon + Int64(nowOffsetHours * 3.6e12)))
    }

    /// The reason of the error `body` throws (fails the test if it throws none).
    static func reason(_ body: () throws -> ParameterFile) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as ParameterFileError {
            #expect(error.description.hasPrefix("parameter file /"), "\(error.description)")
            return error.reason
        } catch {
            Issue.record("unexpected error \(error)")
            return "\(error)"
        }
    }

    /// ETH on Lighter: 2 price decimals.
    static func eth() throws -> MarketSpec {
        try MarketSpec(symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4)
    }

    @Test func aValidFileIsAppliedInTheStrategiesUnits() throws {
        let file = try Self.load(Self.json())
        #expect(file.result.market == "ETH")
        var base = StrategySettings()
        base.model = .avellanedaStoikov
        base.asGamma = 0.1
        base.asHorizonSeconds = 3600
        base.asK = 1.5
        base.glftA = 140
        let applied = try file.settings(applyingTo: base, spec: try Self.eth())
        // k = 0.05 per 0.01-dollar tick = 5 per dollar; A = 3.2 both sides → 1.6 per side.
        #expect(abs(applied.asK - 5) < 1e-12)
        #expect(abs(applied.glftK - 5) < 1e-12)
        #expect(abs(applied.glftA - 1.6) < 1e-12)
        #expect(applied.asGamma == 0.2)
        #expect(applied.asHorizonSeconds == 600)
        #expect(applied.model == .avellanedaStoikov)
        let changes = ParameterFile.changes(from: base, to: applied).map(\.description)
        #expect(changes == ["γ 0.1→0.2", "horizon 3600→600", "k 1.5→5"])
    }

    @Test func withoutAGridGammaAndHorizonStayConfigured() throws {
        let file = try Self.load(Self.json(gamma: nil))
        var base = StrategySettings()
        base.asGamma = 0.3
        base.asHorizonSeconds = 120
        let applied = try file.settings(applyingTo: base, spec: try Self.eth())
        #expect(applied.asGamma == 0.3)
        #expect(applied.asHorizonSeconds == 120)
        #expect(abs(applied.asK - 5) < 1e-12)
    }

    @Test func aStaleFileIsRefusedUnlessTheAgeCheckIsOff() throws {
        // The window ended 50 h before "now"; the limit is 48 h.
        let reason = Self.reason { try Self.load(Self.json(), nowOffsetHours: 50) }
        #expect(reason?.contains("stale") == true, "\(reason ?? "accepted")")
        #expect(reason?.contains("50.0 h ago") == true, "\(reason ?? "accepted")")
        #expect(reason?.contains("strategy.params_max_age_hours = 48") == true, "\(reason ?? "accepted")")
        _ = try Self.load(Self.json(), maxAgeHours: 0, nowOffsetHours: 50)
    }

    @Test func aFileForAnotherMarketIsRefused() {
        let reason = Self.reason { try Self.load(Self.json(market: "BTC"), market: "ETH") }
        #expect(reason == "is for market BTC, not ETH")
    }

    @Test func anotherSchemaVersionIsRefusedBeforeItsLayoutIsRead() {
        // Version 2 with a layout this reader does not know: refused for its version.
        let reason = Self.reason {
            try Self.load(#"{"schemaVersion":2,"market":"ETH","parameters":{}}"#)
        }
        #expect(reason == "schema version 2 is not supported (this program reads version 1)")
        let missing = Self.reason { try Self.load(#"{"market":"ETH"}"#) }
        #expect(missing?.contains("no schemaVersion") == true, "\(missing ?? "accepted")")
    }

    @Test(arguments: [("sigma", "NaN"), ("k", "NaN"), ("a", "Infinity"), ("gamma", "NaN")])
    func nonFiniteValuesAreRefused(field: String, value: String) {
        let text =
            switch field {
            case "sigma": Self.json(sigma: value)
            case "k": Self.json(kPerTick: value)
            case "a": Self.json(a: value)
            default: Self.json(gamma: value)
            }
        let reason = Self.reason { try Self.load(text) }
        #expect(reason?.contains("not a finite number") == true, "\(field): \(reason ?? "accepted")")
    }

    @Test func outOfRangeAndMalformedFilesAreRefused() {
        let negative = Self.reason { try Self.load(Self.json(kPerTick: "-0.5")) }
        #expect(negative?.hasPrefix("intensityK = -0.5 per tick is outside") == true, "\(negative ?? "accepted")")
        let bareNaN = Self.reason { try Self.load(Self.json().replacingOccurrences(of: "0.0002", with: "NaN")) }
        #expect(bareNaN?.hasPrefix("is not a JSON object") == true, "\(bareNaN ?? "accepted")")
        let truncated = Self.reason { try Self.load(#"{"schemaVersion":1,"market":"E"#) }
        #expect(truncated?.hasPrefix("is not a JSON object") == true, "\(truncated ?? "accepted")")
        let incomplete = Self.reason { try Self.load(#"{"schemaVersion":1,"market":"ETH"}"#) }
        #expect(incomplete?.hasPrefix("does not match schema version 1: missing") == true, "\(incomplete ?? "accepted")")
        let absent = Self.reason {
            try ParameterFile.load(path: "/nonexistent/params/ETH.json", market: "ETH", maxAgeHours: 0, now: Timestamp(nanoseconds: Self.noon))
        }
        #expect(absent == "does not exist")
    }
}
