import Binance
import Foundation
import MarketCore
import TestServers
import Testing

/// The byte parser against an independent reference: Foundation's `JSONSerialization` for the
/// structure and `Decimal` for the numbers, on many generated messages in Binance's formats.
@Suite struct BinanceParserDifferentialTests {
    /// Decodes a `[[price, size], …]` array with Foundation, scaling by `Decimal` arithmetic.
    func referenceLevels(_ value: Any?, priceDecimals: Int, sizeDecimals: Int) throws -> [BookLevel] {
        let pairs = try #require(value as? [[String]])
        return try pairs.map { pair in
            BookLevel(
                price: Price(ticks: try scaled(pair[0], decimals: priceDecimals)),
                size: Quantity(lots: try scaled(pair[1], decimals: sizeDecimals)))
        }
    }

    func scaled(_ text: String, decimals: Int) throws -> Int64 {
        let decimal = try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
        var power = Decimal(1)
        for _ in 0..<decimals { power *= 10 }
        let product = decimal * power
        return Int64(try #require(Int(NSDecimalNumber(decimal: product).stringValue)))
    }

    func integer(_ value: Any?) throws -> Int64 {
        let number = try #require(value as? NSNumber)
        return number.int64Value
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func diffEventsMatchFoundation(seed: UInt64) throws {
        let market = ReferenceMarket(eventCount: 200, seed: seed)
        var parser = BinanceMessageParser(priceDecimals: 1, sizeDecimals: 3)
        for index in market.events.indices {
            let text = #"{"stream":"btcusdt@depth@100ms","data":\#(market.diffJSON(index))}"#
            guard case .depthUpdate(let update) = try parser.parse(text) else {
                Issue.record("event \(index) not parsed as a depth update")
                return
            }
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let data = try #require(object["data"] as? [String: Any])
            #expect(update.firstUpdateID == (try integer(data["U"])))
            #expect(update.finalUpdateID == (try integer(data["u"])))
            #expect(update.previousFinalUpdateID == (try integer(data["pu"])))
            #expect(update.eventTimeMs == (try integer(data["E"])))
            #expect(update.transactionTimeMs == (try integer(data["T"])))
            #expect(update.bids == (try referenceLevels(data["b"], priceDecimals: 1, sizeDecimals: 3)))
            #expect(update.asks == (try referenceLevels(data["a"], priceDecimals: 1, sizeDecimals: 3)))
        }
    }

    @Test func snapshotsMatchFoundation() throws {
        let market = ReferenceMarket(eventCount: 50, seed: 21)
        var parser = BinanceMessageParser(priceDecimals: 1, sizeDecimals: 3)
        for event in market.events {
            let text = market.snapshotJSON(through: event.final)
            guard case .depthSnapshot(let snapshot) = try parser.parse(text) else {
                Issue.record("not parsed as a snapshot")
                return
            }
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(snapshot.lastUpdateID == (try integer(object["lastUpdateId"])))
            #expect(snapshot.bids == (try referenceLevels(object["bids"], priceDecimals: 1, sizeDecimals: 3)))
            #expect(snapshot.asks == (try referenceLevels(object["asks"], priceDecimals: 1, sizeDecimals: 3)))
            #expect(!snapshot.bids.isEmpty && !snapshot.asks.isEmpty)
        }
    }
}
