import Foundation
import Lighter
import LighterCrypto
import MarketCore
import Testing
import Trading

/// The account channels' messages: decoding Lighter's documented shapes, and the order in which
/// `LighterVenue` turns order updates and trades (arriving in either order) into events.
@Suite struct ClientAccountMessageTests {
    // MARK: Decoding

    @Test func decodesTheDocumentedAccountAllAndUserStatsShapes() throws {
        // The WebSocket reference's account_all example (trade without fee fields: they are omitted
        // when zero), and its user_stats example.
        let accountAll = """
            {"account":10,"channel":"account_all:10","daily_trades_count":123,"funding_histories":{},
             "positions":{"1":{"market_id":101,"symbol":"BTC-USD","initial_margin_fraction":"0.1","open_order_count":2,
              "pending_order_count":1,"position_tied_order_count":3,"sign":1,"position":"0.5","avg_entry_price":"20000.00",
              "position_value":"10000.00","unrealized_pnl":"500.00","realized_pnl":"100.00","liquidation_price":"3024.66",
              "total_funding_paid_out":"34.2","margin_mode":1,"allocated_margin":"46342"}},
             "shares":[],
             "trades":{"1":[{"trade_id":401,"tx_hash":"0xabc123456789","type":"buy","market_id":101,"size":"0.5",
              "price":"20000.00","usd_amount":"10000.00","ask_id":501,"bid_id":502,"ask_account_id":123456,
              "bid_account_id":654321,"is_maker_ask":true,"block_height":1500000,"timestamp":1700000000,
              "taker_position_size_before":"1.14880","maker_position_size_before":"-0.02594"}]},
             "type":"update/account_all"}
            """
        let message = try LighterAccountMessage(json: accountAll)
        let position = try #require(message.positions.first)
        #expect(message.positions.count == 1)
        #expect(position.marketID == 101)
        #expect(try position.signedQuantity(sizeDecimals: 4) == Quantity(lots: 5_000))
        #expect(position.avgEntryPrice == "20000.00")
        let trade = try #require(message.trades.first)
        #expect(trade.tradeID == 401)
        #expect(trade.askAccountID == 123456 && trade.bidAccountID == 654321)
        #expect(trade.askID == 501 && trade.bidID == 502)
        #expect(trade.isMakerAsk)
        #expect(trade.makerFee == nil && trade.takerFee == nil)
        #expect(message.orders.isEmpty)
        #expect(message.stats == nil)

        let stats = """
            {"channel":"user_stats:10","stats":{"collateral":"5000.00","portfolio_value":"15000.00","leverage":"3.0",
             "available_balance":"2000.00","margin_usage":"0.80","buying_power":"4000.00",
             "cross_stats":{"collateral":"0.000000"},"total_stats":{"collateral":"0.000000"}},"type":"update/user_stats"}
            """
        #expect(try LighterAccountMessage(json: stats).stats == LighterUserStats(collateral: 5000, portfolioValue: 15000, availableBalance: 2000))

        // A trade as mainnet sends it: fee rates in parts per million, client ids present.
        let mainnet = """
            {"trades":[{"trade_id":26280867773,"type":"trade","market_id":0,"size":"0.0008","price":"1913.99",
             "usd_amount":"1.531192","ask_id":281477536273316,"bid_id":562947300641615,"ask_client_id":2145634480,
             "bid_client_id":0,"ask_account_id":708516,"bid_account_id":326677,"is_maker_ask":true,
             "timestamp":1785252546746,"maker_fee":28}],"type":"update/trade","channel":"trade:0"}
            """
        let real = try #require(try LighterAccountMessage(json: mainnet).trades.first)
        #expect(real.makerFee == 28 && real.takerFee == nil)
        #expect(real.askClientID == 2_145_634_480 && real.bidClientID == 0)
    }

    // MARK: Venue event order

    /// ETH-like market 0: 2 price decimals, 4 size decimals.
    static let spec: MarketSpec = {
        guard let spec = try? MarketSpec(symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4) else {
            preconditionFailure("spec")
        }
        return spec
    }()

    /// A venue for account 100 that never sends (no sender task runs), on a manual clock.
    static func venue(clock: ManualClock) -> LighterVenue {
        let rest = LighterRESTClient(configuration: .init(baseURL: "http://127.0.0.1:9", rateLimiter: nil))
        return LighterVenue(
            configuration: .init(chain: .mainnet, accountIndex: 100, apiKeyIndex: 4, spec: spec),
            privateKey: .generate(), rest: rest, sender: TransactionSender(rest: rest, accountIndex: 100, apiKeys: [4]),
            clock: clock)
    }

    static func order(_ client: Int64, status: String, filled: String, remaining: String) -> String {
        """
        {"order_index":\(281_474_976_710_656 + client),"client_order_index":\(client),"market_index":0,"price":"3000.00",\
        "initial_base_amount":"0.0100","remaining_base_amount":"\(remaining)","filled_base_amount":"\(filled)",\
        "is_ask":false,"status":"\(status)"}
        """
    }

    static func trade(_ id: Int64, client: Int64, size: String, makerFee: Int) -> String {
        """
        {"trade_id":\(id),"market_id":0,"size":"\(size)","price":"3000.00","ask_client_id":0,"bid_client_id":\(client),\
        "ask_account_id":7,"bid_account_id":100,"is_maker_ask":false,"maker_fee":\(makerFee)}
        """
    }

    static func feed(_ venue: LighterVenue, channel: String, _ body: String, at time: Timestamp) {
        let type = "update/" + String(channel.prefix { $0 != ":" })
        venue.handle(.message(type: type, channel: channel, json: "{\"type\":\"\(type)\",\"channel\":\"\(channel)\",\(body)}", receivedAt: time))
    }

    static func drain(_ venue: LighterVenue) -> [ExecutionEvent] {
        var events: [ExecutionEvent] = []
        venue.drainEvents(upTo: Timestamp(nanoseconds: .max), into: &events)
        return events
    }

    @Test func aTradeBeforeItsOrderUpdateIsOneFillWithItsFeeThenThePosition() throws {
        let clock = ManualClock(start: Timestamp(nanoseconds: 1_000_000_000_000))
        let venue = Self.venue(clock: clock)
        let id = try #require(ClientOrderID(rawValue: 11))
        venue.submit([.place(OrderRequest(id: id, side: .buy, price: Price(ticks: 300_000), size: Quantity(lots: 100)))], at: .epoch)
        Self.feed(venue, channel: "account_all_orders:100", "\"orders\":{\"0\":[\(Self.order(11, status: "open", filled: "0.0000", remaining: "0.0100"))]}", at: clock.now)
        #expect(Self.drain(venue).contains { if case .accepted(id, _, _) = $0 { true } else { false } })
        // account_all: the trade (40 ppm maker fee) and the position, before the order channel says filled.
        Self.feed(
            venue, channel: "account_all:100",
            "\"trades\":{\"0\":[\(Self.trade(900, client: 11, size: "0.0100", makerFee: 40))]},"
                + "\"positions\":{\"0\":{\"market_id\":0,\"sign\":1,\"position\":\"0.0100\",\"avg_entry_price\":\"3000.00\"}}",
            at: clock.now)
        let events = Self.drain(venue)
        // 300 000 ticks × 100 lots = 30 000 000 notional units (10^-6 USDC); × 40 / 10^6 = 1 200.
        guard events.count == 2, case .fill(let fill) = events[0], case .positionUpdate(let position, let entry, _) = events[1] else {
            Issue.record("expected a fill then a position update, got \(events)")
            return
        }
        #expect(fill.fee == 1_200)
        #expect(fill.isMaker && fill.size == Quantity(lots: 100) && fill.remaining == .zero && fill.tradeID == 900)
        #expect(position == Quantity(lots: 100) && entry == Price(ticks: 300_000))
        // The order channel's "filled" adds nothing; the same trade again adds nothing.
        Self.feed(venue, channel: "account_all_orders:100", "\"orders\":{\"0\":[\(Self.order(11, status: "filled", filled: "0.0100", remaining: "0.0000"))]}", at: clock.now)
        Self.feed(venue, channel: "account_all:100", "\"trades\":{\"0\":[\(Self.trade(900, client: 11, size: "0.0100", makerFee: 40))]}", at: clock.now)
        #expect(Self.drain(venue).isEmpty)
    }

    @Test func aCancelAfterAPartialFillWaitsForTheTradeAndAMissingTradeFallsBackToTheOrderChannel() throws {
        let clock = ManualClock(start: Timestamp(nanoseconds: 1_000_000_000_000))
        let venue = Self.venue(clock: clock)
        let first = try #require(ClientOrderID(rawValue: 21))
        let second = try #require(ClientOrderID(rawValue: 22))
        venue.submit(
            [
                .place(OrderRequest(id: first, side: .buy, price: Price(ticks: 300_000), size: Quantity(lots: 100))),
                .place(OrderRequest(id: second, side: .buy, price: Price(ticks: 300_000), size: Quantity(lots: 100))),
            ], at: .epoch)
        Self.feed(venue, channel: "account_all:100", "\"trades\":{}", at: clock.now)  // trades are the fill source now
        Self.feed(
            venue, channel: "account_all_orders:100",
            "\"orders\":{\"0\":[\(Self.order(21, status: "open", filled: "0.0000", remaining: "0.0100")),\(Self.order(22, status: "open", filled: "0.0000", remaining: "0.0100"))]}",
            at: clock.now)
        _ = Self.drain(venue)
        // Order 21: 40 lots filled, then cancelled; the order channel says so before the trade arrives.
        Self.feed(venue, channel: "account_all_orders:100", "\"orders\":{\"0\":[\(Self.order(21, status: "canceled", filled: "0.0040", remaining: "0.0060"))]}", at: clock.now)
        #expect(Self.drain(venue).isEmpty, "the cancel waits for the fill")
        Self.feed(venue, channel: "account_all:100", "\"trades\":{\"0\":[\(Self.trade(901, client: 21, size: "0.0040", makerFee: 0))]}", at: clock.now)
        let events = Self.drain(venue)
        guard events.count == 2, case .fill(let fill) = events[0], case .canceled(first, .requested, _) = events[1] else {
            Issue.record("expected the fill then the cancel, got \(events)")
            return
        }
        #expect(fill.size == Quantity(lots: 40) && fill.remaining == Quantity(lots: 60) && fill.fee == 0)

        // Order 22 fills, but no trade ever comes: after the wait (2 s) the order channel's amount is used.
        Self.feed(venue, channel: "account_all_orders:100", "\"orders\":{\"0\":[\(Self.order(22, status: "filled", filled: "0.0100", remaining: "0.0000"))]}", at: clock.now)
        #expect(Self.drain(venue).isEmpty)
        clock.advance(byNanoseconds: 1_900_000_000)
        #expect(Self.drain(venue).isEmpty)
        clock.advance(byNanoseconds: 200_000_000)
        let late = Self.drain(venue)
        guard late.count == 1, case .fill(let fallback) = late[0] else {
            Issue.record("expected one fallback fill, got \(late)")
            return
        }
        #expect(fallback.id == second && fallback.size == Quantity(lots: 100) && fallback.remaining == .zero)
    }
}
