import Lighter
import MarketCore
import Testing

private func level(_ price: Int64, _ size: Int64) -> BookLevel {
    BookLevel(price: Price(ticks: price), size: Quantity(lots: size))
}

private func bookMessage(
    _ kind: LighterMessageKind, market: Int = 0, offset: Int64?, nonce: Int64?, beginNonce: Int64?,
    bids: [BookLevel] = [], asks: [BookLevel] = []
) -> MarketMessage {
    var message = MarketMessage()
    message.kind = kind
    message.marketID = market
    message.offset = offset
    message.nonce = nonce
    message.beginNonce = beginNonce
    message.bids = bids
    message.asks = asks
    return message
}

@Suite struct WireBookSyncTests {
    @Test func snapshotThenUpdatesBuildTheBook() {
        var sync = OrderBookSynchronizer(marketID: 0)
        // An update before any snapshot is ignored.
        #expect(sync.apply(bookMessage(.orderBookUpdate, offset: 1, nonce: 5, beginNonce: 4)) == .ignoredAwaitingSnapshot)
        let snapshot = bookMessage(
            .orderBookSnapshot, offset: 10, nonce: 100, beginNonce: nil, bids: [level(99, 5), level(98, 7)],
            asks: [level(101, 3), level(102, 4)])
        #expect(sync.apply(snapshot) == .snapshotApplied)
        #expect(sync.isSynced)
        // Change the best bid size, add a bid level, remove an ask level.
        let update = bookMessage(
            .orderBookUpdate, offset: 11, nonce: 103, beginNonce: 100, bids: [level(99, 9), level(100, 1)], asks: [level(101, 0)])
        #expect(sync.apply(update) == .updateApplied)
        #expect(sync.book.bids.levels() == [level(100, 1), level(99, 9), level(98, 7)])
        #expect(sync.book.asks.levels() == [level(102, 4)])
        #expect(sync.lastNonce == 103)
        #expect(sync.lastOffset == 11)
        // Messages for another market are ignored.
        #expect(sync.apply(bookMessage(.orderBookUpdate, market: 3, offset: 12, nonce: 104, beginNonce: 103)) == .ignored)
    }

    @Test func nonceGapClearsTheBookAndAsksForResync() {
        var sync = OrderBookSynchronizer(marketID: 0)
        _ = sync.apply(bookMessage(.orderBookSnapshot, offset: 10, nonce: 100, beginNonce: nil, bids: [level(99, 5)], asks: [level(101, 3)]))
        let gap = bookMessage(.orderBookUpdate, offset: 11, nonce: 110, beginNonce: 105, bids: [level(99, 1)])
        #expect(sync.apply(gap) == .resyncNeeded(.nonceGap(expected: 100, got: 105)))
        #expect(!sync.isSynced)
        #expect(sync.book.bids.isEmpty && sync.book.asks.isEmpty)
        #expect(sync.resyncCount == 1)
        // Until a new snapshot arrives, updates are ignored; then the book is rebuilt.
        #expect(sync.apply(bookMessage(.orderBookUpdate, offset: 12, nonce: 111, beginNonce: 110)) == .ignoredAwaitingSnapshot)
        #expect(sync.apply(bookMessage(.orderBookSnapshot, offset: 1, nonce: 200, beginNonce: nil, bids: [level(97, 2)])) == .snapshotApplied)
        #expect(sync.book.bestBid == level(97, 2))
    }

    @Test func outOfOrderOffsetAsksForResync() {
        var sync = OrderBookSynchronizer(marketID: 0)
        _ = sync.apply(bookMessage(.orderBookSnapshot, offset: 10, nonce: 100, beginNonce: nil, bids: [level(99, 5)]))
        #expect(sync.apply(bookMessage(.orderBookUpdate, offset: 11, nonce: 101, beginNonce: 100)) == .updateApplied)
        #expect(
            sync.apply(bookMessage(.orderBookUpdate, offset: 11, nonce: 102, beginNonce: 101))
                == .resyncNeeded(.offsetOutOfOrder(previous: 11, got: 11)))
    }

    @Test func crossedBookAfterUpdateAsksForResync() {
        var sync = OrderBookSynchronizer(marketID: 0)
        _ = sync.apply(bookMessage(.orderBookSnapshot, offset: 1, nonce: 1, beginNonce: nil, bids: [level(99, 5)], asks: [level(101, 3)]))
        #expect(sync.apply(bookMessage(.orderBookUpdate, offset: 2, nonce: 2, beginNonce: 1, bids: [level(102, 1)])) == .resyncNeeded(.crossedBook))
    }

    @Test func updateWithoutSequenceAsksForResync() {
        var sync = OrderBookSynchronizer(marketID: 0)
        _ = sync.apply(bookMessage(.orderBookSnapshot, offset: 1, nonce: 1, beginNonce: nil))
        #expect(sync.apply(bookMessage(.orderBookUpdate, offset: 2, nonce: nil, beginNonce: 1)) == .resyncNeeded(.missingSequence))
    }
}
