import Foundation
import LighterCrypto
import MarketCore

/// Account-level operations on a Lighter server (mainnet, testnet or the sandbox): read balances,
/// positions and open orders; set a market's leverage and margin mode; close a position with a
/// reduce-only order.
///
/// Used by the `account`, `leverage` and `close` commands and by `run` at start-up. Transactions go
/// through the shared ``TransactionSender`` (so nonces stay in step with a running venue) and are
/// signed with the API key of `apiKeyIndex`. Each write waits until the account shows the result
/// (polling REST every ``Options/pollIntervalSeconds`` for at most
/// ``Options/confirmationTimeoutSeconds``).
///
/// ```swift
/// let actions = LighterAccountActions(rest: rest, sender: sender, privateKey: key, chain: .mainnet,
///                                     accountIndex: 1234, apiKeyIndex: 4)
/// let eth = try await actions.market(symbol: "ETH")
/// let change = try await actions.setLeverage(market: eth, leverage: 5, marginMode: .cross)
/// let close = try await actions.closePosition(market: eth, maxSlippageBps: 50)
/// print(close.status, eth.string(close.positionAfter))
/// ```
public struct LighterAccountActions: Sendable {
    /// How long writes wait for their result.
    public struct Options: Sendable, Hashable {
        /// Longest wait for the account to show a transaction's effect, seconds.
        public var confirmationTimeoutSeconds: Double
        /// Pause between REST polls while waiting, seconds.
        public var pollIntervalSeconds: Double

        /// Options (15 s timeout, 250 ms polls by default).
        public init(confirmationTimeoutSeconds: Double = 15, pollIntervalSeconds: Double = 0.25) {
            self.confirmationTimeoutSeconds = confirmationTimeoutSeconds
            self.pollIntervalSeconds = pollIntervalSeconds
        }
    }

    /// What signs and sends transactions (absent for a read-only instance).
    struct Signer: Sendable {
        var sender: TransactionSender
        var key: PrivateKey
        var chain: LighterChain
        var apiKeyIndex: UInt8
    }

    /// The REST client.
    public let rest: LighterRESTClient
    /// The account.
    public let accountIndex: Int64
    /// Waiting behaviour of writes.
    public var options: Options
    private let signer: Signer?
    private let clock: any TradingClock

    /// Actions that can trade: reads, leverage and closes.
    ///
    /// - Parameters:
    ///   - rest: the REST client of the server.
    ///   - sender: the nonce-managing sender of the same account; it must hand out only
    ///     `apiKeyIndex`'s key (share the one a running ``LighterVenue`` uses).
    ///   - privateKey: the API private key of `apiKeyIndex` (never logged or printed).
    ///   - chain: the chain id transactions are signed for.
    ///   - accountIndex: the account.
    ///   - apiKeyIndex: the API key that signs.
    ///   - clock: time for transaction deadlines, auth tokens and client order indexes.
    ///   - options: how long writes wait for their result.
    public init(
        rest: LighterRESTClient, sender: TransactionSender, privateKey: PrivateKey, chain: LighterChain,
        accountIndex: Int64, apiKeyIndex: UInt8, clock: any TradingClock = LiveClock(), options: Options = Options()
    ) {
        self.rest = rest
        self.accountIndex = accountIndex
        self.signer = Signer(sender: sender, key: privateKey, chain: chain, apiKeyIndex: apiKeyIndex)
        self.clock = clock
        self.options = options
    }

    /// Read-only actions: balances and positions (public on Lighter); open orders and every write
    /// throw ``AccountActionError/needsPrivateKey(_:)``.
    public init(
        readOnly rest: LighterRESTClient, accountIndex: Int64, clock: any TradingClock = LiveClock(),
        options: Options = Options()
    ) {
        self.rest = rest
        self.accountIndex = accountIndex
        self.signer = nil
        self.clock = clock
        self.options = options
    }

    /// Whether this instance holds a private key (can list open orders and send transactions).
    public var canSign: Bool { signer != nil }

    // MARK: Markets

    /// Every market the server lists, with decimals and minimums.
    public func markets() async throws(AccountActionError) -> [MarketSpec] {
        try await exchange { () async throws(LighterClientError) in try await rest.marketSpecs() }
    }

    /// The market called `symbol` (case-insensitive).
    ///
    /// - Throws: ``AccountActionError/unknownMarket(_:known:)`` listing the server's symbols.
    public func market(symbol: String) async throws(AccountActionError) -> MarketSpec {
        let all = try await markets()
        guard let spec = all.first(where: { $0.symbol.uppercased() == symbol.uppercased() }) else {
            throw .unknownMarket(symbol, known: all.map(\.symbol))
        }
        return spec
    }

    // MARK: Reading

    /// Balances, every position the exchange lists (flat ones included) and, when this instance
    /// can sign, the open orders.
    ///
    /// - Parameter markets: the server's markets if already known (fetched otherwise), used to
    ///   read sizes and prices exactly.
    public func snapshot(markets known: [MarketSpec]? = nil) async throws(AccountActionError) -> AccountSnapshot {
        let specs: [MarketSpec]
        if let known { specs = known } else { specs = try await markets() }
        let account = try await accountDetail()
        var read: [AccountPosition] = []
        for position in account.positions {
            read.append(AccountPosition(position, spec: specs.first { $0.marketID == position.marketID }))
        }
        var orders: [AccountOpenOrder]?
        if signer != nil {
            let token = try authToken()
            let active = try await exchange { () async throws(LighterClientError) in
                try await rest.accountActiveOrders(accountIndex: accountIndex, marketID: nil, authToken: token)
            }
            orders = active.map { order in
                AccountOpenOrder(order, symbol: specs.first { $0.marketID == order.marketIndex }?.symbol)
            }
        }
        return AccountSnapshot(
            accountIndex: accountIndex, collateral: account.collateral, availableBalance: account.availableBalance,
            portfolioValue: account.totalAssetValue, positions: read, openOrders: orders, takenAt: clock.now)
    }

    /// The account's position in `market` (flat when the exchange lists none).
    public func position(market: MarketSpec) async throws(AccountActionError) -> AccountPosition {
        let account = try await accountDetail()
        if let listed = account.positions.first(where: { $0.marketID == market.marketID }) {
            return AccountPosition(listed, spec: market)
        }
        return AccountPosition.flat(market)
    }

    // MARK: Leverage

    /// The initial margin fraction (1/10 000) for `leverage`, as the official SDK computes it:
    /// `Int(10000 / leverage)`; `nil` outside 1…10 000.
    public static func initialMarginFraction(leverage: Int) -> UInt16? {
        guard leverage >= 1, leverage <= 10_000 else { return nil }
        return UInt16(10_000 / leverage)
    }

    /// Signs and sends UpdateLeverage for `market`, then waits until the account shows the new
    /// margin fraction (and mode, when the exchange reports it) or, when the account lists no
    /// position row for the market, until the transaction shows as executed.
    ///
    /// Nothing is sent when the account already shows exactly this fraction and mode.
    ///
    /// - Throws: ``AccountActionError/invalidLeverage(_:reason:)`` for a leverage outside 1…10 000
    ///   or above the market's maximum; ``AccountActionError/rejected(code:message:)`` when the
    ///   exchange refuses (e.g. 21132: margin mode change with a position or orders).
    public func setLeverage(market: MarketSpec, leverage: Int, marginMode: MarginMode) async throws(AccountActionError)
        -> LeverageChange
    {
        let signer = try requireSigner("set leverage")
        guard let fraction = Self.initialMarginFraction(leverage: leverage) else {
            throw .invalidLeverage(leverage, reason: "must be 1…10000")
        }
        let details = try await exchange { () async throws(LighterClientError) in
            try await rest.orderBookDetails(marketID: market.marketID)
        }
        if let minimum = details.first(where: { $0.marketID == market.marketID })?.minInitialMarginFraction, minimum > 0,
            Int(fraction) < minimum
        {
            throw .invalidLeverage(
                leverage, reason: "\(market.symbol) allows at most \(10_000 / minimum)× (minimum initial margin fraction \(minimum)/10000)")
        }
        let before = try await position(market: market).marginSetting
        var change = LeverageChange(
            market: market, leverage: leverage, initialMarginFraction: fraction, marginMode: marginMode, before: before,
            after: before, status: .unchanged, txHash: nil)
        if let before, before.matches(fraction: fraction, mode: marginMode), before.marginMode != nil {
            return change
        }
        let body = TransactionBody.updateLeverage(
            UpdateLeverageTx(marketIndex: Int64(market.marketID), initialMarginFraction: fraction, marginMode: marginMode))
        change.txHash = try await send(body, signer: signer, isCancel: false)
        change.status = .unconfirmed
        let deadline = clock.now + Int64(options.confirmationTimeoutSeconds * 1e9)
        while true {
            let after = try await position(market: market).marginSetting
            change.after = after
            if let after, after.matches(fraction: fraction, mode: marginMode) {
                change.status = .confirmed
                return change
            }
            // No position row to show the setting: the transaction's own status has to do.
            if after == nil, let hash = change.txHash,
                let status = try? await rest.transaction(hash: hash), status.status == Self.executedTransactionStatus
            {
                change.status = .executed
                return change
            }
            if clock.now >= deadline { return change }
            await pause()
        }
    }

    /// `status` of an executed transaction in `GET /api/v1/tx` (protocol notes A.3; the sandbox agrees).
    static let executedTransactionStatus = 2

    // MARK: Closing

    /// The worst acceptable price of an order closing `position`: a long sells down to
    /// `bestBid × (1 − bps/10 000)` rounded up to the tick grid, a short buys up to
    /// `bestAsk × (1 + bps/10 000)` rounded down, so the order never slips more than `maxSlippageBps`.
    /// `nil` when flat or the needed side of the book is empty.
    public static func closeLimitPrice(
        position: Quantity, bestBid: Price?, bestAsk: Price?, maxSlippageBps: Double, spec: MarketSpec
    ) -> Price? {
        if position.lots > 0 {
            guard let bestBid, bestBid.ticks > 0 else { return nil }
            let limit = spec.priceRoundedUp(spec.double(bestBid) * (1 - maxSlippageBps / 10_000))
            return Price(ticks: max(spec.tickSize, min(limit.ticks, bestBid.ticks)))
        }
        if position.lots < 0 {
            guard let bestAsk, bestAsk.ticks > 0 else { return nil }
            let limit = spec.priceRoundedDown(spec.double(bestAsk) * (1 + maxSlippageBps / 10_000))
            return Price(ticks: min(Int64(UInt32.max), max(limit.ticks, bestAsk.ticks)))
        }
        return nil
    }

    /// Closes the position in `market` with one reduce-only market order (immediate-or-cancel)
    /// whose worst price is `maxSlippageBps` from the best price on the other side; waits for the
    /// order's outcome and reads the position afterwards. Does nothing when flat.
    ///
    /// A reduce-only order never flips the position; on a thin book it fills what it can within
    /// the slippage limit and the rest is cancelled (``CloseResult/Status/partiallyClosed``).
    ///
    /// - Parameters:
    ///   - clientOrderIndex: the order's client order index (default: the clock's Unix ms).
    public func closePosition(market: MarketSpec, maxSlippageBps: Double, clientOrderIndex: Int64? = nil)
        async throws(AccountActionError) -> CloseResult
    {
        let signer = try requireSigner("close a position")
        guard maxSlippageBps >= 0, maxSlippageBps < 10_000, maxSlippageBps.isFinite else {
            throw .invalidSlippage(maxSlippageBps)
        }
        let before = try await position(market: market).size
        var result = CloseResult(market: market, positionBefore: before, positionAfter: before)
        guard before.lots != 0 else {
            result.status = .alreadyFlat
            return result
        }
        let top = try await bestPrices(market)
        result.referencePrice = before.lots > 0 ? top.bid : top.ask
        guard
            let limit = Self.closeLimitPrice(
                position: before, bestBid: top.bid, bestAsk: top.ask, maxSlippageBps: maxSlippageBps, spec: market)
        else {
            throw .noPrice(market: market.symbol, side: before.lots > 0 ? "bid" : "ask")
        }
        result.limitPrice = limit
        let index = clientOrderIndex ?? (clock.now.milliseconds & ((1 << 48) - 1))
        result.clientOrderIndex = index
        let order = OrderInfo(
            marketIndex: Int64(market.marketID), clientOrderIndex: index, baseAmount: abs(before.lots),
            price: UInt32(clamping: limit.ticks), isAsk: before.lots > 0, type: .market, timeInForce: .immediateOrCancel,
            reduceOnly: true, orderExpiry: 0)
        result.txHash = try await send(.createOrder(order), signer: signer, isCancel: false)
        result.status = .unconfirmed

        // Wait for the order to finish, then read the position.
        let deadline = clock.now + Int64(options.confirmationTimeoutSeconds * 1e9)
        while true {
            // A failed poll is not fatal: the order is out; the position read below still tells the outcome.
            if let finished = try? await finishedOrder(market: market, clientOrderIndex: index) {
                result.orderStatus = finished.status
                if let filled = try? market.quantity(finished.filledBaseAmount ?? "0") {
                    result.filled = filled
                    if filled.lots > 0, let quote = finished.filledQuoteAmount.flatMap(Double.init) {
                        result.averagePrice = quote / market.double(filled)
                    }
                }
                break
            }
            if clock.now >= deadline { break }
            await pause()
        }
        result.positionAfter = try await position(market: market).size
        if result.filled.lots == 0 && result.orderStatus == nil {
            result.filled = Quantity(lots: abs(before.lots) - abs(result.positionAfter.lots))
        }
        if result.positionAfter.lots == 0 {
            result.status = .closed
        } else if abs(result.positionAfter.lots) < abs(before.lots) {
            result.status = .partiallyClosed
        } else if result.orderStatus != nil {
            result.status = .notFilled
        }
        return result
    }

    /// Closes every open position among `markets` (all the server's markets by default), one
    /// after the other.
    public func closeAllPositions(maxSlippageBps: Double, markets known: [MarketSpec]? = nil)
        async throws(AccountActionError) -> [CloseResult]
    {
        let specs: [MarketSpec]
        if let known { specs = known } else { specs = try await markets() }
        let account = try await accountDetail()
        var results: [CloseResult] = []
        for spec in specs {
            guard let listed = account.positions.first(where: { $0.marketID == spec.marketID }),
                AccountPosition(listed, spec: spec).size.lots != 0
            else { continue }
            results.append(try await closePosition(market: spec, maxSlippageBps: maxSlippageBps))
        }
        return results
    }

    // MARK: Plumbing

    private func requireSigner(_ operation: String) throws(AccountActionError) -> Signer {
        guard let signer else { throw .needsPrivateKey(operation) }
        return signer
    }

    private func authToken() throws(AccountActionError) -> String {
        let signer = try requireSigner("list open orders")
        let deadline = clock.now.milliseconds / 1000 + 600
        return AuthToken(deadline: deadline, accountIndex: accountIndex, apiKeyIndex: signer.apiKeyIndex, signingWith: signer.key)
            .token
    }

    /// Signs `body` with the sender's slot and sends it; the tx hash on acceptance.
    private func send(_ body: TransactionBody, signer: Signer, isCancel: Bool) async throws(AccountActionError) -> String? {
        let now = clock.now
        let chain = signer.chain
        let key = signer.key
        let expectedKey = signer.apiKeyIndex
        let reply: LighterSendTxResponse
        do {
            reply = try await signer.sender.send(isCancel: isCancel) { slot in
                guard slot.apiKeyIndex == expectedKey else {
                    throw AccountActionError.keyMismatch(sender: slot.apiKeyIndex, key: expectedKey)
                }
                let envelope = TxEnvelope(
                    chain: chain, accountIndex: slot.accountIndex, apiKeyIndex: slot.apiKeyIndex, nonce: slot.nonce,
                    nowMilliseconds: now.milliseconds)
                return EncodedTransaction(try Transaction(body, envelope: envelope).signed(with: key))
            }
        } catch let error {
            if let api = error.apiError { throw .rejected(code: api.code.rawValue, message: api.message) }
            throw .exchange(error)
        }
        guard reply.code == 200 else { throw .rejected(code: reply.code, message: reply.message ?? "rejected") }
        return reply.txHash
    }

    private func accountDetail() async throws(AccountActionError) -> AccountDetail {
        let response: AccountDetailResponse = try await exchange { () async throws(LighterClientError) in
            try await rest.get("/api/v1/account", query: [("by", "index"), ("value", String(accountIndex))])
        }
        guard let account = response.accounts.first else { throw .accountNotFound(accountIndex) }
        return account
    }

    private func bestPrices(_ market: MarketSpec) async throws(AccountActionError) -> (bid: Price?, ask: Price?) {
        let book: BookOrdersResponse = try await exchange { () async throws(LighterClientError) in
            try await rest.get("/api/v1/orderBookOrders", query: [("market_id", String(market.marketID)), ("limit", "1")])
        }
        let bid = book.bids.first.flatMap { try? market.price($0.price) }
        let ask = book.asks.first.flatMap { try? market.price($0.price) }
        return (bid, ask)
    }

    /// Our order `clientOrderIndex` once it is no longer active (filled or cancelled), if seen.
    private func finishedOrder(market: MarketSpec, clientOrderIndex: Int64) async throws(AccountActionError)
        -> FinishedOrder?
    {
        let token = try authToken()
        let response: FinishedOrdersResponse = try await exchange { () async throws(LighterClientError) in
            try await rest.get(
                "/api/v1/accountInactiveOrders",
                query: [("account_index", String(accountIndex)), ("market_id", String(market.marketID)), ("limit", "50")],
                authToken: token)
        }
        return response.orders.first { $0.clientOrderIndex == clientOrderIndex && $0.marketIndex == market.marketID }
    }

    private func pause() async {
        try? await Task.sleep(nanoseconds: UInt64(max(0.01, options.pollIntervalSeconds) * 1e9))
    }

    private func exchange<Value>(_ body: () async throws(LighterClientError) -> Value) async throws(AccountActionError) -> Value {
        do { return try await body() } catch let error {
            if let api = error.apiError { throw .rejected(code: api.code.rawValue, message: api.message) }
            throw .exchange(error)
        }
    }
}

// MARK: - Results

/// An account's balances, positions and open orders at one moment.
public struct AccountSnapshot: Hashable, Sendable {
    /// The account.
    public var accountIndex: Int64
    /// Collateral, USDC decimal text.
    public var collateral: String
    /// Available balance, USDC decimal text.
    public var availableBalance: String?
    /// Portfolio value (`total_asset_value`), USDC decimal text.
    public var portfolioValue: String?
    /// Every position the exchange lists, flat ones included.
    public var positions: [AccountPosition]
    /// The open orders, or `nil` when they could not be read (no private key for the auth token).
    public var openOrders: [AccountOpenOrder]?
    /// When the snapshot was taken.
    public var takenAt: Timestamp

    /// The positions that are not flat.
    public var openPositions: [AccountPosition] { positions.filter { $0.size.lots != 0 } }

    /// The position in market `marketID`, if listed.
    public func position(marketID: Int) -> AccountPosition? { positions.first { $0.marketID == marketID } }
}

/// A position's margin fraction and mode as the exchange reports them.
public struct MarginSetting: Hashable, Sendable {
    /// The initial margin fraction in percent (`5.00` = 5 % = 20×).
    public var initialMarginFractionPercent: Double
    /// Cross or isolated, when the exchange reports it.
    public var marginMode: MarginMode?

    /// The leverage the fraction allows (100 / percent), `nil` for a zero fraction.
    public var leverage: Double? {
        initialMarginFractionPercent > 0 ? 100 / initialMarginFractionPercent : nil
    }

    /// Whether this is `fraction` (1/10 000) and `mode` (an unreported mode counts as matching).
    public func matches(fraction: UInt16, mode: MarginMode) -> Bool {
        abs(initialMarginFractionPercent * 100 - Double(fraction)) < 0.5 && (marginMode == nil || marginMode == mode)
    }
}

/// One position of an account.
public struct AccountPosition: Hashable, Sendable {
    /// Market index.
    public var marketID: Int
    /// Symbol.
    public var symbol: String
    /// Signed size in lots (positive long, negative short).
    public var size: Quantity
    /// Signed size as decimal text (e.g. `-0.5000`).
    public var sizeText: String
    /// Average entry price, decimal text.
    public var entryPrice: String?
    /// Position value at the mark, USDC decimal text.
    public var positionValue: String?
    /// Unrealised PnL, USDC decimal text.
    public var unrealizedPnL: String?
    /// Realised PnL, USDC decimal text.
    public var realizedPnL: String?
    /// Liquidation price, decimal text.
    public var liquidationPrice: String?
    /// Margin fraction and mode, when reported.
    public var marginSetting: MarginSetting?
    /// Open orders in the market.
    public var openOrderCount: Int

    /// Whether there is no position.
    public var isFlat: Bool { size.lots == 0 }

    init(_ raw: AccountDetail.Position, spec: MarketSpec?) {
        marketID = raw.marketID
        symbol = raw.symbol ?? spec?.symbol ?? "#\(raw.marketID)"
        let decimals = spec?.sizeDecimals ?? decimalPlaces(raw.position)
        let lots = (try? FixedPoint.parse(raw.position, decimals: decimals)) ?? 0
        size = Quantity(lots: (raw.sign ?? 1) < 0 ? -abs(lots) : abs(lots))
        sizeText = FixedPoint.format(size.lots, decimals: decimals)
        entryPrice = raw.avgEntryPrice
        positionValue = raw.positionValue
        unrealizedPnL = raw.unrealizedPnl
        realizedPnL = raw.realizedPnl
        liquidationPrice = raw.liquidationPrice
        if let percent = raw.initialMarginFraction.flatMap(Double.init) {
            marginSetting = MarginSetting(
                initialMarginFractionPercent: percent, marginMode: raw.marginMode.flatMap { MarginMode(rawValue: UInt8(clamping: $0)) })
        }
        openOrderCount = raw.openOrderCount ?? 0
    }

    private init(flat spec: MarketSpec) {
        marketID = spec.marketID
        symbol = spec.symbol
        size = .zero
        sizeText = spec.string(Quantity.zero)
        openOrderCount = 0
    }

    static func flat(_ spec: MarketSpec) -> AccountPosition { AccountPosition(flat: spec) }
}

/// One open order of an account.
public struct AccountOpenOrder: Hashable, Sendable {
    /// Market index.
    public var marketID: Int
    /// Symbol, when the market is known.
    public var symbol: String?
    /// The exchange's order index.
    public var orderIndex: Int64
    /// The client order index (0 for none).
    public var clientOrderIndex: Int64
    /// Buy or sell.
    public var side: Side
    /// Limit price, decimal text.
    public var price: String
    /// Remaining size, decimal text.
    public var remainingSize: String
    /// Initial size, decimal text.
    public var initialSize: String
    /// `limit`, `market`, …
    public var type: String?
    /// `post-only`, `good-till-time`, …
    public var timeInForce: String?
    /// `open`, …
    public var status: String

    init(_ order: LighterOrder, symbol: String?) {
        marketID = order.marketIndex
        self.symbol = symbol
        orderIndex = order.orderIndex
        clientOrderIndex = order.clientOrderIndex
        side = order.isAsk ? .sell : .buy
        price = order.price
        remainingSize = order.remainingBaseAmount
        initialSize = order.initialBaseAmount
        type = order.type
        timeInForce = order.timeInForce
        status = order.status
    }
}

/// What ``LighterAccountActions/setLeverage(market:leverage:marginMode:)`` did.
public struct LeverageChange: Hashable, Sendable {
    /// The outcome.
    public enum Status: String, Hashable, Sendable {
        /// The account already had this fraction and mode; nothing was sent.
        case unchanged
        /// Sent, and the account shows the new setting.
        case confirmed
        /// Sent and executed (per `GET /api/v1/tx`), but the account lists no position in the
        /// market that would show the setting.
        case executed
        /// Sent and accepted, but the account did not show the new setting in time.
        case unconfirmed
    }

    /// The market.
    public var market: MarketSpec
    /// The requested leverage.
    public var leverage: Int
    /// The initial margin fraction sent, 1/10 000.
    public var initialMarginFraction: UInt16
    /// The requested margin mode.
    public var marginMode: MarginMode
    /// The setting before (if the exchange listed the market's position).
    public var before: MarginSetting?
    /// The setting last read after sending.
    public var after: MarginSetting?
    /// The outcome.
    public var status: Status
    /// The transaction hash, when sent.
    public var txHash: String?
}

/// What ``LighterAccountActions/closePosition(market:maxSlippageBps:clientOrderIndex:)`` did.
public struct CloseResult: Hashable, Sendable {
    /// The outcome.
    public enum Status: String, Hashable, Sendable {
        /// There was no position; nothing was sent.
        case alreadyFlat = "already flat"
        /// The position is now zero.
        case closed
        /// Part was filled; the book within the slippage limit was too thin for the rest.
        case partiallyClosed = "partially closed"
        /// The order finished without reducing the position.
        case notFilled = "not filled"
        /// The order was accepted but its outcome was not seen in time.
        case unconfirmed
    }

    /// The market.
    public var market: MarketSpec
    /// The outcome.
    public var status: Status = .unconfirmed
    /// Signed position before, lots.
    public var positionBefore: Quantity
    /// Signed position after, lots.
    public var positionAfter: Quantity
    /// Size filled by the closing order.
    public var filled: Quantity = .zero
    /// Average fill price, when something filled and the exchange reported the quote amount.
    public var averagePrice: Double?
    /// The best price on the other side when the order was priced.
    public var referencePrice: Price?
    /// The order's worst acceptable price.
    public var limitPrice: Price?
    /// The order's final status on the exchange (`filled`, `canceled…`), when seen.
    public var orderStatus: String?
    /// The order's client order index.
    public var clientOrderIndex: Int64?
    /// The transaction hash.
    public var txHash: String?
}

/// Why an account action failed.
public enum AccountActionError: Error, Sendable, CustomStringConvertible {
    /// The operation needs the API private key (credentials.private_key).
    case needsPrivateKey(String)
    /// No market with this symbol; the server's symbols are listed.
    case unknownMarket(String, known: [String])
    /// The account does not exist on the server.
    case accountNotFound(Int64)
    /// The leverage cannot be set.
    case invalidLeverage(Int, reason: String)
    /// The slippage limit is not 0 ≤ bps < 10 000.
    case invalidSlippage(Double)
    /// The book has no price on the side a close needs.
    case noPrice(market: String, side: String)
    /// The sender handed out another API key than the private key's.
    case keyMismatch(sender: UInt8, key: UInt8)
    /// The exchange refused with a Lighter error code.
    case rejected(code: Int, message: String)
    /// The exchange could not be reached or answered unexpectedly.
    case exchange(LighterClientError)

    /// What went wrong, in words.
    public var description: String {
        switch self {
        case .needsPrivateKey(let operation):
            "to \(operation) the API private key is needed (credentials.private_key with credentials.api_key_index)"
        case .unknownMarket(let symbol, let known):
            "market '\(symbol)' is not listed by the exchange (known: \(known.joined(separator: ", ")))"
        case .accountNotFound(let index): "account \(index) was not found on the exchange"
        case .invalidLeverage(let leverage, let reason): "leverage \(leverage): \(reason)"
        case .invalidSlippage(let bps): "max slippage \(bps) bps: must be at least 0 and below 10000"
        case .noPrice(let market, let side): "\(market): the book has no \(side) to close against"
        case .keyMismatch(let sender, let key):
            "the transaction sender uses API key \(sender) but the private key belongs to key \(key)"
        case .rejected(let code, let message): "the exchange refused: \(code) \(message)"
        case .exchange(let error): "\(error)"
        }
    }
}

// MARK: - Wire shapes read here

/// The parts of `GET /api/v1/account` the actions read (more than ``LighterAccount`` decodes).
struct AccountDetailResponse: Decodable {
    var accounts: [AccountDetail]
}

struct AccountDetail: Decodable {
    struct Position: Decodable {
        var marketID: Int
        var symbol: String?
        var sign: Int?
        var position: String
        var avgEntryPrice: String?
        var positionValue: String?
        var unrealizedPnl: String?
        var realizedPnl: String?
        var liquidationPrice: String?
        var initialMarginFraction: String?
        var marginMode: Int?
        var openOrderCount: Int?

        enum CodingKeys: String, CodingKey {
            case symbol, sign, position
            case marketID = "market_id"
            case avgEntryPrice = "avg_entry_price"
            case positionValue = "position_value"
            case unrealizedPnl = "unrealized_pnl"
            case realizedPnl = "realized_pnl"
            case liquidationPrice = "liquidation_price"
            case initialMarginFraction = "initial_margin_fraction"
            case marginMode = "margin_mode"
            case openOrderCount = "open_order_count"
        }
    }

    var collateral: String
    var availableBalance: String?
    var totalAssetValue: String?
    var positions: [Position]

    enum CodingKeys: String, CodingKey {
        case collateral, positions
        case availableBalance = "available_balance"
        case totalAssetValue = "total_asset_value"
    }
}

struct BookOrdersResponse: Decodable {
    struct Level: Decodable { var price: String }
    var asks: [Level]
    var bids: [Level]
}

struct FinishedOrder: Decodable {
    var clientOrderIndex: Int64
    var marketIndex: Int
    var status: String
    var filledBaseAmount: String?
    var filledQuoteAmount: String?

    enum CodingKeys: String, CodingKey {
        case status
        case clientOrderIndex = "client_order_index"
        case marketIndex = "market_index"
        case filledBaseAmount = "filled_base_amount"
        case filledQuoteAmount = "filled_quote_amount"
    }
}

struct FinishedOrdersResponse: Decodable {
    var orders: [FinishedOrder]
}

/// Digits after the decimal point of `text`.
func decimalPlaces(_ text: String) -> Int {
    guard let dot = text.firstIndex(of: ".") else { return 0 }
    return min(12, text.distance(from: text.index(after: dot), to: text.endIndex))
}
