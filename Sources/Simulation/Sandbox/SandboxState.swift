import Foundation
import LighterCrypto
import MarketCore
import Trading

extension SandboxExchange {
    /// Everything the exchange knows, guarded by its lock.
    struct State {
        var markets: [Int: MarketState]
        var accounts: [Int64: AccountState]
        var accountOrder: [Int64]
        var subscribers: [String: [Int: SandboxSubscriber]] = [:]
        /// Executed transactions by hash (the newest 50 000–100 000).
        var transactions: [String: TxRecord] = [:]
        var transactionOrder: [String] = []
        var blockHeight: Int64 = 1
        /// Trade ids of fills between accounts.
        var crossTradeID: Int64 = 1 << 42
        var now: Timestamp = .epoch
        /// The volume quota left after the latest send (for its reply), when modelled.
        var lastQuotaRemaining: Int?

        init(markets: [Int: MarketState], accounts: [Int64: AccountState]) {
            self.markets = markets
            self.accounts = accounts
            self.accountOrder = accounts.keys.sorted()
        }
    }

    /// A registered API key.
    struct KeyState {
        var publicKey: PublicKey
        var nextNonce: Int64
    }

    /// A transaction the exchange executed, for `GET /api/v1/tx` and `account_tx`.
    struct TxRecord {
        var hash: String
        var type: Int
        var info: String
        var account: Int64
        var apiKey: Int
        var nonce: Int64
        var expiredAt: Int64
        var blockHeight: Int64
        var timeMs: Int64

        /// The transaction as `GET /api/v1/tx` and `account_tx` show it (executed: status 2, no app error).
        func json() -> String {
            SandboxJSON.object([
                ("hash", SandboxJSON.string(hash)), ("type", String(type)), ("info", SandboxJSON.string(info)),
                ("event_info", SandboxJSON.string("{\"ae\":\"\"}")), ("status", "2"), ("transaction_index", "0"),
                ("l1_address", "\"\""), ("account_index", String(account)), ("api_key_index", String(apiKey)),
                ("nonce", String(nonce)), ("expire_at", String(expiredAt)), ("block_height", String(blockHeight)),
                ("queued_at", String(timeMs)), ("executed_at", String(timeMs)), ("sequence_index", String(blockHeight)),
                ("parent_hash", "\"\""),
            ])
        }
    }

    /// One trade, public or an account's.
    struct TradeRecord {
        var id: Int64
        var price: Int64
        var size: Int64
        var isMakerAsk: Bool
        var timeMs: Int64
        var askAccount: Int64
        var bidAccount: Int64
        var marketID: Int
        /// The exchange order indexes and client order indexes of the two sides (0: unknown/none).
        var askOrderIndex: Int64 = 0
        var bidOrderIndex: Int64 = 0
        var askClientIndex: Int64 = 0
        var bidClientIndex: Int64 = 0
        /// The fee rates charged, parts per million of the notional (Lighter's `taker_fee`/`maker_fee`).
        var takerFeePPM: Int64 = 0
        var makerFeePPM: Int64 = 0

        func json(spec: MarketSpec) -> String {
            let usd = FixedPoint.format(
                Int64(clamping: Int128(price) * Int128(size)), decimals: spec.notionalDecimals)
            return SandboxJSON.object([
                ("trade_id", String(id)), ("tx_hash", "\"\""), ("type", "\"trade\""), ("market_id", String(marketID)),
                ("size", SandboxJSON.decimal(size, decimals: spec.sizeDecimals)),
                ("price", SandboxJSON.decimal(price, decimals: spec.priceDecimals)), ("usd_amount", "\"\(usd)\""),
                ("ask_id", String(askOrderIndex)), ("bid_id", String(bidOrderIndex)),
                ("ask_client_id", String(askClientIndex)), ("bid_client_id", String(bidClientIndex)),
                ("ask_account_id", String(askAccount)),
                ("bid_account_id", String(bidAccount)), ("is_maker_ask", isMakerAsk ? "true" : "false"),
                ("block_height", "0"), ("timestamp", String(timeMs)), ("taker_fee", String(takerFeePPM)),
                ("maker_fee", String(makerFeePPM)),
            ])
        }
    }

    /// One synthetic market: its generator, public book and what changed since the last publish.
    struct MarketState {
        var generator: SyntheticMarket
        var pending: MarketEvent?
        var book = OrderBook(capacity: 64)
        var nonce: Int64 = 1_000
        var offset: Int64 = 1
        /// The public book as last published (price ticks → lots): the synthetic book plus the
        /// accounts' resting orders.
        var publishedBids: [Int64: Int64] = [:]
        var publishedAsks: [Int64: Int64] = [:]
        var recentTrades: [TradeRecord] = []
        var newTrades: [TradeRecord] = []
        var lastTradePrice: Int64 = 0
        var tradeCount = 0
        var volumeLots: Int64 = 0
        var volumeQuote: Double = 0
        var lastStatsMs: Int64 = 0

        init(generator: SyntheticMarket) {
            self.generator = generator
        }

        mutating func record(_ event: MarketEvent, spec: MarketSpec) {
            switch event {
            case .bookSnapshot(let snapshot):
                book.replace(bids: snapshot.bids, asks: snapshot.asks)
            case .bookDelta(let delta):
                _ = book.apply(side: delta.side, price: delta.price, size: delta.size)
            case .trade(let trade):
                add(
                    TradeRecord(
                        id: trade.tradeID, price: trade.price.ticks, size: trade.size.lots,
                        isMakerAsk: trade.takerSide == .buy, timeMs: trade.receivedAt.milliseconds, askAccount: 0,
                        bidAccount: 0, marketID: spec.marketID), spec: spec)
            }
        }

        mutating func add(_ trade: TradeRecord, spec: MarketSpec) {
            recentTrades.append(trade)
            if recentTrades.count > 400 { recentTrades.removeFirst(recentTrades.count - 200) }
            newTrades.append(trade)
            lastTradePrice = trade.price
            tradeCount += 1
            volumeLots += trade.size
            volumeQuote += Double(trade.price) * Double(trade.size) / Double(FixedPoint.powersOfTen[spec.notionalDecimals])
        }

        var markTicks: Int64 {
            if let mid = book.midTicks { return Int64(mid.rounded()) }
            return lastTradePrice
        }

        func levelsJSON(_ levels: [(Int64, Int64)], spec: MarketSpec) -> String {
            SandboxJSON.array(
                levels.map {
                    "{\"price\":\(SandboxJSON.decimal($0.0, decimals: spec.priceDecimals)),\"size\":\(SandboxJSON.decimal($0.1, decimals: spec.sizeDecimals))}"
                })
        }

        /// The public book: the synthetic levels plus the accounts' resting orders (`orders`), leaving
        /// out any account order that would cross the synthetic book or an account order of the other
        /// side (so the published book is never crossed).
        func composed(orders: [OrderRecord]) -> (bids: [Int64: Int64], asks: [Int64: Int64]) {
            var bids: [Int64: Int64] = [:]
            var asks: [Int64: Int64] = [:]
            book.levels(.buy).forEachLevel { bids[$0.price.ticks] = $0.size.lots }
            book.levels(.sell).forEachLevel { asks[$0.price.ticks] = $0.size.lots }
            let syntheticBid = book.bestBid?.price.ticks ?? .min
            let syntheticAsk = book.bestAsk?.price.ticks ?? .max
            var highestBid = syntheticBid
            for order in orders where !order.isAsk && order.remaining > 0 && order.price < syntheticAsk {
                bids[order.price, default: 0] += order.remaining
                highestBid = max(highestBid, order.price)
            }
            for order in orders where order.isAsk && order.remaining > 0 && order.price > highestBid {
                asks[order.price, default: 0] += order.remaining
            }
            return (bids, asks)
        }

        /// The changes from the published book to `target` (size 0 for removed levels): asks
        /// ascending, bids descending.
        func changes(to target: (bids: [Int64: Int64], asks: [Int64: Int64])) -> (bids: [(Int64, Int64)], asks: [(Int64, Int64)]) {
            func diff(_ old: [Int64: Int64], _ new: [Int64: Int64]) -> [Int64: Int64] {
                var result: [Int64: Int64] = [:]
                for (price, size) in new where old[price] != size { result[price] = size }
                for price in old.keys where new[price] == nil { result[price] = 0 }
                return result
            }
            let bids = diff(publishedBids, target.bids).sorted { $0.key > $1.key }.map { ($0.key, $0.value) }
            let asks = diff(publishedAsks, target.asks).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            return (bids, asks)
        }

        func snapshotJSON(
            spec: MarketSpec, channel: String, book composed: (bids: [Int64: Int64], asks: [Int64: Int64]), at time: Timestamp
        ) -> String {
            let asks = composed.asks.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            let bids = composed.bids.sorted { $0.key > $1.key }.map { ($0.key, $0.value) }
            return "{\"type\":\"subscribed/order_book\",\"channel\":\(SandboxJSON.string(channel)),\"offset\":\(offset),"
                + "\"timestamp\":\(time.milliseconds),\"order_book\":{\"code\":0,\"asks\":\(levelsJSON(asks, spec: spec)),"
                + "\"bids\":\(levelsJSON(bids, spec: spec)),\"offset\":\(offset),\"nonce\":\(nonce),\"begin_nonce\":\(nonce)}}"
        }

        /// The update for the changed levels; `nonce` has already been advanced past `beginNonce`.
        func updateJSON(
            spec: MarketSpec, channel: String, changes: (bids: [(Int64, Int64)], asks: [(Int64, Int64)]),
            beginNonce: Int64, at time: Timestamp
        ) -> String {
            let asks = changes.asks
            let bids = changes.bids
            return "{\"type\":\"update/order_book\",\"channel\":\(SandboxJSON.string(channel)),\"offset\":\(offset),"
                + "\"timestamp\":\(time.milliseconds),\"order_book\":{\"code\":0,\"asks\":\(levelsJSON(asks, spec: spec)),"
                + "\"bids\":\(levelsJSON(bids, spec: spec)),\"offset\":\(offset),\"nonce\":\(nonce),\"begin_nonce\":\(beginNonce)}}"
        }

        func statsJSON(spec: MarketSpec, at time: Timestamp) -> String {
            let mark = SandboxJSON.decimal(markTicks, decimals: spec.priceDecimals)
            let hourMs: Int64 = 3_600_000
            return SandboxJSON.object([
                ("market_id", String(spec.marketID)), ("index_price", mark), ("mark_price", mark),
                ("open_interest", "\"0\""),
                ("last_trade_price", SandboxJSON.decimal(lastTradePrice, decimals: spec.priceDecimals)),
                ("current_funding_rate", "\"0.0000\""), ("funding_rate", "\"0.0000\""),
                ("funding_timestamp", String((time.milliseconds / hourMs + 1) * hourMs)),
                ("daily_base_token_volume", String(FixedPoint.double(volumeLots, decimals: spec.sizeDecimals))),
                ("daily_quote_token_volume", String(volumeQuote)),
                ("daily_price_low", String(FixedPoint.double(lastTradePrice, decimals: spec.priceDecimals))),
                ("daily_price_high", String(FixedPoint.double(lastTradePrice, decimals: spec.priceDecimals))),
                ("daily_price_change", "0"),
            ])
        }
    }

    /// An order as the account channels and `accountActiveOrders` show it.
    struct OrderRecord {
        var orderIndex: Int64
        var clientOrderIndex: Int64
        var marketID: Int
        var isAsk: Bool
        var price: Int64
        var initialBase: Int64
        var remaining: Int64
        var filledBase: Int64
        var filledQuote: Int64
        var type: String
        var timeInForce: String
        var reduceOnly: Bool
        var status: String
        var nonce: Int64
        var orderExpiry: Int64
        var createdAtMs: Int64
        var updatedAtMs: Int64

        func json(spec: MarketSpec, account: Int64) -> String {
            SandboxJSON.object([
                ("order_index", String(orderIndex)), ("client_order_index", String(clientOrderIndex)),
                ("order_id", "\"\(orderIndex)\""), ("client_order_id", "\"\(clientOrderIndex)\""),
                ("market_index", String(marketID)), ("owner_account_index", String(account)),
                ("initial_base_amount", SandboxJSON.decimal(initialBase, decimals: spec.sizeDecimals)),
                ("price", SandboxJSON.decimal(price, decimals: spec.priceDecimals)), ("nonce", String(nonce)),
                ("remaining_base_amount", SandboxJSON.decimal(remaining, decimals: spec.sizeDecimals)),
                ("is_ask", isAsk ? "true" : "false"), ("base_size", String(remaining)), ("base_price", String(price)),
                ("filled_base_amount", SandboxJSON.decimal(filledBase, decimals: spec.sizeDecimals)),
                ("filled_quote_amount", SandboxJSON.decimal(filledQuote, decimals: spec.notionalDecimals)),
                ("side", isAsk ? "\"ask\"" : "\"bid\""), ("type", SandboxJSON.string(type)),
                ("time_in_force", SandboxJSON.string(timeInForce)), ("reduce_only", reduceOnly ? "true" : "false"),
                ("trigger_price", SandboxJSON.decimal(0, decimals: spec.priceDecimals)),
                ("order_expiry", String(orderExpiry)), ("status", SandboxJSON.string(status)),
                ("trigger_status", "\"na\""), ("trigger_time", "0"), ("parent_order_index", "0"),
                ("parent_order_id", "\"0\""), ("to_trigger_order_id_0", "\"0\""), ("to_trigger_order_id_1", "\"0\""),
                ("to_cancel_order_id_0", "\"0\""), ("block_height", "0"), ("timestamp", String(updatedAtMs / 1000)),
                ("created_at", String(createdAtMs / 1000)), ("updated_at", String(updatedAtMs / 1000)),
                ("transaction_time", String(updatedAtMs * 1000)), ("order_version", "0"),
                ("integrator_fee_collector_index", "\"0\""), ("integrator_maker_fee", "\"0\""),
                ("integrator_taker_fee", "\"0\""), ("order_flags", "0"), ("market_symbol", SandboxJSON.string(spec.symbol)),
                ("market_kind", "\"perp\""),
            ])
        }
    }

    /// The account figures in USDC.
    struct AccountFigures {
        var collateral: Double
        var unrealized: Double
        var positionNotional: Double = 0
        var positionMargin: Double
        var orderMargin: Double
        var totalAssetValue: Double { collateral + unrealized }
        var available: Double { totalAssetValue - positionMargin - orderMargin }
    }

    /// One test account: keys, engines (one per market), orders and unpublished changes.
    struct AccountState {
        var index: Int64
        var collateral: Double
        var keys: [UInt8: KeyState] = [:]
        var engines: [Int: MatchingEngine] = [:]
        var marginFractions: [Int: Double] = [:]
        /// Margin mode per market as UpdateLeverage last set it (0 cross, 1 isolated; cross if never set).
        var marginModes: [Int: UInt8] = [:]
        var active: [Int: [ClientOrderID: OrderRecord]] = [:]
        var inactive: [OrderRecord] = []
        var trades: [Int: [TradeRecord]] = [:]
        var cancelAllTime: Int64 = 0
        var pendingRecord: OrderRecord?
        /// Orders being cancelled because their OrderExpiry passed.
        var expiring: Set<ClientOrderID> = []
        /// Trades this account took as taker, for the public trade feed.
        var publicTrades: [TradeRecord] = []
        var recentTransactions: [TxRecord] = []
        var newTransactions: [TxRecord] = []
        var nextOwnTradeID: Int64 = 0
        /// The volume quota, when modelled, and the account's traded volume (USDC) that earns it.
        var quota: VolumeQuotaState?
        var tradedUSD: Double = 0
        var syntheticOrderIndex: Int64 = 1 << 47
        // Unpublished changes.
        var changedOrders: [Int: [OrderRecord]] = [:]
        var newTrades: [Int: [TradeRecord]] = [:]
        var positionsChanged: Set<Int> = []
        var statsChanged = false

        init(index: Int64, collateral: Double) {
            self.index = index
            self.collateral = collateral
        }

        var hasChanges: Bool {
            !changedOrders.isEmpty || !newTrades.isEmpty || !positionsChanged.isEmpty || statsChanged
                || !newTransactions.isEmpty
        }

        func activeRecords(market: Int?) -> [OrderRecord] {
            active.keys.sorted().filter { market == nil || $0 == market }.flatMap { key in
                (active[key] ?? [:]).values.sorted { $0.orderIndex < $1.orderIndex }
            }
        }

        /// Records an order the exchange refused to place after accepting its transaction.
        mutating func recordUnplaced(_ record: OrderRecord, status: String, at ms: Int64) {
            var record = record
            syntheticOrderIndex += 1
            record.orderIndex = syntheticOrderIndex
            record.status = status
            record.updatedAtMs = ms
            inactive.append(record)
            changed(record)
        }

        private mutating func changed(_ record: OrderRecord) {
            changedOrders[record.marketID, default: []].append(record)
        }

        private mutating func retire(_ record: OrderRecord, id: ClientOrderID) {
            active[record.marketID]?[id] = nil
            inactive.append(record)
            if inactive.count > 1000 { inactive.removeFirst(500) }
            changed(record)
        }

        /// Takes the engine's events for `market` into the records.
        /// - Returns: the refusal of the action just handled, if the engine refused it.
        @discardableResult
        mutating func collect(market spec: MarketSpec, at time: Timestamp, nonce: Int64?) -> SandboxError? {
            guard var engine = engines[spec.marketID], !engine.outbox.isEmpty else { return nil }
            let events = engine.outbox
            engine.outbox.removeAll(keepingCapacity: true)
            engines[spec.marketID] = engine
            let market = spec.marketID
            let ms = time.milliseconds
            var rejection: SandboxError?
            for event in events {
                switch event {
                case .accepted(let id, let exchangeID, _):
                    guard var record = pendingRecord, record.clientOrderIndex == id.rawValue else { continue }
                    record.orderIndex = exchangeID ?? record.orderIndex
                    active[market, default: [:]][id] = record
                    changed(record)
                case .rejected(_, let code, let message, _):
                    rejection = SandboxError(code: code, message: message)
                case .modified(let id, let price, let remaining, _):
                    guard var record = active[market]?[id] else { continue }
                    record.price = price.ticks
                    record.remaining = remaining.lots
                    record.initialBase = record.filledBase + remaining.lots
                    if let nonce { record.nonce = nonce }
                    record.updatedAtMs = ms
                    active[market]?[id] = record
                    changed(record)
                case .fill(let fill):
                    guard var record = active[market]?[fill.id] else { continue }
                    record.remaining = fill.remaining.lots
                    record.filledBase += fill.size.lots
                    record.filledQuote += fill.price.ticks * fill.size.lots
                    tradedUSD +=
                        Double(fill.price.ticks) * Double(fill.size.lots) / Double(FixedPoint.powersOfTen[spec.notionalDecimals])
                    record.updatedAtMs = ms
                    nextOwnTradeID += 1
                    let isAsk = fill.side == .sell
                    let fees = engine.fees
                    let trade = TradeRecord(
                        id: fill.tradeID ?? ((1 << 41) + index * (1 << 20) + nextOwnTradeID), price: fill.price.ticks,
                        size: fill.size.lots, isMakerAsk: fill.isMaker ? isAsk : !isAsk, timeMs: ms,
                        askAccount: isAsk ? index : 0, bidAccount: isAsk ? 0 : index, marketID: market,
                        askOrderIndex: isAsk ? record.orderIndex : 0, bidOrderIndex: isAsk ? 0 : record.orderIndex,
                        askClientIndex: isAsk ? record.clientOrderIndex : 0, bidClientIndex: isAsk ? 0 : record.clientOrderIndex,
                        takerFeePPM: fees.takerPPM, makerFeePPM: fees.makerPPM)
                    trades[market, default: []].append(trade)
                    if (trades[market]?.count ?? 0) > 200 { trades[market]?.removeFirst(100) }
                    newTrades[market, default: []].append(trade)
                    if !fill.isMaker { publicTrades.append(trade) }
                    if fill.remaining.lots == 0 {
                        record.status = "filled"
                        retire(record, id: fill.id)
                    } else {
                        active[market]?[fill.id] = record
                        changed(record)
                    }
                case .canceled(let id, let reason, _):
                    var record: OrderRecord
                    if let existing = active[market]?[id] {
                        record = existing
                    } else if let pending = pendingRecord, pending.clientOrderIndex == id.rawValue {
                        record = pending
                        syntheticOrderIndex += 1
                        record.orderIndex = syntheticOrderIndex
                    } else {
                        continue
                    }
                    record.status = expiring.contains(id) ? "canceled-expired" : Self.status(for: reason)
                    record.updatedAtMs = ms
                    retire(record, id: id)
                case .positionUpdate:
                    positionsChanged.insert(market)
                    statsChanged = true
                case .balanceUpdate:
                    statsChanged = true
                case .quotaUpdate:
                    break
                }
            }
            return rejection
        }

        static func status(for reason: CancelReason) -> String {
            switch reason {
            case .requested, .unfilledImmediate, .other: "canceled"
            case .postOnlyWouldCross: "canceled-post-only"
            case .reduceOnly: "canceled-reduce-only"
            case .expired: "canceled-expired"
            case .selfTrade: "canceled-self-trade"
            case .margin: "canceled-margin-not-allowed"
            case .liquidation: "canceled-liquidation"
            }
        }

        func figures(markets: [Int: MarketState], specs: [MarketSpec]) -> AccountFigures {
            var result = AccountFigures(collateral: collateral, unrealized: 0, positionMargin: 0, orderMargin: 0)
            for spec in specs {
                guard let engine = engines[spec.marketID] else { continue }
                let scale = Double(FixedPoint.powersOfTen[spec.notionalDecimals])
                let mark = Double(markets[spec.marketID]?.markTicks ?? 0)
                let lots = Double(engine.position.lots)
                let entry = Double(engine.averageEntry?.ticks ?? 0)
                let fraction = marginFractions[spec.marketID] ?? 0.05
                result.collateral += (Double(engine.cash) + lots * entry) / scale
                result.unrealized += lots * (mark - entry) / scale
                result.positionMargin += abs(lots) * mark / scale * fraction
                result.positionNotional += abs(lots) * mark / scale
                for order in (active[spec.marketID] ?? [:]).values {
                    result.orderMargin += Double(order.remaining) * Double(order.price) / scale * fraction
                }
            }
            return result
        }

        func positionJSON(spec: MarketSpec, markets: [Int: MarketState]) -> String {
            let engine = engines[spec.marketID]
            let lots = engine?.position.lots ?? 0
            let entry = engine?.averageEntry?.ticks ?? 0
            let mark = markets[spec.marketID]?.markTicks ?? 0
            let scale = Double(FixedPoint.powersOfTen[spec.notionalDecimals])
            let fraction = marginFractions[spec.marketID] ?? 0.05
            let unrealized = Double(lots) * Double(mark - entry) / scale
            let value = Double(abs(lots)) * Double(mark) / scale
            return SandboxJSON.object([
                ("market_id", String(spec.marketID)), ("symbol", SandboxJSON.string(spec.symbol)),
                ("initial_margin_fraction", "\"\(String(format: "%.2f", fraction * 100))\""),
                ("open_order_count", String(active[spec.marketID]?.count ?? 0)), ("pending_order_count", "0"),
                ("position_tied_order_count", "0"), ("sign", lots < 0 ? "-1" : "1"),
                ("position", SandboxJSON.decimal(abs(lots), decimals: spec.sizeDecimals)),
                ("avg_entry_price", SandboxJSON.decimal(entry, decimals: spec.priceDecimals)),
                ("position_value", SandboxJSON.usd(value)), ("unrealized_pnl", SandboxJSON.usd(unrealized)),
                ("realized_pnl", SandboxJSON.usd(0)), ("liquidation_price", "\"0\""),
                ("total_funding_paid_out", "\"0\""), ("margin_mode", String(marginModes[spec.marketID] ?? 0)), ("allocated_margin", "\"0.000000\""),
                ("total_discount", "\"0\""), ("margin_set_flag", "0"),
            ])
        }

        func detailJSON(markets: [Int: MarketState], specs: [MarketSpec]) -> String {
            let figures = figures(markets: markets, specs: specs)
            let positions = specs.map { positionJSON(spec: $0, markets: markets) }
            let orderCount = active.values.reduce(0) { $0 + $1.count }
            return SandboxJSON.object([
                ("code", "200"), ("account_type", "0"), ("index", String(index)), ("account_index", String(index)),
                ("l1_address", "\"0x0000000000000000000000000000000000000000\""), ("cancel_all_time", String(cancelAllTime)),
                ("total_order_count", String(orderCount)), ("total_isolated_order_count", "0"),
                ("pending_order_count", "0"), ("available_balance", SandboxJSON.usd(figures.available)), ("status", "1"),
                ("collateral", SandboxJSON.usd(figures.collateral)), ("account_trading_mode", "0"),
                ("total_asset_value", SandboxJSON.usd(figures.totalAssetValue)),
                ("cross_asset_value", SandboxJSON.usd(figures.totalAssetValue)),
                ("cross_initial_margin_requirement", SandboxJSON.usd(figures.positionMargin)),
                ("cross_maintenance_margin_requirement", SandboxJSON.usd(figures.positionMargin * 0.6)),
                ("positions", SandboxJSON.array(positions)),
                (
                    "assets",
                    "[{\"symbol\":\"USDC\",\"asset_id\":3,\"balance\":\(SandboxJSON.usd(figures.collateral)),\"locked_balance\":\"0\",\"margin_balance\":\(SandboxJSON.usd(figures.collateral)),\"margin_mode\":\"enabled\",\"multiplier\":\"1\"}]"
                ),
                ("shares", "[]"), ("approved_integrators", "[]"), ("name", "\"sandbox\""), ("description", "\"\""),
                ("can_invite", "false"), ("referral_points_percentage", "\"\""), ("created_at", "0"),
                ("transaction_time", "0"), ("pending_unlocks", "[]"), ("can_rfq", "false"), ("can_rfq_market_ids", "[]"),
                ("metadata", "{\"color\":\"\"}"), ("agent_enabled", "false"),
                (
                    "pool_info",
                    "{\"status\":0,\"operator_fee\":\"0\",\"min_operator_share_rate\":\"0\",\"total_shares\":0,\"operator_shares\":0,\"annual_percentage_yield\":0,\"daily_returns\":[],\"share_prices\":[],\"sharpe_ratio\":0,\"strategies\":[]}"
                ),
            ])
        }

        func statsJSON(markets: [Int: MarketState], specs: [MarketSpec]) -> String {
            let figures = figures(markets: markets, specs: specs)
            let value = figures.totalAssetValue
            let usage = value > 0 ? (figures.positionMargin + figures.orderMargin) / value * 100 : 0
            // All positions are cross-margin in the sandbox, so cross and total figures are the same.
            let figuresJSON: [(String, String)] = [
                ("collateral", SandboxJSON.usd(figures.collateral)), ("portfolio_value", SandboxJSON.usd(value)),
                ("leverage", SandboxJSON.usd(value > 0 ? figures.positionNotional / value : 0)),
                ("available_balance", SandboxJSON.usd(figures.available)),
                ("margin_usage", SandboxJSON.usd(usage)), ("buying_power", SandboxJSON.usd(max(0, figures.available))),
            ]
            let nested = SandboxJSON.object(figuresJSON)
            return SandboxJSON.object(figuresJSON + [("cross_stats", nested), ("total_stats", nested)])
        }

        func ordersMapJSON(_ byMarket: [Int: [OrderRecord]], specs: [MarketSpec]) -> String {
            SandboxJSON.object(
                byMarket.keys.sorted().compactMap { market in
                    guard let spec = specs.first(where: { $0.marketID == market }) else { return nil }
                    return (String(market), SandboxJSON.array((byMarket[market] ?? []).map { $0.json(spec: spec, account: index) }))
                })
        }

        func tradesMapJSON(_ byMarket: [Int: [TradeRecord]], specs: [MarketSpec]) -> String {
            SandboxJSON.object(
                byMarket.keys.sorted().compactMap { market in
                    guard let spec = specs.first(where: { $0.marketID == market }) else { return nil }
                    return (String(market), SandboxJSON.array((byMarket[market] ?? []).map { $0.json(spec: spec) }))
                })
        }

        func positionsMapJSON(_ marketIDs: [Int], markets: [Int: MarketState], specs: [MarketSpec]) -> String {
            SandboxJSON.object(
                marketIDs.sorted().compactMap { market in
                    guard let spec = specs.first(where: { $0.marketID == market }) else { return nil }
                    return (String(market), positionJSON(spec: spec, markets: markets))
                })
        }

        /// The `subscribed/…` message of an account channel.
        func snapshotJSON(
            kind: String, channel: String, market: Int?, markets: [Int: MarketState], specs: [MarketSpec], at time: Timestamp
        ) -> String {
            var activeByMarket: [Int: [OrderRecord]] = [:]
            for record in activeRecords(market: market) { activeByMarket[record.marketID, default: []].append(record) }
            let head = "\"type\":\"subscribed/\(kind)\",\"channel\":\(SandboxJSON.string(channel)),\"account\":\(index)"
            switch kind {
            case "account_all_positions":
                return "{\(head),\"timestamp\":\(time.milliseconds),\"positions\":\(positionsMapJSON(specs.map(\.marketID), markets: markets, specs: specs))}"
            case "account_all_trades":
                let recent = trades.mapValues { Array($0.suffix(50)) }
                return "{\(head),\"timestamp\":\(time.milliseconds),\"trades\":\(tradesMapJSON(recent, specs: specs))}"
            case "account_tx":
                return "{\(head),\"timestamp\":\(time.milliseconds),\"txs\":\(SandboxJSON.array(recentTransactions.suffix(50).map { $0.json() }))}"
            case "user_stats":
                return "{\(head),\"timestamp\":\(time.milliseconds),\"stats\":\(statsJSON(markets: markets, specs: specs))}"
            case "account_all":
                let recent = trades.mapValues { Array($0.suffix(20)) }
                return "{\(head),\"timestamp\":\(time.milliseconds),\"orders\":\(ordersMapJSON(activeByMarket, specs: specs)),"
                    + "\"trades\":\(tradesMapJSON(recent, specs: specs)),"
                    + "\"positions\":\(positionsMapJSON(specs.map(\.marketID), markets: markets, specs: specs)),"
                    + "\"funding_histories\":{},\"shares\":[],\"daily_trades_count\":0,\"daily_volume\":0,"
                    + "\"weekly_trades_count\":0,\"weekly_volume\":0,\"monthly_trades_count\":0,\"monthly_volume\":0,"
                    + "\"total_trades_count\":0,\"total_volume\":0}"
            default:
                return "{\(head),\"timestamp\":\(time.milliseconds),\"orders\":\(ordersMapJSON(activeByMarket, specs: specs))}"
            }
        }

        /// Sends the unpublished changes to the account's channels and clears them.
        mutating func publish(
            subscribers: [String: [Int: SandboxSubscriber]], markets: [Int: MarketState], specs: [MarketSpec], at time: Timestamp
        ) {
            func send(_ channel: String, _ body: String) {
                guard let targets = subscribers[channel], !targets.isEmpty else { return }
                let text = "{\"type\":\"update/\(channel.split(separator: ":")[0])\",\"channel\":\(SandboxJSON.string(channel)),"
                    + "\"account\":\(index),\"timestamp\":\(time.milliseconds),\(body)}"
                for subscriber in targets.values { subscriber.deliver(text) }
            }
            if !changedOrders.isEmpty {
                send("account_all_orders:\(index)", "\"orders\":\(ordersMapJSON(changedOrders, specs: specs))")
                for (market, records) in changedOrders {
                    send("account_orders:\(market):\(index)", "\"orders\":\(ordersMapJSON([market: records], specs: specs))")
                }
            }
            send(
                "account_all:\(index)",
                "\"orders\":\(ordersMapJSON(changedOrders, specs: specs)),\"trades\":\(tradesMapJSON(newTrades, specs: specs)),"
                    + "\"positions\":\(positionsMapJSON(Array(positionsChanged), markets: markets, specs: specs)),"
                    + "\"funding_histories\":{},\"shares\":[]")
            if !positionsChanged.isEmpty {
                send(
                    "account_all_positions:\(index)",
                    "\"positions\":\(positionsMapJSON(Array(positionsChanged), markets: markets, specs: specs))")
            }
            if !newTrades.isEmpty {
                send("account_all_trades:\(index)", "\"trades\":\(tradesMapJSON(newTrades, specs: specs))")
            }
            if !newTransactions.isEmpty {
                send("account_tx:\(index)", "\"txs\":\(SandboxJSON.array(newTransactions.map { $0.json() }))")
            }
            if statsChanged || !changedOrders.isEmpty {
                send("user_stats:\(index)", "\"stats\":\(statsJSON(markets: markets, specs: specs))")
            }
            changedOrders.removeAll()
            newTrades.removeAll()
            newTransactions.removeAll()
            positionsChanged.removeAll()
            statsChanged = false
        }
    }
}
