import Foundation
import Lighter
import LighterCrypto
import MarketCore
import Simulation
import Testing

/// The sandbox's WebSocket side, read by the project's own stream client: book snapshot plus
/// continuous updates, trades, stats, and the account channels reporting orders sent over the socket.
@Suite(.serialized) struct SandboxStreamTests {
    @Test func streamClientFollowsBooksTradesAndAccountOrders() async throws {
        let sandbox = try await SandboxHarness.start(seed: 3)
        defer { Task { await sandbox.stop() } }
        let account = sandbox.first
        let specs = try await sandbox.rest.marketSpecs()
        let token = sandbox.authToken(account)
        let expiry = Timestamp(milliseconds: SandboxHarness.nowMilliseconds + 3_600_000)
        let recorder = StreamRecorder()
        let stream = LighterStreamClient(
            configuration: .init(url: sandbox.server.streamURL, tickInterval: 0.2), markets: MarketDecimalsTable(specs),
            subscriptions: [
                .orderBook(market: 0), .trades(market: 0), .marketStats(market: 0), .accountAllOrders(account: 100),
                .accountAll(account: 100), .userStats(account: 100), .accountTransactions(account: 100),
            ],
            tokenProvider: { _ in AuthTokenGrant(token: token, expiresAt: expiry) })
        let task = Task { await stream.run { recorder.record($0) } }
        defer { task.cancel() }

        // A snapshot, then updates that continue it (the client checks begin_nonce == last nonce and
        // that the book never crosses; a gap or a cross would count a resync).
        let synced = await SandboxHarness.eventually(seconds: 15) {
            recorder.bookEvents.filter { !$0.isSnapshot }.count >= 5
        }
        #expect(synced)
        #expect(recorder.bookEvents.first?.isSnapshot == true)
        #expect(stream.statistics.resyncs == 0)
        let book = try #require(stream.book(marketID: 0))
        let bid = try #require(book.bestBid)
        let ask = try #require(book.bestAsk)
        #expect(bid.price < ask.price)

        // Public trades and market stats arrive.
        let traded = await SandboxHarness.eventually(seconds: 15) {
            recorder.all.contains { if case .trades(0, let trades, _, _) = $0 { !trades.isEmpty } else { false } }
        }
        #expect(traded)
        #expect(!recorder.messages(type: "subscribed/market_stats").isEmpty)
        #expect(!recorder.messages(type: "subscribed/account_all_orders").isEmpty)
        #expect(!recorder.messages(type: "subscribed/user_stats").isEmpty)

        // An order sent over the socket is acknowledged and shows up in account_all_orders.
        let price = bid.price.ticks - 5_000
        let create = try sandbox.sign(
            SandboxHarness.ethOrder(clientIndex: 51, lots: 100, priceTicks: price, isAsk: false), account: account, nonce: 0)
        let reply = try await stream.sendTransaction(EncodedTransaction(create))
        #expect(reply.code == 200)
        #expect(reply.txHash == create.txHash)
        let opened = try await SandboxHarness.eventually(seconds: 5) {
            try recorder.messages(type: "update/account_all_orders").contains { json in
                try LighterMessages.orders(fromJSON: json).contains { $0.clientOrderIndex == 51 && $0.status == "open" }
            }
        }
        #expect(opened)
        // account_tx reports the executed transaction (status 2) by its hash.
        let reported = await SandboxHarness.eventually(seconds: 5) {
            recorder.messages(type: "update/account_tx").contains { $0.contains(create.txHash) && $0.contains("\"status\":2") }
        }
        #expect(reported)
        // The resting order is part of the public book the stream client keeps.
        let shown = await SandboxHarness.eventually(seconds: 5) {
            stream.book(marketID: 0)?.levels(.buy).size(at: Price(ticks: price)).lots == 100
        }
        #expect(shown)
        #expect(!recorder.messages(type: "update/account_all").isEmpty)
        #expect(!recorder.messages(type: "update/user_stats").isEmpty)

        // A wrong nonce over the socket is refused with 21104.
        let stale = try sandbox.sign(
            SandboxHarness.ethOrder(clientIndex: 52, lots: 100, priceTicks: price, isAsk: false), account: account, nonce: 0)
        await #expect {
            _ = try await stream.sendTransaction(EncodedTransaction(stale))
        } throws: { error in
            (error as? LighterClientError)?.apiError?.code == .invalidNonce
        }

        // A batch over the socket (the cancel) is executed; the order is reported canceled.
        let cancel = try sandbox.sign(.cancelOrder(CancelOrderTx(marketIndex: 0, index: 51)), account: account, nonce: 1)
        let batch = try await stream.sendTransactionBatch([EncodedTransaction(cancel)])
        #expect(batch.code == 200)
        #expect(batch.txHashes == [cancel.txHash])
        let canceled = try await SandboxHarness.eventually(seconds: 5) {
            try recorder.messages(type: "update/account_all_orders").contains { json in
                try LighterMessages.orders(fromJSON: json).contains { $0.clientOrderIndex == 51 && $0.status == "canceled" }
            }
        }
        #expect(canceled)
        let removed = await SandboxHarness.eventually(seconds: 5) {
            stream.book(marketID: 0)?.levels(.buy).size(at: Price(ticks: price)).lots == 0
        }
        #expect(removed)
        #expect(stream.statistics.resyncs == 0)
    }

    @Test func shutdownClosesOpenConnections() async throws {
        let sandbox = try await SandboxHarness.start()
        let specs = try await sandbox.rest.marketSpecs()
        let recorder = StreamRecorder()
        let stream = LighterStreamClient(
            configuration: .init(url: sandbox.server.streamURL, tickInterval: 0.2), markets: MarketDecimalsTable(specs),
            subscriptions: [.orderBook(market: 1)])
        let task = Task { await stream.run { recorder.record($0) } }
        defer { task.cancel() }
        let synced = await SandboxHarness.eventually(seconds: 10) { !recorder.bookEvents.isEmpty }
        #expect(synced)
        let baseURL = sandbox.server.baseURL
        await sandbox.stop()
        let dropped = await SandboxHarness.eventually(seconds: 10) {
            recorder.all.contains { if case .disconnected = $0 { true } else { false } }
        }
        #expect(dropped)
        // Nothing listens any more.
        let rest = LighterRESTClient(configuration: .init(baseURL: baseURL, timeout: 2, rateLimiter: nil))
        await #expect(throws: LighterClientError.self) {
            _ = try await rest.orderBooks()
        }
    }

    @Test func authChannelsRefuseAForeignToken() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        let specs = try await sandbox.rest.marketSpecs()
        // A token signed by account 101's key, presented for account 100's orders.
        let token = sandbox.authToken(sandbox.second)
        let expiry = Timestamp(milliseconds: SandboxHarness.nowMilliseconds + 3_600_000)
        let recorder = StreamRecorder()
        let stream = LighterStreamClient(
            configuration: .init(url: sandbox.server.streamURL, tickInterval: 0.2), markets: MarketDecimalsTable(specs),
            subscriptions: [.accountAllOrders(account: 100)],
            tokenProvider: { _ in AuthTokenGrant(token: token, expiresAt: expiry) })
        let task = Task { await stream.run { recorder.record($0) } }
        defer { task.cancel() }
        let refused = await SandboxHarness.eventually(seconds: 10) {
            recorder.all.contains { if case .serverError(20013, _) = $0 { true } else { false } }
        }
        #expect(refused)
        #expect(recorder.messages(type: "subscribed/account_all_orders").isEmpty)
    }
}
