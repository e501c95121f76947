import MarketCore
import Testing

@Suite struct OrderBookTests {
    func level(_ price: Int64, _ size: Int64) -> BookLevel {
        BookLevel(price: Price(ticks: price), size: Quantity(lots: size))
    }

    @Test func snapshotAndQueries() {
        var book = OrderBook()
        book.replace(
            bids: [level(100, 5), level(98, 7), level(99, 1)],
            asks: [level(103, 2), level(101, 3), level(105, 0)])
        #expect(book.bestBid == level(100, 5))
        #expect(book.bestAsk == level(101, 3))
        #expect(book.midTicks == 100.5)
        #expect(book.spreadTicks == 1)
        // microprice = (100·3 + 101·5) / 8 = 805 / 8
        #expect(book.micropriceTicks == 805.0 / 8.0)
        #expect(book.bids.levels() == [level(100, 5), level(99, 1), level(98, 7)])
        #expect(book.asks.levels() == [level(101, 3), level(103, 2)])
        #expect(book.asks.level(at: 1) == level(103, 2))
        #expect(book.asks.level(at: 2) == nil)
        #expect(book.bids.size(at: Price(ticks: 99)) == Quantity(lots: 1))
        #expect(book.bids.size(at: Price(ticks: 97)) == .zero)
        #expect(!book.isCrossed)
    }

    @Test func deltasAddChangeAndRemove() {
        var book = OrderBook()
        book.replace(bids: [level(100, 5)], asks: [level(102, 3)])
        #expect(book.apply(side: .buy, price: Price(ticks: 101), size: Quantity(lots: 4)) == .zero)
        #expect(book.bestBid == level(101, 4))
        #expect(book.apply(side: .buy, price: Price(ticks: 101), size: Quantity(lots: 9)) == Quantity(lots: 4))
        #expect(book.apply(side: .buy, price: Price(ticks: 101), size: .zero) == Quantity(lots: 9))
        #expect(book.bestBid == level(100, 5))
        // Removing a level that does not exist changes nothing.
        #expect(book.apply(side: .sell, price: Price(ticks: 110), size: .zero) == .zero)
        #expect(book.asks.count == 1)
    }

    @Test func crossedAndOneSided() {
        var book = OrderBook()
        #expect(book.midTicks == nil)
        #expect(book.spreadTicks == nil)
        book.apply(side: .buy, price: Price(ticks: 100), size: Quantity(lots: 1))
        #expect(book.midTicks == nil)
        #expect(!book.isTwoSided)
        book.apply(side: .sell, price: Price(ticks: 100), size: Quantity(lots: 1))
        #expect(book.isLockedOrCrossed)
        #expect(!book.isCrossed)
        book.apply(side: .sell, price: Price(ticks: 99), size: Quantity(lots: 1))
        #expect(book.isCrossed)
    }

    @Test func depthWithinFractionOfMid() {
        var book = OrderBook()
        // mid = 1000; 1% band → bids ≥ 990, asks ≤ 1010.
        book.replace(
            bids: [level(999, 1), level(995, 2), level(990, 4), level(989, 8)],
            asks: [level(1001, 16), level(1010, 32), level(1011, 64)])
        #expect(book.depth(.buy, withinFractionOfMid: 0.01) == Quantity(lots: 7))
        #expect(book.depth(.sell, withinFractionOfMid: 0.01) == Quantity(lots: 48))
        #expect(book.depth(.buy, withinFractionOfMid: 0) == .zero)
    }

    @Test func depthBandEdgesSurviveFloatingPointNoise() {
        // 1000 × 1.001 = 1000.9999999999999 in binary: the ask at exactly 1001 is still inside.
        var book = OrderBook()
        book.replace(bids: [level(999, 1), level(999 - 0, 1)], asks: [level(1001, 2), level(1002, 4)])
        #expect(book.midTicks == 1000)
        #expect(book.depth(.sell, withinFractionOfMid: 0.001) == Quantity(lots: 2))
        #expect(book.depth(.buy, withinFractionOfMid: 0.001) == Quantity(lots: 1))
    }

    /// A deliberately simple reference: a dictionary per side, sorted on demand.
    struct ReferenceBook {
        var bids: [Int64: Int64] = [:]
        var asks: [Int64: Int64] = [:]
        mutating func apply(_ side: Side, _ price: Int64, _ size: Int64) {
            if side == .buy { bids[price] = size == 0 ? nil : size } else { asks[price] = size == 0 ? nil : size }
        }
        var sortedBids: [BookLevel] {
            bids.sorted { $0.key > $1.key }.map { BookLevel(price: Price(ticks: $0.key), size: Quantity(lots: $0.value)) }
        }
        var sortedAsks: [BookLevel] {
            asks.sorted { $0.key < $1.key }.map { BookLevel(price: Price(ticks: $0.key), size: Quantity(lots: $0.value)) }
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func matchesReferenceOnRandomDeltas(seed: UInt64) {
        var rng = SplitMix(seed: seed)
        var book = OrderBook(capacity: 8)  // small capacity: growth must work too
        var reference = ReferenceBook()
        for step in 0..<20_000 {
            if step % 5000 == 0 {
                // A fresh snapshot now and then, in random order.
                let bids = (0..<Int(rng.next() % 30)).map { _ in level(900 + Int64(rng.next() % 100), 1 + Int64(rng.next() % 50)) }
                let asks = (0..<Int(rng.next() % 30)).map { _ in level(1001 + Int64(rng.next() % 100), 1 + Int64(rng.next() % 50)) }
                book.replace(bids: bids, asks: asks)
                reference = ReferenceBook()
                for l in bids { reference.apply(.buy, l.price.ticks, l.size.lots) }
                for l in asks { reference.apply(.sell, l.price.ticks, l.size.lots) }
            }
            let side: Side = rng.next() % 2 == 0 ? .buy : .sell
            let price = side == .buy ? 900 + Int64(rng.next() % 100) : 1001 + Int64(rng.next() % 100)
            let size = rng.next() % 3 == 0 ? 0 : Int64(rng.next() % 1000)
            let before = book.apply(side: side, price: Price(ticks: price), size: Quantity(lots: size))
            let expectedBefore = (side == .buy ? reference.bids[price] : reference.asks[price]) ?? 0
            #expect(before.lots == expectedBefore)
            reference.apply(side, price, size)
            if step % 97 == 0 {
                #expect(book.bids.levels() == reference.sortedBids)
                #expect(book.asks.levels() == reference.sortedAsks)
            }
        }
        #expect(book.bids.levels() == reference.sortedBids)
        #expect(book.asks.levels() == reference.sortedAsks)
        #expect(book.bestBid == reference.sortedBids.first)
        #expect(book.bestAsk == reference.sortedAsks.first)
    }

    @Test func forEachLevelStopsAtLimit() {
        var book = OrderBook()
        book.replace(bids: (1...20).map { level(Int64($0), 1) }, asks: [])
        var seen: [Int64] = []
        book.bids.forEachLevel(limit: 10) { seen.append($0.price.ticks) }
        #expect(seen == Array((11...20).reversed()))
    }
}

/// SplitMix64: a tiny seeded generator for reproducible random tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The running side totals behind `totalSize(atOrBetterThan:)` and `depth(_:withinFractionOfMid:)`
/// against a straightforward scan of the levels, on random books changed at random.
@Suite struct OrderBookTotalsTests {
    /// The sum of sizes of the levels at `limit` or better, by walking every level.
    func scanned(_ side: BookSide, atOrBetterThan limit: Price) -> Int64 {
        var sum: Int64 = 0
        side.forEachLevel { level in
            if side.side == .buy ? level.price >= limit : level.price <= limit { sum &+= level.size.lots }
        }
        return sum
    }

    func level(_ price: Int64, _ size: Int64) -> BookLevel { BookLevel(price: Price(ticks: price), size: Quantity(lots: size)) }

    @Test func levelsAndTotalsMatchAReferenceAfterRandomChanges() {
        var random = SplitMix(seed: 5)
        var book = OrderBook(capacity: 16)
        var reference: [Side: [Int64: Int64]] = [.buy: [:], .sell: [:]]
        var checks = 0
        for round in 0..<4000 {
            if round % 1000 == 0 {
                // A fresh snapshot now and then (replace and removeAll keep the totals right).
                book.removeAll()
                let bids = (1...Int64(random.next() % 60 + 1)).map { level(10_000 - $0, Int64(random.next() % 1000)) }
                let asks = (1...Int64(random.next() % 60 + 1)).map { level(10_000 + $0, Int64(random.next() % 1000)) }
                book.replace(bids: bids.shuffled(), asks: asks.shuffled())
                reference = [.buy: [:], .sell: [:]]
                for entry in bids where entry.size.lots != 0 { reference[.buy]?[entry.price.ticks] = entry.size.lots }
                for entry in asks where entry.size.lots != 0 { reference[.sell]?[entry.price.ticks] = entry.size.lots }
            }
            let side: Side = random.next() % 2 == 0 ? .buy : .sell
            let distance = Int64(random.next() % 300) + 1
            let price = Price(ticks: side == .buy ? 10_000 - distance : 10_000 + distance)
            let size = random.next() % 3 == 0 ? 0 : Int64(random.next() % 5000)
            book.apply(side: side, price: price, size: Quantity(lots: size))
            reference[side]?[price.ticks] = size == 0 ? nil : size
            // The levels, best first, equal the reference's non-empty prices sorted.
            let expectedBids = (reference[.buy] ?? [:]).sorted { $0.key > $1.key }.map { level($0.key, $0.value) }
            let expectedAsks = (reference[.sell] ?? [:]).sorted { $0.key < $1.key }.map { level($0.key, $0.value) }
            #expect(book.bids.levels() == expectedBids)
            #expect(book.asks.levels() == expectedAsks)
            for bookSide in [book.bids, book.asks] {
                var all: Int64 = 0
                bookSide.forEachLevel { all += $0.size.lots }
                #expect(bookSide.totalSize.lots == all)
                let probe = Price(ticks: 10_000 + (bookSide.side == .buy ? -1 : 1) * (Int64(random.next() % 320) - 10))
                #expect(bookSide.totalSize(atOrBetterThan: probe).lots == scanned(bookSide, atOrBetterThan: probe))
                checks += 1
            }
            // depth within a fraction of mid: bids ≥ ⌈mid(1 − f)⌉, asks ≤ ⌊mid(1 + f)⌋, where a
            // product within 10⁻⁹ (relative) of a whole tick counts as that tick (the documented
            // snapping of floating-point noise: 10000.5 × 1.0019 is 10019.999… in binary).
            if let mid = book.midTicks {
                let fraction = Double(random.next() % 400) / 10_000
                func snap(_ value: Double) -> Double {
                    abs(value - value.rounded()) <= 1e-9 * max(1, abs(value)) ? value.rounded() : value
                }
                let bidLimit = Price(ticks: Int64(snap(mid * (1 - fraction)).rounded(.up)))
                let askLimit = Price(ticks: Int64(snap(mid * (1 + fraction)).rounded(.down)))
                #expect(book.depth(.buy, withinFractionOfMid: fraction).lots == scanned(book.bids, atOrBetterThan: bidLimit))
                #expect(book.depth(.sell, withinFractionOfMid: fraction).lots == scanned(book.asks, atOrBetterThan: askLimit))
                let both = book.depths(withinFractionOfMid: fraction)
                #expect(both.bids.lots == scanned(book.bids, atOrBetterThan: bidLimit))
                #expect(both.asks.lots == scanned(book.asks, atOrBetterThan: askLimit))
            }
        }
        #expect(checks == 8000)
    }
}
