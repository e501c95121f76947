@testable import Binance
import MarketCore
import TestServers
import Testing
import Trading

/// The alpha with explicit times (no sleeping): warm-up, staleness, disconnects and values.
/// Expected z-scores were computed with Python's `statistics.mean`/`statistics.stdev`.
@Suite struct BinanceImbalanceAlphaTests {
    /// A book with mid 1000 ticks: `bid` lots at 999, `ask` lots at 1001, and large levels far
    /// outside the 0.15 % band the tests use, which must not count. (Exactly 0.1 % would put the
    /// ask limit at 1000 × 1.001 = 1000.9999999999999, which `OrderBook.depth` rounds down to 1000.)
    func book(bid: Int64, ask: Int64) -> OrderBook {
        var book = OrderBook()
        book.replace(
            bids: [
                BookLevel(price: Price(ticks: 999), size: Quantity(lots: bid)),
                BookLevel(price: Price(ticks: 900), size: Quantity(lots: 1_000_000)),
            ],
            asks: [
                BookLevel(price: Price(ticks: 1001), size: Quantity(lots: ask)),
                BookLevel(price: Price(ticks: 1100), size: Quantity(lots: 7_000_000)),
            ])
        return book
    }

    func seconds(_ value: Double) -> Timestamp { Timestamp(seconds: 1_700_000_000 + value) }

    @Test func warmsUpThenPublishesTheZScore() throws {
        var alpha = BinanceImbalanceAlpha(
            configuration: .init(lookingDepth: 0.0015, windowSize: 4, minSamples: 3, staleSeconds: 2))
        #expect(alpha.status(at: seconds(0)) == .disconnected)
        alpha.observe(book: book(bid: 10, ask: 10), at: seconds(1))
        #expect(alpha.status(at: seconds(1)) == .warming(samples: 1, needed: 3))
        #expect(alpha.alpha(at: seconds(1)) == nil)
        alpha.observe(book: book(bid: 12, ask: 10), at: seconds(2))
        #expect(alpha.alpha(at: seconds(2)) == nil)
        alpha.observe(book: book(bid: 10, ask: 12), at: seconds(3))
        #expect(alpha.lastImbalance == -2)
        // Samples 0, 2, −2: mean 0, sample std 2 → z = −1.
        let value = try #require(alpha.alpha(at: seconds(3.5)))
        #expect(value == ExternalAlpha(value: -1, updatedAt: seconds(3), source: "binance_obi"))
    }

    @Test func bidHeavyBookGivesAPositiveAlpha() throws {
        var alpha = BinanceImbalanceAlpha(
            configuration: .init(lookingDepth: 0.0015, windowSize: 4, minSamples: 3, staleSeconds: 2))
        for (index, sizes) in [(10, 10), (12, 10), (10, 12), (40, 10)].enumerated() {
            alpha.observe(book: book(bid: Int64(sizes.0), ask: Int64(sizes.1)), at: seconds(Double(index)))
        }
        let heavy = try #require(alpha.alpha(at: seconds(3)))
        #expect(heavy.value > 0)
        #expect(abs(heavy.value - 1.4911893510952632) < 1e-12)
        // The window holds 4 samples: the next one evicts the first (0): window 2, −2, 30, 0.
        alpha.observe(book: book(bid: 10, ask: 10), at: seconds(4))
        let after = try #require(alpha.alpha(at: seconds(4)))
        #expect(abs(after.value - -0.4970631170317544) < 1e-12)
        #expect(alpha.sampleCount == 4)
    }

    @Test func balancedBookGivesZero() throws {
        var alpha = BinanceImbalanceAlpha(
            configuration: .init(lookingDepth: 0.0015, windowSize: 5, minSamples: 3, staleSeconds: 2))
        for (index, sizes) in [(15, 10), (10, 15), (15, 10), (10, 15), (20, 20)].enumerated() {
            alpha.observe(book: book(bid: Int64(sizes.0), ask: Int64(sizes.1)), at: seconds(Double(index)))
        }
        let value = try #require(alpha.alpha(at: seconds(4)))
        #expect(abs(value.value) < 1e-12)

        var flat = BinanceImbalanceAlpha(configuration: .init(lookingDepth: 0.0015, windowSize: 5, minSamples: 2))
        flat.observe(book: book(bid: 7, ask: 7), at: seconds(0))
        flat.observe(book: book(bid: 9, ask: 9), at: seconds(1))
        #expect(flat.alpha(at: seconds(1))?.value == 0)
    }

    @Test func goesStaleAfterTheLimitWithoutSleeping() {
        var alpha = BinanceImbalanceAlpha(
            configuration: .init(lookingDepth: 0.0015, windowSize: 4, minSamples: 2, staleSeconds: 2))
        let clock = ManualClock(start: seconds(0))
        alpha.observe(book: book(bid: 10, ask: 12), at: clock.now)
        clock.advance(byNanoseconds: 500_000_000)
        alpha.observe(book: book(bid: 12, ask: 10), at: clock.now)
        clock.advance(byNanoseconds: 2_000_000_000)
        #expect(alpha.alpha(at: clock.now) != nil)  // exactly 2 s old: still fresh
        clock.advance(byNanoseconds: 1)
        #expect(alpha.alpha(at: clock.now) == nil)
        #expect(alpha.status(at: clock.now) == .stale(ageNanoseconds: 2_000_000_001))
        alpha.observe(book: book(bid: 11, ask: 10), at: clock.now)
        #expect(alpha.alpha(at: clock.now) != nil)
    }

    @Test func disconnectWithholdsTheAlphaUntilTheNextSample() {
        var alpha = BinanceImbalanceAlpha(configuration: .init(lookingDepth: 0.0015, windowSize: 4, minSamples: 2))
        alpha.observe(book: book(bid: 10, ask: 12), at: seconds(0))
        alpha.observe(book: book(bid: 12, ask: 10), at: seconds(0.1))
        #expect(alpha.alpha(at: seconds(0.2)) != nil)
        alpha.markDisconnected()
        #expect(alpha.status(at: seconds(0.2)) == .disconnected)
        #expect(alpha.alpha(at: seconds(0.2)) == nil)
        alpha.observe(book: book(bid: 12, ask: 12), at: seconds(0.3))
        #expect(alpha.alpha(at: seconds(0.3)) != nil)
        #expect(alpha.sampleCount == 3)
    }

    @Test func oneSidedBooksAreNotSampledAndTheStepClockLimitsSamples() {
        var alpha = BinanceImbalanceAlpha(
            configuration: .init(lookingDepth: 0.0015, windowSize: 10, minSamples: 2, sampleInterval: 1))
        var oneSided = OrderBook()
        oneSided.replace(bids: [BookLevel(price: Price(ticks: 999), size: Quantity(lots: 5))], asks: [])
        let takenOneSided = alpha.observe(book: oneSided, at: seconds(0))
        let takenFirst = alpha.observe(book: book(bid: 1, ask: 2), at: seconds(0))
        let takenEarly = alpha.observe(book: book(bid: 1, ask: 2), at: seconds(0.5))
        let takenAfterInterval = alpha.observe(book: book(bid: 1, ask: 2), at: seconds(1))
        #expect(!takenOneSided)
        #expect(takenFirst)
        #expect(!takenEarly)
        #expect(takenAfterInterval)
        #expect(alpha.sampleCount == 2)
    }

    @Test func rollingWindowMatchesDirectComputation() {
        var window = RollingWindow(capacity: 5)
        for value in [3.0, 1, 4, 1, 5, 9, 2, 6] { window.add(value) }
        // Last five samples 1, 5, 9, 2, 6: mean 4.6, sample std 3.2093613071762426.
        #expect(window.count == 5)
        #expect(abs(window.mean - 4.6) < 1e-12)
        #expect(abs(window.standardDeviation - 3.2093613071762426) < 1e-12)
        var large = RollingWindow(capacity: 10)
        for value in [3.0, 1, 4, 1, 5, 9, 2, 6] { large.add(value) }
        #expect(abs(large.mean - 3.875) < 1e-12)
        #expect(abs(large.standardDeviation - 2.748376143938713) < 1e-12)
    }

    @Test func rollingWindowStaysExactOverALongRun() {
        // Many evictions with large offsets: compare with a direct two-pass computation of the last 50.
        var window = RollingWindow(capacity: 50)
        var random = SplitMix64(seed: 99)
        var all: [Double] = []
        for _ in 0..<10_007 {
            let value = 1e6 + Double(random.next() % 10_000) - 5_000
            all.append(value)
            window.add(value)
        }
        let last = all.suffix(50)
        let mean = last.reduce(0, +) / 50
        let std = (last.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 49).squareRoot()
        #expect(abs(window.mean - mean) < 1e-6)
        #expect(abs(window.standardDeviation - std) / std < 1e-9)
    }
}
