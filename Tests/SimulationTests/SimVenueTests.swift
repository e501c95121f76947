import MarketCore
import Simulation
import Testing
import Trading

@Suite struct SimVenueTests {
    func drain(_ venue: SimVenue, upTo ms: Int64) -> [ExecutionEvent] {
        var events: [ExecutionEvent] = []
        venue.drainEvents(upTo: at(ms: ms), into: &events)
        return events
    }

    @Test func orderIsNotLiveBeforeItsLatencyElapsed() {
        let latency = LatencyModel(orderEntry: .milliseconds(10), response: .milliseconds(5))
        let venue = SimVenue(spec: eth, latency: latency, queueModel: .conservative)
        venue.process(standardBook())
        venue.submit([order(1, .buy, 300_000, 500)], at: at(ms: 100))
        #expect(venue.nextArrivalTime == at(ms: 110))
        venue.advance(to: at(ms: 109))
        #expect(venue.exchange.orders.isEmpty)
        // A trade through our price before arrival does not fill us.
        venue.process(trade(taker: .sell, 299_990, 100, ms: 109))
        #expect(venue.exchange.position == .zero)
        venue.advance(to: at(ms: 110))
        #expect(venue.exchange.orders.map(\.id) == [id(1)])
        // The ack reaches the engine 5 ms after the exchange accepted.
        #expect(drain(venue, upTo: 114).isEmpty)
        #expect(drain(venue, upTo: 115) == [.accepted(id: id(1), exchangeOrderID: 1 << 48, time: at(ms: 115))])
    }

    @Test func lighterStandardAccountsWait200MillisecondsForMakerOrdersAndCancels() {
        let venue = SimVenue(spec: eth, latency: .lighterStandard(network: .milliseconds(5)))
        venue.process(standardBook())
        venue.submit([order(1, .buy, 300_000, 500)], at: at(ms: 0))
        #expect(venue.nextArrivalTime == at(ms: 205))
        venue.advance(to: at(ms: 204))
        #expect(venue.exchange.orders.isEmpty)
        venue.advance(to: at(ms: 205))
        #expect(venue.exchange.orders.count == 1)
        // A taker order sent at the same time as a cancel arrives 100 ms after it.
        venue.submit([order(2, .sell, 299_000, 500, tif: .immediateOrCancel)], at: at(ms: 300))
        venue.submit([.cancel(id: id(1))], at: at(ms: 300))
        #expect(venue.nextArrivalTime == at(ms: 505))
        venue.advance(to: at(ms: 505))
        #expect(venue.exchange.orders.isEmpty)
        #expect(venue.nextArrivalTime == at(ms: 605))
    }

    @Test func fillBeforeTheCancelArrivesWinsTheRace() {
        let latency = LatencyModel(orderEntry: .milliseconds(10), response: .milliseconds(5))
        let venue = SimVenue(spec: eth, latency: latency, queueModel: .conservative)
        venue.process(standardBook())
        venue.submit([order(1, .buy, 300_000, 500)], at: at(ms: 0))
        venue.advance(to: at(ms: 10))
        // We decide to cancel at 20 ms; the cancel reaches the exchange at 30 ms.
        venue.submit([.cancel(id: id(1))], at: at(ms: 20))
        // A sell sweeps through our price at 25 ms.
        venue.process(trade(taker: .sell, 299_990, 2000, ms: 25))
        venue.advance(to: at(ms: 30))
        let events = drain(venue, upTo: 40)
        #expect(events.count == 5)
        #expect(events.first == .accepted(id: id(1), exchangeOrderID: 1 << 48, time: at(ms: 15)))
        let fill = events.compactMap(\.fillValue).first
        #expect(fill?.size == Quantity(lots: 500))
        #expect(fill?.time == at(ms: 30))
        if case .rejected(let rejected, let code, _, let time) = events.last {
            #expect(rejected == id(1))
            #expect(code == 21600)
            #expect(time == at(ms: 35))
        } else {
            Issue.record("expected the late cancel to be refused, got \(String(describing: events.last))")
        }
        #expect(venue.exchange.position == Quantity(lots: 500))
        #expect(venue.reportedLiveOrders.isEmpty)
    }

    @Test func sampledLatencyIsSeededAndWithinBounds() {
        let distribution = LatencyDistribution.uniform(minNanoseconds: 1_000_000, maxNanoseconds: 3_000_000)
        var first = SimulationRandom(seed: 11)
        var second = SimulationRandom(seed: 11)
        let a = (0..<1000).map { _ in distribution.sample(using: &first) }
        let b = (0..<1000).map { _ in distribution.sample(using: &second) }
        #expect(a == b)
        #expect(a.allSatisfy { $0 >= 1_000_000 && $0 < 3_000_000 })
        #expect(Set(a).count > 900)
        let logNormal = LatencyDistribution.logNormal(medianNanoseconds: 2_000_000, sigma: 0.5, maxNanoseconds: 20_000_000)
        var random = SimulationRandom(seed: 5)
        let draws = (0..<10_000).map { _ in logNormal.sample(using: &random) }.sorted()
        // The sample median of a log-normal is close to its median parameter.
        #expect(abs(Double(draws[5000]) - 2_000_000) < 100_000)
        #expect(draws.last ?? 0 <= 20_000_000)
    }

    @Test func responsesKeepTheirOrderUnderRandomLatency() {
        let latency = LatencyModel(
            orderEntry: .uniform(minNanoseconds: 1_000_000, maxNanoseconds: 9_000_000),
            response: .uniform(minNanoseconds: 1_000_000, maxNanoseconds: 9_000_000))
        let venue = SimVenue(spec: eth, latency: latency, seed: 3)
        venue.process(standardBook())
        for raw in 1...20 {
            venue.submit([order(Int64(raw), .buy, 299_000 - Int64(raw), 500)], at: at(ms: Int64(raw)))
        }
        venue.advance(to: at(ms: 100))
        let events = drain(venue, upTo: 200)
        let times = events.map(\.time)
        #expect(times == times.sorted())
        // Placements of one kind reach the exchange in the order sent.
        #expect(events.compactMap(\.orderID) == (1...20).map { id(Int64($0)) })
    }

    @Test func premiumVolumeQuotaIsChargedEarnedAndEnforced() {
        let quota = VolumeQuotaModel(initial: 2, maximum: 100, notionalPerUnitUSD: 10, freeIntervalNanoseconds: 15_000_000_000)
        let venue = SimVenue(spec: eth, volumeQuota: quota)
        venue.process(standardBook())
        // t = 0 is free, 1 s and 2 s use the two units, 3 s finds none left.
        venue.submit([order(1, .buy, 299_000, 500)], at: at(ms: 0))
        venue.submit([order(2, .buy, 299_010, 500)], at: at(ms: 1000))
        venue.submit([order(3, .buy, 299_020, 500)], at: at(ms: 2000))
        venue.submit([order(4, .buy, 299_030, 500)], at: at(ms: 3000))
        let first = drain(venue, upTo: 3000)
        let remaining = first.compactMap { event -> Int? in
            if case .quotaUpdate(let left, _) = event { return left }
            return nil
        }
        #expect(remaining == [2, 1, 0, 0])
        #expect(first.contains { if case .rejected(id(4), 23000, _, _) = $0 { true } else { false } })
        #expect(venue.exchange.orders.map(\.id) == [id(1), id(2), id(3)])
        // A taker buy of 0.0500 ETH at 3000.20 (150.01 USD) earns 15 units; it arrives 16 s after the
        // last free action, so it is free itself.
        venue.submit([order(5, .buy, 300_020, 500, tif: .immediateOrCancel)], at: at(ms: 16_000))
        let second = drain(venue, upTo: 16_000)
        #expect(second.last == .quotaUpdate(remaining: 15, time: at(ms: 16_000)))
        #expect(venue.quotaRemaining == 15)
    }
}
