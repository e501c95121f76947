import Foundation
import Testing

/// `lighter-mm run` end to end: the built binary paper trades on its in-process sandbox through the
/// real client (sockets, signatures, nonces) and shuts down cleanly.
@Suite struct LighterVenueRunCommandTests {
    /// The package root (holds `Package.swift` and `Sources/`), from this file's real path.
    static func packageRoot() throws -> String {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path)
                && FileManager.default.fileExists(atPath: url.appendingPathComponent("Sources").path)
            {
                return url.path
            }
            url.deleteLastPathComponent()
        }
        throw RunFailure(message: "no package root above \(#filePath)")
    }

    struct RunFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Runs the binary with a clean LIGHTER_MM_* environment (plus `environment`) in an empty
    /// directory (no .env), killing it after `timeoutSeconds`.
    static func run(_ binary: String, _ arguments: [String], environment: [String: String], timeoutSeconds: Double)
        async throws -> (status: Int32, stdout: String)  // stdout holds stderr too
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdoutURL = directory.appendingPathComponent("stdout")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        let stdout = try FileHandle(forWritingTo: stdoutURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var base = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LIGHTER_MM_") }
        base.merge(environment) { _, new in new }
        process.environment = base
        process.standardOutput = stdout
        process.standardError = stdout  // one stream: stdout and stderr interleaved
        try process.run()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 100_000_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw RunFailure(message: "lighter-mm run did not finish within \(timeoutSeconds) s")
        }
        try stdout.close()
        return (process.terminationStatus, (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "")
    }

    /// The integer after `label ` in `line` (e.g. "fills 4" → 4).
    static func number(after label: String, in line: String) -> Int? {
        guard let range = line.range(of: label + " ") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    @Test func paperTradingPlacesModifiesCancelsFillsAndLeavesNothingOpen() async throws {
        let binary = try Self.packageRoot() + "/.build/debug/lighter-mm"
        try #require(
            FileManager.default.isExecutableFile(atPath: binary), "\(binary) is missing: run `swift build` first")
        let result = try await Self.run(
            binary, ["run", "--duration", "20s", "--status-seconds", "5"],
            environment: [
                "LIGHTER_MM_STRATEGY_MODEL": "volobi", "LIGHTER_MM_VOLOBI_WARMUP_SAMPLES": "5",
                "LIGHTER_MM_VOLOBI_STEP_MS": "100", "LIGHTER_MM_SIZING_MODE": "fixed",
                "LIGHTER_MM_SIZING_ORDER_SIZE": "0.05",
            ],
            timeoutSeconds: 90)
        #expect(result.status == 0, "output:\n\(result.stdout)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("PAPER TRADING on the built-in sandbox") })
        let summary = try #require(lines.first { $0.contains("ETH: fills") }, "no summary in:\n\(result.stdout)")
        #expect((Self.number(after: "fills", in: summary) ?? 0) >= 1, "\(summary)")
        #expect((Self.number(after: "places", in: summary) ?? 0) >= 1, "\(summary)")
        #expect((Self.number(after: "modifies", in: summary) ?? 0) >= 1, "\(summary)")
        #expect((Self.number(after: "cancels", in: summary) ?? 0) >= 1, "\(summary)")
        #expect(lines.contains("open orders at exit (REST): 0"), "output:\n\(result.stdout)")
        // Standard output is a file, not a terminal: the status comes as plain lines, one per
        // market every --status-seconds (20 s / 5 s, plus one at shutdown), with no escape codes.
        #expect(!result.stdout.contains("\u{1B}"), "escape codes in non-terminal output")
        let statusPattern =
            #/^ETH mid [0-9]+\.[0-9]+ bid ([0-9]+\.[0-9]+|-) ask ([0-9]+\.[0-9]+|-) pos -?[0-9]+\.[0-9]{4} pnl -?[0-9]+\.[0-9]{4} fills [0-9]+ rejects [0-9]+ txs [0-9]+( quota [0-9]+)?( ack [0-9]+\.[0-9]ms)? alpha lighter$/#
        let statusLines = lines.filter { $0.hasPrefix("ETH mid ") }
        #expect(statusLines.count >= 3, "output:\n\(result.stdout)")
        for line in statusLines { #expect(line.wholeMatch(of: statusPattern) != nil, "\(line)") }
        // Orders were acknowledged, so the send→ack median is shown by the end.
        #expect(statusLines.last?.contains(" ack ") == true, "\(statusLines.last ?? "")")
    }

    @Test func credentialsWithoutANetworkAreRefused() async throws {
        let binary = try Self.packageRoot() + "/.build/debug/lighter-mm"
        try #require(
            FileManager.default.isExecutableFile(atPath: binary), "\(binary) is missing: run `swift build` first")
        // A syntactically valid key (never registered anywhere): the refusal comes before any network use.
        let result = try await Self.run(
            binary, ["run", "--duration", "1s"],
            environment: [
                "LIGHTER_MM_CREDENTIALS_PRIVATE_KEY": String(repeating: "1", count: 80),
                "LIGHTER_MM_CREDENTIALS_ACCOUNT_INDEX": "5", "LIGHTER_MM_CREDENTIALS_API_KEY_INDEX": "3",
            ],
            timeoutSeconds: 30)
        #expect(result.status != 0)
        #expect(!result.stdout.contains("PAPER TRADING"))
        #expect(!result.stdout.contains("LIVE TRADING"))
        #expect(result.stdout.contains("refusing to trade live"), "output:\n\(result.stdout)")
    }
}
