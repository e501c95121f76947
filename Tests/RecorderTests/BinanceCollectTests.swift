import Binance
import Foundation
import MarketCore
import Recorder
import TestServers
import Testing

@Suite struct BinanceCollectTests {
    @Test func diffDepthWithAGapIsRecordedWithUpdateIDsAndAResyncMarker() async throws {
        let root = try makeTemporaryDirectory("binance")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let market = ReferenceMarket(eventCount: 10, seed: 2)
        let serverBox = Locked<BinanceTestServer?>(nil)
        let server = try await BinanceTestServer.start(
            rest: { number, _ in
                // First snapshot: after event 1. Second (after the gap): the book after event 6.
                (200, market.snapshotJSON(through: number == 1 ? market.events[0].final : market.events[5].final))
            },
            stream: { socket in
                func restRequests() -> Int { serverBox.value?.restRequests.count ?? 0 }
                for index in 0..<3 { try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(index)) }
                _ = await waitUntil { restRequests() >= 1 }
                try await Task.sleep(for: .milliseconds(200))
                try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(3))
                // Event index 4 is lost: index 5's pu does not match index 3's u.
                try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(5))
                _ = await waitUntil { restRequests() >= 2 }
                try await Task.sleep(for: .milliseconds(200))
                for index in 6..<10 { try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(index)) }
            })
        serverBox.withLock { $0 = server }
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
        // Wait until the last event's rows are flushed into the open part file's row groups.
        let lastID = market.events[9].final
        _ = await waitUntil(seconds: 15) { (serverBox.value?.restRequests.count ?? 0) >= 2 }
        try await Task.sleep(for: .milliseconds(800))
        collect.cancel()
        let recorder = await collect.value
        await server.stop()
        #expect(recorder.statistics["BTCUSDT"]?.gaps == 1)

        let result = try runPython(datasetCheckScript, [root, "binance"])
        let kinds = try #require(result["kinds"] as? [String: [String: Int]])
        // Snapshot 1 (through event 0), events 1–3 applied; the gap; snapshot 2 (through event 5),
        // events 6–9 applied.
        #expect(kinds["BTCUSDT"]?["snapshot"] == 2)
        #expect(kinds["BTCUSDT"]?["resync"] == 1)
        #expect(kinds["BTCUSDT"]?["delta"] == 7)
        #expect(result["top10_mismatches"] as? Int == 0, "\(result["first_mismatch"] ?? "")")
        #expect(result["top10_compared"] as? Int == 9)
        #expect(result["delta_missing_sequence"] as? Int == 0)
        #expect((result["trade_ids"] as? [String: Any])?.isEmpty ?? true)
        let metadata = try #require(result["metadata"] as? [String: String])
        #expect(metadata["venue"] == "binance")
        #expect(metadata["symbol"] == "BTCUSDT")
        #expect(metadata["price_decimals"] == "1")
        #expect(metadata["size_decimals"] == "3")

        // The recorded book at the end is the reference market's book after the last event.
        let entries = try DatasetInspector.inspect(root: root)
        let events = try #require(entries.first { $0.table == .bookEvents && $0.venue == "binance" })
        #expect(events.resyncMarkers == 1)
        #expect(events.sequenceGaps == 0)
        #expect(events.messages == 9)
        var replay = try RecordedMarket(root: root, venue: "binance", market: "BTCUSDT")
        var book = OrderBook()
        while let event = replay.nextEvent() { book.apply(event) }
        let expected = market.levels(through: lastID)
        #expect(book.bids.levels() == expected.bids)
        #expect(book.asks.levels() == expected.asks)
    }
}
