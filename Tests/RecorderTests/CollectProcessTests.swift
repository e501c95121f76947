import Foundation
import MarketCore
import Simulation
import Recorder
import Synchronization
import TestServers
import Testing

/// Reads every table of the dataset with pyarrow (directory datasets, hive partitioning) and
/// DuckDB (`**/*.parquet`); reports row counts or the reader's error.
private let readBackScript = #"""
import json, sys
import duckdb
import pyarrow.dataset as ds
root = sys.argv[1]
out = {}
for table in ["book_events", "book_top10", "trades"]:
    try:
        out["pyarrow_" + table] = ds.dataset(f"{root}/lighter/{table}", format="parquet", partitioning="hive").to_table().num_rows
    except Exception as e:
        out["pyarrow_" + table + "_error"] = repr(e)
    try:
        out["duckdb_" + table] = duckdb.connect().execute(f"select count(*) from read_parquet('{root}/lighter/{table}/**/*.parquet', hive_partitioning=true)").fetchone()[0]
    except Exception as e:
        out["duckdb_" + table + "_error"] = repr(e)
print(json.dumps(out))
"""#

/// A Lighter test server that streams ETH updates and trades to every client until stopped.
private final class StreamingLighter: Sendable {
    let server: LighterTestServer
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    init() async throws {
        server = try await LighterTestServer.start { request in
            request.path == "/api/v1/orderBookDetails"
                ? .ok(orderBookDetailsJSON) : TestHTTPResponse(status: 404, body: "{\"code\":404,\"message\":\"not found\"}")
        }
        let server = self.server
        task.withLock {
            $0 = Task {
                guard let socket = try? await server.expectSocket(timeout: 30),
                    (try? await socket.expectMessage(containing: "\"channel\":\"trade/0\"")) != nil
                else { return }
                var book = ScriptedLighterBook(
                    market: 0, priceDecimals: 2, sizeDecimals: 4, midTicks: 302_466, random: SplitMix64(seed: 9))
                socket.send(book.snapshot())
                var step: Int64 = 0
                while !Task.isCancelled {
                    socket.send(book.update())
                    if step % 10 == 0 {
                        let ms = Int64(Date().timeIntervalSince1970 * 1000)
                        socket.send(
                            lighterTradeFrame(
                                market: 0, type: "update/trade",
                                trades: [(id: 10_000 + step, price: "3024.60", size: "0.1000", makerAsk: true, ms: ms)]))
                    }
                    step += 1
                    try? await Task.sleep(nanoseconds: 3_000_000)
                }
            }
        }
    }

    func stop() async {
        task.withLock { $0?.cancel() }
        await server.shutdown()
    }
}

/// Starts `lighter-mm collect` for ETH against the server; standard output goes to a file.
private func startCollector(server: LighterTestServer, root: String) throws -> (Process, String) {
    let binary = TestPaths.binary
    guard FileManager.default.isExecutableFile(atPath: binary) else {
        Issue.record("lighter-mm not built at \(binary): run `swift build` first (or set LIGHTER_MM_BINARY)")
        throw TestTimeout(what: "the lighter-mm binary")
    }
    let logPath = root + ".out"
    guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
        Issue.record("cannot create \(logPath)")
        throw TestTimeout(what: "the log file")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = [
        "collect", "--markets", "ETH", "--out", root, "--lighter-url", server.baseURL, "--flush-seconds", "0.2",
        "--max-file-minutes", "0.02", "--status-seconds", "0.25",
    ]
    process.environment = childEnvironment()
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    process.standardError = FileHandle.nullDevice
    try process.run()
    return (process, logPath)
}

/// Waits until the collector's last status line shows at least `count` after `label`
/// (e.g. `book_events=` rows, or `files closed `).
private func waitForStatus(_ logPath: String, _ label: String, atLeast count: Int, seconds: Double = 20) async -> Bool {
    await eventually(seconds: seconds) {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").last(where: { $0.contains(label) }),
            let range = line.range(of: label)
        else { return false }
        let digits = line[range.upperBound...].prefix { $0.isNumber }
        return (Int(digits) ?? 0) >= count
    }
}

@Suite(.serialized) struct CollectProcessTests {
    @Test func killMinusNineLeavesAReadableDatasetAndRepairRecoversTheOpenFiles() async throws {
        let root = try makeTemporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lighter = try await StreamingLighter()
        let (process, logPath) = try startCollector(server: lighter.server, root: root)
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        // Parts rotate every 1.2 s: wait for the first closed files of all three tables, let the
        // new open files get a few row groups (flushed every 0.2 s), then kill without warning.
        let wrote = await waitForStatus(logPath, "files closed ", atLeast: 3)
        // Kill while a book_events part is open and has had time for row groups (flushes every
        // 0.2 s); if it rotated meanwhile, wait for the next one.
        var openAtKill: [String] = []
        for _ in 0..<20 {
            let open = files(under: root) { $0.hasSuffix(".inprogress") }.filter { $0.contains("/book_events/") }
            try await Task.sleep(nanoseconds: 500_000_000)
            openAtKill = open.filter { FileManager.default.fileExists(atPath: $0) }
            if !openAtKill.isEmpty { break }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        await lighter.stop()
        #expect(wrote, "the collector never reported closed files")
        #expect(process.terminationReason == .uncaughtSignal)

        let open = files(under: root) { $0.hasSuffix(".inprogress") }
        #expect(!open.isEmpty, "the kill should have left open part files")
        #expect(open.allSatisfy { ($0 as NSString).lastPathComponent.hasPrefix(".part-") })
        let before = try runPython(readBackScript, [root])
        #expect(before.keys.filter { $0.hasSuffix("_error") }.isEmpty, "\(before)")
        #expect((before["pyarrow_book_events"] as? Int ?? 0) > 0)
        #expect(before["pyarrow_book_events"] as? Int == before["duckdb_book_events"] as? Int)

        let repair = try runProcess(TestPaths.binary, ["collect", "repair", root])
        #expect(repair.status == 0, "\(repair.output)\(repair.errorOutput)")
        #expect(repair.output.contains("recovered") || repair.output.contains("discarded"))
        for path in openAtKill { #expect(repair.output.contains(path), "repair did not report \(path)") }
        #expect(files(under: root) { $0.hasSuffix(".inprogress") }.isEmpty)

        let after = try runPython(readBackScript, [root])
        #expect(after.keys.filter { $0.hasSuffix("_error") }.isEmpty, "\(after)")
        for table in ["book_events", "book_top10", "trades"] {
            #expect((after["pyarrow_\(table)"] as? Int ?? 0) > (before["pyarrow_\(table)"] as? Int ?? 0) - 1)
        }
        if repair.output.contains("recovered") {
            let recoveredRows = repair.output.split(separator: "\n").filter { $0.contains("recovered") }
                .compactMap { line -> Int? in
                    guard let range = line.range(of: ": ", options: .backwards) else { return nil }
                    return Int(line[range.upperBound...].prefix { $0.isNumber })
                }.reduce(0, +)
            let total = ["book_events", "book_top10", "trades"].reduce(0) {
                $0 + (after["pyarrow_\($1)"] as? Int ?? 0) - (before["pyarrow_\($1)"] as? Int ?? 0)
            }
            // The dataset grew by exactly the rows repair says it recovered.
            #expect(total == recoveredRows)
            #expect(recoveredRows > 0)
        }

        // The inspector sees the same rows and no unreadable file.
        let inspect = try runProcess(TestPaths.binary, ["data", "inspect", root])
        #expect(inspect.status == 0, "\(inspect.output)\(inspect.errorOutput)")
        #expect(inspect.output.contains("lighter/book_events/market=ETH"))
        #expect(inspect.output.contains("rows: \(after["pyarrow_book_events"] as? Int ?? -1)\n"))
        #expect(!inspect.output.contains("UNREADABLE"))
    }

    @Test func sigtermClosesEveryPartFile() async throws {
        let root = try makeTemporaryDirectory("sigterm")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lighter = try await StreamingLighter()
        let (process, logPath) = try startCollector(server: lighter.server, root: root)
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let wrote = await waitForStatus(logPath, "book_events=", atLeast: 200)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        await lighter.stop()
        #expect(wrote)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(log.contains("collect: stopped; all part files closed"))
        #expect(files(under: root) { $0.hasSuffix(".inprogress") }.isEmpty)
        let result = try runPython(readBackScript, [root])
        #expect(result.keys.filter { $0.hasSuffix("_error") }.isEmpty, "\(result)")
        #expect((result["pyarrow_book_events"] as? Int ?? 0) >= 200)
        #expect((result["pyarrow_trades"] as? Int ?? 0) > 0)
    }
}

@Suite struct BacktestCommandTests {
    /// `lighter-mm backtest --data` on a recorded synthetic market: the same summary every run,
    /// equal to the backtest of the synthetic market itself (same preset, duration and seed).
    @Test func backtestOnRecordedDataIsDeterministicAndMatchesTheSyntheticRun() throws {
        let root = try makeTemporaryDirectory("backtest")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let configuration = try #require(SyntheticMarketConfiguration.preset(symbol: "ETH", durationNanoseconds: 3 * 60_000_000_000))
        _ = try recordSyntheticMarket(configuration, seed: 5, root: root)
        let binary = TestPaths.binary
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Issue.record("lighter-mm not built at \(binary): run `swift build` first (or set LIGHTER_MM_BINARY)")
            return
        }
        func run(_ arguments: [String], json: String) throws -> String {
            let result = try runProcess(binary, ["backtest", "--strategy", "as", "--seed", "5", "--json", json] + arguments)
            #expect(result.status == 0, "\(result.errorOutput)")
            return (try? String(contentsOfFile: json, encoding: .utf8)) ?? ""
        }
        let first = try run(["--data", root, "--market", "ETH"], json: root + "/a.json")
        let second = try run(["--data", root, "--market", "ETH"], json: root + "/b.json")
        let synthetic = try run(["--market", "ETH", "--duration", "3m"], json: root + "/c.json")
        #expect(!first.isEmpty)
        #expect(first == second, "two replays of the same data gave different summaries")
        #expect(first == synthetic, "the replay differs from the synthetic market it recorded")

        // A window replays fewer events, starting from the book at its start.
        let startSeconds = Double(configuration.startTime.nanoseconds) / 1e9
        let formatter = ISO8601DateFormatter()
        let from = formatter.string(from: Date(timeIntervalSince1970: startSeconds + 60))
        let to = formatter.string(from: Date(timeIntervalSince1970: startSeconds + 120))
        let window = try run(["--data", root, "--market", "ETH", "--from", from, "--to", to], json: root + "/d.json")
        let all = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
        let part = try JSONSerialization.jsonObject(with: Data(window.utf8)) as? [String: Any]
        let allEvents = all?["events"] as? Int ?? 0
        let partEvents = part?["events"] as? Int ?? 0
        #expect(partEvents > 0)
        #expect(partEvents < allEvents / 2)
    }
}
