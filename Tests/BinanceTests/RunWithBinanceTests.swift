import Foundation
import Synchronization
import TestServers
import Testing

/// `lighter-mm run` with `binance.enabled`, its Binance URLs pointed at the local Binance test
/// server: the vol+OBI decisions use the Binance alpha while the server feeds depth, and Lighter's
/// own OBI once the feed has been silent longer than `binance.stale_seconds`.
@Suite struct RunWithBinanceTests {
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
        throw TestServerError("no package root above \(#filePath)")
    }

    /// The lines of the file at `url` so far.
    static func lines(_ url: URL) -> [String] {
        ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Polls `condition` every 100 ms for up to `seconds`.
    static func waitUntil(seconds: Double, _ condition: () -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        return condition()
    }

    @Test func decisionsUseTheBinanceAlphaWhileFedAndLighterOBIWhenStale() async throws {
        let binary = try Self.packageRoot() + "/.build/debug/lighter-mm"
        try #require(FileManager.default.isExecutableFile(atPath: binary), "\(binary) is missing: run `swift build` first")

        // ETHUSDT around 3000.00: the snapshot is the book through the first event; diff events
        // follow every 50 ms until the test says stop, then the connection stays open and silent.
        let market = ReferenceMarket(symbol: "ETHUSDT", priceDecimals: 2, sizeDecimals: 3, eventCount: 2_000, seed: 8)
        let feeding = Mutex(true)
        let server = try await BinanceTestServer.start(
            rest: { _, _ in (200, market.snapshotJSON(through: market.events[0].final)) },
            stream: { socket in
                for index in 0..<market.events.count {
                    guard feeding.withLock({ $0 }) else { return }
                    try await socket.send(stream: "ethusdt@depth@100ms", data: market.diffJSON(index))
                    try await Task.sleep(nanoseconds: 50_000_000)
                }
            })
        defer { Task { await server.stop() } }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-binance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("stdout")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--strategy", "volobi", "--market", "ETH", "--duration", "90s", "--status-seconds", "1"]
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LIGHTER_MM_") }
        environment.merge([
            "LIGHTER_MM_BINANCE_ENABLED": "true", "LIGHTER_MM_BINANCE_SYMBOLS": "ETH=ethusdt",
            "LIGHTER_MM_BINANCE_REST_URL": server.restBaseURL, "LIGHTER_MM_BINANCE_WS_URL": server.webSocketBaseURL,
            "LIGHTER_MM_BINANCE_MIN_SAMPLES": "5", "LIGHTER_MM_BINANCE_WINDOW_SIZE": "50",
            "LIGHTER_MM_BINANCE_STALE_SECONDS": "1", "LIGHTER_MM_VOLOBI_ALPHA_STALE_SECONDS": "1",
            "LIGHTER_MM_VOLOBI_WARMUP_SAMPLES": "5", "LIGHTER_MM_VOLOBI_STEP_MS": "100",
            "LIGHTER_MM_SIZING_MODE": "fixed", "LIGHTER_MM_SIZING_ORDER_SIZE": "0.05",
        ]) { _, new in new }
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // While the server feeds depth: decisions name the Binance alpha, the status says binance.
        let fed = try await Self.waitUntil(seconds: 45) {
            Self.lines(outputURL).contains { $0.contains("alpha=binance_obi") }
        }
        #expect(fed, "no alpha=binance_obi decision:\n\(Self.lines(outputURL).joined(separator: "\n"))")
        #expect(
            try await Self.waitUntil(seconds: 10) { Self.lines(outputURL).contains { $0.hasPrefix("ETH mid") && $0.hasSuffix("alpha binance") } },
            "no status line with alpha binance")

        // The server goes silent: after binance.stale_seconds the decisions fall back to Lighter's OBI.
        feeding.withLock { $0 = false }
        let silentFrom = Self.lines(outputURL).count
        let fellBack = try await Self.waitUntil(seconds: 30) {
            let lines = Self.lines(outputURL)
            guard let lastBinance = lines.lastIndex(where: { $0.contains("alpha=binance_obi") }) else { return false }
            return lines.indices.contains { $0 > max(lastBinance, silentFrom) && lines[$0].contains("alpha=lighter_obi") }
        }
        #expect(fellBack, "no alpha=lighter_obi decision after the feed went silent:\n\(Self.lines(outputURL).joined(separator: "\n"))")
        #expect(
            try await Self.waitUntil(seconds: 10) {
                Self.lines(outputURL).dropFirst(silentFrom).contains { $0.hasPrefix("ETH mid") && $0.hasSuffix("alpha lighter") }
            }, "no status line with alpha lighter after the silence")

        process.interrupt()
        _ = try await Self.waitUntil(seconds: 30) { !process.isRunning }
        try output.close()
        #expect(!process.isRunning)
        #expect(process.isRunning || process.terminationStatus == 0, "\(Self.lines(outputURL).joined(separator: "\n"))")
        #expect(Self.lines(outputURL).contains("ETH: Binance alpha from ETHUSDT (\(server.webSocketBaseURL))"))
        #expect(Self.lines(outputURL).contains("open orders at exit (REST): 0"))
        #expect(server.restRequests.first == "/fapi/v1/depth?symbol=ETHUSDT&limit=1000")
    }
}
