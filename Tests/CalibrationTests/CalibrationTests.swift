import Calibration
import Foundation
import MarketCore
import Quant
import Simulation
import Testing

/// Calibration on the synthetic market (known volatility and intensity) and on bad input.
@Suite struct CalibrationTests {
    static func syntheticSample(minutes: Int64, seed: UInt64) throws -> (MarketSample, SyntheticMarketConfiguration) {
        let configuration = SyntheticMarketConfiguration.eth(durationNanoseconds: minutes * 60_000_000_000)
        var market = try SyntheticMarket(configuration: configuration, seed: seed)
        return (try MarketSample.collect(from: &market, intervalSeconds: 1), configuration)
    }

    @Test func syntheticMarketReturnsFitLikeArch() throws {
        let (sample, _) = try Self.syntheticSample(minutes: 60, seed: 3)
        // In basis points (the fit is scale-equivariant, see GARCHTests; arch's optimiser is not at 1e-4).
        let returns = sample.returns.map { $0 * 1e4 }
        #expect(returns.count >= 3_590)
        for (mean, distribution, innovation) in [("zero", "normal", GARCHInnovation.normal), ("zero", "t", .studentT)] {
            let model = GARCHModel(mean: .zero, innovation: innovation)
            let fit = try model.fit(returns)
            let reference = try ArchRunner.fit(returns, mean: mean, distribution: distribution)
            let atArch = model.logLikelihood(returns, parameters: GARCHParameters(
                mu: 0, omega: reference.omega, alpha: reference.alpha, beta: reference.beta, nu: reference.nu))
            #expect(abs(atArch - reference.loglikelihood) <= 1e-9 * abs(reference.loglikelihood), "same likelihood function (\(distribution))")
            #expect(fit.logLikelihood >= reference.loglikelihood - 1e-6 * abs(reference.loglikelihood),
                    "\(distribution): log L \(fit.logLikelihood) vs arch \(reference.loglikelihood)")
            // These returns have no volatility clustering (α ends at 0, where β is weakly identified) and are
            // close to normal (the t fit's ν runs to its upper bound): arch can stop short of the maximum. At
            // the same maximum the parameters must agree; otherwise ours must be the higher one.
            guard abs(fit.logLikelihood - reference.loglikelihood) <= 1e-6 * abs(reference.loglikelihood) else {
                #expect(fit.logLikelihood > reference.loglikelihood, "\(distribution): arch found the higher maximum")
                continue
            }
            #expect(abs(fit.parameters.alpha - reference.alpha) <= 1e-3, "\(distribution) alpha \(fit.parameters.alpha) vs \(reference.alpha)")
            #expect(abs(fit.parameters.beta - reference.beta) <= 1e-3, "\(distribution) beta \(fit.parameters.beta) vs \(reference.beta)")
            #expect(abs(fit.unconditionalVariance - reference.omega / (1 - reference.alpha - reference.beta))
                    <= 1e-3 * fit.unconditionalVariance, "\(distribution) unconditional variance")
        }
        // The synthetic market's volatility is 65 % a year: per second 0.65/√(365·86400) ≈ 1.157e-4.
        let std = (sample.returns.reduce(0) { $0 + $1 * $1 } / Double(sample.returns.count)).squareRoot()
        #expect(std > 0.8 * 1.157e-4 && std < 1.5 * 1.157e-4, "per-second std \(std)")
    }

    /// The synthetic market's book has no gaps, so level i of a side sits (i + ½)·10 ticks from the mid and
    /// prints whenever an aggressive order reaches it: per 10-tick bucket, counts are Poisson with rate
    /// 2A·e^(−k(10i+5)) (both sides), A = 2.5 per side and k = 0.06 per tick as configured. One hour gives
    /// about 30 000 arrivals within 100 ticks: standard errors below 1 % for k and A.
    @Test func intensityFitRecoversTheSyntheticMarketsAAndK() throws {
        let (sample, configuration) = try Self.syntheticSample(minutes: 60, seed: 5)
        #expect(configuration.levelSpacingTicks == 10 && configuration.tradeIntensity == 2.5 && configuration.tradeDecayPerTick == 0.06)
        let estimator = IntensityEstimator(tickSize: 1, bucketTicks: 10, maximumTicks: 100)
        let counts = try estimator.bucketCounts(
            tradePrices: sample.tradePrices, mids: sample.tradeMids, orderKeys: sample.tradeOrderKeys)
        // Every trade sits at a level centre: 5, 15, 25 … ticks from the mid (no gaps, so no other distance).
        for (price, mid) in zip(sample.tradePrices, sample.tradeMids) {
            let distance = abs(price - mid)
            #expect(distance.truncatingRemainder(dividingBy: 10) == 5, "trade \(distance) ticks from the mid")
            if distance.truncatingRemainder(dividingBy: 10) != 5 { break }
        }
        for method in [IntensityFitMethod.poissonMaximumLikelihood, .logLinear] {
            let fit = try estimator.fit(counts: counts, durationSeconds: sample.durationSeconds, method: method)
            #expect(abs(fit.a - 2 * 2.5) <= 0.05 * 5, "\(method): A (both sides) \(fit.a), configured 2 × 2.5")
            #expect(abs(fit.k - 0.06) <= 0.05 * 0.06, "\(method): k \(fit.k) per tick, configured 0.06")
        }
    }

    @Test func calibratesAndWritesTheParameterFileAtomically() throws {
        let (sample, _) = try Self.syntheticSample(minutes: 20, seed: 9)
        var settings = CalibrationSettings()
        settings.intensityBucketTicks = 10
        settings.intensityMaximumTicks = 100
        let result = try Calibrator.calibrate(sample: sample, market: "ETH", settings: settings)
        #expect(result.garch != nil || result.volatilityFallbackReason != nil)
        #expect(abs(result.volatilityPerDay.value - result.volatilityPerSecond.value * 293.938769133981) <= 1e-12)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("calib-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("params/ETH.json").path
        try result.write(toFile: path)
        let decoded = try JSONDecoder().decode(CalibrationResult.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(decoded == result)
        #expect(decoded.schemaVersion == 1)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("params").path)
        #expect(leftovers == ["ETH.json"])
        #expect(result.summary.contains("intensity"))
    }

    @Test func badInputGivesClearErrors() throws {
        var empty = ArrayEventSource(spec: MarketSpec.syntheticETH, events: [])
        #expect {
            _ = try MarketSample.collect(from: &empty)
        } throws: { error in
            "\(error)".contains("no events")
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("calib-empty-\(UUID().uuidString)").path
        #expect {
            _ = try Calibrator.calibrateRecorded(root: root, market: "DOGE", hours: 4)
        } throws: { error in
            "\(error)".contains("DOGE") && "\(error)".contains("no book_events")
        }
        // A book with no trades: the intensity fit reports too few trades.
        let (sample, _) = try Self.syntheticSample(minutes: 10, seed: 2)
        let noTrades = MarketSample(
            intervalSeconds: 1, start: sample.start, end: sample.end, gridMids: sample.gridMids, tradePrices: [],
            tradeMids: [], tradeOrderKeys: [], eventCount: sample.eventCount)
        #expect {
            _ = try Calibrator.calibrate(sample: noTrades, market: "ETH")
        } throws: { error in
            "\(error)".contains("0 trades")
        }
    }
}

/// Runs `scripts/garch_reference.py` (arch 8.0.0) with `<root>/.venv-ci/bin/python` (or `LIGHTER_TEST_PYTHON`).
enum ArchRunner {
    struct Output: Decodable {
        let omega: Double
        let alpha: Double
        let beta: Double
        let nu: Double?
        let loglikelihood: Double
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    static func fit(_ returns: [Double], mean: String, distribution: String) throws -> Output {
        var root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while root.path != "/", !(FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path)
            && FileManager.default.fileExists(atPath: root.appendingPathComponent("Sources").path)) {
            root.deleteLastPathComponent()
        }
        let python = ProcessInfo.processInfo.environment["LIGHTER_TEST_PYTHON"] ?? root.appendingPathComponent(".venv-ci/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("Python not found at \(python): run scripts/test (it creates .venv-ci from .ci/requirements.txt, which pins arch==8.0.0) or set LIGHTER_TEST_PYTHON")
            throw Failure(description: "python missing")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("garch-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try (returns.map { String($0) }.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("scripts/garch_reference.py").path, file.path, mean, distribution]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Issue.record("garch_reference.py failed: \(String(decoding: errors, as: UTF8.self)) (is arch==8.0.0 installed? run scripts/test)")
            throw Failure(description: "reference failed")
        }
        return try JSONDecoder().decode(Output.self, from: data)
    }
}
