import Foundation
import Lighter
import MarketCore
import Recorder
import Simulation
import Testing

/// Issue 6: `collect` against the local sandbox over real sockets (the sandbox's WebSocket on
/// 127.0.0.1), for ETH and BTC, then the dataset read back with DuckDB.
@Suite struct SandboxCollectTests {
    @Test func collectFromTheSandboxGivesOneTablePerKindWithConsistentBooksAndNoRepeatedTrades() async throws {
        let root = try makeTemporaryDirectory("sandbox-collect")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let markets = try SandboxConfiguration.presets(symbols: ["ETH", "BTC"])
        let server = try await SandboxServer.start(configuration: SandboxConfiguration(markets: markets, seed: 11))
        let specs = server.exchange.specs
        #expect(specs.map(\.symbol) == ["ETH", "BTC"])
        var options = RecorderOptions(root: root)
        // Small row groups and a new part file every second, so the tables span several files.
        options.flushInterval = 200_000_000
        options.maxFileDuration = 1_000_000_000
        let collect = Task {
            await Collector.runLighter(
                specs: specs, stream: testStreamConfiguration(server.streamURL), options: options, statusInterval: 0)
        }
        // At least 4 s, and until each market's book_events has two closed part files (rotation
        // every second; on a starved machine this takes longer).
        let started = ContinuousClock.now
        let rotated = await eventually(seconds: 60) {
            let closed = files(under: root + "/lighter/book_events") { $0.hasSuffix(".parquet") }
            return ContinuousClock.now - started >= .seconds(4)
                && closed.filter { $0.contains("market=ETH") }.count >= 2
                && closed.filter { $0.contains("market=BTC") }.count >= 2
        }
        collect.cancel()
        let recorder = await collect.value
        await server.shutdown()
        #expect(rotated)
        let stats = recorder.statistics
        for symbol in ["ETH", "BTC"] {
            #expect((stats[symbol]?.bookMessages ?? 0) > 5, "\(symbol): \(String(describing: stats[symbol]))")
            #expect(stats[symbol]?.gaps == 0)
        }

        // Every part file was closed.
        #expect(files(under: root) { $0.hasSuffix(".inprogress") }.isEmpty)
        let result = try runPython(datasetCheckScript, [root, "lighter"])
        // Each kind reads as one table (one glob over every date/market partition and part file).
        for table in ["book_events", "book_top10", "trades"] {
            #expect(result[table + "_error"] == nil, "\(table): \(result[table + "_error"] ?? "")")
        }
        let bookEvents = try #require(result["book_events"] as? [String: Int])
        let top10 = try #require(result["book_top10"] as? [String: Int])
        #expect(Set(bookEvents.keys) == ["ETH", "BTC"])
        #expect(Set(top10.keys) == ["ETH", "BTC"])
        #expect((result["files"] as? Int ?? 0) >= 4, "book_events part files: \(result["files"] ?? "")")
        // Every part file starts with something that sets the book.
        let firstKinds = try #require(result["first_kinds"] as? [String: Int])
        #expect(firstKinds["delta"] == nil)
        #expect(firstKinds["empty"] == nil)
        // book_top10 equals the book rebuilt from book_events, row by row.
        #expect(result["top10_mismatches"] as? Int == 0, "\(result["first_mismatch"] ?? "")")
        #expect((result["top10_compared"] as? Int ?? 0) == top10.values.reduce(0, +))
        #expect((result["top10_compared"] as? Int ?? 0) > 10)
        #expect(result["delta_missing_sequence"] as? Int == 0)
        // No trade twice: per market, as many distinct ids as rows.
        let tradeIDs = try #require(result["trade_ids"] as? [String: [Int]])
        let distinct = try #require(result["trade_distinct"] as? [String: Int])
        for (market, ids) in tradeIDs {
            #expect(ids.count == distinct[market], "\(market): \(ids.count) trades, \(distinct[market] ?? 0) distinct ids")
            #expect(Int64(ids.count) == stats[market]?.trades)
        }
        let totalTrades = tradeIDs.values.map(\.count).reduce(0, +)
        #expect(totalTrades > 0, "the sandbox printed no trade in 4 s")
        #expect(result["ts_type"] as? String == "timestamp[ns, tz=UTC]")
    }
}
