import Foundation
import MarketCore
import Testing
import Trading

@testable import lighter_mm

/// The run loop's parts: the wake signal and the send→ack latency measurement.
@Suite struct RunCommandLoopTests {
    /// A venue that records what it is given and hands out scripted events.
    final class ScriptedVenue: Venue {
        var submitted: [OrderAction] = []
        var pending: [ExecutionEvent] = []

        func submit(_ actions: [OrderAction], at time: Timestamp) { submitted.append(contentsOf: actions) }

        func drainEvents(upTo time: Timestamp, into events: inout [ExecutionEvent]) {
            events.append(contentsOf: pending)
            pending.removeAll()
        }
    }

    static func id(_ raw: Int64) throws -> ClientOrderID { try #require(ClientOrderID(rawValue: raw)) }
    static func ms(_ value: Int64) -> Timestamp { Timestamp(nanoseconds: value * 1_000_000) }

    @Test func ackLatencyIsTheMedianFromSubmitToTheAnswer() throws {
        let venue = ScriptedVenue()
        let tracked = AckLatencyVenue(venue)
        #expect(tracked.medianMilliseconds == nil)
        let place = OrderAction.place(
            OrderRequest(id: try Self.id(1), side: .buy, price: Price(ticks: 300_000), size: Quantity(lots: 10)))
        tracked.submit([place, .cancel(id: try Self.id(2)), .modify(id: try Self.id(3), price: Price(ticks: 1), size: Quantity(lots: 1))], at: Self.ms(1_000))
        #expect(venue.submitted.count == 3)
        // Accepted after 12 ms, canceled after 30 ms, modified after 18 ms; an unknown id and a
        // second answer for an id already answered are not samples.
        venue.pending = [
            .accepted(id: try Self.id(1), exchangeOrderID: 77, time: Self.ms(1_012)),
            .canceled(id: try Self.id(2), reason: .requested, time: Self.ms(1_030)),
            .modified(id: try Self.id(3), price: Price(ticks: 1), remaining: Quantity(lots: 1), time: Self.ms(1_018)),
            .accepted(id: try Self.id(9), exchangeOrderID: 78, time: Self.ms(1_500)),
            .canceled(id: try Self.id(1), reason: .requested, time: Self.ms(2_000)),
        ]
        var events: [ExecutionEvent] = []
        tracked.drainEvents(upTo: Self.ms(3_000), into: &events)
        #expect(events.count == 5)  // every event passes through
        #expect(tracked.medianMilliseconds == 18)  // median of 12, 18, 30
        // A fourth sample (a reject 40 ms after its place): median of 12, 18, 30, 40 = 24.
        tracked.submit([.cancel(id: try Self.id(4))], at: Self.ms(5_000))
        venue.pending = [.rejected(id: try Self.id(4), code: 21_600, message: "x", time: Self.ms(5_040))]
        tracked.drainEvents(upTo: Self.ms(6_000), into: &events)
        #expect(tracked.medianMilliseconds == 24)
    }

    // The waits below have a 10-minute timeout: only a signal can end them within the test's
    // 2-minute limit (generous, as the suite's other tests may hold the cooperative threads).
    @Test(.timeLimit(.minutes(2))) func aPendingSignalEndsTheNextWaitAtOnceAndOnlyOnce() async {
        let wake = WakeSignal()
        wake.signal()
        wake.signal()  // coalesced with the first
        let clock = ContinuousClock()
        let start = clock.now
        await wake.wait(timeoutNanoseconds: 600_000_000_000)
        #expect(clock.now - start < .seconds(120), "a pending signal did not end the wait")
        // The second wait has nothing pending: it ends at its (short) timeout.
        await wake.wait(timeoutNanoseconds: 1_000_000)
    }

    @Test(.timeLimit(.minutes(2))) func aSignalFromAnotherTaskWakesAWaitingLoop() async {
        let wake = WakeSignal()
        let clock = ContinuousClock()
        let start = clock.now
        let signaller = Task {
            try? await Task.sleep(nanoseconds: 50_000_000)
            wake.signal()
        }
        await wake.wait(timeoutNanoseconds: 600_000_000_000)
        #expect(clock.now - start < .seconds(120), "the signal did not wake the wait")
        await signaller.value
    }
}
