#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MarketCore
import Simulation
import Testing

@Suite struct SyntheticMarketTests {
    @Test func sameSeedGivesTheSameEvents() throws {
        let configuration = SyntheticMarketConfiguration.eth(durationNanoseconds: 600_000_000_000)
        var first = try SyntheticMarket(configuration: configuration, seed: 42)
        var second = try SyntheticMarket(configuration: configuration, seed: 42)
        var third = try SyntheticMarket(configuration: configuration, seed: 43)
        var count = 0
        var differsFromOtherSeed = false
        while let event = first.nextEvent() {
            let twin = second.nextEvent()
            #expect(event == twin)
            if event != twin { return }
            if let other = third.nextEvent(), other != event { differsFromOtherSeed = true }
            count += 1
        }
        #expect(second.nextEvent() == nil)
        #expect(count > 10_000)
        #expect(differsFromOtherSeed)
    }

    @Test(arguments: ["ETH", "BTC"])
    func bookStaysSaneAndBusy(symbol: String) throws {
        let hour: Int64 = 3_600_000_000_000
        let configuration = try #require(SyntheticMarketConfiguration.preset(symbol: symbol, durationNanoseconds: hour))
        var market = try SyntheticMarket(configuration: configuration, seed: 7)
        var book = OrderBook()
        var events = 0
        var trades = 0
        var lastTime = Timestamp.epoch
        var samples = 0
        var spreadOutOfRange = 0
        var shallow = 0
        var pendingTime: Timestamp?
        func sample() {
            samples += 1
            let spread = book.spreadTicks ?? 0
            if spread < configuration.levelSpacingTicks || spread > 6 * configuration.levelSpacingTicks {
                spreadOutOfRange += 1
            }
            if book.bids.count < 10 || book.asks.count < 10 { shallow += 1 }
        }
        while let event = market.nextEvent() {
            events += 1
            #expect(event.receivedAt >= lastTime)
            // Sample the book between bursts (all events of one instant applied).
            if let time = pendingTime, event.receivedAt != time { sample() }
            pendingTime = event.receivedAt
            lastTime = event.receivedAt
            book.apply(event)
            if case .trade(let trade) = event {
                trades += 1
                #expect(trade.size.lots > 0)
            }
            if book.isCrossed {
                Issue.record("crossed book at event \(events)")
                return
            }
        }
        // At least 5 M events a day: ≥ 208 k an hour.
        #expect(events > 208_000)
        #expect(trades > 5_000)
        // The spread is one to six level spacings, and ten or more levels show, nearly always.
        #expect(Double(spreadOutOfRange) / Double(samples) < 0.01)
        #expect(Double(shallow) / Double(samples) < 0.01)
        // The first event is a full snapshot.
        var fresh = try SyntheticMarket(configuration: configuration, seed: 7)
        if case .bookSnapshot(let snapshot) = fresh.nextEvent() {
            #expect(snapshot.bids.count == configuration.levels)
            #expect(snapshot.asks.count == configuration.levels)
        } else {
            Issue.record("the first event is not a snapshot")
        }
    }

    /// Trades reach distance δ from the mid at the rate A·e^(−kδ) (per side), the
    /// Avellaneda–Stoikov intensity the configuration asks for. With the price still (no
    /// volatility, no jumps) every trade comes from an aggressive order, so the rate of aggressive
    /// orders reaching at least δ can be counted directly and compared with A·e^(−kδ). The book
    /// has no gaps (emptied levels refill at once), so nothing is lost: six hours give about
    /// 100 000 orders, and A and k come out within 5 %.
    @Test func tradeIntensityDecaysExponentiallyWithDistance() throws {
        var configuration = SyntheticMarketConfiguration.eth(durationNanoseconds: 6 * 3_600_000_000_000)
        configuration.annualVolatility = 0
        configuration.jumpsPerDay = 0
        let seconds = Double(configuration.durationNanoseconds) / 1e9
        let spacing = Double(configuration.levelSpacingTicks)
        var market = try SyntheticMarket(configuration: configuration, seed: 2024)
        var book = OrderBook()
        // For each aggressive order (a run of trades at one instant on one side): its deepest
        // distance from the mid before it.
        var reaches: [Double] = []
        var burstTime = Timestamp.epoch
        var burstSide = Side.buy
        var burstMid = 0.0
        var burstReach = -1.0
        func closeBurst() {
            if burstReach >= 0 { reaches.append(burstReach) }
            burstReach = -1
        }
        while let event = market.nextEvent() {
            if case .trade(let trade) = event {
                if trade.receivedAt != burstTime || trade.takerSide != burstSide || burstReach < 0 {
                    closeBurst()
                    burstTime = trade.receivedAt
                    burstSide = trade.takerSide
                    burstMid = book.midTicks ?? 0
                }
                let distance = abs(Double(trade.price.ticks) - burstMid)
                burstReach = max(burstReach, distance)
            }
            book.apply(event)
        }
        closeBurst()
        // Count aggressive orders reaching at least δ for δ at the first five level distances
        // (half a spacing from the mid, then a spacing apart), both sides together.
        var points: [(delta: Double, rate: Double)] = []
        for level in 0..<5 {
            let delta = (Double(level) + 0.5) * spacing
            let count = reaches.filter { $0 >= delta - 1e-9 }.count
            points.append((delta, Double(count) / seconds / 2))
        }
        // Least-squares fit of ln λ = ln A − k δ.
        let n = Double(points.count)
        let xs = points.map(\.delta)
        let ys = points.map { log($0.rate) }
        let meanX = xs.reduce(0, +) / n
        let meanY = ys.reduce(0, +) / n
        let slope = zip(xs, ys).reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
            / xs.reduce(0) { $0 + ($1 - meanX) * ($1 - meanX) }
        let fittedK = -slope
        let fittedA = exp(meanY - slope * meanX)
        #expect(abs(fittedK - configuration.tradeDecayPerTick) / configuration.tradeDecayPerTick < 0.05, "k \(fittedK)")
        #expect(abs(fittedA - configuration.tradeIntensity) / configuration.tradeIntensity < 0.05, "A \(fittedA)")
        // Every point lies within 5 % of the configured curve.
        for point in points {
            let model = configuration.tradeIntensity * exp(-configuration.tradeDecayPerTick * point.delta)
            #expect(abs(point.rate - model) / model < 0.05, "δ \(point.delta): \(point.rate) vs \(model)")
        }
    }
}
