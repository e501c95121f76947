import Foundation
import Lighter
import MarketCore
import Synchronization
import TestServers
import Testing

/// REST responses in the shapes of section A.3 of the protocol notes.
enum RESTFixtures {
    static let orderBookDetails = """
        {"code":200,"order_book_details":[{"symbol":"ETH","market_id":0,"market_type":"perp","status":"active",
         "taker_fee":"0.0000","maker_fee":"0.0000","liquidation_fee":"1.0000","min_base_amount":"0.0050",
         "min_quote_amount":"10.000000","order_quote_limit":"281474976.710655","supported_size_decimals":4,
         "supported_price_decimals":2,"supported_quote_decimals":6,"size_decimals":4,"price_decimals":2,
         "quote_multiplier":1,"default_initial_margin_fraction":200,"min_initial_margin_fraction":200,
         "maintenance_margin_fraction":120,"closeout_margin_fraction":80,"last_trade_price":3024.66,
         "mark_price":"3024.70","index_price":"3024.10","open_interest":93.0,"funding_clamp_small":"0.0500",
         "funding_clamp_big":"4.0000","base_interest_rate":"0.0100","market_config":{"market_margin_mode":0,
         "force_reduce_only":false,"hidden":false,"rfq_enabled":true},"strategy_index":2}],
         "spot_order_book_details":[{"symbol":"ETH/USDC","market_id":2048,"market_type":"spot","base_asset_id":1,
         "quote_asset_id":3,"size_decimals":4,"price_decimals":2,"min_base_amount":"0.0001","min_quote_amount":"0.000001"}]}
        """

    static let account = """
        {"code":200,"total":1,"accounts":[{"index":1234,"account_index":1234,"l1_address":"0xabc","account_type":1,
         "account_trading_mode":0,"status":1,"collateral":"46342.000000","available_balance":"19995.000000",
         "total_asset_value":"46359.52","cross_asset_value":"46359.52","cancel_all_time":0,"total_order_count":4,
         "pending_order_count":0,"cross_initial_margin_requirement":"5998.50","cross_maintenance_margin_requirement":"2999.25",
         "positions":[{"market_id":0,"symbol":"ETH","initial_margin_fraction":"5.00","open_order_count":3,
           "pending_order_count":0,"position_tied_order_count":0,"sign":-1,"position":"3.6956","avg_entry_price":"3024.66",
           "position_value":"3019.92","unrealized_pnl":"17.521309","realized_pnl":"2.000000","liquidation_price":"2500.10",
           "total_funding_paid_out":"34.2","margin_mode":0,"allocated_margin":"0.000000","total_discount":"0","margin_set_flag":0}],
         "assets":[{"symbol":"USDC","asset_id":3,"balance":"46342.0","locked_balance":"0","margin_balance":"46342.0","margin_mode":"enabled"}],
         "shares":[],"approved_integrators":[]}],"next_cursor":""}
        """

    static let activeOrders = """
        {"code":200,"orders":[{"order_index":281475384758017,"client_order_index":1001,"order_id":"281475384758017",
         "client_order_id":"1001","market_index":0,"owner_account_index":1234,"initial_base_amount":"0.1000",
         "remaining_base_amount":"0.1000","filled_base_amount":"0.0000","filled_quote_amount":"0.000000",
         "price":"4050.00","base_size":1000,"base_price":405000,"nonce":42,"is_ask":true,"side":"ask",
         "type":"limit","time_in_force":"post-only","reduce_only":false,"trigger_price":"0.00",
         "order_expiry":1800000000000,"status":"open","trigger_status":"na","parent_order_index":0,
         "block_height":45434,"timestamp":1795269471,"created_at":1795269471,"updated_at":1795269471,"order_version":0}]}
        """

    static let apiKeys = """
        {"code":200,"api_keys":[{"account_index":1234,"api_key_index":3,"nonce":722,"public_key":"710c8cd242b4","transaction_time":0}]}
        """

    static let recentTrades = """
        {"code":200,"trades":[{"trade_id":145,"tx_hash":"ab","type":"trade","market_id":0,"size":"0.1000","price":"3024.66",
         "usd_amount":"302.466000","ask_id":1,"bid_id":2,"ask_account_id":1,"bid_account_id":3,"is_maker_ask":true,
         "block_height":45434,"timestamp":1640995200000,"taker_fee":0,"maker_fee":0,"ask_client_id":0,"bid_client_id":0}]}
        """

    static let txStatus = """
        {"code":200,"hash":"68157e11c17","type":14,"info":"{\\"Nonce\\":42}","event_info":"{\\"ae\\":\\"\\"}","status":2,
         "account_index":1234,"api_key_index":3,"nonce":42,"expire_at":1,"block_height":99,"queued_at":1,"executed_at":2,"sequence_index":7}
        """
}

/// A REST client for the test server with no client-side window and a short 429 backoff.
func makeRESTClient(_ server: LighterTestServer, retries: Int = 3) -> LighterRESTClient {
    LighterRESTClient(
        configuration: .init(
            baseURL: server.baseURL, timeout: 5, rateLimitRetries: retries, rateLimiter: nil,
            backoff: TooManyRequestsBackoff(initialDelay: 20_000_000, maximumDelay: 200_000_000, decayInterval: 1_000_000_000)))
}

@Suite struct ClientRESTTests {
    @Test func everyEndpointParsesTheRealShapes() async throws {
        let server = try await LighterTestServer.start { request in
            switch request.path {
            case "/api/v1/orderBookDetails": .ok(RESTFixtures.orderBookDetails)
            case "/api/v1/account": .ok(RESTFixtures.account)
            case "/api/v1/accountActiveOrders":
                request.headers["authorization"] == "tok-1"
                    ? .ok(RESTFixtures.activeOrders) : TestHTTPResponse(status: 400, body: "{\"code\":20001,\"message\":\"invalid auth\"}")
            case "/api/v1/nextNonce": .ok("{\"code\":200,\"nonce\":722}")
            case "/api/v1/apikeys": .ok(RESTFixtures.apiKeys)
            case "/api/v1/recentTrades": .ok(RESTFixtures.recentTrades)
            case "/api/v1/tx": .ok(RESTFixtures.txStatus)
            case "/api/v1/orderBooks":
                .ok(
                    "{\"code\":200,\"order_books\":[{\"symbol\":\"ETH\",\"market_id\":0,\"status\":\"active\",\"taker_fee\":\"0\",\"maker_fee\":\"0\",\"liquidation_fee\":\"1\",\"min_base_amount\":\"0.0050\",\"min_quote_amount\":\"10.000000\",\"supported_size_decimals\":4,\"supported_price_decimals\":2,\"supported_quote_decimals\":6}]}"
                )
            default: TestHTTPResponse(status: 404, body: "{\"code\":404,\"message\":\"no route\"}")
            }
        }
        defer { Task { await server.shutdown() } }
        let rest = makeRESTClient(server)

        let specs = try await rest.marketSpecs()
        #expect(specs.count == 2)
        let eth = try #require(specs.first)
        #expect(eth.symbol == "ETH" && eth.marketID == 0 && eth.priceDecimals == 2 && eth.sizeDecimals == 4)
        #expect(eth.minBaseAmount == Quantity(lots: 50))  // 0.0050 at 4 decimals
        #expect(eth.minQuoteNotional == 10_000_000)  // 10 at 2+4 decimals
        #expect(specs.last?.marketID == 2048)
        let details = try await rest.orderBookDetails(marketID: 0)
        #expect(details.first?.maintenanceMarginFraction == 120)
        #expect(server.requests.last?.query["market_id"] == "0")

        let books = try await rest.orderBooks()
        #expect(books.first?.supportedPriceDecimals == 2)

        let account = try await rest.account(index: 1234)
        #expect(account.collateral == "46342.000000")
        #expect(account.availableBalance == "19995.000000")
        #expect(try account.positions.first?.signedQuantity(sizeDecimals: 4) == Quantity(lots: -36956))
        #expect(server.requests.last?.query == ["by": "index", "value": "1234"])

        let orders = try await rest.accountActiveOrders(accountIndex: 1234, marketID: 0, authToken: "tok-1")
        #expect(orders.count == 1)
        #expect(orders.first?.orderIndex == 281_475_384_758_017)
        #expect(orders.first?.clientOrderIndex == 1001)
        #expect(orders.first?.isAsk == true && orders.first?.timeInForce == "post-only")

        #expect(try await rest.nextNonce(accountIndex: 1234, apiKeyIndex: 3) == 722)
        #expect(server.requests.last?.query == ["account_index": "1234", "api_key_index": "3"])

        let keys = try await rest.apiKeys(accountIndex: 1234, apiKeyIndex: 3)
        #expect(keys.count == 1)
        #expect(keys.first?.accountIndex == 1234 && keys.first?.apiKeyIndex == 3)
        #expect(keys.first?.nonce == 722 && keys.first?.publicKey == "710c8cd242b4")

        let trades = try await rest.recentTrades(marketID: 0, limit: 1)
        #expect(trades.first?.tradeID == 145 && trades.first?.price == "3024.66" && trades.first?.isMakerAsk == true)

        let status = try await rest.transaction(hash: "68157e11c17")
        #expect(status.status == 2 && status.type == 14 && status.info == "{\"Nonce\":42}")
    }

    @Test func sendTxAndBatchAreFormEncodedLikeTheSDK() async throws {
        let server = try await LighterTestServer.start { request in
            switch request.path {
            case "/api/v1/sendTx":
                .ok("{\"code\":200,\"message\":\"ok\",\"tx_hash\":\"aa11\",\"predicted_execution_time_ms\":1751465474,\"volume_quota_remaining\":10780}")
            case "/api/v1/sendTxBatch":
                .ok("{\"code\":200,\"message\":\"ok\",\"tx_hash\":[\"h1\",\"h2\"],\"predicted_execution_time_ms\":5,\"volume_quota_remaining\":10778}")
            default: TestHTTPResponse(status: 404, body: "{\"code\":404,\"message\":\"no route\"}")
            }
        }
        defer { Task { await server.shutdown() } }
        let rest = makeRESTClient(server)
        let info = "{\"AccountIndex\":1234,\"Price\":405000,\"Sig\":\"a+b/c=\"}"
        let reply = try await rest.sendTx(type: 14, txInfo: info)
        #expect(reply.txHash == "aa11" && reply.volumeQuotaRemaining == 10780 && reply.predictedExecutionTimeMs == 1_751_465_474)
        let single = try #require(server.requests.last)
        #expect(single.method == "POST")
        #expect(single.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(single.form == ["tx_type": "14", "tx_info": info])

        let batch = try await rest.sendTxBatch(types: [14, 15], txInfos: ["{\"A\":1}", "{\"B\":\"x\"}"])
        #expect(batch.txHashes == ["h1", "h2"] && batch.volumeQuotaRemaining == 10778)
        let form = try #require(server.requests.last?.form)
        #expect(form["tx_types"] == "[14,15]")
        // tx_infos is a JSON array of tx_info strings (double-encoded).
        let infos = try JSONSerialization.jsonObject(with: Data(try #require(form["tx_infos"]).utf8)) as? [String]
        #expect(infos == ["{\"A\":1}", "{\"B\":\"x\"}"])

        await #expect(throws: LighterClientError.self) { try await rest.sendTxBatch(types: [14], txInfos: []) }
    }

    @Test func errorEnvelopeBecomesTypedError() async throws {
        let server = try await LighterTestServer.start { _ in
            TestHTTPResponse(status: 400, body: "{\"code\":21706,\"message\":\"invalid order base or quote amount\"}")
        }
        defer { Task { await server.shutdown() } }
        let rest = makeRESTClient(server)
        do {
            _ = try await rest.sendTx(type: 14, txInfo: "{}")
            Issue.record("an error envelope was accepted")
        } catch {
            let api = try #require(error.apiError)
            #expect(api.code == .invalidOrderAmount)
            #expect(api.httpStatus == 400)
            #expect(api.message == "invalid order base or quote amount")
            #expect(!api.isRateLimited && !api.isInvalidNonce)
        }
        // A 200 HTTP status with a non-200 code is an error too.
        server.setHandler { _ in .ok("{\"code\":21600,\"message\":\"given order is not an active limit order\"}") }
        do {
            _ = try await rest.nextNonce(accountIndex: 1, apiKeyIndex: 0)
            Issue.record("code 21600 was accepted")
        } catch {
            #expect(error.apiError?.code.isOrderAlreadyInactive == true)
        }
    }

    @Test func tooManyRequestsBacksOffAndRetries() async throws {
        let calls = Mutex(0)
        let server = try await LighterTestServer.start { _ in
            let call = calls.withLock { value in
                value += 1
                return value
            }
            if call <= 2 { return TestHTTPResponse(status: 429, body: "{\"code\":23000,\"message\":\"Too Many Requests!\"}") }
            return .ok("{\"code\":200,\"nonce\":5}")
        }
        defer { Task { await server.shutdown() } }
        let rest = makeRESTClient(server)
        let started = ContinuousClock.now
        #expect(try await rest.nextNonce(accountIndex: 1, apiKeyIndex: 0) == 5)
        let elapsed = ContinuousClock.now - started
        #expect(calls.withLock { $0 } == 3)
        #expect(rest.rateLimitedResponses == 2)
        // Two backoffs: 20 ms then 40 ms.
        #expect(elapsed >= .milliseconds(60))

        // With no retries left the typed error comes back.
        calls.withLock { $0 = 0 }
        let impatient = makeRESTClient(server, retries: 0)
        do {
            _ = try await impatient.nextNonce(accountIndex: 1, apiKeyIndex: 0)
            Issue.record("429 was accepted")
        } catch {
            #expect(error.apiError?.isRateLimited == true)
            #expect(error.apiError?.code == .tooManyRequests)
        }
    }

    @Test func concurrentSendsOfOneKeyArriveInNonceOrder() async throws {
        let server = try await LighterTestServer.start { request in
            switch request.path {
            case "/api/v1/nextNonce": return .ok("{\"code\":200,\"nonce\":100}")
            case "/api/v1/sendTx": return .ok("{\"code\":200,\"tx_hash\":\"h\"}")
            default: return TestHTTPResponse(status: 404, body: "{\"code\":404,\"message\":\"no route\"}")
            }
        }
        defer { Task { await server.shutdown() } }
        let sender = TransactionSender(rest: makeRESTClient(server), accountIndex: 7, apiKeys: [2])
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<24 {
                group.addTask {
                    _ = try? await sender.send { slot in EncodedTransaction(type: 15, txInfo: "{\"Nonce\":\(slot.nonce)}") }
                }
            }
        }
        let received = server.requests.filter { $0.path == "/api/v1/sendTx" }.compactMap { $0.form["tx_info"] }
        #expect(received == (100..<124).map { "{\"Nonce\":\($0)}" })
        #expect(server.requests.filter { $0.path == "/api/v1/nextNonce" }.count == 1)
    }

    @Test func invalidNonceRefreshesTheNonceAndSucceeds() async throws {
        let fetches = Mutex(0)
        let server = try await LighterTestServer.start { request in
            switch request.path {
            case "/api/v1/nextNonce":
                let count = fetches.withLock { value in
                    value += 1
                    return value
                }
                // The first fetch is stale (40); the server's real next nonce is 45.
                return .ok("{\"code\":200,\"nonce\":\(count == 1 ? 40 : 45)}")
            case "/api/v1/sendTx":
                let info = request.form["tx_info"] ?? ""
                if info.contains("\"Nonce\":45") || info.contains("\"Nonce\":46") {
                    return .ok("{\"code\":200,\"tx_hash\":\"ok\",\"volume_quota_remaining\":500}")
                }
                return TestHTTPResponse(status: 400, body: "{\"code\":21104,\"message\":\"invalid nonce\"}")
            default:
                return TestHTTPResponse(status: 404, body: "{\"code\":404,\"message\":\"no route\"}")
            }
        }
        defer { Task { await server.shutdown() } }
        let sender = TransactionSender(rest: makeRESTClient(server), accountIndex: 1234, apiKeys: [3], quotaPacer: VolumeQuotaPacer(reserve: 10))
        let build: @Sendable (TransactionSlot) throws -> EncodedTransaction = { slot in
            EncodedTransaction(type: 14, txInfo: "{\"AccountIndex\":\(slot.accountIndex),\"ApiKeyIndex\":\(slot.apiKeyIndex),\"Nonce\":\(slot.nonce)}")
        }
        let reply = try await sender.send(build: build)
        #expect(reply.txHash == "ok")
        #expect(fetches.withLock { $0 } == 2)
        #expect(await sender.quotaRemaining == 500)
        // The next send uses the locally incremented nonce without fetching.
        _ = try await sender.send(build: build)
        #expect(fetches.withLock { $0 } == 2)
        let nonces = server.requests.filter { $0.path == "/api/v1/sendTx" }.compactMap { $0.form["tx_info"] }
        #expect(nonces == [
            "{\"AccountIndex\":1234,\"ApiKeyIndex\":3,\"Nonce\":40}", "{\"AccountIndex\":1234,\"ApiKeyIndex\":3,\"Nonce\":45}",
            "{\"AccountIndex\":1234,\"ApiKeyIndex\":3,\"Nonce\":46}",
        ])
    }
}
