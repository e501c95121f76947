import Foundation
import Testing

/// The built `lighter-mm run`, started as a process whose output is read while it runs.
final class RunningLighterMM {
    let process = Process()
    let directory: URL
    let outputURL: URL
    private let outputHandle: FileHandle

    /// Starts `lighter-mm <arguments>` in a fresh empty directory (no .env) with a clean
    /// LIGHTER_MM_* environment plus `environment`; stdout and stderr go to one file.
    init(_ arguments: [String], environment: [String: String]) throws {
        let binary = try LighterVenueRunCommandTests.packageRoot() + "/.build/debug/lighter-mm"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw LighterVenueRunCommandTests.RunFailure(message: "\(binary) is missing: run `swift build` first")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        outputURL = directory.appendingPathComponent("stdout")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        outputHandle = try FileHandle(forWritingTo: outputURL)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var base = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LIGHTER_MM_") }
        base.merge(environment) { _, new in new }
        process.environment = base
        process.standardOutput = outputHandle
        process.standardError = outputHandle
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Everything written so far.
    var output: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }

    /// Waits until a line satisfies `predicate` (returns it) or `timeoutSeconds` pass (nil).
    func waitForLine(timeoutSeconds: Double, _ predicate: (String) -> Bool) async throws -> String? {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if let line = output.split(separator: "\n").map(String.init).first(where: predicate) { return line }
            if !process.isRunning { return output.split(separator: "\n").map(String.init).first(where: predicate) }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        return nil
    }

    /// Sends SIGINT (as Ctrl-C) and waits for the exit; returns the status, or nil on timeout (then kills).
    func interruptAndWait(timeoutSeconds: Double) async throws -> Int32? {
        if process.isRunning { process.interrupt() }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 100_000_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        try outputHandle.close()
        return process.terminationStatus
    }
}

/// `lighter-mm run` with `strategy.params_file`: the file's γ is used from the start, a rewritten
/// file is applied without a restart, and an invalid rewrite is refused with its reason.
@Suite struct RunCommandParameterFileTests {
    /// A calibration file for ETH whose data window ended now, with the grid's best γ = `gamma`.
    static func parameterFile(gamma: String, kPerTick: Double = 0.05, endedHoursAgo: Double = 0) -> String {
        let end = Int64((Date().timeIntervalSince1970 - endedHoursAgo * 3600) * 1e9)
        let fit = """
            {"method":"poissonMaximumLikelihood","a":3.2,"k":\(kPerTick),"rSquared":0.9,"durationSeconds":3600,
             "table":[{"distanceTicks":0.5,"count":100,"observedRate":0.03,"fittedRate":0.031}]}
            """
        let gammaValue = Double(gamma)?.isFinite == true ? gamma : "\"\(gamma)\""
        let best = """
            {"candidate":{"gamma":\(gammaValue),"horizonSeconds":30},"pnlUSD":1,"averageAbsoluteInventory":0.1,
             "maxAbsoluteInventory":0.2,"fills":10,"objective":0.9}
            """
        return """
            {"schemaVersion":1,"market":"ETH","windowStartNanoseconds":\(end - 3_600_000_000_000),"windowEndNanoseconds":\(end),
             "eventCount":1000,"volatilityPerSecond":{"value":0.0002,"unit":"log-price per √second"},
             "volatilityPerDay":{"value":0.0588,"unit":"log-price per √day"},
             "intensityA":{"value":3.2,"unit":"trades per second at the mid (both sides)"},
             "intensityK":{"value":\(kPerTick),"unit":"per tick of distance from the mid"},
             "intensity":\(fit),"intensityLogLinear":\(fit),
             "grid":{"results":[\(best)],"best":\(best),"inventoryPenalty":1}}
            """
    }

    /// Replaces the file atomically (as `calibrate` does: write a temporary file, then rename).
    static func replace(_ path: String, with text: String) throws {
        let temporary = path + ".tmp"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            throw LighterVenueRunCommandTests.RunFailure(message: "cannot rename \(temporary) to \(path): errno \(errno)")
        }
    }

    @Test func aRewrittenParameterFileIsAppliedWithoutARestartAndAnInvalidOneIsRefused() async throws {
        let paramsDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("params-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: paramsDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: paramsDirectory) }
        let path = paramsDirectory.appendingPathComponent("ETH.json").path
        try Data(Self.parameterFile(gamma: "0.2").utf8).write(to: URL(fileURLWithPath: path))

        let run = try RunningLighterMM(
            ["run", "--strategy", "as", "--duration", "120s", "--status-seconds", "2"],
            environment: [
                "LIGHTER_MM_STRATEGY_PARAMS_FILE": path, "LIGHTER_MM_AS_GAMMA": "0.1",
                "LIGHTER_MM_AS_HORIZON_SECONDS": "3600", "LIGHTER_MM_SIZING_MODE": "fixed",
                "LIGHTER_MM_SIZING_ORDER_SIZE": "0.05",
            ])
        // At start: configured γ 0.1 replaced by the file's 0.2, horizon 3600 → 30 s,
        // k 0.05 per 0.01 tick → 5 per dollar (configured 1.5).
        let loaded = try await run.waitForLine(timeoutSeconds: 30) { $0.contains("params loaded from") }
        let loadedLine = try #require(loaded, "no load line in:\n\(run.output)")
        #expect(loadedLine.contains("ETH: params loaded from \(path): γ 0.1→0.2, horizon 3600→30, k 1.5→5"), "\(loadedLine)")
        _ = try await run.waitForLine(timeoutSeconds: 30) { $0.hasPrefix("ETH mid") }

        // Rewrite with γ 0.5 and k 0.08 per tick.
        try Self.replace(path, with: Self.parameterFile(gamma: "0.5", kPerTick: 0.08))
        let reloaded = try await run.waitForLine(timeoutSeconds: 20) { $0.contains("params reloaded from") }
        let reloadedLine = try #require(reloaded, "no reload line in:\n\(run.output)")
        #expect(reloadedLine.contains("notice: ETH: params reloaded from \(path): γ 0.2→0.5, k 5→8"), "\(reloadedLine)")

        // An invalid rewrite (γ not a number) is refused; the process keeps running.
        try Self.replace(path, with: Self.parameterFile(gamma: "NaN"))
        let refused = try await run.waitForLine(timeoutSeconds: 20) { $0.contains("params reload refused") }
        let refusedLine = try #require(refused, "no refusal in:\n\(run.output)")
        #expect(refusedLine.contains("parameter file \(path): grid.best.candidate.gamma is nan, not a finite number"), "\(refusedLine)")
        #expect(refusedLine.contains("keeping the previous parameters"), "\(refusedLine)")
        #expect(run.process.isRunning, "run stopped after a refused file:\n\(run.output)")

        let status = try await run.interruptAndWait(timeoutSeconds: 30)
        #expect(status == 0, "output:\n\(run.output)")
        #expect(run.output.contains("open orders at exit (REST): 0"), "output:\n\(run.output)")
        // Only one reload was applied: the refused file changed nothing.
        #expect(run.output.components(separatedBy: "params reloaded from").count == 2, "output:\n\(run.output)")
    }

    @Test func aStaleFileStopsTheStartWhenTheConfigurationSaysStop() async throws {
        let paramsDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("params-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: paramsDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: paramsDirectory) }
        let path = paramsDirectory.appendingPathComponent("ETH.json").path
        // The data window ended 3 h ago; at most 1 h is allowed.
        try Data(Self.parameterFile(gamma: "0.2", endedHoursAgo: 3).utf8).write(to: URL(fileURLWithPath: path))
        let result = try await LighterVenueRunCommandTests.run(
            try LighterVenueRunCommandTests.packageRoot() + "/.build/debug/lighter-mm", ["run", "--duration", "5s"],
            environment: [
                "LIGHTER_MM_STRATEGY_PARAMS_FILE": path, "LIGHTER_MM_STRATEGY_PARAMS_MAX_AGE_HOURS": "1",
                "LIGHTER_MM_STRATEGY_PARAMS_ON_INVALID": "stop",
            ],
            timeoutSeconds: 60)
        #expect(result.status != 0)
        #expect(result.stdout.contains("parameter file \(path): is stale: its data window ended 3.0 h ago"), "output:\n\(result.stdout)")
        #expect(result.stdout.contains("not starting (strategy.params_on_invalid = stop)"), "output:\n\(result.stdout)")
        #expect(!result.stdout.contains("capital"), "output:\n\(result.stdout)")
    }
}
