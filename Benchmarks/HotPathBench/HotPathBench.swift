// The quoting hot path: one book delta, one model quote, and both together, on a warm book.
// Run: swift package --package-path Benchmarks benchmark --target HotPathBench
import Benchmark
import MarketCore
import Quant
import Trading

/// A 50-level ETH-like book around 3000.00 with a deterministic stream of top-of-book deltas.
struct HotPathFixture {
    var book = OrderBook(capacity: 128)
    let spec = try! MarketSpec(symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4,
                               minBaseAmount: Quantity(lots: 50), minQuoteNotional: 10_000_000)
    var deltas: [BookDelta] = []

    init() {
        var rng = SplitMix64(seed: 7)
        book.replace(
            bids: (1...50).map { BookLevel(price: Price(ticks: 300_000 - Int64($0)), size: Quantity(lots: 1000 * Int64($0))) },
            asks: (1...50).map { BookLevel(price: Price(ticks: 300_000 + Int64($0)), size: Quantity(lots: 1000 * Int64($0))) })
        for index in 0..<4096 {
            let side: Side = rng.next() % 2 == 0 ? .buy : .sell
            let depth = Int64(rng.next() % 10) + 1
            let price = side == .buy ? 300_000 - depth : 300_000 + depth
            // Never remove the touch entirely, so the book stays two-sided and uncrossed.
            let size = depth == 1 ? Int64(rng.next() % 5000) + 1 : Int64(rng.next() % 5000)
            deltas.append(BookDelta(receivedAt: Timestamp(nanoseconds: Int64(index) * 1_000_000), exchangeTimeMs: 0,
                                    sequence: Int64(index), side: side, price: Price(ticks: price), size: Quantity(lots: size)))
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    // 1 000 iterations per sample, reported per iteration, so timer overhead does not dominate.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput], scalingFactor: .kilo, maxDuration: .seconds(3))

    // Baseline measured in the same run: the same deltas applied to a plain dictionary per side
    // (what a straightforward book would do), plus finding the best levels by scanning.
    Benchmark("baseline: dictionary book delta + best bid/ask") { benchmark in
        let fixture = HotPathFixture()
        var bids: [Int64: Int64] = [:]
        var asks: [Int64: Int64] = [:]
        fixture.book.bids.forEachLevel { bids[$0.price.ticks] = $0.size.lots }
        fixture.book.asks.forEachLevel { asks[$0.price.ticks] = $0.size.lots }
        var index = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let delta = fixture.deltas[index & 4095]
            if delta.side == .buy {
                bids[delta.price.ticks] = delta.size.lots == 0 ? nil : delta.size.lots
            } else {
                asks[delta.price.ticks] = delta.size.lots == 0 ? nil : delta.size.lots
            }
            blackHole(bids.keys.max())
            blackHole(asks.keys.min())
            index &+= 1
        }
    }

    Benchmark("book delta") { benchmark in
        var fixture = HotPathFixture()
        var index = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let delta = fixture.deltas[index & 4095]
            blackHole(fixture.book.apply(side: delta.side, price: delta.price, size: delta.size))
            index &+= 1
        }
    }

    // The vol+OBI model's inputs: the bid and ask sizes within 2.5 % of mid (all 50 levels of
    // the fixture). Baseline: walking every level in the band, as the book did before it kept
    // running totals; then the book's own `depth`, a binary search plus the smaller part.
    Benchmark("baseline: book delta + depth within 2.5 % by walking the levels") { benchmark in
        var fixture = HotPathFixture()
        var index = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let delta = fixture.deltas[index & 4095]
            fixture.book.apply(side: delta.side, price: delta.price, size: delta.size)
            let mid = fixture.book.midTicks ?? 0
            let bidLimit = Int64((mid * (1 - 0.025)).rounded(.up))
            let askLimit = Int64((mid * (1 + 0.025)).rounded(.down))
            var bidDepth: Int64 = 0
            var askDepth: Int64 = 0
            fixture.book.bids.forEachLevel { if $0.price.ticks >= bidLimit { bidDepth &+= $0.size.lots } }
            fixture.book.asks.forEachLevel { if $0.price.ticks <= askLimit { askDepth &+= $0.size.lots } }
            blackHole(bidDepth &- askDepth)
            index &+= 1
        }
    }

    Benchmark("book delta + depth within 2.5 % (OrderBook.depth)") { benchmark in
        var fixture = HotPathFixture()
        var index = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let delta = fixture.deltas[index & 4095]
            fixture.book.apply(side: delta.side, price: delta.price, size: delta.size)
            let bidDepth = fixture.book.depth(.buy, withinFractionOfMid: 0.025).lots
            let askDepth = fixture.book.depth(.sell, withinFractionOfMid: 0.025).lots
            blackHole(bidDepth &- askDepth)
            index &+= 1
        }
    }

    Benchmark("book delta + vol+OBI quote") { benchmark in
        var fixture = HotPathFixture()
        var strategy = try VolOBIStrategy(
            configuration: VolOBIConfiguration(stepNanos: 100_000_000, volWindow: 600, obiWindow: 600, c1: 0.02,
                                               positionLimit: 1, minWarmUpSamples: 2),
            shaper: LadderShaper(levels: 1, minSpreadBps: 2, maxSpreadBps: 500))
        var targets = QuoteTargets(levels: 4)
        // Warm up past the model's warm-up so the measured path is the quoting path.
        for (index, delta) in fixture.deltas.enumerated() {
            fixture.book.apply(side: delta.side, price: delta.price, size: delta.size)
            targets.removeAll()
            strategy.quote(QuoteInput(book: fixture.book, spec: fixture.spec, now: Timestamp(nanoseconds: Int64(index) * 50_000_000),
                                      position: .zero, maxPosition: Quantity(lots: 100_000), orderSize: Quantity(lots: 100)), into: &targets)
        }
        var index = 4096
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let delta = fixture.deltas[index & 4095]
            fixture.book.apply(side: delta.side, price: delta.price, size: delta.size)
            targets.removeAll()
            strategy.quote(QuoteInput(book: fixture.book, spec: fixture.spec, now: Timestamp(nanoseconds: Int64(index) * 50_000_000),
                                      position: Quantity(lots: 300), maxPosition: Quantity(lots: 100_000), orderSize: Quantity(lots: 100)),
                           into: &targets)
            blackHole(targets.bids.first)
            index &+= 1
        }
    }

    Benchmark("book delta + AS quote") { benchmark in
        var fixture = HotPathFixture()
        var strategy = try AvellanedaStoikovStrategy(gamma: 0.1, k: 1.5, horizonSeconds: 3600, sampleNanos: 100_000_000,
                                                     warmUpSamples: 2, shaper: LadderShaper())
        var targets = QuoteTargets(levels: 4)
        for (index, delta) in fixture.deltas.enumerated() {
            fixture.book.apply(side: delta.side, price: delta.price, size: delta.size)
            targets.removeAll()
            strategy.quote(QuoteInput(book: fixture.book, spec: fixture.spec, now: Timestamp(nanoseconds: Int64(index) * 50_000_000),
                                      position: .zero, maxPosition: Quantity(lots: 100_000), orderSize: Quantity(lots: 100)), into: &targets)
        }
        var index = 4096
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let delta = fixture.deltas[index & 4095]
            fixture.book.apply(side: delta.side, price: delta.price, size: delta.size)
            targets.removeAll()
            strategy.quote(QuoteInput(book: fixture.book, spec: fixture.spec, now: Timestamp(nanoseconds: Int64(index) * 50_000_000),
                                      position: Quantity(lots: 300), maxPosition: Quantity(lots: 100_000), orderSize: Quantity(lots: 100)),
                           into: &targets)
            blackHole(targets.asks.first)
            index &+= 1
        }
    }
}
