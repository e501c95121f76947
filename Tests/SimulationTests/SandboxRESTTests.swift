import Foundation
import Lighter
import LighterCrypto
import MarketCore
import Simulation
import Testing

/// The sandbox over real loopback sockets, driven by the project's own REST client and tx layer.
/// Expected shapes, decimals and error codes come from the protocol notes (sections A and E.4).
@Suite(.serialized) struct SandboxRESTTests {
    @Test func marketDataAccountAndKeysMatchLighterShapes() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }

        // Lighter's ETH perp (market 0): size decimals 4, price decimals 2, 0.0050 ETH / 10 USDC minimums.
        let details = try await sandbox.rest.orderBookDetails()
        let eth = try #require(details.first { $0.symbol == "ETH" })
        #expect(eth.marketID == 0)
        #expect(eth.sizeDecimals == 4)
        #expect(eth.priceDecimals == 2)
        #expect(eth.minBaseAmount == "0.0050")
        #expect(eth.minQuoteAmount == "10.000000")
        #expect(details.contains { $0.symbol == "BTC" && $0.marketID == 1 })
        let specs = try await sandbox.rest.marketSpecs()
        #expect(specs.map(\.symbol) == ["ETH", "BTC"])
        let books = try await sandbox.rest.orderBooks(marketID: 0)
        #expect(books.map(\.symbol) == ["ETH"])

        // The synthetic ETH book is two-sided around 3000 with a positive spread.
        let top = try await sandbox.ethTop()
        #expect(top.bid < top.ask)
        #expect(top.bid > 250_000 && top.ask < 350_000)

        let account = try await sandbox.rest.account(index: 100)
        #expect(account.index == 100)
        #expect(account.collateral == "100000.000000")
        #expect(account.availableBalance == "100000.000000")
        #expect(account.positions.count == 2)
        #expect(account.positions.allSatisfy { $0.position == "0.0000" || $0.position == "0.00000" })

        #expect(try await sandbox.rest.nextNonce(accountIndex: 100, apiKeyIndex: 4) == 0)
        let keys = try await sandbox.rest.apiKeys(accountIndex: 100, apiKeyIndex: 4)
        #expect(keys.count == 1)
        #expect(keys.first?.publicKey == sandbox.first.privateKey.publicKey.hex)
        #expect(keys.first?.apiKeyIndex == 4)

        // An unknown key is refused with 21109 "api key not found".
        await #expect {
            _ = try await sandbox.rest.nextNonce(accountIndex: 100, apiKeyIndex: 9)
        } throws: { error in
            (error as? LighterClientError)?.apiError?.code == .apiKeyNotFound
        }
    }

    @Test func placeModifyCancelWithSignedTransactions() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        let account = sandbox.first
        let top = try await sandbox.ethTop()
        // 0.0100 ETH, 50 USDC below the best bid: rests, far from the synthetic flow.
        let price = top.bid - 5_000
        let create = try sandbox.sign(
            SandboxHarness.ethOrder(clientIndex: 11, lots: 100, priceTicks: price, isAsk: false), account: account, nonce: 0)
        let sent = try await sandbox.rest.sendTx(create)
        #expect(sent.code == 200)
        #expect(sent.txHash == create.txHash)

        let token = sandbox.authToken(account)
        var orders = try await sandbox.rest.accountActiveOrders(accountIndex: 100, marketID: 0, authToken: token)
        #expect(orders.count == 1)
        let order = try #require(orders.first)
        #expect(order.clientOrderIndex == 11)
        #expect(order.price == FixedPoint.format(price, decimals: 2))
        #expect(order.remainingBaseAmount == "0.0100")
        #expect(order.isAsk == false)
        #expect(order.status == "open")
        #expect(order.orderIndex >= 1 << 48)

        // The tx is recorded as executed (status 2) with its tx_info.
        let status = try await sandbox.rest.transaction(hash: create.txHash)
        #expect(status.status == 2)
        #expect(status.type == 14)
        #expect(status.info == create.txInfo)

        // Modify by order index: new price and size.
        let newPrice = price - 1_000
        let modify = try sandbox.sign(
            .modifyOrder(ModifyOrderTx(marketIndex: 0, index: order.orderIndex, baseAmount: 200, price: UInt32(newPrice))),
            account: account, nonce: 1)
        #expect(try await sandbox.rest.sendTx(modify).code == 200)
        orders = try await sandbox.rest.accountActiveOrders(accountIndex: 100, marketID: 0, authToken: token)
        #expect(orders.count == 1)
        #expect(orders.first?.price == FixedPoint.format(newPrice, decimals: 2))
        #expect(orders.first?.remainingBaseAmount == "0.0200")
        #expect(orders.first?.orderIndex == order.orderIndex)

        // Cancel by client order index.
        let cancel = try sandbox.sign(.cancelOrder(CancelOrderTx(marketIndex: 0, index: 11)), account: account, nonce: 2)
        #expect(try await sandbox.rest.sendTx(cancel).code == 200)
        orders = try await sandbox.rest.accountActiveOrders(accountIndex: 100, marketID: 0, authToken: token)
        #expect(orders.isEmpty)
        #expect(try await sandbox.rest.nextNonce(accountIndex: 100, apiKeyIndex: 4) == 3)

        // Cancelling it again: 21600 "given order is not an active limit order".
        let again = try sandbox.sign(.cancelOrder(CancelOrderTx(marketIndex: 0, index: 11)), account: account, nonce: 3)
        await #expect {
            _ = try await sandbox.rest.sendTx(again)
        } throws: { error in
            (error as? LighterClientError)?.apiError?.code == .orderNotActive
        }
    }

    @Test func batchThenCancelAll() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        let account = sandbox.first
        let top = try await sandbox.ethTop()
        let bid = try sandbox.sign(
            SandboxHarness.ethOrder(clientIndex: 21, lots: 100, priceTicks: top.bid - 4_000, isAsk: false),
            account: account, nonce: 0)
        let ask = try sandbox.sign(
            SandboxHarness.ethOrder(clientIndex: 22, lots: 100, priceTicks: top.ask + 4_000, isAsk: true),
            account: account, nonce: 1)
        let batch = try await sandbox.rest.sendTxBatch(types: [14, 14], txInfos: [bid.txInfo, ask.txInfo])
        #expect(batch.code == 200)
        #expect(batch.txHashes == [bid.txHash, ask.txHash])

        let token = sandbox.authToken(account)
        let orders = try await sandbox.rest.accountActiveOrders(accountIndex: 100, authToken: token)
        #expect(Set(orders.map(\.clientOrderIndex)) == [21, 22])
        #expect(orders.first { $0.clientOrderIndex == 22 }?.isAsk == true)
        // The account's available balance now holds margin for the two orders (20×: 5 % of notional).
        let account100 = try await sandbox.rest.account(index: 100)
        let available = try #require(Double(account100.availableBalance ?? ""))
        #expect(available < 100_000 && available > 99_990)

        let cancelAll = try sandbox.sign(.cancelAllOrders(.immediate), account: account, nonce: 2)
        #expect(try await sandbox.rest.sendTx(cancelAll).code == 200)
        #expect(try await sandbox.rest.accountActiveOrders(accountIndex: 100, authToken: token).isEmpty)

        // A batch whose nonces do not increase is refused whole with 21105.
        let third = try sandbox.sign(
            SandboxHarness.ethOrder(clientIndex: 23, lots: 100, priceTicks: top.bid - 4_000, isAsk: false),
            account: account, nonce: 3)
        await #expect {
            _ = try await sandbox.rest.sendTxBatch(types: [14, 14], txInfos: [third.txInfo, third.txInfo])
        } throws: { error in
            (error as? LighterClientError)?.apiError?.code == .batchNonceNotIncreasing
        }
        #expect(try await sandbox.rest.nextNonce(accountIndex: 100, apiKeyIndex: 4) == 3)
    }

    @Test func refusesBadSignatureWrongNonceExpiredAndBelowMinimum() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        let account = sandbox.first
        let top = try await sandbox.ethTop()
        let order = SandboxHarness.ethOrder(clientIndex: 31, lots: 100, priceTicks: top.bid - 5_000, isAsk: false)

        func code(_ transaction: SignedTransaction) async -> Int? {
            do {
                _ = try await sandbox.rest.sendTx(transaction)
                return 200
            } catch {
                return error.apiError?.code.rawValue
            }
        }
        // Signed by a key the account never registered: 21120 invalid signature.
        #expect(await code(try sandbox.sign(order, account: account, nonce: 0, key: .generate())) == 21120)
        // Signed for the testnet chain id: the recomputed hash differs, 21120.
        let testnet = try Transaction(
            order,
            envelope: TxEnvelope(
                chain: .testnet, accountIndex: 100, apiKeyIndex: 4, nonce: 0,
                nowMilliseconds: SandboxHarness.nowMilliseconds)
        ).signed(with: account.privateKey)
        #expect(await code(testnet) == 21120)
        // Nonce 5 when 0 is next: 21104 invalid nonce.
        #expect(await code(try sandbox.sign(order, account: account, nonce: 5)) == 21104)
        // ExpiredAt in the past: 21711.
        let expired = try sandbox.sign(order, account: account, nonce: 0, expiredAt: SandboxHarness.nowMilliseconds - 1_000)
        #expect(await code(expired) == 21711)
        // 0.0010 ETH is below the 0.0050 minimum: 21706.
        let small = SandboxHarness.ethOrder(clientIndex: 32, lots: 10, priceTicks: top.bid - 5_000, isAsk: false)
        #expect(await code(try sandbox.sign(small, account: account, nonce: 0)) == 21706)
        // Too large for the account's margin (1000 ETH ≈ 3 M USDC at 20×): 21739.
        let huge = SandboxHarness.ethOrder(clientIndex: 33, lots: 10_000_000, priceTicks: top.bid - 5_000, isAsk: false)
        #expect(await code(try sandbox.sign(huge, account: account, nonce: 0)) == 21739)
        // None of the refusals used the nonce; the skip-nonce attribute allows a jump.
        #expect(try await sandbox.rest.nextNonce(accountIndex: 100, apiKeyIndex: 4) == 0)
        let skipping = try sandbox.sign(order, account: account, nonce: 7, attributes: TxAttributes(skipNonce: true))
        #expect(await code(skipping) == 200)
        #expect(try await sandbox.rest.nextNonce(accountIndex: 100, apiKeyIndex: 4) == 8)

        // accountActiveOrders needs a valid token for that account.
        await #expect(throws: LighterClientError.self) {
            _ = try await sandbox.rest.accountActiveOrders(accountIndex: 100, authToken: sandbox.authToken(sandbox.second))
        }
        let forged = AuthToken(
            deadline: SandboxHarness.nowMilliseconds / 1000 + 600, accountIndex: 100, apiKeyIndex: 4,
            signingWith: .generate())
        await #expect(throws: LighterClientError.self) {
            _ = try await sandbox.rest.accountActiveOrders(accountIndex: 100, authToken: forged.token)
        }
    }

    @Test func immediateOrderTakesTheBookAndIsAPublicTrade() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        let account = sandbox.first
        let top = try await sandbox.ethTop()
        // An IOC buy of 0.0050 ETH up to 1.00 above the best ask: filled at once as taker.
        let limit = top.ask + 100
        let order = OrderInfo(
            marketIndex: 0, clientOrderIndex: 71, baseAmount: 50, price: UInt32(limit), isAsk: false,
            timeInForce: .immediateOrCancel, orderExpiry: 0)
        #expect(try await sandbox.rest.sendTx(try sandbox.sign(.createOrder(order), account: account, nonce: 0)).code == 200)
        let state = try await sandbox.rest.account(index: 100)
        let position = try #require(state.positions.first { $0.marketID == 0 })
        #expect(position.position == "0.0050")
        #expect(position.sign == 1)
        let entry = try FixedPoint.parse(try #require(position.avgEntryPrice), decimals: 2)
        #expect(entry <= limit)
        let trades: PublicTradesProbe = try await sandbox.rest.get(
            "/api/v1/recentTrades", query: [("market_id", "0"), ("limit", "50")])
        // A taker buy: the maker was the ask.
        #expect(trades.trades.contains { $0.bidAccountID == 100 && $0.size == "0.0050" && $0.isMakerAsk })
    }

    @Test func ordersOfTwoAccountsTradeWithEachOther() async throws {
        let sandbox = try await SandboxHarness.start(quiet: true)
        defer { Task { await sandbox.stop() } }
        let top = try await sandbox.ethTop()
        // Account 101 offers 0.0100 ETH one tick inside the synthetic ask.
        let offer = top.ask - 1
        let ask = try sandbox.sign(
            SandboxHarness.ethOrder(clientIndex: 81, lots: 100, priceTicks: offer, isAsk: true, timeInForce: .goodTillTime),
            account: sandbox.second, nonce: 0)
        #expect(try await sandbox.rest.sendTx(ask).code == 200)
        // The public book shows it as the new best ask.
        #expect(try await sandbox.ethTop().ask == offer)

        // A post-only bid of account 100 at that price would trade: accepted, then canceled-post-only.
        let postOnly = try sandbox.sign(
            SandboxHarness.ethOrder(clientIndex: 82, lots: 50, priceTicks: offer, isAsk: false), account: sandbox.first,
            nonce: 0)
        #expect(try await sandbox.rest.sendTx(postOnly).code == 200)
        let token100 = sandbox.authToken(sandbox.first)
        var inactive: InactiveOrdersProbe = try await sandbox.rest.get(
            "/api/v1/accountInactiveOrders", query: [("account_index", "100"), ("limit", "10")], authToken: token100)
        #expect(inactive.orders.last?.status == "canceled-post-only")

        // An IOC bid for 0.0050 at the offer takes half of it.
        let take = OrderInfo(
            marketIndex: 0, clientOrderIndex: 83, baseAmount: 50, price: UInt32(offer), isAsk: false,
            timeInForce: .immediateOrCancel, orderExpiry: 0)
        #expect(try await sandbox.rest.sendTx(try sandbox.sign(.createOrder(take), account: sandbox.first, nonce: 1)).code == 200)
        let buyer = try #require(try await sandbox.rest.account(index: 100).positions.first { $0.marketID == 0 })
        #expect(buyer.position == "0.0050")
        #expect(buyer.sign == 1)
        #expect(buyer.avgEntryPrice == FixedPoint.format(offer, decimals: 2))
        let seller = try #require(try await sandbox.rest.account(index: 101).positions.first { $0.marketID == 0 })
        #expect(seller.position == "0.0050")
        #expect(seller.sign == -1)
        #expect(seller.avgEntryPrice == FixedPoint.format(offer, decimals: 2))
        let token101 = sandbox.authToken(sandbox.second)
        let resting = try await sandbox.rest.accountActiveOrders(accountIndex: 101, authToken: token101)
        #expect(resting.first?.remainingBaseAmount == "0.0050")
        #expect(resting.first?.filledBaseAmount == "0.0050")

        // A larger bid through the synthetic ask takes the rest of the offer first.
        let sweep = OrderInfo(
            marketIndex: 0, clientOrderIndex: 84, baseAmount: 100, price: UInt32(top.ask), isAsk: false,
            timeInForce: .immediateOrCancel, orderExpiry: 0)
        #expect(try await sandbox.rest.sendTx(try sandbox.sign(.createOrder(sweep), account: sandbox.first, nonce: 2)).code == 200)
        #expect(try await sandbox.rest.accountActiveOrders(accountIndex: 101, authToken: token101).isEmpty)
        let sellerAfter = try #require(try await sandbox.rest.account(index: 101).positions.first { $0.marketID == 0 })
        #expect(sellerAfter.position == "0.0100")
        let buyerAfter = try #require(try await sandbox.rest.account(index: 100).positions.first { $0.marketID == 0 })
        #expect(buyerAfter.position == "0.0150")
        inactive = try await sandbox.rest.get(
            "/api/v1/accountInactiveOrders", query: [("account_index", "101"), ("limit", "10")], authToken: token101)
        #expect(inactive.orders.first?.status == "filled")
    }

    @Test func orderIsCanceledWhenItsExpiryPasses() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        let account = sandbox.first
        let top = try await sandbox.ethTop()
        let order = OrderInfo(
            marketIndex: 0, clientOrderIndex: 61, baseAmount: 100, price: UInt32(top.bid - 5_000), isAsk: false,
            timeInForce: .goodTillTime, orderExpiry: SandboxHarness.nowMilliseconds + 1_500)
        let create = try sandbox.sign(.createOrder(order), account: account, nonce: 0)
        #expect(try await sandbox.rest.sendTx(create).code == 200)
        let token = sandbox.authToken(account)
        #expect(try await sandbox.rest.accountActiveOrders(accountIndex: 100, authToken: token).count == 1)
        let gone = try await SandboxHarness.eventually(seconds: 10) {
            try await sandbox.rest.accountActiveOrders(accountIndex: 100, authToken: token).isEmpty
        }
        #expect(gone)
        let inactive: InactiveOrdersProbe = try await sandbox.rest.get(
            "/api/v1/accountInactiveOrders", query: [("account_index", "100"), ("limit", "10")], authToken: token)
        #expect(inactive.orders.first?.status == "canceled-expired")
    }

    @Test func restingBidIsFilledByTheSyntheticFlow() async throws {
        let sandbox = try await SandboxHarness.start(seed: 11)
        defer { Task { await sandbox.stop() } }
        let account = sandbox.second
        let top = try await sandbox.ethTop()
        // One tick above the best bid, inside the spread: the first sell aggressor trades through it.
        let create = try sandbox.sign(
            SandboxHarness.ethOrder(clientIndex: 41, lots: 50, priceTicks: top.bid + 1, isAsk: false, timeInForce: .goodTillTime),
            account: account, nonce: 0)
        #expect(try await sandbox.rest.sendTx(create).code == 200)
        let filled = try await SandboxHarness.eventually(seconds: 30) {
            let state = try await sandbox.rest.account(index: 101)
            return state.positions.contains { $0.marketID == 0 && $0.position == "0.0050" && $0.sign == 1 }
        }
        #expect(filled)
        let state = try await sandbox.rest.account(index: 101)
        let position = try #require(state.positions.first { $0.marketID == 0 })
        #expect(position.avgEntryPrice == FixedPoint.format(top.bid + 1, decimals: 2))
        let token = sandbox.authToken(account)
        #expect(try await sandbox.rest.accountActiveOrders(accountIndex: 101, authToken: token).isEmpty)
        let inactive: InactiveOrdersProbe = try await sandbox.rest.get(
            "/api/v1/accountInactiveOrders", query: [("account_index", "101"), ("limit", "10")], authToken: token)
        #expect(inactive.orders.first?.status == "filled")
        #expect(inactive.orders.first?.filledBaseAmount == "0.0050")
    }
}

/// The part of `recentTrades` this suite reads.
struct PublicTradesProbe: Decodable {
    struct Trade: Decodable {
        var size: String
        var bidAccountID: Int64
        var isMakerAsk: Bool

        enum CodingKeys: String, CodingKey {
            case size
            case bidAccountID = "bid_account_id"
            case isMakerAsk = "is_maker_ask"
        }
    }

    var trades: [Trade]
}

/// The part of `accountInactiveOrders` this suite reads.
struct InactiveOrdersProbe: Decodable {
    var orders: [LighterOrderStatusProbe]
}

/// The fields of an order this suite reads from `accountInactiveOrders`.
struct LighterOrderStatusProbe: Decodable {
    var status: String
    var filledBaseAmount: String

    enum CodingKeys: String, CodingKey {
        case status
        case filledBaseAmount = "filled_base_amount"
    }
}
