import Foundation
import Lighter
import MarketCore
import Synchronization
import TestServers
import Testing

private let eth = try! MarketSpec(symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4)

private func level(_ price: Int64, _ size: Int64) -> BookLevel {
    BookLevel(price: Price(ticks: price), size: Quantity(lots: size))
}

/// A Lighter-shaped book message.
private func bookFrame(
    _ type: String, offset: Int, nonce: Int, beginNonce: Int?, bids: [(String, String)], asks: [(String, String)]
) -> String {
    func levels(_ list: [(String, String)]) -> String {
        "[" + list.map { "{\"price\":\"\($0.0)\",\"size\":\"\($0.1)\"}" }.joined(separator: ",") + "]"
    }
    let begin = beginNonce.map { ",\"begin_nonce\":\($0)" } ?? ""
    return """
        {"channel":"order_book:0","offset":\(offset),"order_book":{"code":0,"asks":\(levels(asks)),"bids":\(levels(bids)),\
        "offset":\(offset),"nonce":\(nonce)\(begin)},"timestamp":1766434222600,"type":"\(type)"}
        """
}

/// Fast timers so reconnects, pings and the watchdog happen within a test.
private func streamClient(
    _ server: LighterTestServer, subscriptions: [LighterSubscription], pingInterval: Int64 = 60_000_000_000,
    receiveTimeout: Int64 = 60_000_000_000, tokenProvider: LighterStreamClient.AuthTokenProvider? = nil,
    authRefreshMargin: Int64 = 1_000_000_000
) -> LighterStreamClient {
    LighterStreamClient(
        configuration: .init(
            url: server.streamURL,
            connection: .init(
                initialDelay: 50_000_000, maximumDelay: 200_000_000, multiplier: 2, jitter: 0.1, pingInterval: pingInterval,
                receiveTimeout: receiveTimeout, stableAfter: 10_000_000_000),
            authRefreshMargin: authRefreshMargin, transactionReplyTimeout: 3, tickInterval: 0.02),
        markets: MarketDecimalsTable([eth]), subscriptions: subscriptions, tokenProvider: tokenProvider)
}

@Suite(.serialized) struct ClientStreamTests {
    @Test func subscribeSnapshotUpdatesAndTrades() async throws {
        let server = try await LighterTestServer.start()
        let recorder = EventRecorder()
        let client = streamClient(server, subscriptions: [.orderBook(market: 0), .trades(market: 0)])
        let task = Task { await client.run { recorder.record($0) } }
        defer {
            task.cancel()
            Task { await server.shutdown() }
        }
        let socket = try await server.expectSocket()
        _ = try await socket.expectMessage(containing: "\"channel\":\"order_book/0\"")
        _ = try await socket.expectMessage(containing: "\"channel\":\"trade/0\"")
        socket.send(
            bookFrame(
                "subscribed/order_book", offset: 10, nonce: 100, beginNonce: nil,
                bids: [("3024.66", "1.2000"), ("3024.50", "2.0000")], asks: [("3024.70", "0.8000"), ("3025.00", "3.0000")]))
        socket.send(bookFrame("update/order_book", offset: 11, nonce: 101, beginNonce: 100, bids: [("3024.66", "0")], asks: [("3024.68", "0.5000")]))
        socket.send(bookFrame("update/order_book", offset: 12, nonce: 105, beginNonce: 101, bids: [("3024.60", "0.1000")], asks: []))
        socket.send(
            """
            {"type":"update/trade","channel":"trade:0","nonce":5,"liquidation_trades":[],"trades":[{"trade_id":77,"market_id":0,\
            "size":"0.5000","price":"3024.68","is_maker_ask":true,"timestamp":1773854157000,"ask_account_id":1,"bid_account_id":2}]}
            """)
        _ = try await recorder.wait("the trade") { event in
            if case .trades = event { return true }
            return false
        }
        let book = try #require(client.book(marketID: 0))
        #expect(book.bids.levels() == [level(302_460, 1_000), level(302_450, 20_000)])
        #expect(book.asks.levels() == [level(302_468, 5_000), level(302_470, 8_000), level(302_500, 30_000)])
        let bookEvents = recorder.count { event in
            if case .book = event { return true }
            return false
        }
        #expect(bookEvents == 3)
        guard case .trades(let market, let trades, let isSnapshot, _) = try #require(recorder.all.last(where: { if case .trades = $0 { true } else { false } }))
        else { return }
        #expect(market == 0 && !isSnapshot)
        #expect(trades == [LighterTrade(tradeID: 77, marketID: 0, price: Price(ticks: 302_468), size: Quantity(lots: 5_000),
                                        isMakerAsk: true, timestampMs: 1_773_854_157_000, askAccountID: 1, bidAccountID: 2)])
    }

    /// A message split over continuation frames (`WebSocketMessages.read`) arrives whole, once.
    @Test func aFragmentedMessageArrivesWhole() async throws {
        let server = try await LighterTestServer.start()
        let recorder = EventRecorder()
        let client = streamClient(server, subscriptions: [.orderBook(market: 0)])
        let task = Task { await client.run { recorder.record($0) } }
        defer {
            task.cancel()
            Task { await server.shutdown() }
        }
        let socket = try await server.expectSocket()
        _ = try await socket.expectMessage(containing: "\"channel\":\"order_book/0\"")
        socket.sendFragmented(
            bookFrame(
                "subscribed/order_book", offset: 10, nonce: 100, beginNonce: nil,
                bids: [("3024.66", "1.2000"), ("3024.50", "2.0000")], asks: [("3024.70", "0.8000")]),
            pieces: 7)
        socket.send(bookFrame("update/order_book", offset: 11, nonce: 101, beginNonce: 100, bids: [("3024.66", "0")], asks: []))
        _ = try await recorder.wait("the update after the fragmented snapshot") { event in
            if case .book(let book) = event { return book.nonce == 101 }
            return false
        }
        #expect(recorder.count { if case .book = $0 { true } else { false } } == 2)
        let book = try #require(client.book(marketID: 0))
        #expect(book.bids.levels() == [level(302_450, 20_000)])
        #expect(book.asks.levels() == [level(302_470, 8_000)])
        #expect(recorder.count { if case .decodeError = $0 { true } else { false } } == 0)
    }

    @Test func nonceGapTriggersResyncAndFreshSnapshot() async throws {
        let server = try await LighterTestServer.start()
        let recorder = EventRecorder()
        let client = streamClient(server, subscriptions: [.orderBook(market: 0)])
        let task = Task { await client.run { recorder.record($0) } }
        defer {
            task.cancel()
            Task { await server.shutdown() }
        }
        let socket = try await server.expectSocket()
        _ = try await socket.expectMessage(containing: "order_book/0")
        socket.send(bookFrame("subscribed/order_book", offset: 1, nonce: 100, beginNonce: nil, bids: [("3000.00", "1")], asks: [("3001.00", "1")]))
        // begin_nonce 150 does not continue from 100: a lost frame.
        socket.send(bookFrame("update/order_book", offset: 2, nonce: 160, beginNonce: 150, bids: [("3000.50", "1")], asks: []))
        let resync = try await recorder.wait("a resync") { event in
            if case .resync = event { return true }
            return false
        }
        guard case .resync(let market, let reason) = resync else { return }
        #expect(market == 0)
        #expect(reason == .nonceGap(expected: 100, got: 150))
        #expect(client.book(marketID: 0) == nil)
        // The client resubscribes: unsubscribe then subscribe.
        _ = try await socket.expectMessage(containing: "\"type\":\"unsubscribe\"")
        _ = try await socket.expectMessage(containing: "\"type\":\"subscribe\"")
        socket.send(bookFrame("subscribed/order_book", offset: 1, nonce: 200, beginNonce: nil, bids: [("2999.00", "2")], asks: [("3002.00", "3")]))
        _ = try await recorder.wait("the new snapshot") { event in
            if case .book(let book) = event { return book.isSnapshot && book.nonce == 200 }
            return false
        }
        let book = try #require(client.book(marketID: 0))
        #expect(book.bestBid == level(299_900, 20_000))
        #expect(book.bestAsk == level(300_200, 30_000))
        #expect(client.statistics.resyncs == 1)
    }

    @Test func droppedSocketReconnectsAndResubscribes() async throws {
        let server = try await LighterTestServer.start()
        let recorder = EventRecorder()
        let client = streamClient(server, subscriptions: [.orderBook(market: 0), .userStats(account: 1234)])
        let task = Task { await client.run { recorder.record($0) } }
        defer {
            task.cancel()
            Task { await server.shutdown() }
        }
        let first = try await server.expectSocket()
        _ = try await first.expectMessage(containing: "user_stats/1234")
        first.send(bookFrame("subscribed/order_book", offset: 1, nonce: 1, beginNonce: nil, bids: [("3000.00", "1")], asks: [("3001.00", "1")]))
        _ = try await recorder.wait("the snapshot") { if case .book = $0 { true } else { false } }
        first.drop()
        _ = try await recorder.wait("the disconnect") { if case .disconnected = $0 { true } else { false } }
        _ = try await recorder.wait("the reconnect marker") { event in
            if case .resync(0, .reconnect) = event { return true }
            return false
        }
        let second = try await server.expectSocket()
        _ = try await second.expectMessage(containing: "order_book/0")
        _ = try await second.expectMessage(containing: "user_stats/1234")
        _ = try await recorder.wait("the second connection") { event in
            if case .connected(2) = event { return true }
            return false
        }
        #expect(client.statistics.connections == 2)
        #expect(client.book(marketID: 0) == nil)  // until the new snapshot
    }

    @Test func answersServerPingsAndPingsWhenIdle() async throws {
        let server = try await LighterTestServer.start()
        let recorder = EventRecorder()
        let client = streamClient(server, subscriptions: [.marketStats(market: nil)], pingInterval: 150_000_000)
        let task = Task { await client.run { recorder.record($0) } }
        defer {
            task.cancel()
            Task { await server.shutdown() }
        }
        let socket = try await server.expectSocket()
        _ = try await socket.expectMessage(containing: "market_stats/all")
        socket.send("{\"type\":\"ping\"}")
        _ = try await socket.expectMessage(containing: "\"type\":\"pong\"")
        // Nothing sent for 150 ms → the client pings.
        _ = try await socket.expectMessage(containing: "\"type\":\"ping\"")
        #expect(client.statistics.pongsSent == 1)
        #expect(client.statistics.pingsSent >= 1)
        // Other messages come through raw for the Foundation decoders.
        socket.send("{\"type\":\"update/market_stats\",\"channel\":\"market_stats:all\",\"market_stats\":{\"0\":{\"mark_price\":\"3335.09\"}}}")
        let event = try await recorder.wait("market stats") { if case .message = $0 { true } else { false } }
        guard case .message(let type, let channel, let json, _) = event else { return }
        #expect(type == "update/market_stats" && channel == "market_stats:all")
        let stats = try #require(try LighterMessages.payload("market_stats", fromJSON: json))
        #expect((stats["0"] as? [String: any Sendable])?["mark_price"] as? String == "3335.09")
    }

    @Test func serverErrorsAndMalformedFramesAreReportedNotFatal() async throws {
        let server = try await LighterTestServer.start()
        let recorder = EventRecorder()
        let client = streamClient(server, subscriptions: [.orderBook(market: 0)])
        let task = Task { await client.run { recorder.record($0) } }
        defer {
            task.cancel()
            Task { await server.shutdown() }
        }
        let socket = try await server.expectSocket()
        _ = try await socket.expectMessage(containing: "order_book/0")
        // Both error shapes of section B.1.
        socket.send("{\"type\":\"error\",\"code\":30005,\"message\":\"Invalid Channel\"}")
        socket.send("{\"error\":{\"code\":30003,\"message\":\"Already Subscribed\"}}")
        // A truncated book frame and a non-JSON frame: counted and dropped.
        socket.send("{\"type\":\"update/order_book\",\"channel\":\"order_book:0\",\"order_book\":{\"asks\":[{\"price\":\"1")
        socket.send("not json")
        // The connection survives: a snapshot after the bad frames is applied.
        socket.send(bookFrame("subscribed/order_book", offset: 1, nonce: 1, beginNonce: nil, bids: [("3000.00", "1")], asks: [("3001.00", "1")]))
        _ = try await recorder.wait("the snapshot") { if case .book = $0 { true } else { false } }
        let errors = recorder.all.compactMap { event -> Int? in
            if case .serverError(let code, _) = event { return code }
            return nil
        }
        #expect(errors == [30005, 30003])
        #expect(client.statistics.decodeErrors == 2)
        #expect(recorder.count { if case .decodeError = $0 { true } else { false } } == 2)
        #expect(client.statistics.connections == 1)
    }

    @Test func silentServerTripsTheWatchdog() async throws {
        let server = try await LighterTestServer.start()
        let recorder = EventRecorder()
        let client = streamClient(server, subscriptions: [.orderBook(market: 0)], receiveTimeout: 300_000_000)
        let task = Task { await client.run { recorder.record($0) } }
        defer {
            task.cancel()
            Task { await server.shutdown() }
        }
        _ = try await server.expectSocket()
        let event = try await recorder.wait("the watchdog disconnect") { if case .disconnected = $0 { true } else { false } }
        guard case .disconnected(let reason, _) = event else { return }
        #expect(reason.contains("nothing received"))
        _ = try await server.expectSocket()
    }

    @Test func authChannelsUseAndRefreshTokens() async throws {
        let server = try await LighterTestServer.start()
        let recorder = EventRecorder()
        let issued = Mutex(0)
        // Tokens that expire 1.5 s after issue; the client refreshes 1 s before expiry.
        let provider: LighterStreamClient.AuthTokenProvider = { now in
            let number = issued.withLock { value in
                value += 1
                return value
            }
            return AuthTokenGrant(token: "token-\(number)", expiresAt: now + 1_500_000_000)
        }
        let client = streamClient(
            server, subscriptions: [.accountAllOrders(account: 1234), .accountOrders(market: 0, account: 1234)],
            tokenProvider: provider)
        let task = Task { await client.run { recorder.record($0) } }
        defer {
            task.cancel()
            Task { await server.shutdown() }
        }
        let socket = try await server.expectSocket()
        let subscribe = try await socket.expectMessage(containing: "account_all_orders/1234")
        #expect(subscribe.contains("\"auth\":\"token-1\""))
        _ = try await socket.expectMessage(containing: "account_orders/0/1234")
        // About 0.5 s later the token is within the margin: both channels are resubscribed with token-2.
        let refreshed = try await socket.expectMessage(containing: "token-2")
        #expect(refreshed.contains("\"type\":\"subscribe\""))
        #expect(client.statistics.tokenRefreshes >= 2)
        // Account order updates decode with the Foundation helper.
        socket.send(
            """
            {"type":"update/account_all_orders","channel":"account_all_orders:1234","orders":{"0":[{"order_index":7,\
            "client_order_index":1001,"market_index":0,"price":"4050.00","initial_base_amount":"0.1000",\
            "remaining_base_amount":"0.0000","filled_base_amount":"0.1000","is_ask":true,"status":"filled","type":"limit",\
            "time_in_force":"post-only","nonce":42}]}}
            """)
        let event = try await recorder.wait("the orders update") { if case .message = $0 { true } else { false } }
        guard case .message(_, _, let json, _) = event else { return }
        let orders = try LighterMessages.orders(fromJSON: json)
        #expect(orders.count == 1 && orders.first?.status == "filled" && orders.first?.clientOrderIndex == 1001)
    }

    @Test func sendsTransactionsOverTheSocket() async throws {
        let server = try await LighterTestServer.start()
        let client = streamClient(server, subscriptions: [.orderBook(market: 0)])
        let task = Task { await client.run() }
        defer {
            task.cancel()
            Task { await server.shutdown() }
        }
        let socket = try await server.expectSocket()
        _ = try await socket.expectMessage(containing: "order_book/0")
        let info = "{\"AccountIndex\":1234,\"Nonce\":7,\"Sig\":\"abc\"}"
        async let reply = client.sendTransaction(EncodedTransaction(type: 14, txInfo: info))
        let request = try await socket.expectMessage(containing: "jsonapi/sendtx")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(request.utf8)) as? [String: Any])
        let data = try #require(object["data"] as? [String: Any])
        #expect(data["tx_type"] as? Int == 14)
        // tx_info goes as a JSON object, as in the official example.
        #expect((data["tx_info"] as? [String: Any])?["Nonce"] as? Int == 7)
        let id = try #require(data["id"] as? String)
        socket.send("{\"type\":\"jsonapi/sendtx\",\"id\":\"\(id)\",\"code\":200,\"message\":\"ok\",\"tx_hash\":\"beef\"}")
        let response = try await reply
        #expect(response.txHash == "beef")

        // An error reply is a typed error.
        async let failing = client.sendTransaction(EncodedTransaction(type: 14, txInfo: info))
        let second = try await socket.expectMessage(containing: "jsonapi/sendtx")
        let secondID = try #require(
            ((try JSONSerialization.jsonObject(with: Data(second.utf8)) as? [String: Any])?["data"] as? [String: Any])?["id"] as? String)
        socket.send("{\"type\":\"jsonapi/sendtx\",\"id\":\"\(secondID)\",\"code\":21104,\"message\":\"invalid nonce\"}")
        do {
            _ = try await failing
            Issue.record("an error reply was accepted")
        } catch {
            #expect((error as? LighterClientError)?.apiError?.isInvalidNonce == true)
        }

        // A batch: tx_types and tx_infos are JSON strings.
        async let batch = client.sendTransactionBatch([EncodedTransaction(type: 14, txInfo: "{\"A\":1}"), EncodedTransaction(type: 15, txInfo: "{\"B\":2}")])
        let batchRequest = try await socket.expectMessage(containing: "jsonapi/sendtxbatch")
        let batchData = try #require((try JSONSerialization.jsonObject(with: Data(batchRequest.utf8)) as? [String: Any])?["data"] as? [String: Any])
        #expect(batchData["tx_types"] as? String == "[14,15]")
        let infos = try JSONSerialization.jsonObject(with: Data(try #require(batchData["tx_infos"] as? String).utf8)) as? [String]
        #expect(infos == ["{\"A\":1}", "{\"B\":2}"])
        let batchID = try #require(batchData["id"] as? String)
        socket.send("{\"type\":\"jsonapi/sendtxbatch\",\"id\":\"\(batchID)\",\"code\":200,\"tx_hashes\":[\"h1\",\"h2\"]}")
        #expect(try await batch.txHashes == ["h1", "h2"])
    }
}
