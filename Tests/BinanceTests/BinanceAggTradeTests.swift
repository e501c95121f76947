import Binance
import MarketCore
import TestServers
import Testing

/// The `aggTrade` event: parsing (Binance's documented sample, field order, malformed input),
/// the stream name, and delivery over a real socket from the local test server.
@Suite struct BinanceAggTradeTests {
    /// The sample of Binance's USD-M futures "Aggregate Trade Streams" documentation.
    static let documentedSample = """
        {
          "e": "aggTrade",
          "E": 123456789,
          "s": "BTCUSDT",
          "a": 5933014,
          "p": "0.001",
          "q": "100",
          "f": 100,
          "l": 105,
          "T": 123456785,
          "m": true
        }
        """

    @Test func documentedSampleParsesToExactIntegers() throws {
        var parser = BinanceMessageParser(priceDecimals: 3, sizeDecimals: 0)
        let expected = BinanceAggTrade(
            aggregateTradeID: 5_933_014, eventTimeMs: 123_456_789, tradeTimeMs: 123_456_785, price: Price(ticks: 1),
            size: Quantity(lots: 100), firstTradeID: 100, lastTradeID: 105, buyerIsMaker: true)
        #expect(try parser.parse(Self.documentedSample) == .aggTrade(expected))
        // The buyer was the maker: the taker sold.
        #expect(expected.takerSide == .sell)
        // The same event inside the combined-stream wrapper, keys in another order, sizes with decimals.
        var btc = BinanceMessageParser(priceDecimals: 1, sizeDecimals: 3)
        let wrapped = #"{"stream":"btcusdt@aggTrade","data":{"m":false,"T":1700000000123,"l":42,"f":40,"q":"0.250","p":"30000.5","a":7,"s":"BTCUSDT","E":1700000000125,"e":"aggTrade"}}"#
        let trade = BinanceAggTrade(
            aggregateTradeID: 7, eventTimeMs: 1_700_000_000_125, tradeTimeMs: 1_700_000_000_123,
            price: Price(ticks: 300_005), size: Quantity(lots: 250), firstTradeID: 40, lastTradeID: 42, buyerIsMaker: false)
        #expect(try btc.parse(wrapped) == .aggTrade(trade))
        #expect(trade.takerSide == .buy)
        #expect(
            trade.trade(receivedAt: Timestamp(nanoseconds: 5))
                == Trade(
                    receivedAt: Timestamp(nanoseconds: 5), exchangeTimeMs: 1_700_000_000_123, tradeID: 7,
                    price: Price(ticks: 300_005), size: Quantity(lots: 250), takerSide: .buy))
        // Fields Binance added later (`nq`, quantity without RPI orders) are skipped.
        let withExtra = #"{"e":"aggTrade","E":3,"s":"BTCUSDT","a":9,"p":"1.0","q":"2.000","nq":"2.000","f":1,"l":1,"T":2,"m":true}"#
        guard case .aggTrade(let extra) = try btc.parse(withExtra) else {
            Issue.record("not an aggTrade")
            return
        }
        #expect(extra.size == Quantity(lots: 2_000))
        #expect(extra.price == Price(ticks: 10))
    }

    @Test func malformedAggTradesAreErrors() {
        var parser = BinanceMessageParser(priceDecimals: 1, sizeDecimals: 3)
        let bad: [(String, String)] = [
            // Missing the aggregate id.
            (#"{"e":"aggTrade","E":3,"p":"1.0","q":"1.000","f":1,"l":1,"T":2,"m":true}"#, "without a"),
            // Missing m.
            (#"{"e":"aggTrade","E":3,"a":1,"p":"1.0","q":"1.000","f":1,"l":1,"T":2}"#, "without a"),
            // Missing f and l.
            (#"{"e":"aggTrade","E":3,"a":1,"p":"1.0","q":"1.000","T":2,"m":true}"#, "without a"),
            // Too many decimals for the symbol.
            (#"{"e":"aggTrade","E":3,"a":1,"p":"1.05","q":"1.000","f":1,"l":1,"T":2,"m":true}"#, "trade price '1.05'"),
            (#"{"e":"aggTrade","E":3,"a":1,"p":"1.0","q":"1.0005","f":1,"l":1,"T":2,"m":true}"#, "trade quantity '1.0005'"),
            // A zero quantity or price is not a trade.
            (#"{"e":"aggTrade","E":3,"a":1,"p":"1.0","q":"0.000","f":1,"l":1,"T":2,"m":true}"#, "non-positive"),
            // A bad literal and a truncated message.
            (#"{"e":"aggTrade","E":3,"a":1,"p":"1.0","q":"1.000","f":1,"l":1,"T":2,"m":tru}"#, "invalid literal"),
            (#"{"e":"aggTrade","E":3,"a":1,"p":"1.0","q":"1.000","f":1,"l":1,"T":2,"m":true"#, "unterminated object"),
            // A fractional id.
            (#"{"e":"aggTrade","E":3,"a":1.5,"p":"1.0","q":"1.000","f":1,"l":1,"T":2,"m":true}"#, "fraction"),
        ]
        for (text, fragment) in bad {
            do {
                let message = try parser.parse(text)
                Issue.record("accepted \(text) as \(message)")
            } catch {
                #expect(error.description.contains(fragment), "\(text): \(error)")
            }
        }
    }

    @Test func aggTradeStreamJoinsTheDepthStream() {
        let btc = BinanceSymbol(symbol: "BTCUSDT", priceDecimals: 1, sizeDecimals: 3)
        let withTrades = BinanceFeedConfiguration(
            webSocketBaseURL: "wss://fstream.binance.com", mode: .diffDepth(), includeAggTrades: true)
        #expect(withTrades.streamURL(for: btc) == "wss://fstream.binance.com/stream?streams=btcusdt@depth@100ms/btcusdt@aggTrade")
        let both = BinanceFeedConfiguration(mode: .partialDepth(levels: 5), includeBookTicker: true, includeAggTrades: true)
        #expect(
            both.streamURL(for: btc)
                == "wss://fstream.binance.com/stream?streams=btcusdt@depth5@100ms/btcusdt@bookTicker/btcusdt@aggTrade")
        #expect(BinanceFeedConfiguration().streamURL(for: btc) == "wss://fstream.binance.com/stream?streams=btcusdt@depth@100ms")
    }

    @Test func feedDeliversAggTradesFromTheCombinedStream() async throws {
        let market = ReferenceMarket(eventCount: 6, seed: 5)
        let server = try await BinanceTestServer.start(
            rest: { _, _ in (500, "{}") },
            stream: { socket in
                try await socket.send(
                    stream: "btcusdt@depth5@100ms",
                    data: market.partialDepthJSON(through: market.events[2].final, levels: 5, previousFinal: 1))
                try await socket.sendAggTrade(id: 100, price: "30000.5", quantity: "0.250", tradeTimeMs: 1_700_000_000_001, buyerIsMaker: true)
                try await socket.sendAggTrade(id: 101, price: "30000.6", quantity: "1.000", tradeTimeMs: 1_700_000_000_002, buyerIsMaker: false)
                try await socket.send(stream: "btcusdt@aggTrade", data: #"{"e":"aggTrade","E":1,"a":102,"p":"bad","q":"1.000","f":1,"l":1,"T":1,"m":true}"#)
                try await socket.sendAggTrade(id: 103, price: "29999.9", quantity: "0.001", tradeTimeMs: 1_700_000_000_004, buyerIsMaker: true)
            })
        let configuration = BinanceFeedConfiguration(
            restBaseURL: server.restBaseURL, webSocketBaseURL: server.webSocketBaseURL, mode: .partialDepth(levels: 5),
            includeAggTrades: true, backoff: ReconnectBackoff(initialDelay: 0.05, maximumDelay: 0.2), restTimeout: 5,
            pingInterval: nil)
        let feed = BinanceMarketDataFeed(
            symbol: BinanceSymbol(symbol: "BTCUSDT", priceDecimals: 1, sizeDecimals: 3), configuration: configuration)
        let recorder = EventRecorder()
        let task = Task { await feed.run { recorder.append($0) } }
        func trades() -> [BinanceAggTrade] {
            recorder.events.compactMap { if case .aggTrade(let trade) = $0 { trade.payload } else { nil } }
        }
        let arrived = await waitUntil { trades().count == 3 }
        task.cancel()
        await task.value
        await server.stop()
        #expect(arrived)
        #expect(server.streamPaths == ["/stream?streams=btcusdt@depth5@100ms/btcusdt@aggTrade"])
        let got = trades()
        #expect(got.map(\.aggregateTradeID) == [100, 101, 103])
        #expect(got.map(\.price.ticks) == [300_005, 300_006, 299_999])
        #expect(got.map(\.size.lots) == [250, 1_000, 1])
        #expect(got.map(\.takerSide) == [.sell, .buy, .sell])
        #expect(got.map(\.tradeTimeMs) == [1_700_000_000_001, 1_700_000_000_002, 1_700_000_000_004])
        #expect(got.map(\.firstTradeID) == [1_000, 1_010, 1_030])
        #expect(feed.statistics.aggTrades == 3)
        #expect(feed.statistics.parseErrors == 1)
        // The depth stream on the same connection still built the book.
        #expect(recorder.events.contains { if case .partialDepth = $0 { true } else { false } })
    }
}
