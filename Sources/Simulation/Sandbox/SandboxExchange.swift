import Foundation
import Lighter
import LighterCrypto
import MarketCore
import Synchronization
import Trading

/// Someone subscribed to sandbox WebSocket channels: an id (one per connection) and a way to send
/// a text frame. `deliver` is called with the exchange's lock held, so it must not block (writing
/// to a NIO channel only schedules the write) and must not call back into the exchange.
public struct SandboxSubscriber: Sendable {
    /// The connection's id.
    public let id: Int
    /// Sends one text frame.
    public let deliver: @Sendable (String) -> Void

    /// A subscriber.
    public init(id: Int, deliver: @escaping @Sendable (String) -> Void) {
        self.id = id
        self.deliver = deliver
    }
}

/// An HTTP answer of the sandbox.
public struct SandboxHTTPResponse: Hashable, Sendable {
    /// The HTTP status (200, or 400 for business errors as Lighter answers them).
    public var status: Int
    /// The JSON body.
    public var body: String

    /// A response.
    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }
}

/// A local exchange that behaves like Lighter: synthetic markets (``SyntheticMarket``) whose flow
/// fills the accounts' orders through one ``MatchingEngine`` per account and market, Lighter's
/// transaction checks (signature against the registered API key, nonce order, `ExpiredAt`, the
/// signer's field rules, minimums, margin), and Lighter's REST and WebSocket shapes.
///
/// All state changes take an explicit time: ``advance(to:)`` runs the markets up to it, and every
/// request is handled at the time it is given. ``SandboxServer`` serves it over HTTP and WebSocket
/// with the live clock.
///
/// Accounts trade with each other where one's resting order is better than the synthetic book: an
/// incoming order first fills other accounts' orders priced inside the synthetic best (best price,
/// then oldest first), then takes the synthetic book. The public book shows the synthetic levels plus
/// the accounts' resting orders. Limits: an account's order resting at or behind the synthetic best
/// is filled by the synthetic flow only; grouped, trigger and TWAP orders, transfers and withdrawals are
/// refused with 21511.
public final class SandboxExchange: Sendable {
    /// The configuration (with the generated keys).
    public let configuration: SandboxConfiguration
    /// The markets' specs, by market id order.
    public let specs: [MarketSpec]
    /// When the markets started.
    public let startTime: Timestamp
    let state: Mutex<State>

    /// An exchange whose markets start at `startTime`.
    ///
    /// - Throws: ``SandboxError`` if a market configuration is not usable or two accounts share an index.
    public init(configuration: SandboxConfiguration, startTime: Timestamp) throws(SandboxError) {
        self.configuration = configuration
        self.startTime = startTime
        var markets: [Int: MarketState] = [:]
        var specs: [MarketSpec] = []
        for (offset, market) in configuration.markets.enumerated() {
            var setup = market
            setup.startTime = startTime
            setup.durationNanoseconds = 50 * 365 * 86_400 * 1_000_000_000
            let generator: SyntheticMarket
            do {
                generator = try SyntheticMarket(configuration: setup, seed: configuration.seed &+ UInt64(offset))
            } catch {
                throw SandboxError(code: 0, message: "market \(market.spec.symbol): \(error.description)")
            }
            guard markets[market.spec.marketID] == nil else {
                throw SandboxError(code: 0, message: "two markets with id \(market.spec.marketID)")
            }
            markets[market.spec.marketID] = MarketState(generator: generator)
            specs.append(market.spec)
        }
        var accounts: [Int64: AccountState] = [:]
        for setup in configuration.accounts {
            guard accounts[setup.accountIndex] == nil else {
                throw SandboxError(code: 0, message: "two accounts with index \(setup.accountIndex)")
            }
            var account = AccountState(index: setup.accountIndex, collateral: setup.collateral)
            account.quota = configuration.volumeQuota.map { VolumeQuotaState(model: $0) }
            account.keys[setup.apiKeyIndex] = KeyState(publicKey: setup.privateKey.publicKey, nextNonce: 0)
            for spec in specs {
                account.engines[spec.marketID] = MatchingEngine(
                    spec: spec, fees: configuration.fees, initialCollateral: 0,
                    initialMarginFraction: configuration.initialMarginFraction)
                account.marginFractions[spec.marketID] = configuration.initialMarginFraction
            }
            accounts[setup.accountIndex] = account
        }
        self.specs = specs.sorted { $0.marketID < $1.marketID }
        self.state = Mutex(State(markets: markets, accounts: accounts))
        _ = advance(to: startTime)
    }

    // MARK: Public queries

    /// The text printed at start: where to connect and the test accounts, keys labelled as sandbox keys.
    public func readyBanner(baseURL: String) -> String {
        var lines = [
            "Lighter sandbox ready (local paper exchange; nothing here touches a real venue)",
            "  REST:      \(baseURL)",
            "  WebSocket: \(baseURL.replacingOccurrences(of: "http://", with: "ws://"))/stream",
            "  chain id:  \(configuration.chain.rawValue)",
            "  markets:   " + specs.map { "\($0.symbol) (market \($0.marketID))" }.joined(separator: ", "),
        ]
        for account in configuration.accounts {
            lines.append("  test account \(account.accountIndex): API key index \(account.apiKeyIndex)")
            lines.append("    SANDBOX-ONLY private key: \(account.privateKey.hexForExport)")
            lines.append("    public key:               \(account.privateKey.publicKey.hex)")
            lines.append("    collateral:               \(String(format: "%.2f", account.collateral)) USDC")
        }
        return lines.joined(separator: "\n")
    }

    /// The synthetic market's best bid and ask of `marketID`, without the accounts' orders (nil if
    /// unknown or one-sided).
    public func bestPrices(marketID: Int) -> (bid: Price, ask: Price)? {
        state.withLock { state in
            guard let book = state.markets[marketID]?.book, let bid = book.bestBid, let ask = book.bestAsk else { return nil }
            return (bid.price, ask.price)
        }
    }

    // MARK: Time

    /// Runs every market up to `time` (events after it wait) and publishes what changed.
    /// - Returns: the number of market events processed.
    @discardableResult
    public func advance(to time: Timestamp) -> Int {
        state.withLock { state in
            let count = Self.advance(&state, to: time, specs: specs)
            Self.flush(&state, at: time, specs: specs)
            return count
        }
    }

    @discardableResult
    static func advance(_ state: inout State, to time: Timestamp, specs: [MarketSpec]) -> Int {
        if time < state.now { return 0 }
        state.now = time
        var processed = 0
        for spec in specs {
            let id = spec.marketID
            while true {
                let event: MarketEvent?
                if let pending = state.markets[id]?.pending {
                    event = pending
                    state.markets[id]?.pending = nil
                } else {
                    event = state.markets[id]?.generator.nextEvent()
                }
                guard let event else { break }
                if event.receivedAt > time {
                    state.markets[id]?.pending = event
                    break
                }
                processed += 1
                state.markets[id]?.record(event, spec: spec)
                for accountIndex in state.accountOrder {
                    state.accounts[accountIndex]?.engines[id]?.apply(event)
                    state.accounts[accountIndex]?.collect(market: spec, at: event.receivedAt, nonce: nil)
                }
            }
        }
        let nowMs = time.milliseconds
        // Orders past their OrderExpiry.
        for accountIndex in state.accountOrder {
            guard let account = state.accounts[accountIndex] else { continue }
            for spec in specs {
                let expired = (account.active[spec.marketID] ?? [:]).filter { $0.value.orderExpiry > 0 && $0.value.orderExpiry <= nowMs }
                for id in expired.keys.sorted() {
                    state.accounts[accountIndex]?.expiring.insert(id)
                    state.accounts[accountIndex]?.engines[spec.marketID]?.handle(.cancel(id: id), at: time)
                    state.accounts[accountIndex]?.collect(market: spec, at: time, nonce: nil)
                    state.accounts[accountIndex]?.expiring.remove(id)
                }
            }
        }
        // Scheduled cancel-alls (dead man's switch).
        for accountIndex in state.accountOrder {
            guard let due = state.accounts[accountIndex]?.cancelAllTime, due > 0, due <= nowMs else { continue }
            state.accounts[accountIndex]?.cancelAllTime = 0
            for spec in specs {
                state.accounts[accountIndex]?.engines[spec.marketID]?.handle(.cancelAll, at: time)
                state.accounts[accountIndex]?.collect(market: spec, at: time, nonce: nil)
            }
        }
        return processed
    }

    // MARK: REST

    /// Answers one HTTP request at `time` (the markets are advanced to it first).
    ///
    /// - Parameters:
    ///   - method: `GET` or `POST`.
    ///   - path: the path without the query, e.g. `/api/v1/account`.
    ///   - query: the decoded query parameters.
    ///   - headers: request headers, names in lowercase.
    ///   - body: the request body (form-encoded for POSTs).
    ///   - time: the exchange time of the request.
    public func respond(
        method: String, path: String, query: [String: String], headers: [String: String], body: String, at time: Timestamp
    ) -> SandboxHTTPResponse {
        state.withLock { state in
            // Requests racing the pacing task never move the exchange's time backwards.
            let time = max(time, state.now)
            Self.advance(&state, to: time, specs: specs)
            let response = route(&state, method: method, path: path, query: query, headers: headers, body: body, at: time)
            Self.flush(&state, at: time, specs: specs)
            return response
        }
    }

    private func route(
        _ state: inout State, method: String, path: String, query: [String: String], headers: [String: String],
        body: String, at time: Timestamp
    ) -> SandboxHTTPResponse {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        let form = method == "POST" ? SandboxJSON.decodeForm(body) : [:]
        let parameters = query.merging(form) { _, new in new }
        let authToken = headers["authorization"] ?? parameters["auth"]
        do throws(SandboxError) {
            switch trimmed {
            case "/", "/info", "/api/v1/status":
                return ok("{\"code\":200,\"status\":1,\"network_id\":\(configuration.chain.rawValue),\"timestamp\":\(time.milliseconds / 1000)}")
            case "/api/v1/orderBookDetails":
                return ok(orderBookDetailsJSON(state, marketID: try optionalMarket(parameters)))
            case "/api/v1/orderBooks":
                return ok(orderBooksJSON(try optionalMarket(parameters)))
            case "/api/v1/orderBookOrders":
                return ok(try orderBookOrdersJSON(state, parameters: parameters))
            case "/api/v1/recentTrades", "/api/v1/trades":
                return ok(try recentTradesJSON(state, parameters: parameters))
            case "/api/v1/account":
                return ok(try accountJSON(state, parameters: parameters, at: time))
            case "/api/v1/accountActiveOrders", "/api/v1/accountInactiveOrders":
                let account = try integer(parameters, "account_index")
                try authorize(state, token: authToken, account: account, at: time)
                let market = try optionalMarket(parameters)
                return ok(
                    ordersResponseJSON(
                        state, account: account, market: market, active: trimmed == "/api/v1/accountActiveOrders"))
            case "/api/v1/nextNonce":
                let account = try integer(parameters, "account_index")
                let key = try integer(parameters, "api_key_index")
                guard let keyState = state.accounts[account]?.keys[UInt8(clamping: key)], key >= 0, key <= 254 else {
                    throw SandboxError(code: SandboxErrorCode.apiKeyNotFound, message: "api key not found")
                }
                return ok("{\"code\":200,\"nonce\":\(keyState.nextNonce)}")
            case "/api/v1/apikeys":
                return ok(try apiKeysJSON(state, parameters: parameters))
            case "/api/v1/tx":
                return ok(try txJSON(state, parameters: parameters))
            case "/api/v1/sendTx":
                guard method == "POST" else { return notFound(path) }
                let type = try integer(parameters, "tx_type")
                guard let info = parameters["tx_info"] else { throw missing("tx_info") }
                let hash = try submit(&state, txType: type, txInfo: info, at: time)
                return ok(sendTxReply(hash: hash, time: time, quota: Self.quotaText(state)))
            case "/api/v1/sendTxBatch":
                guard method == "POST" else { return notFound(path) }
                guard let typesText = parameters["tx_types"], let infosText = parameters["tx_infos"] else {
                    throw missing("tx_types/tx_infos")
                }
                let hashes = try submitBatch(&state, typesJSON: typesText, infosJSON: infosText, at: time)
                return ok(sendTxBatchReply(hashes: hashes, time: time, key: "tx_hash", quota: Self.quotaText(state)))
            default:
                return notFound(path)
            }
        } catch {
            return SandboxHTTPResponse(status: 400, body: SandboxJSON.error(code: error.code, message: error.message))
        }
    }

    private func ok(_ body: String) -> SandboxHTTPResponse { SandboxHTTPResponse(status: 200, body: body) }

    private func notFound(_ path: String) -> SandboxHTTPResponse {
        SandboxHTTPResponse(status: 404, body: SandboxJSON.error(code: 404, message: "no sandbox endpoint \(path)"))
    }

    private func missing(_ name: String) -> SandboxError {
        SandboxError(code: SandboxErrorCode.invalidTxInfo, message: "missing parameter \(name)")
    }

    private func integer(_ parameters: [String: String], _ name: String) throws(SandboxError) -> Int64 {
        guard let text = parameters[name] else { throw missing(name) }
        guard let value = Int64(text) else {
            throw SandboxError(code: SandboxErrorCode.invalidTxInfo, message: "parameter \(name) is not an integer")
        }
        return value
    }

    private func optionalMarket(_ parameters: [String: String]) throws(SandboxError) -> Int? {
        guard parameters["market_id"] != nil else { return nil }
        let value = try integer(parameters, "market_id")
        return value == 255 ? nil : Int(value)
    }

    // MARK: Transactions

    /// Verifies and executes one transaction at `time`, as `sendTx` does.
    /// - Returns: the transaction hash.
    /// - Throws: ``SandboxError`` with Lighter's code when the transaction is refused.
    public func submit(txType: UInt8, txInfo: String, at time: Timestamp) throws(SandboxError) -> String {
        let result: Result<String, SandboxError> = state.withLock { state in
            let time = max(time, state.now)
            Self.advance(&state, to: time, specs: specs)
            defer { Self.flush(&state, at: time, specs: specs) }
            do throws(SandboxError) {
                return .success(try submit(&state, txType: Int64(txType), txInfo: txInfo, at: time))
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    func submit(_ state: inout State, txType: Int64, txInfo: String, at time: Timestamp) throws(SandboxError) -> String {
        let parsed = try verify(state, txType: txType, txInfo: txInfo, at: time, expectedNonce: nil)
        let account = parsed.transaction.envelope.accountIndex
        try chargeQuota(&state, account: account, transactions: 1, at: time)
        defer { creditQuota(&state, account: account) }
        try execute(&state, parsed, txInfo: txInfo, at: time)
        return parsed.transaction.txHash
    }

    /// Charges the account's volume quota for `transactions` sends (one free send per interval).
    func chargeQuota(_ state: inout State, account: Int64, transactions: Int, at time: Timestamp) throws(SandboxError) {
        state.lastQuotaRemaining = nil
        guard var quota = state.accounts[account]?.quota else { return }
        quota.credit(tradedUSD: state.accounts[account]?.tradedUSD ?? 0)
        var charged = 0
        for _ in 0..<transactions {
            guard quota.charge(at: time.nanoseconds) else { break }
            charged += 1
        }
        state.lastQuotaRemaining = quota.remaining
        guard charged == transactions else {
            throw SandboxError(code: SandboxErrorCode.quotaExhausted, message: "volume quota exhausted: \(quota.remaining) left")
        }
        state.accounts[account]?.quota = quota
    }

    /// Credits what the account's trades earned (after a send executed).
    func creditQuota(_ state: inout State, account: Int64) {
        guard var quota = state.accounts[account]?.quota else { return }
        quota.credit(tradedUSD: state.accounts[account]?.tradedUSD ?? 0)
        state.accounts[account]?.quota = quota
        state.lastQuotaRemaining = quota.remaining
    }

    /// The quota to report in a send reply.
    static func quotaText(_ state: State) -> String { String(state.lastQuotaRemaining ?? 1000) }

    func submitBatch(_ state: inout State, typesJSON: String, infosJSON: String, at time: Timestamp) throws(SandboxError)
        -> [String]
    {
        guard let typesData = typesJSON.data(using: .utf8), let infosData = infosJSON.data(using: .utf8),
            let types = (try? JSONSerialization.jsonObject(with: typesData)) as? [Any],
            let infos = (try? JSONSerialization.jsonObject(with: infosData)) as? [Any]
        else {
            throw SandboxError(code: SandboxErrorCode.invalidTxInfo, message: "tx_types and tx_infos must be JSON arrays")
        }
        guard types.count == infos.count, !types.isEmpty else {
            throw SandboxError(
                code: SandboxErrorCode.invalidTxInfo, message: "tx_types and tx_infos differ in length or are empty")
        }
        guard types.count <= 50 else {
            throw SandboxError(code: SandboxErrorCode.batchTooLarge, message: "maximum 50 transactions allowed per batch")
        }
        var items: [(Int64, String)] = []
        for (type, info) in zip(types, infos) {
            guard let number = type as? NSNumber else {
                throw SandboxError(code: SandboxErrorCode.invalidTxInfo, message: "tx_types holds a non-integer")
            }
            let text: String
            if let string = info as? String {
                text = string
            } else if let encoded = SandboxJSON.encode(info) {
                text = encoded
            } else {
                throw SandboxError(code: SandboxErrorCode.invalidTxInfo, message: "tx_infos holds a non-object")
            }
            items.append((number.int64Value, text))
        }
        // Check the whole batch first: one key, strictly increasing nonces, valid signatures.
        var parsedItems: [ParsedTransaction] = []
        var expected: Int64?
        for (type, info) in items {
            let parsed = try verify(state, txType: type, txInfo: info, at: time, expectedNonce: expected)
            if let first = parsedItems.first?.transaction.envelope {
                let envelope = parsed.transaction.envelope
                guard envelope.accountIndex == first.accountIndex, envelope.apiKeyIndex == first.apiKeyIndex else {
                    throw SandboxError(
                        code: SandboxErrorCode.batchMixedKeys,
                        message: "all transactions in the batch must use same account and apikey")
                }
            }
            expected = parsed.transaction.envelope.nonce + 1
            parsedItems.append(parsed)
        }
        if let account = parsedItems.first?.transaction.envelope.accountIndex {
            try chargeQuota(&state, account: account, transactions: parsedItems.count, at: time)
        }
        defer { if let account = parsedItems.first?.transaction.envelope.accountIndex { creditQuota(&state, account: account) } }
        var hashes: [String] = []
        for (parsed, item) in zip(parsedItems, items) {
            try execute(&state, parsed, txInfo: item.1, at: time)
            hashes.append(parsed.transaction.txHash)
        }
        return hashes
    }

    /// Parses and checks a transaction without changing anything.
    func verify(_ state: State, txType: Int64, txInfo: String, at time: Timestamp, expectedNonce: Int64?)
        throws(SandboxError) -> ParsedTransaction
    {
        guard let type = UInt8(exactly: txType) else {
            throw SandboxError(code: SandboxErrorCode.invalidTxType, message: "invalid tx type \(txType)")
        }
        let parsed: ParsedTransaction
        do {
            parsed = try Transaction.parse(txType: type, txInfo: txInfo, chain: configuration.chain)
        } catch {
            if case .unsupportedType = error {
                throw SandboxError(code: SandboxErrorCode.invalidTxType, message: "invalid tx type for account")
            }
            throw SandboxError(code: SandboxErrorCode.invalidTxInfo, message: "invalid tx info: \(error.description)")
        }
        let envelope = parsed.transaction.envelope
        guard let account = state.accounts[envelope.accountIndex] else {
            throw SandboxError(code: SandboxErrorCode.apiKeyNotFound, message: "account \(envelope.accountIndex) not found")
        }
        guard let key = account.keys[envelope.apiKeyIndex] else {
            throw SandboxError(code: SandboxErrorCode.apiKeyNotFound, message: "api key not found")
        }
        guard let signed = parsed.signed, signed.isSignatureValid(for: key.publicKey) else {
            throw SandboxError(code: SandboxErrorCode.invalidSignature, message: "invalid signature")
        }
        if let expectedNonce {
            guard envelope.nonce >= expectedNonce else {
                throw SandboxError(
                    code: SandboxErrorCode.batchNonceNotIncreasing, message: "batch transaction nonce is not increasing")
            }
        }
        let next = expectedNonce ?? key.nextNonce
        let nonceOK = envelope.attributes.skipNonce ? envelope.nonce >= next : envelope.nonce == next
        guard nonceOK else {
            throw SandboxError(code: SandboxErrorCode.invalidNonce, message: "invalid nonce")
        }
        guard envelope.expiredAt > time.milliseconds else {
            throw SandboxError(
                code: SandboxErrorCode.invalidExpiry,
                message: "invalid expiry: transaction expired (ExpiredAt \(envelope.expiredAt) ≤ now \(time.milliseconds))")
        }
        do {
            try parsed.transaction.validate()
        } catch {
            throw SandboxError(code: Self.code(for: error), message: error.description)
        }
        return parsed
    }

    static func code(for error: TxValidationError) -> Int {
        switch error {
        case .baseAmountTooLow, .baseAmountTooHigh: SandboxErrorCode.invalidBaseAmount
        case .priceTooLow: SandboxErrorCode.invalidPrice
        case .clientOrderIndexTooLow, .clientOrderIndexTooHigh: SandboxErrorCode.invalidClientOrderIndex
        case .orderExpiryInvalid, .expiredAtInvalid: SandboxErrorCode.invalidExpiry
        default: SandboxErrorCode.invalidTxInfo
        }
    }

    /// Carries out a verified transaction; the nonce is used only if it is accepted.
    func execute(_ state: inout State, _ parsed: ParsedTransaction, txInfo: String, at time: Timestamp) throws(SandboxError) {
        let transaction = parsed.transaction
        let envelope = transaction.envelope
        let accountIndex = envelope.accountIndex
        guard state.accounts[accountIndex] != nil else {
            throw SandboxError(code: SandboxErrorCode.apiKeyNotFound, message: "account \(accountIndex) not found")
        }
        switch transaction.body {
        case .createOrder(let order):
            try createOrder(&state, account: accountIndex, order: order, nonce: envelope.nonce, at: time)
        case .modifyOrder(let modify):
            let (spec, id) = try findOrder(state, account: accountIndex, market: modify.marketIndex, index: modify.index)
            try run(
                &state, account: accountIndex, spec: spec,
                action: .modify(id: id, price: Price(ticks: Int64(modify.price)), size: Quantity(lots: modify.baseAmount)),
                nonce: envelope.nonce, at: time)
        case .cancelOrder(let cancel):
            let (spec, id) = try findOrder(state, account: accountIndex, market: cancel.marketIndex, index: cancel.index)
            try run(&state, account: accountIndex, spec: spec, action: .cancel(id: id), nonce: envelope.nonce, at: time)
        case .cancelAllOrders(let cancelAll):
            switch cancelAll.mode {
            case .immediate:
                let only = envelope.attributes.cancelAllMarketIndex
                for spec in specs where only == nil || Int64(spec.marketID) == only {
                    try run(&state, account: accountIndex, spec: spec, action: .cancelAll, nonce: envelope.nonce, at: time)
                }
            case .scheduled:
                let ahead = cancelAll.time - time.milliseconds
                let window = SandboxConfiguration.scheduledCancelAllWindowMilliseconds
                guard ahead >= configuration.scheduledCancelAllMinimumMilliseconds, ahead <= window.upperBound else {
                    throw SandboxError(code: SandboxErrorCode.invalidCancelAllTime, message: "invalid cancel all time")
                }
                state.accounts[accountIndex]?.cancelAllTime = cancelAll.time
            case .abortScheduled:
                state.accounts[accountIndex]?.cancelAllTime = 0
            }
        case .updateLeverage(let leverage):
            guard specs.contains(where: { Int64($0.marketID) == leverage.marketIndex }) else {
                throw SandboxError(code: SandboxErrorCode.invalidTxInfo, message: "MarketIndex is not valid")
            }
            state.accounts[accountIndex]?.marginFractions[Int(leverage.marketIndex)] =
                Double(leverage.initialMarginFraction) / 10_000
            state.accounts[accountIndex]?.marginModes[Int(leverage.marketIndex)] = leverage.marginMode.rawValue
        default:
            throw SandboxError(
                code: SandboxErrorCode.invalidTxType,
                message: "invalid tx type for account (the sandbox does not execute \(transaction.type))")
        }
        state.accounts[accountIndex]?.keys[envelope.apiKeyIndex]?.nextNonce = envelope.nonce + 1
        state.blockHeight += 1
        let record = TxRecord(
            hash: transaction.txHash, type: Int(transaction.type.rawValue), info: txInfo, account: accountIndex,
            apiKey: Int(envelope.apiKeyIndex), nonce: envelope.nonce, expiredAt: envelope.expiredAt,
            blockHeight: state.blockHeight, timeMs: time.milliseconds)
        state.transactions[transaction.txHash] = record
        state.transactionOrder.append(transaction.txHash)
        if state.transactionOrder.count > 100_000 {
            for hash in state.transactionOrder.prefix(50_000) { state.transactions[hash] = nil }
            state.transactionOrder.removeFirst(50_000)
        }
        state.accounts[accountIndex]?.recentTransactions.append(record)
        if (state.accounts[accountIndex]?.recentTransactions.count ?? 0) > 100 {
            state.accounts[accountIndex]?.recentTransactions.removeFirst(50)
        }
        state.accounts[accountIndex]?.newTransactions.append(record)
    }

    private func createOrder(_ state: inout State, account accountIndex: Int64, order: OrderInfo, nonce: Int64, at time: Timestamp)
        throws(SandboxError)
    {
        guard let spec = specs.first(where: { Int64($0.marketID) == order.marketIndex }) else {
            throw SandboxError(code: SandboxErrorCode.invalidTxInfo, message: "MarketIndex is not valid")
        }
        guard order.type == .limit || order.type == .market else {
            throw SandboxError(
                code: SandboxErrorCode.invalidTxType, message: "the sandbox executes limit and market orders only")
        }
        guard let id = ClientOrderID(rawValue: order.clientOrderIndex) else {
            throw SandboxError(code: SandboxErrorCode.invalidClientOrderIndex, message: "invalid client order index")
        }
        let side: Side = order.isAsk ? .sell : .buy
        let price = Price(ticks: Int64(order.price))
        let size = Quantity(lots: order.baseAmount)
        let timeInForce: TimeInForce =
            switch order.timeInForce {
            case .immediateOrCancel: .immediateOrCancel
            case .goodTillTime: .goodTillTime
            case .postOnly: .postOnly
            }
        // Margin: the order's notional at the margin fraction must fit in the available balance,
        // unless it only reduces the position.
        if let account = state.accounts[accountIndex], !order.reduceOnly {
            let figures = account.figures(markets: state.markets, specs: specs)
            let fraction = account.marginFractions[spec.marketID] ?? configuration.initialMarginFraction
            let notional = Double(price.ticks) * Double(size.lots) / Double(FixedPoint.powersOfTen[spec.notionalDecimals])
            if notional * fraction > figures.available {
                throw SandboxError(code: SandboxErrorCode.notEnoughMargin, message: "not enough margin to create the order")
            }
        }
        let request = OrderRequest(
            id: id, side: side, price: price, size: size, type: order.type == .market ? .market : .limit,
            timeInForce: timeInForce, reduceOnly: order.reduceOnly)
        let record = OrderRecord(
            orderIndex: 0, clientOrderIndex: order.clientOrderIndex, marketID: spec.marketID, isAsk: order.isAsk,
            price: price.ticks, initialBase: size.lots, remaining: size.lots, filledBase: 0, filledQuote: 0,
            type: order.type == .market ? "market" : "limit", timeInForce: Self.timeInForceName(order.timeInForce),
            reduceOnly: order.reduceOnly, status: "open", nonce: nonce, orderExpiry: order.orderExpiry,
            createdAtMs: time.milliseconds, updatedAtMs: time.milliseconds)
        if state.accounts[accountIndex]?.active[spec.marketID]?[id] != nil {
            throw SandboxError(code: 21728, message: "client order index already exists")
        }
        state.accounts[accountIndex]?.pendingRecord = record
        // Other accounts' resting orders at prices better than the synthetic book trade first.
        let onGrid = size.lots > 0 && size.lots % spec.lotSize == 0 && price.ticks > 0 && price.ticks % spec.tickSize == 0
        let crossed =
            order.reduceOnly || !onGrid || !spec.meetsMinimums(price: price, quantity: size)
            ? [] : crossingOrders(state, account: accountIndex, spec: spec, side: side, limit: price)
        if !crossed.isEmpty && timeInForce == .postOnly && order.type == .limit {
            // A post-only order that would trade with another account's order is cancelled, as on Lighter.
            state.accounts[accountIndex]?.recordUnplaced(record, status: "canceled-post-only", at: time.milliseconds)
            state.accounts[accountIndex]?.pendingRecord = nil
            return
        }
        let injected = matchMakers(&state, crossed, spec: spec, side: side, size: size.lots, at: time)
        // The taker takes the matched size from its engine's view of the book: the makers' prices are
        // added to it for this placement only.
        let opposite = side.opposite
        func setLevels(_ levels: [(price: Int64, lots: Int64)], adding: Bool) {
            for level in levels {
                let current = state.accounts[accountIndex]?.engines[spec.marketID]?.book.levels(opposite)
                    .size(at: Price(ticks: level.price)).lots ?? 0
                let delta = BookDelta(
                    receivedAt: time, exchangeTimeMs: time.milliseconds, sequence: 0, side: opposite,
                    price: Price(ticks: level.price), size: Quantity(lots: max(0, current + (adding ? level.lots : -level.lots))))
                state.accounts[accountIndex]?.engines[spec.marketID]?.apply(.bookDelta(delta))
            }
        }
        setLevels(injected, adding: true)
        defer {
            setLevels(injected, adding: false)
            state.accounts[accountIndex]?.collect(market: spec, at: time, nonce: nonce)
        }
        try run(&state, account: accountIndex, spec: spec, action: .place(request), nonce: nonce, at: time)
    }

    /// Other accounts' resting orders on the opposite side that an order at `limit` reaches at prices
    /// better than the synthetic book's best, best price first, then oldest first.
    func crossingOrders(_ state: State, account: Int64, spec: MarketSpec, side: Side, limit: Price)
        -> [(account: Int64, id: ClientOrderID, record: OrderRecord)]
    {
        let book = state.markets[spec.marketID]?.book
        let syntheticBest = side == .buy ? book?.bestAsk?.price.ticks : book?.bestBid?.price.ticks
        var result: [(account: Int64, id: ClientOrderID, record: OrderRecord)] = []
        for other in state.accountOrder where other != account {
            for (id, record) in state.accounts[other]?.active[spec.marketID] ?? [:] where record.isAsk == (side == .buy) {
                let reachable = side == .buy ? record.price <= limit.ticks : record.price >= limit.ticks
                let better = syntheticBest.map { side == .buy ? record.price < $0 : record.price > $0 } ?? true
                if reachable && better { result.append((other, id, record)) }
            }
        }
        return result.sorted { first, second in
            if first.record.price != second.record.price {
                return side == .buy ? first.record.price < second.record.price : first.record.price > second.record.price
            }
            return first.record.orderIndex < second.record.orderIndex
        }
    }

    /// Fills the makers (each through its own engine, as a trade at its price) for up to `size`.
    /// - Returns: the filled size per maker price, for the taker.
    func matchMakers(
        _ state: inout State, _ makers: [(account: Int64, id: ClientOrderID, record: OrderRecord)], spec: MarketSpec,
        side: Side, size: Int64, at time: Timestamp
    ) -> [(price: Int64, lots: Int64)] {
        var remaining = size
        var filled: [(price: Int64, lots: Int64)] = []
        for maker in makers where remaining > 0 {
            let before = state.accounts[maker.account]?.active[spec.marketID]?[maker.id]?.remaining ?? 0
            let wanted = min(remaining, before)
            guard wanted > 0 else { continue }
            state.crossTradeID += 1
            let trade = Trade(
                receivedAt: time, exchangeTimeMs: time.milliseconds, tradeID: state.crossTradeID,
                price: Price(ticks: maker.record.price), size: Quantity(lots: wanted), takerSide: side)
            state.accounts[maker.account]?.engines[spec.marketID]?.apply(.trade(trade))
            state.accounts[maker.account]?.collect(market: spec, at: time, nonce: nil)
            let after = state.accounts[maker.account]?.active[spec.marketID]?[maker.id]?.remaining ?? 0
            let lots = before - after
            guard lots > 0 else { continue }
            remaining -= lots
            if let last = filled.last, last.price == maker.record.price {
                filled[filled.count - 1].lots += lots
            } else {
                filled.append((maker.record.price, lots))
            }
        }
        return filled
    }

    static func timeInForceName(_ value: TxTimeInForce) -> String {
        switch value {
        case .immediateOrCancel: "immediate-or-cancel"
        case .goodTillTime: "good-till-time"
        case .postOnly: "post-only"
        }
    }

    /// Hands one action to the account's engine of `spec`'s market and turns an engine refusal into an error.
    private func run(
        _ state: inout State, account accountIndex: Int64, spec: MarketSpec, action: OrderAction, nonce: Int64,
        at time: Timestamp
    ) throws(SandboxError) {
        state.accounts[accountIndex]?.engines[spec.marketID]?.handle(action, at: time)
        let rejection = state.accounts[accountIndex]?.collect(market: spec, at: time, nonce: nonce)
        state.accounts[accountIndex]?.pendingRecord = nil
        // What the account took as taker is a public trade too (the synthetic book is not changed by it).
        for trade in state.accounts[accountIndex]?.publicTrades ?? [] {
            state.markets[spec.marketID]?.add(trade, spec: spec)
        }
        state.accounts[accountIndex]?.publicTrades.removeAll()
        if let rejection { throw rejection }
    }

    /// The market and client order id of the order a modify or cancel names: by order index
    /// (2^48 and up) or by client order index.
    private func findOrder(_ state: State, account accountIndex: Int64, market: Int64, index: Int64) throws(SandboxError)
        -> (MarketSpec, ClientOrderID)
    {
        guard let spec = specs.first(where: { Int64($0.marketID) == market }) else {
            throw SandboxError(code: SandboxErrorCode.invalidTxInfo, message: "MarketIndex is not valid")
        }
        let notActive = SandboxError(code: SandboxErrorCode.orderNotActive, message: "given order is not an active limit order")
        guard let account = state.accounts[accountIndex], let orders = account.active[spec.marketID] else { throw notActive }
        if let match = orders.first(where: { $0.value.orderIndex == index }) { return (spec, match.key) }
        if let id = ClientOrderID(rawValue: index), orders[id] != nil { return (spec, id) }
        throw notActive
    }

    // MARK: WebSocket

    /// Handles one text frame of a WebSocket client at `time`; replies go to `subscriber`.
    public func receive(_ text: String, from subscriber: SandboxSubscriber, at time: Timestamp) {
        state.withLock { state in
            let time = max(time, state.now)
            Self.advance(&state, to: time, specs: specs)
            handleFrame(&state, text, from: subscriber, at: time)
            Self.flush(&state, at: time, specs: specs)
        }
    }

    /// Forgets a closed connection's subscriptions.
    public func disconnect(_ subscriberID: Int) {
        state.withLock { state in
            for channel in Array(state.subscribers.keys) {
                state.subscribers[channel]?[subscriberID] = nil
            }
        }
    }

    private func handleFrame(_ state: inout State, _ text: String, from subscriber: SandboxSubscriber, at time: Timestamp) {
        guard let object = SandboxJSON.parseObject(text), let type = object["type"] as? String else {
            subscriber.deliver(wsError(code: SandboxErrorCode.wsInvalidJSON, message: "Invalid Json"))
            return
        }
        switch type {
        case "ping":
            subscriber.deliver("{\"type\":\"pong\"}")
        case "pong":
            break
        case "subscribe":
            guard let channel = object["channel"] as? String else {
                subscriber.deliver(wsError(code: SandboxErrorCode.wsInvalidChannel, message: "Invalid Channel"))
                return
            }
            subscribe(&state, channel: channel, auth: object["auth"] as? String, subscriber: subscriber, at: time)
        case "unsubscribe":
            guard let channel = object["channel"] as? String else { return }
            let name = channel.replacingOccurrences(of: "/", with: ":")
            state.subscribers[name]?[subscriber.id] = nil
            subscriber.deliver("{\"type\":\"unsubscribed\",\"channel\":\(SandboxJSON.string(name))}")
        case "jsonapi/sendtx", "jsonapi/sendtxbatch":
            let data = object["data"] as? [String: Any] ?? object
            let id = data["id"].map { "\($0)" }
            var pairs: [(String, String)] = [("type", SandboxJSON.string(type))]
            if let id { pairs.append(("id", SandboxJSON.string(id))) }
            do throws(SandboxError) {
                if type == "jsonapi/sendtx" {
                    let txType = (data["tx_type"] as? NSNumber)?.int64Value ?? Int64(data["tx_type"] as? String ?? "") ?? -1
                    let info: String
                    if let string = data["tx_info"] as? String {
                        info = string
                    } else if let value = data["tx_info"], let encoded = SandboxJSON.encode(value) {
                        info = encoded
                    } else {
                        throw missing("tx_info")
                    }
                    let hash = try submit(&state, txType: txType, txInfo: info, at: time)
                    pairs += [
                        ("code", "200"), ("message", SandboxJSON.string("{\"ratelimit\": \"didn't use volume quota\"}")),
                        ("tx_hash", SandboxJSON.string(hash)), ("predicted_execution_time_ms", String(time.milliseconds + 1)),
                        ("volume_quota_remaining", Self.quotaText(state)),
                    ]
                } else {
                    let types = Self.jsonArrayText(data["tx_types"])
                    let infos = Self.jsonArrayText(data["tx_infos"])
                    guard let types, let infos else { throw missing("tx_types/tx_infos") }
                    let hashes = try submitBatch(&state, typesJSON: types, infosJSON: infos, at: time)
                    pairs += [
                        ("code", "200"), ("message", SandboxJSON.string("{\"ratelimit\": \"didn't use volume quota\"}")),
                        ("tx_hash", SandboxJSON.array(hashes.map(SandboxJSON.string))),
                        ("tx_hashes", SandboxJSON.array(hashes.map(SandboxJSON.string))),
                        ("predicted_execution_time_ms", String(time.milliseconds + 1)),
                        ("volume_quota_remaining", Self.quotaText(state)),
                    ]
                }
            } catch {
                pairs += [("code", String(error.code)), ("message", SandboxJSON.string(error.message))]
            }
            subscriber.deliver(SandboxJSON.object(pairs))
        default:
            subscriber.deliver(wsError(code: SandboxErrorCode.wsInvalidJSON, message: "Invalid Type"))
        }
    }

    /// A JSON array given either as a JSON string holding it or as an array.
    static func jsonArrayText(_ value: Any?) -> String? {
        if let text = value as? String { return text }
        if let array = value as? [Any] { return SandboxJSON.encode(array) }
        return nil
    }

    private func wsError(code: Int, message: String) -> String {
        "{\"type\":\"error\",\"error\":{\"code\":\(code),\"message\":\(SandboxJSON.string(message))},\"code\":\(code),\"message\":\(SandboxJSON.string(message))}"
    }

    private func subscribe(_ state: inout State, channel: String, auth: String?, subscriber: SandboxSubscriber, at time: Timestamp) {
        let parts = channel.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let name = parts.joined(separator: ":")
        let invalid = wsError(code: SandboxErrorCode.wsInvalidChannel, message: "Invalid Channel")
        func market(_ text: String) -> MarketSpec? { specs.first { String($0.marketID) == text } }
        func account(_ text: String) -> Int64? {
            guard let index = Int64(text), state.accounts[index] != nil else { return nil }
            return index
        }
        let snapshot: String
        switch (parts.first ?? "", parts.count) {
        case ("order_book", 2):
            guard let spec = market(parts[1]), let book = state.markets[spec.marketID] else { return subscriber.deliver(invalid) }
            snapshot = book.snapshotJSON(
                spec: spec, channel: name, book: book.composed(orders: Self.restingOrders(state, market: spec.marketID)),
                at: time)
        case ("trade", 2):
            guard let spec = market(parts[1]), let book = state.markets[spec.marketID] else { return subscriber.deliver(invalid) }
            snapshot =
                "{\"type\":\"subscribed/trade\",\"channel\":\(SandboxJSON.string(name)),\"nonce\":\(book.nonce),"
                + "\"trades\":\(SandboxJSON.array(book.recentTrades.suffix(50).reversed().map { $0.json(spec: spec) })),"
                + "\"liquidation_trades\":[]}"
        case ("market_stats", 2):
            if parts[1] == "all" {
                let stats = specs.compactMap { spec in
                    state.markets[spec.marketID].map { (String(spec.marketID), $0.statsJSON(spec: spec, at: time)) }
                }
                snapshot =
                    "{\"type\":\"subscribed/market_stats\",\"channel\":\(SandboxJSON.string(name)),\"timestamp\":\(time.milliseconds),\"market_stats\":\(SandboxJSON.object(stats))}"
            } else {
                guard let spec = market(parts[1]), let book = state.markets[spec.marketID] else {
                    return subscriber.deliver(invalid)
                }
                snapshot =
                    "{\"type\":\"subscribed/market_stats\",\"channel\":\(SandboxJSON.string(name)),\"timestamp\":\(time.milliseconds),\"market_stats\":\(book.statsJSON(spec: spec, at: time))}"
            }
        case ("account_all", 2), ("user_stats", 2), ("account_all_orders", 2), ("account_orders", 3),
            ("account_all_positions", 2), ("account_all_trades", 2), ("account_tx", 2):
            let accountText = parts[parts.count - 1]
            guard let index = account(accountText) else { return subscriber.deliver(invalid) }
            var onlyMarket: Int?
            if parts.count == 3 {
                guard let spec = market(parts[1]) else { return subscriber.deliver(invalid) }
                onlyMarket = spec.marketID
            }
            if parts[0] == "account_all_orders" || parts[0] == "account_orders" || parts[0] == "account_tx" {
                do throws(SandboxError) {
                    try authorize(state, token: auth, account: index, at: time)
                } catch {
                    return subscriber.deliver(wsError(code: error.code, message: error.message))
                }
            }
            guard let accountState = state.accounts[index] else { return subscriber.deliver(invalid) }
            snapshot = accountState.snapshotJSON(
                kind: parts[0], channel: name, market: onlyMarket, markets: state.markets, specs: specs, at: time)
        default:
            return subscriber.deliver(invalid)
        }
        state.subscribers[name, default: [:]][subscriber.id] = subscriber
        subscriber.deliver(snapshot)
    }

    // MARK: Auth

    /// Checks an auth token for `account`: well formed, not past its deadline, signed by the
    /// account's registered key.
    func authorize(_ state: State, token: String?, account: Int64, at time: Timestamp) throws(SandboxError) {
        guard let token, !token.isEmpty else {
            throw SandboxError(code: SandboxErrorCode.invalidAuth, message: "invalid auth: missing auth token")
        }
        let parsed: AuthToken
        do { parsed = try AuthToken(parsing: token) } catch {
            throw SandboxError(code: SandboxErrorCode.invalidAuth, message: "invalid auth: \(error.description)")
        }
        guard parsed.accountIndex == account else {
            throw SandboxError(code: SandboxErrorCode.invalidAuth, message: "invalid auth: token is for another account")
        }
        let nowSeconds = time.milliseconds / 1000
        guard parsed.deadline >= nowSeconds else {
            throw SandboxError(code: SandboxErrorCode.invalidAuth, message: "invalid auth: token expired")
        }
        guard parsed.deadline <= nowSeconds + AuthToken.maximumLifetimeSeconds + 60 else {
            throw SandboxError(code: SandboxErrorCode.invalidAuth, message: "invalid auth: deadline too far in the future")
        }
        guard let key = state.accounts[account]?.keys[parsed.apiKeyIndex] else {
            throw SandboxError(code: SandboxErrorCode.apiKeyNotFound, message: "api key not found")
        }
        guard parsed.isValid(for: key.publicKey) else {
            throw SandboxError(code: SandboxErrorCode.invalidAuth, message: "invalid auth: bad signature")
        }
    }

    // MARK: Publishing

    static func flush(_ state: inout State, at time: Timestamp, specs: [MarketSpec]) {
        for spec in specs {
            let id = spec.marketID
            guard var market = state.markets[id] else { continue }
            let target = market.composed(orders: restingOrders(state, market: id))
            let changes = market.changes(to: target)
            if !changes.bids.isEmpty || !changes.asks.isEmpty {
                let begin = market.nonce
                market.nonce += 1
                market.offset += 1
                let channel = "order_book:\(id)"
                if let subscribers = state.subscribers[channel], !subscribers.isEmpty {
                    let text = market.updateJSON(spec: spec, channel: channel, changes: changes, beginNonce: begin, at: time)
                    for subscriber in subscribers.values { subscriber.deliver(text) }
                }
                market.publishedBids = target.bids
                market.publishedAsks = target.asks
            }
            if !market.newTrades.isEmpty {
                let channel = "trade:\(id)"
                if let subscribers = state.subscribers[channel], !subscribers.isEmpty {
                    let text =
                        "{\"type\":\"update/trade\",\"channel\":\"\(channel)\",\"nonce\":\(market.nonce),"
                        + "\"trades\":\(SandboxJSON.array(market.newTrades.map { $0.json(spec: spec) })),\"liquidation_trades\":[]}"
                    for subscriber in subscribers.values { subscriber.deliver(text) }
                }
                market.newTrades.removeAll(keepingCapacity: true)
            }
            if time.milliseconds - market.lastStatsMs >= 1000 {
                market.lastStatsMs = time.milliseconds
                let stats = market.statsJSON(spec: spec, at: time)
                let channel = "market_stats:\(id)"
                for subscriber in state.subscribers[channel]?.values ?? [:].values {
                    subscriber.deliver(
                        "{\"type\":\"update/market_stats\",\"channel\":\"\(channel)\",\"timestamp\":\(time.milliseconds),\"market_stats\":\(stats)}"
                    )
                }
                for subscriber in state.subscribers["market_stats:all"]?.values ?? [:].values {
                    subscriber.deliver(
                        "{\"type\":\"update/market_stats\",\"channel\":\"market_stats:all\",\"timestamp\":\(time.milliseconds),\"market_stats\":{\"\(id)\":\(stats)}}"
                    )
                }
            }
            state.markets[id] = market
        }
        for index in state.accountOrder {
            guard var account = state.accounts[index], account.hasChanges else { continue }
            account.publish(subscribers: state.subscribers, markets: state.markets, specs: specs, at: time)
            state.accounts[index] = account
        }
    }

    /// Every account's resting orders in `market`.
    static func restingOrders(_ state: State, market: Int) -> [OrderRecord] {
        var orders: [OrderRecord] = []
        for index in state.accountOrder {
            if let active = state.accounts[index]?.active[market] { orders.append(contentsOf: active.values) }
        }
        return orders
    }

    // MARK: REST bodies

    private func orderBookDetailsJSON(_ state: State, marketID: Int?) -> String {
        let details = specs.filter { marketID == nil || $0.marketID == marketID }.map { spec -> String in
            let market = state.markets[spec.marketID]
            let mid = market?.book.midTicks ?? 0
            let mark = FixedPoint.format(Int64(mid.rounded()), decimals: spec.priceDecimals)
            let last = market?.lastTradePrice ?? 0
            let fraction = Int((configuration.initialMarginFraction * 10_000).rounded())
            return SandboxJSON.object([
                ("symbol", SandboxJSON.string(spec.symbol)), ("market_id", String(spec.marketID)),
                ("market_type", "\"perp\""), ("status", "\"active\""),
                ("taker_fee", "\"\(String(format: "%.4f", Double(configuration.fees.takerPPM) / 10_000))\""),
                ("maker_fee", "\"\(String(format: "%.4f", Double(configuration.fees.makerPPM) / 10_000))\""),
                ("liquidation_fee", "\"1.0000\""),
                ("min_base_amount", SandboxJSON.decimal(spec.minBaseAmount.lots, decimals: spec.sizeDecimals)),
                ("min_quote_amount", SandboxJSON.decimal(spec.minQuoteNotional, decimals: spec.notionalDecimals)),
                ("order_quote_limit", "\"281474976.710655\""),
                ("supported_size_decimals", String(spec.sizeDecimals)),
                ("supported_price_decimals", String(spec.priceDecimals)), ("supported_quote_decimals", "6"),
                ("size_decimals", String(spec.sizeDecimals)), ("price_decimals", String(spec.priceDecimals)),
                ("quote_multiplier", "1"), ("default_initial_margin_fraction", String(fraction)),
                ("min_initial_margin_fraction", String(fraction)),
                ("maintenance_margin_fraction", String(fraction * 3 / 5)),
                ("closeout_margin_fraction", String(fraction * 2 / 5)),
                ("last_trade_price", FixedPoint.format(last, decimals: spec.priceDecimals)),
                ("daily_trades_count", String(market?.tradeCount ?? 0)),
                ("daily_base_token_volume", String(FixedPoint.double(market?.volumeLots ?? 0, decimals: spec.sizeDecimals))),
                ("daily_quote_token_volume", String(market?.volumeQuote ?? 0)),
                ("daily_price_low", FixedPoint.format(last, decimals: spec.priceDecimals)),
                ("daily_price_high", FixedPoint.format(last, decimals: spec.priceDecimals)),
                ("daily_price_change", "0"), ("open_interest", "0"), ("mark_price", "\"\(mark)\""),
                ("index_price", "\"\(mark)\""), ("daily_chart", "{}"),
                ("funding_clamp_small", "\"0.0500\""), ("funding_clamp_big", "\"4.0000\""),
                ("base_interest_rate", "\"0.0100\""),
                (
                    "market_config",
                    "{\"market_margin_mode\":0,\"insurance_fund_account_index\":0,\"liquidation_mode\":0,\"force_reduce_only\":false,\"trading_hours\":\"\",\"funding_fee_discounts_enabled\":false,\"hidden\":false}"
                ),
                ("strategy_index", "0"),
            ])
        }
        return "{\"code\":200,\"order_book_details\":\(SandboxJSON.array(details)),\"spot_order_book_details\":[]}"
    }

    private func orderBooksJSON(_ marketID: Int?) -> String {
        let books = specs.filter { marketID == nil || $0.marketID == marketID }.map { spec in
            SandboxJSON.object([
                ("symbol", SandboxJSON.string(spec.symbol)), ("market_id", String(spec.marketID)),
                ("market_type", "\"perp\""), ("base_asset_id", "0"), ("quote_asset_id", "0"), ("status", "\"active\""),
                ("taker_fee", "\"\(String(format: "%.4f", Double(configuration.fees.takerPPM) / 10_000))\""),
                ("maker_fee", "\"\(String(format: "%.4f", Double(configuration.fees.makerPPM) / 10_000))\""),
                ("liquidation_fee", "\"1.0000\""),
                ("min_base_amount", SandboxJSON.decimal(spec.minBaseAmount.lots, decimals: spec.sizeDecimals)),
                ("min_quote_amount", SandboxJSON.decimal(spec.minQuoteNotional, decimals: spec.notionalDecimals)),
                ("order_quote_limit", "\"281474976.710655\""),
                ("supported_size_decimals", String(spec.sizeDecimals)),
                ("supported_price_decimals", String(spec.priceDecimals)), ("supported_quote_decimals", "6"),
            ])
        }
        return "{\"code\":200,\"order_books\":\(SandboxJSON.array(books))}"
    }

    private func orderBookOrdersJSON(_ state: State, parameters: [String: String]) throws(SandboxError) -> String {
        let marketID = try integer(parameters, "market_id")
        let limit = Int(try integer(parameters, "limit"))
        guard let spec = specs.first(where: { Int64($0.marketID) == marketID }), let market = state.markets[spec.marketID] else {
            throw SandboxError(code: SandboxErrorCode.invalidTxInfo, message: "MarketIndex is not valid")
        }
        // One entry per price level of the public book (synthetic liquidity plus the accounts' orders).
        let composed = market.composed(orders: Self.restingOrders(state, market: spec.marketID))
        var sequence: Int64 = 1
        func orders(_ levels: [(key: Int64, value: Int64)]) -> [String] {
            levels.prefix(max(0, limit)).map { level in
                sequence += 1
                return SandboxJSON.object([
                    ("order_index", String(sequence)), ("order_id", "\"\(sequence)\""), ("owner_account_index", "0"),
                    ("initial_base_amount", SandboxJSON.decimal(level.value, decimals: spec.sizeDecimals)),
                    ("remaining_base_amount", SandboxJSON.decimal(level.value, decimals: spec.sizeDecimals)),
                    ("price", SandboxJSON.decimal(level.key, decimals: spec.priceDecimals)),
                    ("order_expiry", "0"), ("transaction_time", String(state.now.milliseconds * 1000)),
                ])
            }
        }
        let asks = orders(composed.asks.sorted { $0.key < $1.key })
        let bids = orders(composed.bids.sorted { $0.key > $1.key })
        return "{\"code\":200,\"total_asks\":\(asks.count),\"asks\":\(SandboxJSON.array(asks)),\"total_bids\":\(bids.count),\"bids\":\(SandboxJSON.array(bids))}"
    }

    private func recentTradesJSON(_ state: State, parameters: [String: String]) throws(SandboxError) -> String {
        let marketID = try integer(parameters, "market_id")
        let limit = Int(parameters["limit"].flatMap { Int64($0) } ?? 100)
        guard let spec = specs.first(where: { Int64($0.marketID) == marketID }), let market = state.markets[spec.marketID] else {
            throw SandboxError(code: SandboxErrorCode.invalidTxInfo, message: "MarketIndex is not valid")
        }
        let trades = market.recentTrades.suffix(max(0, limit)).reversed().map { $0.json(spec: spec) }
        return "{\"code\":200,\"trades\":\(SandboxJSON.array(trades))}"
    }

    private func accountJSON(_ state: State, parameters: [String: String], at time: Timestamp) throws(SandboxError) -> String {
        guard parameters["by"] == nil || parameters["by"] == "index" else {
            throw SandboxError(code: SandboxErrorCode.invalidTxInfo, message: "the sandbox looks accounts up by index only")
        }
        let index = try integer(parameters, "value")
        guard let account = state.accounts[index] else {
            throw SandboxError(code: 21100, message: "account not found")
        }
        return "{\"code\":200,\"total\":1,\"accounts\":[\(account.detailJSON(markets: state.markets, specs: specs))],\"next_cursor\":\"\"}"
    }

    private func ordersResponseJSON(_ state: State, account: Int64, market: Int?, active: Bool) -> String {
        guard let accountState = state.accounts[account] else { return "{\"code\":200,\"orders\":[]}" }
        let records = active ? accountState.activeRecords(market: market) : accountState.inactive.filter {
            market == nil || $0.marketID == market
        }
        let orders = records.compactMap { record in
            specs.first { $0.marketID == record.marketID }.map { record.json(spec: $0, account: account) }
        }
        return "{\"code\":200,\"orders\":\(SandboxJSON.array(orders)),\"next_cursor\":\"\"}"
    }

    private func apiKeysJSON(_ state: State, parameters: [String: String]) throws(SandboxError) -> String {
        let account = try integer(parameters, "account_index")
        let only = parameters["api_key_index"].flatMap { Int($0) }.flatMap { $0 == 255 ? nil : $0 }
        guard let accountState = state.accounts[account] else {
            throw SandboxError(code: SandboxErrorCode.apiKeyNotFound, message: "account \(account) not found")
        }
        let keys = accountState.keys.keys.sorted().filter { only == nil || Int($0) == only }.compactMap { index in
            accountState.keys[index].map { key in
                SandboxJSON.object([
                    ("account_index", String(account)), ("api_key_index", String(index)), ("nonce", String(key.nextNonce)),
                    ("public_key", SandboxJSON.string(key.publicKey.hex)), ("transaction_time", "0"),
                ])
            }
        }
        return "{\"code\":200,\"api_keys\":\(SandboxJSON.array(keys))}"
    }

    private func txJSON(_ state: State, parameters: [String: String]) throws(SandboxError) -> String {
        guard let hash = parameters["value"], let record = state.transactions[hash] else {
            throw SandboxError(code: 21500, message: "transaction not found")
        }
        return "{\"code\":200," + record.json().dropFirst()
    }

    private func sendTxReply(hash: String, time: Timestamp, quota: String) -> String {
        SandboxJSON.object([
            ("code", "200"), ("message", SandboxJSON.string("{\"ratelimit\": \"didn't use volume quota\"}")),
            ("tx_hash", SandboxJSON.string(hash)), ("predicted_execution_time_ms", String(time.milliseconds + 1)),
            ("volume_quota_remaining", quota),
        ])
    }

    private func sendTxBatchReply(hashes: [String], time: Timestamp, key: String, quota: String) -> String {
        SandboxJSON.object([
            ("code", "200"), ("message", SandboxJSON.string("{\"ratelimit\": \"didn't use volume quota\"}")),
            (key, SandboxJSON.array(hashes.map(SandboxJSON.string))),
            ("predicted_execution_time_ms", String(time.milliseconds + 1)), ("volume_quota_remaining", quota),
        ])
    }
}
