import Foundation
import Lighter
import MarketCore
import Recorder
import Synchronization
import TestServers
import Testing

private let ethSpec = try! MarketSpec(symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4)
private let btcSpec = try! MarketSpec(symbol: "BTC", marketID: 1, priceDecimals: 1, sizeDecimals: 5)

/// Fast reconnects and ticks so a test run takes a few seconds.
func testStreamConfiguration(_ url: String) -> LighterStreamClient.Configuration {
    .init(
        url: url,
        connection: .init(
            initialDelay: 50_000_000, maximumDelay: 200_000_000, multiplier: 2, jitter: 0.1, pingInterval: 60_000_000_000,
            receiveTimeout: 60_000_000_000, stableAfter: 10_000_000_000),
        tickInterval: 0.02)
}

/// A scripted Lighter market: a fixed mid, random level changes on both sides (never crossing).
struct ScriptedLighterBook {
    let market: Int
    let priceDecimals: Int
    let sizeDecimals: Int
    let midTicks: Int64
    var random: SplitMix64
    var offset: Int64 = 1
    var nonce: Int64 = 100

    func price(_ ticks: Int64) -> String { FixedPoint.format(ticks, decimals: priceDecimals) }
    func size(_ lots: Int64) -> String { FixedPoint.format(lots, decimals: sizeDecimals) }

    func snapshot(type: String = "subscribed/order_book") -> String {
        let bids = (1...15).map { (price(midTicks - Int64($0)), size(Int64($0) * 1000)) }
        let asks = (1...15).map { (price(midTicks + Int64($0)), size(Int64($0) * 700)) }
        return lighterBookFrame(market: market, type: type, offset: offset, nonce: nonce, beginNonce: nil, bids: bids, asks: asks)
    }

    /// The next update; `gap` makes its begin_nonce not continue the chain.
    mutating func update(gap: Bool = false) -> String {
        var bids: [(String, String)] = []
        var asks: [(String, String)] = []
        for _ in 0..<(Int(random.next() % 4) + 1) {
            let distance = Int64(random.next() % 25) + 1
            let lots = random.next() % 3 == 0 ? 0 : Int64(random.next() % 50_000) + 1
            if random.next() % 2 == 0 {
                bids.append((price(midTicks - distance), size(lots)))
            } else {
                asks.append((price(midTicks + distance), size(lots)))
            }
        }
        let begin = gap ? nonce + 7 : nonce
        offset += 1
        nonce += Int64(random.next() % 3) + 1
        return lighterBookFrame(
            market: market, type: "update/order_book", offset: offset, nonce: nonce, beginNonce: begin, bids: bids, asks: asks)
    }
}

/// The `orderBookDetails` answer for the test markets.
let orderBookDetailsJSON = """
    {"code":200,"order_book_details":[\
    {"symbol":"ETH","market_id":0,"market_type":"perp","status":"active","size_decimals":4,"price_decimals":2,"min_base_amount":"0.0050","min_quote_amount":"10.000000"},\
    {"symbol":"BTC","market_id":1,"market_type":"perp","status":"active","size_decimals":5,"price_decimals":1,"min_base_amount":"0.00020","min_quote_amount":"10.000000"}]}
    """

@Suite(.serialized) struct LighterCollectTests {
    @Test func twoMarketsReadAsOneDatasetWithBooksMatchingEventsAndNoDuplicateTrades() async throws {
        let root = try makeTemporaryDirectory("lighter")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let server = try await LighterTestServer.start()
        var options = RecorderOptions(root: root)
        options.flushInterval = 200_000_000
        options.maxFileDuration = 400_000_000
        let recorderBox = Mutex<DatasetRecorder?>(nil)
        let collect = Task {
            let recorder = await Collector.runLighter(
                specs: [ethSpec, btcSpec], stream: testStreamConfiguration(server.streamURL), options: options,
                statusInterval: 0.5)
            recorderBox.withLock { $0 = recorder }
        }
        let socket = try await server.expectSocket()
        for channel in ["order_book/0", "trade/0", "order_book/1", "trade/1"] {
            _ = try await socket.expectMessage(containing: "\"channel\":\"\(channel)\"")
        }
        var eth = ScriptedLighterBook(market: 0, priceDecimals: 2, sizeDecimals: 4, midTicks: 302_466, random: SplitMix64(seed: 1))
        var btc = ScriptedLighterBook(market: 1, priceDecimals: 1, sizeDecimals: 5, midTicks: 950_000, random: SplitMix64(seed: 2))
        socket.send(eth.snapshot())
        socket.send(btc.snapshot())
        // History from before the recording started: not recorded.
        socket.send(
            lighterTradeFrame(
                market: 0, type: "subscribed/trade", trades: [(id: 1, price: "3000.00", size: "1.0000", makerAsk: true, ms: 1_700_000_000_000)]))
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        var sentTradeIDs: [Int64] = []
        var sentTradePrices: [Double] = []
        for step in 0..<120 {
            socket.send(eth.update())
            if step == 60 {
                // A nonce gap: the client drops BTC's book and resubscribes; answer with a new snapshot.
                socket.send(btc.update(gap: true))
                _ = try await socket.expectMessage(containing: "\"type\":\"subscribe\",\"channel\":\"order_book/1\"")
                btc.offset += 10
                btc.nonce += 50
                socket.send(btc.snapshot())
            } else {
                socket.send(btc.update())
            }
            if step % 10 == 5 {
                let id = Int64(1000 + step)
                sentTradeIDs.append(id)
                sentTradePrices.append(3024.5)
                let trade = (id: id, price: "3024.50", size: "0.2500", makerAsk: step % 20 == 5, ms: nowMs + Int64(step))
                socket.send(lighterTradeFrame(market: 0, type: "update/trade", trades: [trade]))
                // Replayed: the same trade again (must be recorded once).
                socket.send(lighterTradeFrame(market: 0, type: "update/trade", trades: [trade]))
            }
            if step % 10 == 0 { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        // Wait until everything sent has been recorded, then stop like SIGTERM does.
        try await Task.sleep(nanoseconds: 300_000_000)
        collect.cancel()
        await collect.value
        await server.shutdown()
        let recorder = try #require(recorderBox.withLock { $0 })
        let stats = recorder.statistics
        #expect(stats["ETH"]?.bookMessages == 121)
        #expect(stats["ETH"]?.duplicateTrades == 12)
        #expect(stats["BTC"]?.gaps == 1)

        // Nothing left open; only closed part files, several per table (rotation every 0.4 s).
        #expect(files(under: root) { $0.hasSuffix(".inprogress") }.isEmpty)
        let result = try runPython(datasetCheckScript, [root, "lighter"])
        let bookEvents = try #require(result["book_events"] as? [String: Int])
        #expect(Set(bookEvents.keys) == ["ETH", "BTC"])
        #expect(result["book_events_error"] == nil)
        #expect((result["files"] as? Int ?? 0) >= 4)
        let kinds = try #require(result["kinds"] as? [String: [String: Int]])
        // Snapshot messages: ETH 1; BTC 2 (first and after the gap). Updates: ETH 120, BTC 119.
        #expect(kinds["ETH"]?["snapshot"] == 1)
        #expect(kinds["ETH"]?["delta"] == 120)
        #expect(kinds["BTC"]?["snapshot"] == 2)
        #expect(kinds["BTC"]?["delta"] == 119)
        #expect(kinds["BTC"]?["resync"] == 1)
        #expect(kinds["ETH"]?["resync"] == nil)
        // Rotation every 0.4 s: parts after the first begin with a checkpoint of the book.
        #expect((kinds["ETH"]?["checkpoint"] ?? 0) >= 1)
        // Every part file starts with something that sets the book (never a bare delta).
        let firstKinds = try #require(result["first_kinds"] as? [String: Int])
        #expect(firstKinds["delta"] == nil)
        #expect(firstKinds["empty"] == nil)
        // book_top10 equals the book rebuilt from book_events, row by row (ETH 121 + BTC 121).
        #expect(result["top10_mismatches"] as? Int == 0, "\(result["first_mismatch"] ?? "")")
        #expect(result["top10_compared"] as? Int == 242)
        // Every delta row carries offset, nonce and begin_nonce.
        #expect(result["delta_missing_sequence"] as? Int == 0)
        // Trades: each sent once, replays and pre-start history dropped.
        let tradeIDs = try #require(result["trade_ids"] as? [String: [Int]])
        #expect(tradeIDs["ETH"]?.map(Int64.init) == sentTradeIDs)
        #expect((result["trade_prices"] as? [String: [Double]])?["ETH"] == sentTradePrices)
        let metadata = try #require(result["metadata"] as? [String: String])
        #expect(metadata["venue"] == "lighter")
        #expect(metadata["price_decimals"] != nil)
        #expect(metadata["schema_version"] == "1")
        #expect(result["ts_type"] as? String == "timestamp[ns, tz=UTC]")
    }
}
