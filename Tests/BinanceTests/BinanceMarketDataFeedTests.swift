import Binance
import MarketCore
import TestServers
import Trading
import Testing

/// End-to-end tests of the feed against the local NIO server speaking Binance's formats over
/// real sockets on 127.0.0.1. Expected books come from ``ReferenceMarket``, the server's own model.
@Suite struct BinanceMarketDataFeedTests {
    static let btc = BinanceSymbol(symbol: "BTCUSDT", priceDecimals: 1, sizeDecimals: 3)

    func makeFeed(
        _ server: BinanceTestServer, mode: BinanceBookMode, includeBookTicker: Bool = false,
        plannedReconnectAfter: Double = 3600, silenceTimeout: Double? = 30,
        alpha: BinanceImbalanceAlpha.Configuration = .init(minSamples: 2, staleSeconds: 60)
    ) -> BinanceMarketDataFeed {
        let configuration = BinanceFeedConfiguration(
            restBaseURL: server.restBaseURL, webSocketBaseURL: server.webSocketBaseURL, mode: mode,
            includeBookTicker: includeBookTicker, backoff: ReconnectBackoff(initialDelay: 0.05, maximumDelay: 0.2),
            plannedReconnectAfter: plannedReconnectAfter, snapshotRetryDelay: 0.05, restTimeout: 5, pingInterval: nil,
            silenceTimeout: silenceTimeout)
        return BinanceMarketDataFeed(symbol: Self.btc, configuration: configuration, alpha: alpha)
    }

    /// Runs the feed while `body` runs, then stops it and the server.
    func running(
        _ feed: BinanceMarketDataFeed, _ server: BinanceTestServer, recorder: EventRecorder,
        _ body: () async throws -> Void
    ) async throws {
        let task = Task { await feed.run { recorder.append($0) } }
        do {
            try await body()
        } catch {
            task.cancel()
            await task.value
            await server.stop()
            throw error
        }
        task.cancel()
        await task.value
        await server.stop()
    }

    /// Compares every level of the client's book with the reference book.
    func expectBook(_ book: OrderBook?, equals expected: (bids: [BookLevel], asks: [BookLevel])) throws {
        let book = try #require(book, "the feed's book is not valid")
        #expect(book.bids.levels() == expected.bids)
        #expect(book.asks.levels() == expected.asks)
        #expect(!expected.bids.isEmpty && !expected.asks.isEmpty)
    }

    @Test func snapshotWithBufferedEventsGivesTheServersBook() async throws {
        let market = ReferenceMarket(eventCount: 8, seed: 1)
        let snapshotID = market.events[1].first  // inside the second event
        let served = Locked(false)
        let server = try await BinanceTestServer.start(
            rest: { _, _ in
                // Answer late so the events sent at connect time are certainly buffered first.
                try? await Task.sleep(for: .milliseconds(300))
                served.withLock { $0 = true }
                return (200, market.snapshotJSON(through: snapshotID))
            },
            stream: { socket in
                for index in 0..<3 { try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(index)) }
                _ = await waitUntil { served.value }
                try await Task.sleep(for: .milliseconds(100))
                for index in 3..<8 { try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(index)) }
            })
        let feed = makeFeed(server, mode: .diffDepth())
        let recorder = EventRecorder()
        let lastID = market.events[7].final
        try await running(feed, server, recorder: recorder) {
            #expect(await waitUntil { recorder.appliedFinalIDs.last == lastID })
            try expectBook(feed.book(), equals: market.levels(through: lastID))
        }
        #expect(server.streamPaths == ["/stream?streams=btcusdt@depth@100ms"])
        #expect(server.restRequests == ["/fapi/v1/depth?symbol=BTCUSDT&limit=1000"])
        #expect(recorder.snapshotIDs == [snapshotID])
        // The first event ends before the snapshot: dropped. The rest are applied in order.
        #expect(recorder.appliedFinalIDs == market.events[1...7].map(\.final))
        #expect(feed.statistics.droppedEvents == 1)
        #expect(recorder.resyncs.isEmpty)
        // Buffered events are reported after the snapshot, with the (earlier) time they arrived.
        let events = recorder.events
        let snapshotIndex = try #require(events.firstIndex { if case .snapshot = $0 { true } else { false } })
        guard case .snapshot(let snapshot) = events[snapshotIndex],
            case .depthUpdate(let firstApplied) = events[snapshotIndex + 1]
        else {
            Issue.record("expected the snapshot followed by the first buffered event")
            return
        }
        #expect(firstApplied.payload.finalUpdateID == market.events[1].final)
        #expect(firstApplied.receivedAt < snapshot.receivedAt)
    }

    @Test func failedSnapshotIsRetriedOnTheSameSocket() async throws {
        let market = ReferenceMarket(eventCount: 5, seed: 6)
        let recorder = EventRecorder()
        let server = try await BinanceTestServer.start(
            rest: { number, _ in
                number == 1
                    ? (503, #"{"code":-1003,"msg":"Too many requests"}"#)
                    : (200, market.snapshotJSON(through: market.events[0].final))
            },
            stream: { socket in
                for index in 0..<2 { try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(index)) }
                _ = await waitUntil { recorder.snapshotIDs.count >= 1 }
                for index in 2..<5 { try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(index)) }
            })
        let feed = makeFeed(server, mode: .diffDepth())
        let lastID = market.events[4].final
        try await running(feed, server, recorder: recorder) {
            #expect(await waitUntil { recorder.appliedFinalIDs.last == lastID })
            try expectBook(feed.book(), equals: market.levels(through: lastID))
        }
        let failures = recorder.events.compactMap { if case .snapshotFailed(let text) = $0 { text } else { nil } }
        #expect(failures.count == 1)
        #expect(failures.first?.contains("HTTP 503") == true)
        #expect(feed.statistics.snapshotFailures == 1)
        #expect(server.streamPaths.count == 1)
    }

    @Test func silentConnectionIsReplaced() async throws {
        let market = ReferenceMarket(eventCount: 4, seed: 7)
        let server = try await BinanceTestServer.start(
            rest: { _, _ in (500, "{}") },
            stream: { socket in
                try await socket.send(
                    stream: "btcusdt@depth5@100ms",
                    data: market.partialDepthJSON(through: market.events[0].final, levels: 5, previousFinal: 1))
            })
        let feed = makeFeed(server, mode: .partialDepth(levels: 5, updateSpeedMs: 100), silenceTimeout: 0.3)
        let recorder = EventRecorder()
        try await running(feed, server, recorder: recorder) {
            #expect(await waitUntil { server.streamPaths.count >= 2 })
        }
        let first = try #require(recorder.disconnects.first)
        guard case .closed(let detail) = first else {
            Issue.record("expected a closed connection, got \(first)")
            return
        }
        #expect(detail.contains("no message"))
    }

    @Test func sequenceGapTriggersResyncOnTheSameSocket() async throws {
        let market = ReferenceMarket(eventCount: 10, seed: 2)
        let recorder = EventRecorder()
        let server = try await BinanceTestServer.start(
            rest: { number, _ in
                // First snapshot: after event 1. Second (after the gap): the server's book after event 6.
                return (200, market.snapshotJSON(through: number == 1 ? market.events[0].final : market.events[5].final))
            },
            stream: { socket in
                for index in 0..<3 { try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(index)) }
                // Continue once the client has applied the snapshot.
                _ = await waitUntil { recorder.snapshotIDs.count >= 1 }
                try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(3))
                // Event 5 (index 4) is lost: event 6's pu does not match event 4's u.
                try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(5))
                _ = await waitUntil { recorder.snapshotIDs.count >= 2 }
                for index in 6..<10 { try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(index)) }
            })
        let feed = makeFeed(server, mode: .diffDepth())
        let lastID = market.events[9].final
        try await running(feed, server, recorder: recorder) {
            #expect(await waitUntil { recorder.appliedFinalIDs.last == lastID })
            try expectBook(feed.book(), equals: market.levels(through: lastID))
        }
        #expect(
            recorder.resyncs == [.sequenceGap(expectedPrevious: market.events[3].final, got: market.events[4].final)])
        #expect(recorder.snapshotIDs == [market.events[0].final, market.events[5].final])
        #expect(server.streamPaths.count == 1)
        #expect(server.restRequests.count == 2)
        #expect(feed.statistics.resyncs == 1)
    }

    @Test func reconnectsAfterTheServerDropsTheConnection() async throws {
        let market = ReferenceMarket(eventCount: 8, seed: 3)
        let recorder = EventRecorder()
        let server = try await BinanceTestServer.start(
            rest: { number, _ in
                (200, market.snapshotJSON(through: number == 1 ? market.events[0].final : market.events[3].final))
            },
            stream: { socket in
                if socket.number == 1 {
                    for index in 0..<3 { try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(index)) }
                    // Drop the connection once the client's book is synced.
                    _ = await waitUntil { recorder.appliedFinalIDs.last == market.events[2].final }
                    await socket.drop()
                } else {
                    try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(3))
                    _ = await waitUntil { recorder.snapshotIDs.count >= 2 }
                    for index in 4..<8 { try await socket.send(stream: "btcusdt@depth@100ms", data: market.diffJSON(index)) }
                }
            })
        let feed = makeFeed(server, mode: .diffDepth())
        let lastID = market.events[7].final
        try await running(feed, server, recorder: recorder) {
            #expect(await waitUntil { recorder.appliedFinalIDs.last == lastID })
            try expectBook(feed.book(), equals: market.levels(through: lastID))
        }
        #expect(server.streamPaths.count == 2)
        #expect(recorder.snapshotIDs == [market.events[0].final, market.events[3].final])
        #expect(recorder.resyncs.first == .reconnect)
        let firstDisconnect = try #require(recorder.disconnects.first)
        if case .closed = firstDisconnect {} else { Issue.record("expected an unplanned close, got \(firstDisconnect)") }
        #expect(feed.statistics.connections == 2)
    }

    @Test func plannedReconnectClosesAndReopensAtOnce() async throws {
        let market = ReferenceMarket(eventCount: 4, seed: 4)
        let server = try await BinanceTestServer.start(
            rest: { _, _ in (500, "{}") },
            stream: { socket in
                try await socket.send(
                    stream: "btcusdt@depth5@100ms",
                    data: market.partialDepthJSON(through: market.events[socket.number % 4].final, levels: 5, previousFinal: 1))
            })
        let feed = makeFeed(server, mode: .partialDepth(levels: 5, updateSpeedMs: 100), plannedReconnectAfter: 0.4)
        let recorder = EventRecorder()
        try await running(feed, server, recorder: recorder) {
            #expect(await waitUntil { server.streamPaths.count >= 2 && server.closedByClient >= 1 })
            #expect(await waitUntil { feed.book() != nil })
        }
        #expect(recorder.disconnects.first == .planned)
        let delays = recorder.events.compactMap { if case .disconnected(.planned, let delay) = $0 { delay } else { nil } }
        #expect(delays.first == 0)
        #expect(server.closedByClient >= 1)
    }

    @Test func partialDepthReplacesTheBookAndCountsMalformedMessages() async throws {
        let market = ReferenceMarket(eventCount: 6, seed: 5)
        let server = try await BinanceTestServer.start(
            rest: { _, _ in (500, "{}") },
            stream: { socket in
                try await socket.send(
                    stream: "btcusdt@depth5@100ms",
                    data: market.partialDepthJSON(through: market.events[1].final, levels: 5, previousFinal: 7))
                try await socket.send(#"{"stream":"btcusdt@depth5@100ms","data":{"e":"depthUpdate","E":17000"#)
                // A book ticker next to the depth stream is reported but does not touch the book.
                try await socket.send(
                    stream: "btcusdt@bookTicker",
                    data: #"{"e":"bookTicker","u":3,"s":"BTCUSDT","b":"1.0","B":"1.000","a":"2.0","A":"1.000","T":1,"E":2}"#)
                try await socket.send(
                    stream: "btcusdt@depth5@100ms",
                    data: market.partialDepthJSON(through: market.events[4].final, levels: 5, previousFinal: 8))
            })
        let feed = makeFeed(server, mode: .partialDepth(levels: 5, updateSpeedMs: 100), includeBookTicker: true)
        let recorder = EventRecorder()
        try await running(feed, server, recorder: recorder) {
            #expect(await waitUntil { recorder.events.filter { if case .partialDepth = $0 { true } else { false } }.count == 2 })
            #expect(await waitUntil { recorder.events.contains { if case .bookTicker = $0 { true } else { false } } })
            let expected = market.levels(through: market.events[4].final)
            try expectBook(feed.book(), equals: (Array(expected.bids.prefix(5)), Array(expected.asks.prefix(5))))
        }
        #expect(server.streamPaths == ["/stream?streams=btcusdt@depth5@100ms/btcusdt@bookTicker"])
        #expect(server.restRequests.isEmpty)
        #expect(feed.statistics.parseErrors == 1)
        #expect(recorder.events.contains { if case .parseError = $0 { true } else { false } })
    }

    @Test func bookTickerKeepsTheTopOfBookAndFeedsTheAlpha() async throws {
        let server = try await BinanceTestServer.start(
            rest: { _, _ in (500, "{}") },
            stream: { socket in
                let tickers = [
                    #"{"e":"bookTicker","u":10,"s":"BTCUSDT","b":"30000.10","B":"1.500","a":"30000.20","A":"0.250","T":1700000000001,"E":1700000000002}"#,
                    #"{"e":"bookTicker","u":12,"s":"BTCUSDT","b":"30000.00","B":"2.000","a":"30000.30","A":"1.000","T":1700000000003,"E":1700000000004}"#,
                    // Older than the previous one: ignored.
                    #"{"e":"bookTicker","u":11,"s":"BTCUSDT","b":"29999.00","B":"9.000","a":"30001.00","A":"9.000","T":1700000000005,"E":1700000000006}"#,
                ]
                for ticker in tickers { try await socket.send(stream: "btcusdt@bookTicker", data: ticker) }
            })
        let feed = makeFeed(server, mode: .bookTicker, alpha: .init(lookingDepth: 0.01, minSamples: 2, staleSeconds: 60))
        let recorder = EventRecorder()
        try await running(feed, server, recorder: recorder) {
            #expect(await waitUntil { recorder.events.filter { if case .alphaSample = $0 { true } else { false } }.count == 2 })
            try expectBook(
                feed.book(),
                equals: ([BookLevel(price: Price(ticks: 300_000), size: Quantity(lots: 2_000))],
                         [BookLevel(price: Price(ticks: 300_003), size: Quantity(lots: 1_000))]))
            // Two samples (imbalances 1250 and 1000 lots) warm the alpha; the last is below the mean.
            let alpha = try #require(feed.externalAlpha(at: LiveClock().now))
            #expect(abs(alpha.value - (-0.7071067811865476)) < 1e-12)
            #expect(alpha.source.description == "binance_obi")
        }
        #expect(server.streamPaths == ["/stream?streams=btcusdt@bookTicker"])
        let tickers = recorder.events.compactMap { if case .bookTicker(let ticker) = $0 { ticker.payload.updateID } else { nil } }
        #expect(tickers == [10, 12])
    }
}
