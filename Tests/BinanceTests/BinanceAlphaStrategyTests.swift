import Binance
import MarketCore
import Quant
import Testing
import Trading

/// The Binance imbalance alpha driving the vol+OBI strategy of a Lighter market: used while
/// fresh, dropped for Lighter's own imbalance once stale, and named in the targets for the log.
@Suite struct BinanceAlphaStrategyTests {
    static let start = 1_700_000_000.0
    static let spec = try! MarketSpec(
        symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4, minBaseAmount: Quantity(lots: 10),
        minQuoteNotional: 0)

    /// A Binance book with mid 1000 ticks: `bid` lots at 999, `ask` lots at 1001, and big levels
    /// outside the 0.15 % band.
    func binanceBook(bid: Int64, ask: Int64) -> OrderBook {
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

    /// A Lighter input: best bid and ask one tick around 100.00.
    func lighterInput(at now: Timestamp, bidSize: Int64, askSize: Int64, alpha: ExternalAlpha?) -> QuoteInput {
        var book = OrderBook()
        book.replace(
            bids: [BookLevel(price: Price(ticks: 9_999), size: Quantity(lots: bidSize))],
            asks: [BookLevel(price: Price(ticks: 10_001), size: Quantity(lots: askSize))])
        return QuoteInput(
            book: book, spec: Self.spec, now: now, position: Quantity(lots: 0), maxPosition: Quantity(lots: 100_000),
            orderSize: Quantity(lots: 10_000), externalAlpha: alpha)
    }

    @Test func freshBinanceAlphaMovesTheFairPriceThenStaleFallsBackToLighterOBI() throws {
        let clock = ManualClock(start: Timestamp(seconds: Self.start))
        func second(_ value: Double) -> Timestamp { Timestamp(seconds: Self.start + value) }
        var alpha = BinanceImbalanceAlpha(
            configuration: .init(lookingDepth: 0.0015, windowSize: 20, minSamples: 5, staleSeconds: 2))
        // Model defaults keep an external alpha 5 s; the Binance alpha goes stale after 2 s.
        var strategy = try VolOBIStrategy(
            configuration: VolOBIConfiguration(
                stepNanos: 1_000_000_000, volWindow: 50, obiWindow: 50, lookingDepth: 0.01, volToHalfSpread: 1,
                c1: 0.05, skew: 1, positionLimit: 1, minHalfSpreadBps: 1, minWarmUpSamples: 5, minWarmUpNanos: 0),
            shaper: LadderShaper())
        var targets = QuoteTargets()
        // Binance imbalances (bid − ask lots in the band) 0, 2, −2, 0, 2, −2 at seconds 24…29, then a
        // bid-heavy book (+30) at second 30.
        let binanceSizes: [Double: (Int64, Int64)] = [
            24: (10, 10), 25: (12, 10), 26: (10, 12), 27: (10, 10), 28: (12, 10), 29: (10, 12), 30: (40, 10),
        ]
        for tick in 0...30 {
            let now = second(Double(tick))
            clock.advance(to: now)
            if let sizes = binanceSizes[Double(tick)] {
                alpha.observe(book: binanceBook(bid: sizes.0, ask: sizes.1), at: clock.now)
            }
            let external = alpha.alpha(at: clock.now)
            // Warm-up: five samples are needed before the alpha is published.
            if tick < 28 { #expect(external == nil, "second \(tick)") }
            targets.removeAll()
            // Lighter's own book: balanced while warming, ask-heavy at the end (own alpha < 0).
            let askSize: Int64 = tick == 30 ? 9_000 : (tick % 2 == 0 ? 1_000 : 1_200)
            strategy.quote(lighterInput(at: clock.now, bidSize: 1_000, askSize: askSize, alpha: external), into: &targets)
        }
        let external = try #require(alpha.alpha(at: clock.now))
        #expect(external.source.description == "binance_obi")
        // Python: (30 − mean) / stdev of [0, 2, −2, 0, 2, −2, 30] = 2.2446286705258283.
        #expect(abs(external.value - 2.2446286705258283) < 1e-12)
        let used = try #require(strategy.lastQuote)
        #expect(used.alphaSource == .external)
        #expect(abs(used.alpha - 2.2446286705258283) < 1e-12)
        // fair = mid + c1 · alpha = 100 + 0.05 × 2.2446… (Lighter's ask-heavy book would pull it down).
        #expect(abs(used.fairPrice - (100 + 0.05 * 2.2446286705258283)) < 1e-9)
        #expect(used.fairPrice > used.mid)
        #expect(targets.alpha == QuoteAlphaNote(source: "binance_obi"))
        #expect(targets.alpha?.description == "alpha=binance_obi")
        #expect(!targets.bids.isEmpty && !targets.asks.isEmpty)

        // Three seconds without a Binance sample: the alpha is withheld (stale after 2 s), and the
        // strategy uses Lighter's own imbalance even though the model would keep an alpha 5 s.
        clock.advance(to: second(33))
        #expect(alpha.alpha(at: clock.now) == nil)
        #expect(alpha.status(at: clock.now).description.contains("stale"))
        targets.removeAll()
        strategy.quote(
            lighterInput(at: clock.now, bidSize: 1_000, askSize: 9_000, alpha: alpha.alpha(at: clock.now)), into: &targets)
        let own = try #require(strategy.lastQuote)
        #expect(own.alphaSource == .ownImbalance)
        #expect(own.alpha < 0)
        #expect(own.fairPrice < own.mid)
        #expect(targets.alpha == .lighterOBI)
        #expect(targets.alpha?.description == "alpha=lighter_obi")
    }

    @Test func decisionLinesNameTheAlpha() {
        let place = Decision(
            time: Timestamp(seconds: Self.start), marketID: 0, side: .buy, level: 0, kind: .place,
            toPrice: Price(ticks: 9_998), toSize: Quantity(lots: 100), reason: .target(inventory: Quantity(lots: 0)),
            alpha: QuoteAlphaNote(source: "binance_obi"))
        #expect(place.line(spec: Self.spec).hasSuffix(", alpha=binance_obi)"))
        var hold = place
        hold.kind = .hold
        hold.alpha = .lighterOBI
        #expect(hold.line(spec: Self.spec).hasSuffix(", alpha=lighter_obi)"))
        hold.alpha = nil
        #expect(!hold.line(spec: Self.spec).contains("alpha="))
    }

    /// A vol+OBI engine for an ETH-like market, one level per side, fixed 0.01 ETH orders.
    func makeEngine() throws -> (Engine<VolOBIStrategy>, MarketSpec) {
        let spec = try MarketSpec(
            symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4, minBaseAmount: Quantity(lots: 50),
            minQuoteNotional: 10_000_000)
        var configuration = EngineConfiguration()
        configuration.orderManager = OrderManagerConfiguration(
            levelsPerSide: 1, toleranceBps: 2, fillLockoutMs: 500, actionLockoutMs: 250, rejectLockoutMs: 2000,
            maxLiveOrders: 8, timeInForce: .postOnly)
        configuration.risk = RiskConfiguration(
            maxPosition: .base(Quantity(lots: 10_000)), useDynamicLimit: false, dailyLossLimitUSD: nil,
            circuitBreakerRejects: 3, circuitBreakerCooldownMs: 10_000, flattenSlippageBps: 50)
        configuration.sizing = SizingConfiguration(rule: .fixed(Quantity(lots: 100)))
        configuration.recordRepeatedHolds = true
        let strategy = try VolOBIStrategy(
            configuration: VolOBIConfiguration(
                stepNanos: 1_000_000_000, volWindow: 50, obiWindow: 50, lookingDepth: 0.01, volToHalfSpread: 1,
                c1: 0.05, skew: 1, positionLimit: 1, minHalfSpreadBps: 1, minWarmUpSamples: 5, minWarmUpNanos: 0),
            shaper: LadderShaper())
        let engine = Engine(spec: spec, strategy: strategy, configuration: configuration, ids: ClientOrderIDGenerator(start: 1))
        return (engine, spec)
    }

    /// Shows the engine a Lighter book at second `tick` with `alpha` as its external alpha;
    /// returns the decision lines it made.
    func show(_ engine: Engine<VolOBIStrategy>, spec: MarketSpec, tick: Int, alpha: ExternalAlpha?) -> [String] {
        let now = Timestamp(seconds: Self.start + Double(tick))
        engine.externalAlpha = alpha
        let before = engine.decisions.decisions.count
        let askSize: Int64 = tick % 2 == 0 ? 10_000 : 12_000
        engine.handle(
            .bookSnapshot(
                BookSnapshot(
                    receivedAt: now, exchangeTimeMs: now.nanoseconds / 1_000_000, sequence: Int64(tick + 1),
                    bids: [BookLevel(price: Price(ticks: 302_400), size: Quantity(lots: 10_000))],
                    asks: [BookLevel(price: Price(ticks: 302_500), size: Quantity(lots: askSize))])))
        return engine.decisions.decisions[before...].map { $0.line(spec: spec) }
    }

    @Test func engineDecisionLinesSayWhichAlphaWasUsed() throws {
        // No Binance feed: the orders are placed on Lighter's own OBI.
        let (alone, spec) = try makeEngine()
        var aloneLines: [String] = []
        for tick in 0...6 { aloneLines += show(alone, spec: spec, tick: tick, alpha: nil) }
        let ownPlaces = aloneLines.filter { $0.contains(": place ") }
        #expect(ownPlaces.count == 2, "\(aloneLines)")
        #expect(ownPlaces.allSatisfy { $0.hasSuffix("(target, inventory=0, alpha=lighter_obi)") }, "\(ownPlaces)")

        // With the Binance alpha (warm from second 28): the orders are placed on it.
        let (engine, _) = try makeEngine()
        var alpha = BinanceImbalanceAlpha(
            configuration: .init(lookingDepth: 0.0015, windowSize: 20, minSamples: 5, staleSeconds: 2))
        let binanceSizes: [Int: (Int64, Int64)] = [
            24: (10, 10), 25: (12, 10), 26: (10, 12), 27: (10, 10), 28: (12, 10), 29: (10, 12), 30: (40, 10),
        ]
        var lines: [String] = []
        for tick in 24...30 {
            let now = Timestamp(seconds: Self.start + Double(tick))
            if let sizes = binanceSizes[tick] { alpha.observe(book: binanceBook(bid: sizes.0, ask: sizes.1), at: now) }
            lines += show(engine, spec: spec, tick: tick, alpha: alpha.alpha(at: now))
        }
        #expect(engine.strategy.lastQuote?.alphaSource == .external)
        let places = lines.filter { $0.contains(": place ") }
        #expect(places.count == 2, "\(lines)")
        #expect(places.allSatisfy { $0.hasSuffix("(target, inventory=0, alpha=binance_obi)") }, "\(places)")
        #expect(!lines.contains { $0.contains("alpha=lighter_obi") }, "\(lines)")
        // Second 33: stale; back to Lighter's OBI, and the lines (holds: the places are unacknowledged) say so.
        let stale = show(engine, spec: spec, tick: 33, alpha: alpha.alpha(at: Timestamp(seconds: Self.start + 33)))
        #expect(engine.strategy.lastQuote?.alphaSource == .ownImbalance)
        #expect(!stale.isEmpty)
        #expect(stale.allSatisfy { $0.hasSuffix(", alpha=lighter_obi)") }, "\(stale)")
    }
}
