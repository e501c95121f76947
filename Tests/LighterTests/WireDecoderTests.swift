import Foundation
import Lighter
import MarketCore
import Testing

/// Decodes `text` with a decoder that knows ETH (market 0, 2/4 decimals) and BTC (market 1, 1/5).
private func decode(_ text: String, markets: MarketDecimalsTable = testMarkets) throws(WireError) -> MarketMessage {
    var decoder = MarketMessageDecoder(markets: markets)
    var message = MarketMessage()
    var bytes = Array(text.utf8)
    let result: Result<Void, WireError> = bytes.withUnsafeMutableBytes { buffer in
        do throws(WireError) {
            try decoder.decode(UnsafeRawBufferPointer(buffer), into: &message)
            return .success(())
        } catch { return .failure(error) }
    }
    try result.get()
    return message
}

private let testMarkets: MarketDecimalsTable = {
    var table = MarketDecimalsTable()
    table.set(marketID: 0, priceDecimals: 2, sizeDecimals: 4)
    table.set(marketID: 1, priceDecimals: 1, sizeDecimals: 5)
    return table
}()

@Suite struct WireDecoderTests {
    /// The `update/order_book` example of section B.3 of the protocol notes; expected integers by hand
    /// (3327.46 at 2 decimals = 332746; 50.0000 at 4 decimals = 500000).
    @Test func protocolNotesBookUpdate() throws {
        let text = """
            {"type":"update/order_book","channel":"order_book:0","offset":41692865,"timestamp":1766434222600,\
            "order_book":{"code":0,"asks":[{"price":"3327.46","size":"50.0000"}],"bids":[{"price":"3325.50","size":"0"}],\
            "offset":41692865,"nonce":4037957054,"begin_nonce":4037957053}}
            """
        let message = try decode(text)
        #expect(message.kind == .orderBookUpdate)
        #expect(message.marketID == 0)
        #expect(message.offset == 41_692_865)
        #expect(message.timestampMs == 1_766_434_222_600)
        #expect(message.nonce == 4_037_957_054)
        #expect(message.beginNonce == 4_037_957_053)
        #expect(message.code == 0)
        #expect(message.asks == [BookLevel(price: Price(ticks: 332_746), size: Quantity(lots: 500_000))])
        #expect(message.bids == [BookLevel(price: Price(ticks: 332_550), size: Quantity(lots: 0))])
    }

    /// The `update/trade` example of section B.2 (ids filled in); 2183.00 → 218300, 1.0000 → 10000.
    @Test func protocolNotesTradeUpdate() throws {
        let text = """
            {"type":"update/trade","channel":"trade:0","nonce":8630448842,"liquidation_trades":[],
             "trades":[{"trade_id":16164557909,"type":"trade","market_id":0,"size":"1.0000","price":"2183.00",
             "usd_amount":"2183.000000","ask_id":281475000000001,"bid_id":281475000000002,"ask_account_id":11,
             "bid_account_id":12,"is_maker_ask":false,"block_height":77,"timestamp":1773854157000}]}
            """
        let message = try decode(text)
        #expect(message.kind == .tradeUpdate)
        #expect(message.nonce == 8_630_448_842)
        #expect(
            message.trades == [
                LighterTrade(
                    tradeID: 16_164_557_909, marketID: 0, price: Price(ticks: 218_300), size: Quantity(lots: 10_000),
                    isMakerAsk: false, timestampMs: 1_773_854_157_000, askAccountID: 11, bidAccountID: 12)
            ])
        #expect(message.trades.first?.takerSide == .sell)
    }

    /// A snapshot whose keys come in another order than usual (payload before type and channel),
    /// with whitespace, unknown nested members and a liquidation trade channel mix.
    @Test func snapshotWithKeysInAnyOrder() throws {
        let text = """
            { "order_book" : { "bids" : [ {"price":"84492.0","size":"0.10000","extra":{"a":[1,2,{"b":null}]}} ],
              "asks":[{"size":"1.5","price":"84493.5"}], "nonce": 12, "offset": 3, "code": 0 },
              "misc": [true, false, null, -1.5e3, "x\\"y"], "channel" : "order_book:1", "type" : "subscribed/order_book" }
            """
        let message = try decode(text)
        #expect(message.kind == .orderBookSnapshot)
        #expect(message.marketID == 1)
        #expect(message.nonce == 12)
        #expect(message.offset == 3)
        #expect(message.beginNonce == nil)
        #expect(message.bids == [BookLevel(price: Price(ticks: 844_920), size: Quantity(lots: 10_000))])
        #expect(message.asks == [BookLevel(price: Price(ticks: 844_935), size: Quantity(lots: 150_000))])
    }

    @Test func classifiesControlMessages() throws {
        #expect(try decode("{\"type\":\"ping\"}").kind == .ping)
        #expect(try decode("{\"type\":\"pong\"}").kind == .pong)
        #expect(try decode("{\"session_id\":\"abc\",\"type\":\"connected\"}").kind == .connected)
        let other = try decode("{\"type\":\"update/account_all\",\"channel\":\"account_all:5\",\"positions\":{\"0\":{}}}")
        #expect(other.kind == .other)
        #expect(other.marketID == 5)
    }

    @Test func rejectsMalformedMessagesWithTypedErrors() {
        let cases: [(String, String)] = [
            ("", "ends early"),
            ("{\"type\":\"update/order_book\"", "ends early"),
            ("{\"type\":\"update/order_book\",\"channel\":\"order_book:0\"}", "missing field 'order_book'"),
            ("{\"channel\":\"order_book:0\",\"order_book\":{\"asks\":[]}}", "missing field 'type'"),
            (
                "{\"type\":\"update/order_book\",\"channel\":\"order_book:0\",\"order_book\":{\"asks\":[{\"price\":\"1.234\",\"size\":\"1\"}]}}",
                "'price' is not a decimal"
            ),
            (
                "{\"type\":\"update/order_book\",\"channel\":\"order_book:9\",\"order_book\":{\"asks\":[{\"price\":\"1\",\"size\":\"1\"}]}}",
                "no decimals known for market 9"
            ),
            ("{\"type\":\"update/order_book\",\"channel\":\"order_book:0\",\"order_book\":{\"asks\":[{\"price\":\"1\"}]}}", "missing field 'size'"),
            ("{\"type\":\"ping\"} x", "unexpected byte"),
            ("{\"type\":\"ping\",\"nonce\":\"12a\"}", "'nonce' is not an integer"),
            (String(repeating: "[", count: 100), "unexpected byte"),
        ]
        for (text, expected) in cases {
            do {
                _ = try decode(text)
                Issue.record("decoded malformed message: \(text)")
            } catch {
                #expect(error.description.contains(expected), "\(text) → \(error)")
            }
        }
    }

    @Test func skipRejectsDeepNesting() {
        let deep = "{\"type\":\"ping\",\"x\":" + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "}"
        do {
            _ = try decode(deep)
            Issue.record("accepted nesting deeper than the limit")
        } catch {
            #expect(error.description.contains("nesting too deep"))
        }
    }

    @Test func tokenizerReadsPrimitives() throws {
        var bytes = Array(#" { "a" : -12 , "b" : "q\"z" , "c" : true , "d" : [ ] , "e" : { } , "f" : null } "#.utf8)
        try bytes.withUnsafeMutableBytes { buffer in
            var reader = WireReader(UnsafeRawBufferPointer(buffer))
            try reader.beginObject()
            var keys: [String] = []
            while let key = try reader.nextKey() {
                keys.append(reader.string(key))
                if reader.equals(key, "a") { #expect(try reader.readInt64(field: "a") == -12) }
                else if reader.equals(key, "b") { #expect(reader.string(try reader.readString()) == #"q\"z"#) }
                else if reader.equals(key, "c") { #expect(try reader.readBool()) }
                else { try reader.skipValue() }
            }
            #expect(keys == ["a", "b", "c", "d", "e", "f"])
        }
    }
}

// MARK: Differential and fuzz tests

/// Reference conversion of decimal text to a scaled integer by string manipulation (independent of
/// `FixedPoint`): returns nil if there are more significant decimals than allowed.
private func referenceScaled(_ text: String, decimals: Int) -> Int64? {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    var fraction = parts.count > 1 ? parts[1] : ""
    while fraction.count > decimals, fraction.hasSuffix("0") { fraction.removeLast() }
    guard fraction.count <= decimals else { return nil }
    fraction += String(repeating: "0", count: decimals - fraction.count)
    return Int64(parts[0] + fraction)
}

/// Builds a random but valid book or trade message as text, in a random key order with noise.
private struct MessageGenerator {
    var random: TestRandom

    mutating func decimalText(maxWhole: UInt64, decimals: Int) -> String {
        let whole = random.next() % maxWhole
        var text = String(whole)
        let digits = Int(random.next() % UInt64(decimals + 1))
        if digits > 0 || random.next() % 4 == 0 {
            var fraction = ""
            for _ in 0..<digits { fraction += String(random.next() % 10) }
            // Sometimes trailing zeros beyond the market's decimals (allowed).
            if random.next() % 5 == 0 { fraction += "00" }
            text += "." + fraction
        }
        return text
    }

    mutating func noise() -> String {
        let options = [
            "\"x\":{\"y\":[1,2.5,-3e2,{\"z\":\"a\\\\b\"}],\"w\":null}", "\"flag\":false", "\"s\":\"text with \\\"quotes\\\"\"",
            "\"e\":[]", "\"o\":{}",
        ]
        return options[Int(random.next() % UInt64(options.count))]
    }

    mutating func shuffled(_ members: [String]) -> String {
        var members = members
        members.shuffle(using: &random)
        let separator = random.next() % 3 == 0 ? " , " : ","
        return "{" + members.joined(separator: separator) + "}"
    }

    mutating func level(decimals: MarketDecimalsTable.Decimals) -> String {
        var members = [
            "\"price\":\"\(decimalText(maxWhole: 100_000, decimals: decimals.price))\"",
            "\"size\":\"\(decimalText(maxWhole: 1000, decimals: decimals.size))\"",
        ]
        if random.next() % 4 == 0 { members.append(noise()) }
        return shuffled(members)
    }

    mutating func bookMessage(market: Int, decimals: MarketDecimalsTable.Decimals) -> String {
        let bids = (0..<Int(random.next() % 12)).map { _ in level(decimals: decimals) }
        let asks = (0..<Int(random.next() % 12)).map { _ in level(decimals: decimals) }
        var book = [
            "\"asks\":[" + asks.joined(separator: ",") + "]", "\"bids\":[" + bids.joined(separator: ",") + "]",
            "\"nonce\":\(random.next() % 1_000_000_000)", "\"begin_nonce\":\(random.next() % 1_000_000_000)",
            "\"offset\":\(random.next() % 1_000_000)", "\"code\":0",
        ]
        if random.next() % 3 == 0 { book.append(noise()) }
        let type = random.next() % 2 == 0 ? "update/order_book" : "subscribed/order_book"
        var top = [
            "\"type\":\"\(type)\"", "\"channel\":\"order_book:\(market)\"", "\"order_book\":" + shuffled(book),
            "\"timestamp\":\(random.next() % 2_000_000_000_000)",
        ]
        if random.next() % 2 == 0 { top.append(noise()) }
        return shuffled(top)
    }

    mutating func tradeMessage(market: Int, decimals: MarketDecimalsTable.Decimals) -> String {
        func trade(_ generator: inout MessageGenerator) -> String {
            var members = [
                "\"trade_id\":\(generator.random.next() % 1_000_000_000_000)", "\"market_id\":\(market)",
                "\"price\":\"\(generator.decimalText(maxWhole: 100_000, decimals: decimals.price))\"",
                "\"size\":\"\(generator.decimalText(maxWhole: 100, decimals: decimals.size))\"",
                "\"is_maker_ask\":\(generator.random.next() % 2 == 0)", "\"timestamp\":\(generator.random.next() % 2_000_000_000_000)",
                "\"usd_amount\":\"12.5\"", "\"type\":\"trade\"", "\"ask_account_id\":\(generator.random.next() % 1000)",
                "\"bid_account_id\":\(generator.random.next() % 1000)",
            ]
            if generator.random.next() % 3 == 0 { members.append(generator.noise()) }
            return generator.shuffled(members)
        }
        let trades = (0..<Int(random.next() % 6 + 1)).map { _ in trade(&self) }
        let liquidations = (0..<Int(random.next() % 2)).map { _ in trade(&self) }
        let type = random.next() % 2 == 0 ? "update/trade" : "subscribed/trade"
        return shuffled([
            "\"type\":\"\(type)\"", "\"channel\":\"trade:\(market)\"", "\"nonce\":\(random.next() % 1_000_000)",
            "\"trades\":[" + trades.joined(separator: ",") + "]",
            "\"liquidation_trades\":[" + liquidations.joined(separator: ",") + "]",
        ])
    }
}

/// What JSONSerialization reads out of a message, converted by the reference decimal routine.
private struct ReferenceMessage: Equatable {
    var type: String
    var marketID: Int
    var nonce: Int64?
    var beginNonce: Int64?
    var offset: Int64?
    var bids: [BookLevel] = []
    var asks: [BookLevel] = []
    var trades: [LighterTrade] = []
}

private struct ReferenceError: Error, CustomStringConvertible {
    var description: String
}

/// Unwraps a value the reference reading expects; throws (failing the test) if it is absent.
private func need<T>(_ value: T?, sourceLine: Int = #line) throws -> T {
    guard let value else { throw ReferenceError(description: "reference reading failed at line \(sourceLine)") }
    return value
}

private func reference(_ text: String, markets: MarketDecimalsTable) throws -> ReferenceMessage {
    let object = try need(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let type = try need(object["type"] as? String)
    let channel = try need(object["channel"] as? String)
    let market = try need(Int(try need(channel.split(separator: ":").last)))
    let decimals = try need(markets[market])
    var result = ReferenceMessage(type: type, marketID: market)
    func int64(_ value: Any?) -> Int64? { (value as? NSNumber)?.int64Value }
    if let book = object["order_book"] as? [String: Any] {
        result.nonce = int64(book["nonce"])
        result.beginNonce = int64(book["begin_nonce"])
        result.offset = int64(object["offset"]) ?? int64(book["offset"])
        func levels(_ key: String) throws -> [BookLevel] {
            try (book[key] as? [[String: Any]] ?? []).map { level in
                BookLevel(
                    price: Price(ticks: try need(referenceScaled(try need(level["price"] as? String), decimals: decimals.price))),
                    size: Quantity(lots: try need(referenceScaled(try need(level["size"] as? String), decimals: decimals.size))))
            }
        }
        result.bids = try levels("bids")
        result.asks = try levels("asks")
    } else {
        result.nonce = int64(object["nonce"])
        for (key, liquidation) in [("trades", false), ("liquidation_trades", true)] {
            for trade in object[key] as? [[String: Any]] ?? [] {
                result.trades.append(
                    LighterTrade(
                        tradeID: try need(int64(trade["trade_id"])), marketID: market,
                        price: Price(ticks: try need(referenceScaled(try need(trade["price"] as? String), decimals: decimals.price))),
                        size: Quantity(lots: try need(referenceScaled(try need(trade["size"] as? String), decimals: decimals.size))),
                        isMakerAsk: try need(trade["is_maker_ask"] as? Bool), timestampMs: try need(int64(trade["timestamp"])),
                        askAccountID: try need(int64(trade["ask_account_id"])),
                        bidAccountID: try need(int64(trade["bid_account_id"])), isLiquidation: liquidation))
            }
        }
    }
    return result
}

@Suite struct WireDifferentialTests {
    @Test func decoderMatchesJSONSerializationOnGeneratedMessages() throws {
        var generator = MessageGenerator(random: TestRandom(seed: 42))
        var checkedLevels = 0
        var checkedTrades = 0
        for index in 0..<3000 {
            let market = index % 2
            let decimals = try #require(testMarkets[market])
            let text =
                index % 3 == 0
                ? generator.tradeMessage(market: market, decimals: decimals) : generator.bookMessage(market: market, decimals: decimals)
            let expected = try reference(text, markets: testMarkets)
            let message = try decode(text)
            var actual = ReferenceMessage(type: "", marketID: message.marketID)
            switch message.kind {
            case .orderBookUpdate: actual.type = "update/order_book"
            case .orderBookSnapshot: actual.type = "subscribed/order_book"
            case .tradeUpdate: actual.type = "update/trade"
            case .tradeSnapshot: actual.type = "subscribed/trade"
            default: actual.type = "other"
            }
            actual.nonce = message.nonce
            if message.isOrderBook {
                actual.beginNonce = message.beginNonce
                actual.offset = message.offset
            }
            actual.bids = message.bids
            actual.asks = message.asks
            // Trade messages: the decoder puts trades then liquidation trades in message order;
            // compare as multisets keyed by id since the generator shuffles top-level keys.
            actual.trades = message.trades.sorted { ($0.isLiquidation ? 1 : 0, $0.tradeID) < ($1.isLiquidation ? 1 : 0, $1.tradeID) }
            var sortedExpected = expected
            sortedExpected.trades.sort { ($0.isLiquidation ? 1 : 0, $0.tradeID) < ($1.isLiquidation ? 1 : 0, $1.tradeID) }
            #expect(actual == sortedExpected, "message \(index): \(text)")
            checkedLevels += message.bids.count + message.asks.count
            checkedTrades += message.trades.count
        }
        #expect(checkedLevels > 10_000)
        #expect(checkedTrades > 2_000)
    }

    /// Random byte mutations of valid messages: the decoder must return or throw, never crash,
    /// and whatever it accepts must still be a well-formed message of a known market.
    @Test func randomMutationsNeverCrash() throws {
        var generator = MessageGenerator(random: TestRandom(seed: 7))
        var random = TestRandom(seed: 99)
        var decoder = MarketMessageDecoder(markets: testMarkets)
        var message = MarketMessage()
        var accepted = 0
        var rejected = 0
        let alphabet = Array("{}[]\":,.-0123456789eE+ tfnul\\ab".utf8)
        for index in 0..<20_000 {
            let market = index % 2
            let decimals = try #require(testMarkets[market])
            var bytes = Array(
                (index % 2 == 0 ? generator.bookMessage(market: market, decimals: decimals)
                    : generator.tradeMessage(market: market, decimals: decimals)).utf8)
            let mutations = Int(random.next() % 4) + 1
            for _ in 0..<mutations where !bytes.isEmpty {
                let position = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 4 {
                case 0: bytes[position] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: position)
                default: bytes.removeSubrange(position...)
                }
            }
            let ok = bytes.withUnsafeBytes { buffer -> Bool in
                do throws(WireError) {
                    try decoder.decode(buffer, into: &message)
                    return true
                } catch { return false }
            }
            if ok {
                accepted += 1
                if message.isOrderBook { #expect(message.marketID == 0 || message.marketID == 1) }
                for level in message.bids + message.asks { #expect(level.price.ticks >= 0 && level.size.lots >= 0) }
            } else {
                rejected += 1
            }
        }
        #expect(rejected > 5_000)
        #expect(accepted > 100)
    }
}
