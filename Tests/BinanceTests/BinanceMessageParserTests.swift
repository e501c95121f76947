import Binance
import MarketCore
import Testing

/// The byte parser on messages in Binance's documented formats (examples from the USD-M futures
/// API pages), with expected integers worked out by hand from the decimal text.
@Suite struct BinanceMessageParserTests {
    func level(_ price: Int64, _ size: Int64) -> BookLevel {
        BookLevel(price: Price(ticks: price), size: Quantity(lots: size))
    }

    @Test func diffDepthExampleFromTheDocs() throws {
        // "Diff. Book Depth Streams" response example.
        let text = """
            {
              "e": "depthUpdate", "E": 123456789, "T": 123456788, "s": "BTCUSDT",
              "U": 157, "u": 160, "pu": 149,
              "b": [ [ "0.0024", "10" ] ],
              "a": [ [ "0.0026", "100" ] ]
            }
            """
        var parser = BinanceMessageParser(priceDecimals: 4, sizeDecimals: 3)
        let message = try parser.parse(text)
        #expect(
            message
                == .depthUpdate(
                    BinanceDepthUpdate(
                        eventTimeMs: 123_456_789, transactionTimeMs: 123_456_788, firstUpdateID: 157, finalUpdateID: 160,
                        previousFinalUpdateID: 149, bids: [level(24, 10_000)], asks: [level(26, 100_000)])))
    }

    @Test func combinedStreamWrapperAndAnyKeyOrder() throws {
        let text =
            #"{"stream":"btcusdt@depth@100ms","data":{"b":[["97000.10","1.234"],["96999.90","0"]],"pu":5,"u":9,"U":6,"a":[],"T":1700000000000,"E":1700000000001,"s":"BTCUSDT","e":"depthUpdate"}}"#
        var parser = BinanceMessageParser(priceDecimals: 1, sizeDecimals: 3)
        guard case .depthUpdate(let update) = try parser.parse(text) else {
            Issue.record("not a depth update")
            return
        }
        #expect(update.firstUpdateID == 6 && update.finalUpdateID == 9 && update.previousFinalUpdateID == 5)
        #expect(update.eventTimeMs == 1_700_000_000_001 && update.transactionTimeMs == 1_700_000_000_000)
        #expect(update.bids == [level(970_001, 1_234), level(969_999, 0)])
        #expect(update.asks.isEmpty)
    }

    @Test func bookTickerExampleFromTheDocs() throws {
        // "Individual Symbol Book Ticker Streams" response example.
        let text =
            #"{"e":"bookTicker","u":400900217,"E":1568014460893,"T":1568014460891,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}"#
        var parser = BinanceMessageParser(priceDecimals: 4, sizeDecimals: 2)
        #expect(
            try parser.parse(text)
                == .bookTicker(
                    BinanceBookTicker(
                        updateID: 400_900_217, eventTimeMs: 1_568_014_460_893, transactionTimeMs: 1_568_014_460_891,
                        bid: level(253_519, 3_121), ask: level(253_652, 4_066))))
    }

    @Test func restSnapshotExampleFromTheDocs() throws {
        // "Order Book" (GET /fapi/v1/depth) response example.
        let text = """
            {"lastUpdateId": 1027024, "E": 1589436922972, "T": 1589436922959,
             "bids": [["4.00000000", "431.00000000"]], "asks": [["4.00000200", "12.00000000"]]}
            """
        var parser = BinanceMessageParser(priceDecimals: 6, sizeDecimals: 0)
        #expect(
            try parser.parse(text)
                == .depthSnapshot(
                    BinanceDepthSnapshot(
                        lastUpdateID: 1_027_024, eventTimeMs: 1_589_436_922_972, transactionTimeMs: 1_589_436_922_959,
                        bids: [level(4_000_000, 431)], asks: [level(4_000_002, 12)])))
    }

    @Test func otherWellFormedMessagesAreIgnored() throws {
        var parser = BinanceMessageParser(priceDecimals: 1, sizeDecimals: 3)
        #expect(try parser.parse(#"{"result":null,"id":1}"#) == .ignored)
        #expect(
            try parser.parse(
                #"{"stream":"btcusdt@markPrice","data":{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"11794.1","r":"0.0003","T":2}}"#)
                == .ignored)
        #expect(try parser.parse(#"{"nested":{"x":[1,2,{"y":"\"q\""}]},"flag":false,"n":-1.5e3}"#) == .ignored)
        // Other event types may use the short keys for strings.
        #expect(try parser.parse(#"{"e":"listStatus","E":"soon","u":"x","T":null}"#) == .ignored)
    }

    @Test func parserIsReusableAcrossMessages() throws {
        var parser = BinanceMessageParser(priceDecimals: 1, sizeDecimals: 3)
        let first = #"{"e":"depthUpdate","E":2,"T":1,"U":1,"u":2,"pu":0,"b":[["100.0","1.000"],["99.9","2.000"]],"a":[["100.1","1.000"]]}"#
        let second = #"{"e":"depthUpdate","E":3,"T":2,"U":3,"u":4,"pu":2,"b":[],"a":[["100.2","0.500"]]}"#
        _ = try parser.parse(first)
        guard case .depthUpdate(let update) = try parser.parse(second) else {
            Issue.record("not a depth update")
            return
        }
        #expect(update.bids.isEmpty)
        #expect(update.asks == [level(1_002, 500)])
    }

    static let malformed: [(String, String)] = [
        ("truncated", #"{"e":"depthUpdate","E":1,"U":1"#),
        ("missing pu", #"{"e":"depthUpdate","E":1,"T":1,"U":1,"u":2,"b":[],"a":[]}"#),
        ("too precise price", #"{"e":"depthUpdate","E":1,"T":1,"U":1,"u":2,"pu":0,"b":[["100.05","1"]],"a":[]}"#),
        ("non-numeric size", #"{"e":"depthUpdate","E":1,"T":1,"U":1,"u":2,"pu":0,"b":[["100.0","abc"]],"a":[]}"#),
        ("unquoted price", #"{"e":"depthUpdate","E":1,"T":1,"U":1,"u":2,"pu":0,"b":[[100.0,"1"]],"a":[]}"#),
        ("string update id", #"{"e":"depthUpdate","E":1,"T":1,"U":"1","u":2,"pu":0,"b":[],"a":[]}"#),
        ("fractional update id", #"{"e":"depthUpdate","E":1,"T":1,"U":1.5,"u":2,"pu":0,"b":[],"a":[]}"#),
        ("trailing bytes", #"{"result":null,"id":1} x"#),
        ("not an object", #"[1,2,3]"#),
        ("empty", ""),
        ("bookTicker without ask size", #"{"e":"bookTicker","u":1,"b":"1.0","B":"1","a":"1.1"}"#),
        ("snapshot without asks", #"{"lastUpdateId":5,"bids":[]}"#),
        ("negative size", #"{"e":"depthUpdate","E":1,"T":1,"U":1,"u":2,"pu":0,"b":[["100.0","-1"]],"a":[]}"#),
        ("integer overflow", #"{"e":"depthUpdate","E":99999999999999999999,"T":1,"U":1,"u":2,"pu":0,"b":[],"a":[]}"#),
        ("unterminated string", #"{"e":"depthUpd"#),
    ]

    @Test(arguments: malformed)
    func malformedMessagesThrow(_ testCase: (String, String)) {
        var parser = BinanceMessageParser(priceDecimals: 1, sizeDecimals: 3)
        #expect(throws: BinanceParseError.self, "\(testCase.0)") { try parser.parse(testCase.1) }
    }
}
