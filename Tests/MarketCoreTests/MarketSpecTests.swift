import MarketCore
import Testing

@Suite struct MarketSpecTests {
    let eth: MarketSpec

    init() throws {
        eth = try MarketSpec(
            symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4,
            minBaseAmount: "0.0050", minQuoteAmount: "10")
    }

    @Test func parsesAndFormats() throws {
        #expect(try eth.price("3024.66") == Price(ticks: 302466))
        #expect(eth.string(Price(ticks: 302466)) == "3024.66")
        #expect(try eth.quantity("1.2") == Quantity(lots: 12000))
        #expect(eth.string(Quantity(lots: 12000)) == "1.2000")
        #expect(eth.minBaseAmount == Quantity(lots: 50))
        #expect(eth.minQuoteNotional == 10_000_000)  // 10 at 6 notional decimals
    }

    @Test func errorsNameTheMarket() {
        #expect(throws: MarketSpec.Error.self) { try eth.price("3024.666") }
        do {
            _ = try eth.price("abc")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("ETH price"))
        }
    }

    @Test func roundsToTheGridInTheSafeDirection() {
        // 3024.66 × 100 is 302465.99999999994 in binary floating point: must still be 302466.
        #expect(eth.priceRoundedDown(3024.66) == Price(ticks: 302466))
        #expect(eth.priceRoundedUp(3024.66) == Price(ticks: 302466))
        #expect(eth.priceRoundedDown(3024.669) == Price(ticks: 302466))
        #expect(eth.priceRoundedUp(3024.661) == Price(ticks: 302467))
        #expect(eth.priceRounded(3024.665001) == Price(ticks: 302467))
        #expect(eth.quantityRoundedDown(0.12349) == Quantity(lots: 1234))
        #expect(eth.quantityRoundedUp(0.12341) == Quantity(lots: 1235))
    }

    @Test func coarseTickGrid() throws {
        let coarse = try MarketSpec(symbol: "X", marketID: 9, priceDecimals: 2, sizeDecimals: 0, tickSize: 5, lotSize: 10)
        #expect(coarse.priceRoundedDown(1.03) == Price(ticks: 100))
        #expect(coarse.priceRoundedUp(1.01) == Price(ticks: 105))
        #expect(coarse.priceRoundedDown(-0.01) == Price(ticks: -5))
        #expect(coarse.quantityRoundedUp(11) == Quantity(lots: 20))
        #expect(coarse.quantityRoundedDown(19) == Quantity(lots: 10))
    }

    @Test func minimums() {
        let price = Price(ticks: 300000)  // 3000.00
        // notional of 0.0033 ETH at 3000 = 9.9 < 10; 0.0034 → 10.2 ≥ 10; but min base is 0.0050.
        #expect(!eth.meetsMinimums(price: price, quantity: Quantity(lots: 34)))
        #expect(eth.meetsMinimums(price: price, quantity: Quantity(lots: 50)))
        #expect(eth.minimumQuantity(at: price) == Quantity(lots: 50))
        // At 1000.00, 10 USD needs 0.0100 ETH, more than the 0.0050 base minimum.
        #expect(eth.minimumQuantity(at: Price(ticks: 100000)) == Quantity(lots: 100))
        #expect(eth.notional(price: price, quantity: Quantity(lots: 50)) == 15_000_000)
        #expect(eth.notionalValue(price: price, quantity: Quantity(lots: 50)) == 15.0)
    }

    @Test func rejectsBadSpecs() {
        #expect(throws: MarketSpec.Error.self) {
            try MarketSpec(symbol: "BAD", marketID: 1, priceDecimals: 13, sizeDecimals: 0)
        }
        #expect(throws: MarketSpec.Error.self) {
            try MarketSpec(symbol: "BAD", marketID: 1, priceDecimals: 2, sizeDecimals: 2, tickSize: 0)
        }
    }
}
