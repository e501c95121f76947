import Binance
import MarketCore
import Testing

/// Binance's futures book-sync rules, step by step, on hand-made events.
@Suite struct DepthSynchronizerTests {
    func level(_ price: Int64, _ size: Int64) -> BookLevel {
        BookLevel(price: Price(ticks: price), size: Quantity(lots: size))
    }

    func event(_ first: Int64, _ final: Int64, pu: Int64, bids: [BookLevel] = [], asks: [BookLevel] = [])
        -> BinanceDepthUpdate
    {
        BinanceDepthUpdate(
            eventTimeMs: 0, transactionTimeMs: 0, firstUpdateID: first, finalUpdateID: final, previousFinalUpdateID: pu,
            bids: bids, asks: asks)
    }

    func snapshot(_ id: Int64, bids: [BookLevel], asks: [BookLevel]) -> BinanceDepthSnapshot {
        BinanceDepthSnapshot(lastUpdateID: id, eventTimeMs: 0, transactionTimeMs: 0, bids: bids, asks: asks)
    }

    @Test func buffersUntilSnapshotThenDropsOldAndAppliesTheRest() {
        var sync = DepthSynchronizer()
        #expect(sync.receive(event(90, 95, pu: 80, bids: [level(100, 9)])) == .buffered)
        #expect(sync.receive(event(96, 105, pu: 95, bids: [level(101, 5)])) == .buffered)
        #expect(sync.receive(event(107, 110, pu: 105, asks: [level(103, 0), level(104, 7)])) == .buffered)
        #expect(!sync.isSynced)
        let outcome = sync.apply(snapshot(100, bids: [level(100, 1)], asks: [level(103, 2)]))
        #expect(outcome.droppedEvents == 1)  // u = 95 < 100
        #expect(outcome.appliedEvents == 2)  // 96 ≤ 100 ≤ 105, then pu 105 = u 105
        #expect(!outcome.needsNewSnapshot)
        #expect(sync.isSynced)
        #expect(sync.phase == .synced(lastFinalUpdateID: 110))
        #expect(sync.book.bids.levels() == [level(101, 5), level(100, 1)])
        #expect(sync.book.asks.levels() == [level(104, 7)])
        #expect(sync.receive(event(111, 112, pu: 110, bids: [level(101, 0)])) == .applied)
        #expect(sync.book.bids.levels() == [level(100, 1)])
    }

    @Test func appliedBufferedEventsKeepTheirReceiveTimes() {
        var sync = DepthSynchronizer()
        _ = sync.receive(event(90, 95, pu: 80), receivedAt: Timestamp(nanoseconds: 1))
        _ = sync.receive(event(96, 105, pu: 95), receivedAt: Timestamp(nanoseconds: 2))
        _ = sync.receive(event(106, 110, pu: 105), receivedAt: Timestamp(nanoseconds: 3))
        let outcome = sync.apply(snapshot(100, bids: [level(100, 1)], asks: [level(103, 2)]))
        #expect(outcome.applied.map(\.receivedAt) == [Timestamp(nanoseconds: 2), Timestamp(nanoseconds: 3)])
        #expect(outcome.applied.map(\.payload.firstUpdateID) == [96, 106])
    }

    @Test func snapshotOlderThanEveryBufferedEventNeedsANewOne() {
        var sync = DepthSynchronizer()
        _ = sync.receive(event(120, 130, pu: 110))
        _ = sync.receive(event(131, 140, pu: 130))
        let outcome = sync.apply(snapshot(100, bids: [level(100, 1)], asks: [level(101, 1)]))
        #expect(outcome.needsNewSnapshot)
        #expect(!sync.isSynced)
        #expect(sync.phase == .awaitingSnapshot)
        #expect(sync.buffer.map(\.payload.finalUpdateID) == [130, 140])
        // A newer snapshot bridges the buffered events.
        let second = sync.apply(snapshot(125, bids: [level(100, 2)], asks: [level(101, 2)]))
        #expect(!second.needsNewSnapshot && second.appliedEvents == 2)
        #expect(sync.phase == .synced(lastFinalUpdateID: 140))
    }

    @Test func snapshotNewerThanTheBufferWaitsForTheBridgingEvent() {
        var sync = DepthSynchronizer()
        _ = sync.receive(event(90, 95, pu: 80))
        let outcome = sync.apply(snapshot(100, bids: [level(100, 1)], asks: [level(101, 1)]))
        #expect(outcome.droppedEvents == 1 && outcome.appliedEvents == 0 && !outcome.needsNewSnapshot)
        #expect(sync.phase == .awaitingFirstEvent(snapshotID: 100))
        #expect(sync.receive(event(96, 99, pu: 95)) == .dropped)
        #expect(sync.receive(event(100, 104, pu: 99, bids: [level(99, 3)])) == .applied)
        #expect(sync.phase == .synced(lastFinalUpdateID: 104))
    }

    @Test func firstEventAfterTheSnapshotMustBridgeIt() {
        var sync = DepthSynchronizer()
        _ = sync.apply(snapshot(100, bids: [level(100, 1)], asks: [level(101, 1)]))
        #expect(sync.receive(event(102, 105, pu: 101)) == .gap(expectedPrevious: 100, got: 102))
        #expect(sync.phase == .awaitingSnapshot)
        #expect(sync.book.bids.isEmpty && sync.book.asks.isEmpty)
    }

    @Test func puMismatchIsAGapAndKeepsTheEventForTheNextSnapshot() {
        var sync = DepthSynchronizer()
        _ = sync.receive(event(95, 101, pu: 90))
        _ = sync.apply(snapshot(100, bids: [level(100, 1)], asks: [level(101, 1)]))
        #expect(sync.receive(event(102, 104, pu: 101)) == .applied)
        #expect(sync.receive(event(110, 112, pu: 108)) == .gap(expectedPrevious: 104, got: 108))
        #expect(!sync.isSynced)
        #expect(sync.buffer.map(\.payload.finalUpdateID) == [112])
        #expect(sync.receive(event(113, 115, pu: 112)) == .buffered)
    }

    @Test func bufferIsBounded() {
        var sync = DepthSynchronizer(bufferLimit: 3)
        for index in 0..<5 { _ = sync.receive(event(Int64(index * 10), Int64(index * 10 + 5), pu: Int64(index * 10 - 5))) }
        #expect(sync.buffer.map(\.payload.finalUpdateID) == [25, 35, 45])
    }
}
