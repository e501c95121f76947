#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MarketCore

/// The parameters of a synthetic market: its price process, book shape and order flow.
///
/// Prices are integers of the market's tick; the book's levels sit on a grid of
/// ``levelSpacingTicks`` around a fair price that diffuses (log-normal, ``annualVolatility``) with
/// occasional jumps. Order flow:
///
/// - *Book activity* (adds and cancels) arrives at ``bookEventsPerSecond`` in total, at level `i`
///   from the top with weight `e^(−bookActivityDecay·i)`; each event adds to or cancels from the
///   level, leaning toward the level's target size ``levelSize``·(1 + ``levelSizeGrowth``·i).
/// - *Aggressive orders* arrive on each side at ``tradeIntensity`` (A) per second. Each reaches a
///   random distance δ from the mid with `P(δ > x) = e^(−k·x)` (k = ``tradeDecayPerTick``) and
///   trades every level within its reach (the last one partly), all prints at the book as it
///   stood before the order. When it empties the best level, the fair price moves one level
///   spacing its way (price impact: the mid's realised volatility is a little above
///   ``annualVolatility``, about 10 % for the ETH preset) and the book re-centres there; deeper
///   levels it emptied are refilled at once, and cancels never empty a level. So the book never
///   has gaps: the mid is always half a level spacing from the best levels, level `i` of a side
///   is `(i + ½)·spacing` ticks from it, and trades print at that level at exactly the rate
///   `λ(δ) = A·e^(−k·δ)` of the Avellaneda–Stoikov model, per side, with δ = `(i + ½)·spacing`
///   (per level, not per tick: bucket an intensity fit by the level spacing; a fit that adds the
///   two sides measures 2A).
/// - When the fair price moves past a level, the levels it passed are withdrawn (their makers
///   cancel; no trade prints), the book re-centres and the new opposite levels appear at and
///   through their prices: a resting order there (ours, in a backtest) is crossed by them, the
///   adverse selection a market maker feels. (Earlier versions printed these sweeps as trades at
///   the touch: with 65 % volatility and 10-tick levels, about 9 a second on top of the 2A = 5
///   aggressive orders, which is why an intensity fit measured 2A ≈ 15/s and k ≈ 0.11 instead of
///   5/s and 0.06.)
public struct SyntheticMarketConfiguration: Hashable, Sendable {
    /// The market (decimals, minimums).
    public var spec: MarketSpec
    /// The time of the first event.
    public var startTime: Timestamp
    /// How long the market runs, in nanoseconds.
    public var durationNanoseconds: Int64
    /// The starting fair price, in quote currency.
    public var initialPrice: Double
    /// Annualised volatility of the fair price (0.6 = 60 %).
    public var annualVolatility: Double
    /// How often the fair price moves, in nanoseconds.
    public var priceStepNanoseconds: Int64
    /// Expected number of price jumps per day.
    public var jumpsPerDay: Double
    /// Standard deviation of a jump's log-return (0.003 = 0.3 %).
    public var jumpStandardDeviation: Double
    /// Levels kept on each side (the visible depth), at least 10.
    public var levels: Int
    /// Ticks between neighbouring levels (the spread is one spacing when the book is full).
    public var levelSpacingTicks: Int64
    /// The target size of the best level, in base units.
    public var levelSize: Double
    /// How much larger each deeper level's target is: `levelSize·(1 + growth·i)`.
    public var levelSizeGrowth: Double
    /// Adds and cancels per second, over both sides.
    public var bookEventsPerSecond: Double
    /// Decay of book activity with the level index.
    public var bookActivityDecay: Double
    /// A: aggressive orders per second on each side; the rate of trades at distance 0 from the
    /// mid, per side, of `λ(δ) = A·e^(−kδ)`.
    public var tradeIntensity: Double
    /// k: decay of an aggressive order's reach, per tick of distance from the mid (the k of
    /// `λ(δ) = A·e^(−kδ)` with δ in ticks).
    public var tradeDecayPerTick: Double

    /// A configuration; see the type's discussion for the meaning of each value.
    public init(
        spec: MarketSpec, startTime: Timestamp = SyntheticMarketConfiguration.defaultStart,
        durationNanoseconds: Int64 = 3_600_000_000_000, initialPrice: Double, annualVolatility: Double,
        priceStepNanoseconds: Int64 = 100_000_000, jumpsPerDay: Double, jumpStandardDeviation: Double, levels: Int,
        levelSpacingTicks: Int64, levelSize: Double, levelSizeGrowth: Double, bookEventsPerSecond: Double,
        bookActivityDecay: Double, tradeIntensity: Double, tradeDecayPerTick: Double
    ) {
        self.spec = spec
        self.startTime = startTime
        self.durationNanoseconds = durationNanoseconds
        self.initialPrice = initialPrice
        self.annualVolatility = annualVolatility
        self.priceStepNanoseconds = priceStepNanoseconds
        self.jumpsPerDay = jumpsPerDay
        self.jumpStandardDeviation = jumpStandardDeviation
        self.levels = levels
        self.levelSpacingTicks = levelSpacingTicks
        self.levelSize = levelSize
        self.levelSizeGrowth = levelSizeGrowth
        self.bookEventsPerSecond = bookEventsPerSecond
        self.bookActivityDecay = bookActivityDecay
        self.tradeIntensity = tradeIntensity
        self.tradeDecayPerTick = tradeDecayPerTick
    }

    /// 2026-01-01T00:00:00Z, the default start.
    public static let defaultStart = Timestamp(nanoseconds: 1_767_225_600_000_000_000)

    /// An ETH-like perpetual: price decimals 2, size decimals 4, minimums 0.005 ETH and 10 USDC,
    /// price 3000, 65 % volatility, 20 levels 0.10 apart (about 0.33 bp), about 9–10 M events a day.
    public static func eth(durationNanoseconds: Int64 = 3_600_000_000_000) -> SyntheticMarketConfiguration {
        SyntheticMarketConfiguration(
            spec: MarketSpec.syntheticETH, durationNanoseconds: durationNanoseconds, initialPrice: 3000,
            annualVolatility: 0.65, jumpsPerDay: 6, jumpStandardDeviation: 0.003, levels: 20, levelSpacingTicks: 10,
            levelSize: 4, levelSizeGrowth: 0.15, bookEventsPerSecond: 60, bookActivityDecay: 0.12,
            tradeIntensity: 2.5, tradeDecayPerTick: 0.06)
    }

    /// A BTC-like perpetual: price decimals 1, size decimals 5, minimums 0.0002 BTC and 10 USDC,
    /// price 90 000, 50 % volatility, 20 levels 2.0 apart (about 0.22 bp).
    public static func btc(durationNanoseconds: Int64 = 3_600_000_000_000) -> SyntheticMarketConfiguration {
        SyntheticMarketConfiguration(
            spec: MarketSpec.syntheticBTC, durationNanoseconds: durationNanoseconds, initialPrice: 90_000,
            annualVolatility: 0.5, jumpsPerDay: 6, jumpStandardDeviation: 0.003, levels: 20, levelSpacingTicks: 20,
            levelSize: 0.4, levelSizeGrowth: 0.15, bookEventsPerSecond: 70, bookActivityDecay: 0.12,
            tradeIntensity: 3, tradeDecayPerTick: 0.05)
    }

    /// The preset for a symbol (`ETH` or `BTC`, any case), if there is one.
    public static func preset(symbol: String, durationNanoseconds: Int64) -> SyntheticMarketConfiguration? {
        switch symbol.uppercased() {
        case "ETH": eth(durationNanoseconds: durationNanoseconds)
        case "BTC": btc(durationNanoseconds: durationNanoseconds)
        default: nil
        }
    }

    /// Checks that the values make a usable market.
    /// - Throws: ``SyntheticMarket/ConfigurationError`` naming the first bad value.
    public func validate() throws(SyntheticMarket.ConfigurationError) {
        func fail(_ text: String) -> SyntheticMarket.ConfigurationError { .init(description: text) }
        guard levels >= 10, levels <= 1000 else { throw fail("levels must be 10…1000, got \(levels)") }
        guard levelSpacingTicks >= 1 else { throw fail("levelSpacingTicks must be at least 1") }
        guard initialPrice > 0, initialPrice.isFinite else { throw fail("initialPrice must be positive") }
        guard annualVolatility >= 0, annualVolatility.isFinite else { throw fail("annualVolatility must be ≥ 0") }
        guard priceStepNanoseconds > 0 else { throw fail("priceStepNanoseconds must be positive") }
        guard durationNanoseconds > 0 else { throw fail("durationNanoseconds must be positive") }
        guard jumpsPerDay >= 0, jumpStandardDeviation >= 0 else { throw fail("jumps must be ≥ 0") }
        guard levelSize > 0, levelSizeGrowth >= 0 else { throw fail("levelSize must be positive, growth ≥ 0") }
        guard bookEventsPerSecond >= 0, tradeIntensity >= 0 else { throw fail("rates must be ≥ 0") }
        guard bookEventsPerSecond + tradeIntensity > 0 else { throw fail("some order flow is needed") }
        guard bookActivityDecay >= 0, tradeDecayPerTick > 0 else { throw fail("decays must be positive") }
        let priceTicks = initialPrice * Double(FixedPoint.powersOfTen[spec.priceDecimals])
        guard priceTicks > Double(levelSpacingTicks) * Double(levels) * 4 else {
            throw fail("initialPrice is too small for \(levels) levels of \(levelSpacingTicks) ticks")
        }
        guard priceTicks < 4e9 else { throw fail("initialPrice is too large for Lighter's 32-bit prices") }
    }
}

extension MarketSpec {
    /// ETH as the synthetic market uses it: Lighter's market 0 decimals (price 2, size 4) and
    /// minimums (0.0050 ETH, 10 USDC).
    public static let syntheticETH: MarketSpec = {
        do {
            return try MarketSpec(
                symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4, minBaseAmount: "0.0050",
                minQuoteAmount: "10")
        } catch {
            preconditionFailure("ETH preset: \(error)")
        }
    }()

    /// BTC as the synthetic market uses it: price decimals 1, size decimals 5, minimums 0.00020 BTC
    /// and 10 USDC.
    public static let syntheticBTC: MarketSpec = {
        do {
            return try MarketSpec(
                symbol: "BTC", marketID: 1, priceDecimals: 1, sizeDecimals: 5, minBaseAmount: "0.00020",
                minQuoteAmount: "10")
        } catch {
            preconditionFailure("BTC preset: \(error)")
        }
    }()
}

/// A seeded, deterministic synthetic market: an iterator of ``MarketEvent``s in time order.
///
/// The first event is a snapshot of the book; then level changes and trades follow, generated
/// lazily (nothing but the current book is kept). The same configuration and seed give the same
/// events, bit for bit.
///
/// ```swift
/// var market = try SyntheticMarket(configuration: .eth(durationNanoseconds: 60_000_000_000), seed: 1)
/// while let event = market.nextEvent() { … }
/// ```
public struct SyntheticMarket: MarketEventSource, IteratorProtocol, Sequence, Sendable {
    /// A configuration value that cannot make a market.
    public struct ConfigurationError: Error, Hashable, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    /// The configuration.
    public let configuration: SyntheticMarketConfiguration
    /// The market.
    public var spec: MarketSpec { configuration.spec }

    /// The current fair price in ticks (the price process before rounding to levels).
    public private(set) var fairTicks: Double
    /// Aggressive orders generated so far, including those whose reach fell short of the book.
    public private(set) var aggressorCount = 0

    var random: SimulationRandom
    /// Sizes in lots of bid level `i` (price `bidAnchor − i·spacing`) and ask level `i`
    /// (price `bidAnchor + (i + 1)·spacing`).
    var bids: [Int64]
    var asks: [Int64]
    var bidAnchor: Int64
    var now: Int64
    let end: Int64
    var nextStep: Int64
    var nextFlow: Int64
    var sequence: Int64 = 0
    var tradeID: Int64 = 0
    /// Events of the current instant not handed out yet (plain values: no reference counting).
    var pending: [PlainMarketEvent] = []
    var pendingHead = 0
    var startedBook = false

    // Precomputed constants.
    let spacing: Int64
    let levelCount: Int
    let stepSigma: Double
    let stepDrift: Double
    let jumpProbabilityPerStep: Double
    let flowRate: Double
    let bookShare: Double
    let targetLots: [Double]
    let minimumLots: Int64

    /// A market from `configuration`, its randomness fixed by `seed`.
    /// - Throws: ``ConfigurationError`` if the configuration is not usable.
    public init(configuration: SyntheticMarketConfiguration, seed: UInt64) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        random = SimulationRandom(seed: seed, stream: 0x5EED_0F_F10A)
        spacing = configuration.levelSpacingTicks
        levelCount = configuration.levels
        let tickScale = Double(FixedPoint.powersOfTen[configuration.spec.priceDecimals])
        let sizeScale = Double(FixedPoint.powersOfTen[configuration.spec.sizeDecimals])
        fairTicks = configuration.initialPrice * tickScale
        let stepSeconds = Double(configuration.priceStepNanoseconds) / 1e9
        let secondsPerYear = 365.0 * 86_400
        stepSigma = configuration.annualVolatility * (stepSeconds / secondsPerYear).squareRoot()
        stepDrift = -0.5 * stepSigma * stepSigma
        jumpProbabilityPerStep = configuration.jumpsPerDay * stepSeconds / 86_400
        flowRate = configuration.bookEventsPerSecond + 2 * configuration.tradeIntensity
        bookShare = configuration.bookEventsPerSecond / flowRate
        targetLots = (0..<configuration.levels).map {
            configuration.levelSize * sizeScale * (1 + configuration.levelSizeGrowth * Double($0))
        }
        minimumLots = Swift.max(configuration.spec.lotSize, configuration.spec.minBaseAmount.lots)
        now = configuration.startTime.nanoseconds
        end = configuration.startTime.nanoseconds &+ configuration.durationNanoseconds
        nextStep = now &+ configuration.priceStepNanoseconds
        bids = [Int64](repeating: 0, count: configuration.levels)
        asks = [Int64](repeating: 0, count: configuration.levels)
        bidAnchor = Int64((fairTicks / Double(spacing)).rounded(.down)) * spacing
        nextFlow = now
        pending.reserveCapacity(8 * configuration.levels)
        for index in 0..<levelCount {
            bids[index] = freshLevelSize(index)
            asks[index] = freshLevelSize(index)
        }
        nextFlow = now &+ flowWait()
    }

    /// The next event, or `nil` once the configured duration has passed.
    public mutating func next() -> MarketEvent? { nextEvent() }

    /// The next event, or `nil` once the configured duration has passed.
    public mutating func nextEvent() -> MarketEvent? {
        while true {
            if pendingHead < pending.count {
                let event = pending[pendingHead]
                pendingHead += 1
                return event.marketEvent
            }
            if pendingHead >= 256 {
                // Drained: start over, in batches (clearing costs a call per event).
                pending.removeAll(keepingCapacity: true)
                pendingHead = 0
            }
            if !startedBook {
                startedBook = true
                return snapshot()
            }
            if nextStep <= nextFlow {
                if nextStep > end { return nil }
                now = nextStep
                nextStep &+= configuration.priceStepNanoseconds
                movePrice()
            } else {
                if nextFlow > end { return nil }
                now = nextFlow
                nextFlow &+= flowWait()
                if random.unit() < bookShare {
                    return bookActivity()
                }
                aggressor(side: random.next() & 1 == 0 ? .buy : .sell)
            }
        }
    }

    /// The current book as levels (best first), for tests and snapshots.
    public var currentBook: (bids: [BookLevel], asks: [BookLevel]) {
        var bidLevels: [BookLevel] = []
        var askLevels: [BookLevel] = []
        for index in 0..<levelCount {
            if bids[index] > 0 { bidLevels.append(BookLevel(price: bidPrice(index), size: Quantity(lots: bids[index]))) }
            if asks[index] > 0 { askLevels.append(BookLevel(price: askPrice(index), size: Quantity(lots: asks[index]))) }
        }
        return (bidLevels, askLevels)
    }

    // MARK: Processes

    mutating func flowWait() -> Int64 {
        Int64(FastRounding.up(random.exponential(rate: flowRate) * 1e9))
    }

    mutating func snapshot() -> MarketEvent {
        let book = currentBook
        sequence += 1
        return .bookSnapshot(
            BookSnapshot(
                receivedAt: Timestamp(nanoseconds: now), exchangeTimeMs: now / 1_000_000, sequence: sequence,
                bids: book.bids, asks: book.asks))
    }

    mutating func movePrice() {
        var logReturn = stepDrift + stepSigma * random.gaussian()
        if jumpProbabilityPerStep > 0 && random.unit() < jumpProbabilityPerStep {
            logReturn += configuration.jumpStandardDeviation * random.gaussian()
        }
        fairTicks *= exp(logReturn)
        let floorTicks = Double(spacing * Int64(levelCount) * 2)
        if fairTicks < floorTicks { fairTicks = floorTicks }
        let anchor = Int64(FastRounding.down(fairTicks / Double(spacing))) * spacing
        let shift = (anchor - bidAnchor) / spacing
        if shift > 0 {
            shiftUp(by: Swift.min(Int(clamping: shift), levelCount), newAnchor: anchor)
        } else if shift < 0 {
            shiftDown(by: Swift.min(Int(clamping: -shift), levelCount), newAnchor: anchor)
        }
    }

    /// The fair price rose past `count` levels: the asks below it are withdrawn, new bids appear
    /// on top (crossing any order still resting at those prices), and the deepest bids leave the
    /// visible window.
    mutating func shiftUp(by count: Int, newAnchor: Int64) {
        let oldAnchor = bidAnchor
        // Withdraw the asks the price passed.
        for index in 0..<count where asks[index] > 0 {
            emitDelta(side: .sell, price: Price(ticks: oldAnchor + Int64(index + 1) * spacing), size: 0)
        }
        // Bids falling out of the window.
        for index in (levelCount - count)..<levelCount where bids[index] > 0 {
            emitDelta(side: .buy, price: Price(ticks: oldAnchor - Int64(index) * spacing), size: 0)
        }
        bidAnchor = newAnchor
        // Shift arrays: asks move toward the top, bids away from it.
        for index in 0..<levelCount {
            asks[index] = index + count < levelCount ? asks[index + count] : 0
        }
        for index in stride(from: levelCount - 1, through: 0, by: -1) {
            bids[index] = index - count >= 0 ? bids[index - count] : 0
        }
        for index in 0..<count {
            bids[index] = freshLevelSize(index)
            emitDelta(side: .buy, price: bidPrice(index), size: bids[index])
        }
        for index in (levelCount - count)..<levelCount {
            asks[index] = freshLevelSize(index)
            emitDelta(side: .sell, price: askPrice(index), size: asks[index])
        }
    }

    /// The fair price fell past `count` levels: the bids above it are withdrawn and new asks
    /// appear below (crossing any order still resting at those prices).
    mutating func shiftDown(by count: Int, newAnchor: Int64) {
        let oldAnchor = bidAnchor
        for index in 0..<count where bids[index] > 0 {
            emitDelta(side: .buy, price: Price(ticks: oldAnchor - Int64(index) * spacing), size: 0)
        }
        for index in (levelCount - count)..<levelCount where asks[index] > 0 {
            emitDelta(side: .sell, price: Price(ticks: oldAnchor + Int64(index + 1) * spacing), size: 0)
        }
        bidAnchor = newAnchor
        for index in 0..<levelCount {
            bids[index] = index + count < levelCount ? bids[index + count] : 0
        }
        for index in stride(from: levelCount - 1, through: 0, by: -1) {
            asks[index] = index - count >= 0 ? asks[index - count] : 0
        }
        for index in 0..<count {
            asks[index] = freshLevelSize(index)
            emitDelta(side: .sell, price: askPrice(index), size: asks[index])
        }
        for index in (levelCount - count)..<levelCount {
            bids[index] = freshLevelSize(index)
            emitDelta(side: .buy, price: bidPrice(index), size: bids[index])
        }
    }

    /// An add to or a cancel from one level, leaning toward the level's target size. A cancel
    /// leaves at least the market's minimum order size (levels never empty).
    mutating func bookActivity() -> MarketEvent {
        let side: Side = random.next() & 1 == 0 ? .buy : .sell
        var level = levelCount
        while level >= levelCount {
            let draw = configuration.bookActivityDecay > 0
                ? -log(random.openUnit()) / configuration.bookActivityDecay
                : random.unit() * Double(levelCount)
            level = Int(draw)
        }
        let current = side == .buy ? bids[level] : asks[level]
        let target = targetLots[level]
        let size: Int64
        if random.unit() * (target + Double(current)) < target {
            let added = Swift.max(minimumLots, Int64(FastRounding.nearest(random.exponential(rate: 1) * 0.3 * target)))
            size = current + added
        } else {
            let cancelled = Swift.max(1, Int64(FastRounding.nearest(Double(current) * (0.1 + 0.6 * random.unit()))))
            size = Swift.max(Swift.min(current, minimumLots), current - cancelled)
        }
        let price: Price
        if side == .buy {
            bids[level] = size
            price = bidPrice(level)
        } else {
            asks[level] = size
            price = askPrice(level)
        }
        sequence += 1
        return .bookDelta(
            BookDelta(
                receivedAt: Timestamp(nanoseconds: now), exchangeTimeMs: now / 1_000_000, sequence: sequence,
                side: side, price: price, size: Quantity(lots: size)))
    }

    /// An aggressive order of `side` that trades every opposite level within its random reach;
    /// when it empties the best level the fair price moves one level its way (impact) and the book
    /// re-centres; other levels it emptied are refilled.
    mutating func aggressor(side: Side) {
        aggressorCount += 1
        guard let mid = midTicks else { return }
        let reach = random.exponential(rate: configuration.tradeDecayPerTick)
        // The deepest non-empty level within reach.
        var last = -1
        for index in 0..<levelCount {
            let price = side == .buy ? askPrice(index) : bidPrice(index)
            let distance = side == .buy ? Double(price.ticks) - mid : mid - Double(price.ticks)
            if distance > reach { break }
            if (side == .buy ? asks[index] : bids[index]) > 0 { last = index }
        }
        guard last >= 0 else { return }
        // All prints first (each at the book as it stood before the order), then the level changes.
        for index in 0...last {
            let size = side == .buy ? asks[index] : bids[index]
            guard size > 0 else { continue }
            var traded = size
            if index == last {
                traded = Swift.min(size, Swift.max(1, Int64(FastRounding.nearest(Double(size) * (0.1 + 0.9 * random.unit())))))
            }
            if side == .buy { asks[index] = size - traded } else { bids[index] = size - traded }
            emitTrade(side: side, price: side == .buy ? askPrice(index) : bidPrice(index), size: traded)
        }
        var emptiedTouch = false
        for index in 0...last {
            let left = side == .buy ? asks[index] : bids[index]
            if index == 0 && left == 0 { emptiedTouch = true }
            emitDelta(side: side.opposite, price: side == .buy ? askPrice(index) : bidPrice(index), size: left)
        }
        // Price impact: an order that empties the best level moves the fair price one level spacing its
        // way and the book re-centres there (a new level of the other side appears at the emptied
        // price); deeper levels it emptied are refilled at once by new makers, so no gap remains.
        if emptiedTouch {
            let move = spacing
            if side == .buy {
                fairTicks += Double(move)
                shiftUp(by: 1, newAnchor: bidAnchor + move)
            } else {
                fairTicks -= Double(move)
                shiftDown(by: 1, newAnchor: bidAnchor - move)
            }
        }
        for index in 0..<levelCount {
            if side == .buy, asks[index] == 0 {
                asks[index] = freshLevelSize(index)
                emitDelta(side: .sell, price: askPrice(index), size: asks[index])
            } else if side == .sell, bids[index] == 0 {
                bids[index] = freshLevelSize(index)
                emitDelta(side: .buy, price: bidPrice(index), size: bids[index])
            }
        }
    }

    // MARK: Helpers

    /// The mid of the best non-empty levels, in ticks.
    var midTicks: Double? {
        guard let bid = bids.firstIndex(where: { $0 > 0 }), let ask = asks.firstIndex(where: { $0 > 0 }) else {
            return nil
        }
        return (Double(bidPrice(bid).ticks) + Double(askPrice(ask).ticks)) * 0.5
    }

    func bidPrice(_ index: Int) -> Price { Price(ticks: bidAnchor - Int64(index) * spacing) }
    func askPrice(_ index: Int) -> Price { Price(ticks: bidAnchor + Int64(index + 1) * spacing) }

    mutating func freshLevelSize(_ index: Int) -> Int64 {
        let lots = Int64(FastRounding.nearest(targetLots[index] * (0.5 + random.unit())))
        return Swift.max(minimumLots, lots)
    }

    mutating func emitTrade(side: Side, price: Price, size: Int64) {
        tradeID += 1
        pending.append(
            .trade(
                Trade(
                    receivedAt: Timestamp(nanoseconds: now), exchangeTimeMs: now / 1_000_000, tradeID: tradeID,
                    price: price, size: Quantity(lots: size), takerSide: side)))
    }

    mutating func emitDelta(side: Side, price: Price, size: Int64) {
        sequence += 1
        pending.append(
            .bookDelta(
                BookDelta(
                    receivedAt: Timestamp(nanoseconds: now), exchangeTimeMs: now / 1_000_000, sequence: sequence,
                    side: side, price: price, size: Quantity(lots: size))))
    }
}
