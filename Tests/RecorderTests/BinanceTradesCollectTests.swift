import Binance
import Foundation
import MarketCore
import Recorder
import TestServers
import Testing

@Suite struct BinanceTradesCollectTests {
    /// Reads the Binance `trades` table with DuckDB (all partitions as one table).
    static let tradesScript = #"""
import duckdb, json, sys
root = sys.argv[1]
con = duckdb.connect()
rows = con.execute(f"""select market, trade_id, price, size, taker_side, epoch_ms(exchange_ts_ms), is_liquidation
    from read_parquet('{root}/binance/trades/**/*.parquet', hive_partitioning=true) order by trade_id""").fetchall()
distinct = con.execute(f"select count(distinct trade_id) from read_parquet('{root}/binance/trades/**/*.parquet', hive_partitioning=true)").fetchone()[0]
print(json.dumps({"rows": [list(r) for r in rows], "distinct": distinct}))
"""#

    @Test func aggTradesAreWrittenToTheTradesTableWithoutRepeatsAcrossAReconnect() async throws {
        let root = try makeTemporaryDirectory("binance-trades")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sentAll = Locked(false)
        let server = try await BinanceTestServer.start(
            rest: { _, _ in (500, "{}") },
            stream: { socket in
                // Only the trades matter here; the depth stream sends nothing, so no snapshot is asked for.
                if socket.number == 1 {
                    try await socket.sendAggTrade(id: 1, price: "30000.5", quantity: "0.250", tradeTimeMs: 1_700_000_000_001, buyerIsMaker: true)
                    try await socket.sendAggTrade(id: 2, price: "30000.6", quantity: "1.000", tradeTimeMs: 1_700_000_000_002, buyerIsMaker: false)
                    try await socket.sendAggTrade(id: 3, price: "30000.4", quantity: "0.010", tradeTimeMs: 1_700_000_000_003, buyerIsMaker: true)
                    try await Task.sleep(for: .milliseconds(200))
                    await socket.drop()
                } else {
                    // After the reconnect the last trade arrives again, then a new one.
                    try await socket.sendAggTrade(id: 3, price: "30000.4", quantity: "0.010", tradeTimeMs: 1_700_000_000_003, buyerIsMaker: true)
                    try await socket.sendAggTrade(id: 4, price: "29999.9", quantity: "2.500", tradeTimeMs: 1_700_000_000_004, buyerIsMaker: false)
                    sentAll.withLock { $0 = true }
                }
            })
        let feed = BinanceFeedConfiguration(
            restBaseURL: server.restBaseURL, webSocketBaseURL: server.webSocketBaseURL, mode: .diffDepth(),
            backoff: ReconnectBackoff(initialDelay: 0.05, maximumDelay: 0.2), snapshotRetryDelay: 0.05, restTimeout: 5,
            pingInterval: nil)
        var options = RecorderOptions(root: root)
        options.flushInterval = 100_000_000
        let collect = Task {
            await Collector.runBinance(
                symbols: [BinanceSymbol(symbol: "BTCUSDT", priceDecimals: 1, sizeDecimals: 3)], feed: feed, options: options,
                statusInterval: 0)
        }
        let reconnected = await eventually(seconds: 60) { server.streamPaths.count >= 2 && sentAll.value }
        try await Task.sleep(for: .milliseconds(1000))
        collect.cancel()
        let recorder = await collect.value
        await server.stop()
        #expect(reconnected)
        // The collector asks for the trade stream on the depth connection.
        #expect(server.streamPaths.first == "/stream?streams=btcusdt@depth@100ms/btcusdt@aggTrade")
        #expect(recorder.statistics["BTCUSDT"]?.trades == 4)
        #expect(recorder.statistics["BTCUSDT"]?.duplicateTrades == 1)

        let result = try runPython(Self.tradesScript, [root])
        let rows = try #require(result["rows"] as? [[Any]])
        #expect(result["distinct"] as? Int == 4)
        #expect(rows.count == 4)
        // Expected values: the trades the server sent (m = buyer is maker → the taker sold).
        let expected: [(Int, Double, Double, String, Int)] = [
            (1, 30000.5, 0.25, "sell", 1_700_000_000_001), (2, 30000.6, 1.0, "buy", 1_700_000_000_002),
            (3, 30000.4, 0.01, "sell", 1_700_000_000_003), (4, 29999.9, 2.5, "buy", 1_700_000_000_004),
        ]
        for (row, want) in zip(rows, expected) {
            #expect(row[0] as? String == "BTCUSDT")
            #expect(row[1] as? Int == want.0)
            #expect(abs((row[2] as? Double ?? 0) - want.1) < 1e-9)
            #expect(abs((row[3] as? Double ?? 0) - want.2) < 1e-12)
            #expect(row[4] as? String == want.3)
            #expect(row[5] as? Int == want.4)
            #expect(row[6] is NSNull)
        }
    }
}
