import Foundation
import Lighter
import Testing

@Suite struct TxValidationTests {
    // MARK: Differential check against the official signer

    /// Every rule-breaking (or boundary) case of `official_signer.py --invalid`: where the official
    /// signer rejects, `validate()` throws an error with the same message; where it signs, `validate()`
    /// passes and the line passes the full vector check. Inputs that Swift's types cannot even express
    /// (an unknown grouping type) must have been rejected by the signer.
    @Test func validationAgreesWithTheOfficialSigner() throws {
        let output = try TxOfficialSignerTests.runOracle(arguments: ["--invalid"])
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.count >= 120, "the oracle printed only \(lines.count) cases")
        var rejected = 0
        for (number, line) in lines.enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let kind = try #require(object["kind"] as? String)
            let inputs = try #require(object["inputs"] as? [String: Any])
            let officialError = object["error"] as? String
            let context = "case \(number + 1) \(kind) \(inputs)"
            guard let transaction = try OracleInputs.transaction(kind: kind, inputs: inputs, line: object) else {
                #expect(officialError != nil, "\(context): not expressible in Swift, but the signer accepted it")
                continue
            }
            do {
                try transaction.validate()
                #expect(officialError == nil, "\(context): the signer says \(officialError ?? ""), validate() passes")
                if officialError == nil {
                    let result = SignerVectorCheck.check(line: line)
                    #expect(result.passed, "\(context): \(result.failures)")
                }
            } catch {
                rejected += 1
                #expect(officialError == error.description, "\(context): signer says \(officialError ?? "OK"), we say \(error)")
            }
        }
        #expect(rejected >= 90, "only \(rejected) cases were rejected")
    }

    // MARK: Hand-written rules (messages as observed from the 1.1.8 signer, protocol notes G.7)

    static let envelope = TxEnvelope(chain: .mainnet, accountIndex: 1234, apiKeyIndex: 3, nonce: 5, expiredAt: 1_799_996_400_000)
    static let restingBuy = OrderInfo(
        marketIndex: 1, clientOrderIndex: 7, baseAmount: 1000, price: 300_000, isAsk: false, type: .limit,
        timeInForce: .goodTillTime, orderExpiry: 1_800_000_000_000
    )

    static func createOrder(_ change: (inout OrderInfo) -> Void = { _ in }, envelope: TxEnvelope = envelope) -> Transaction {
        var order = restingBuy
        change(&order)
        return Transaction(.createOrder(order), envelope: envelope)
    }

    static func expect(_ transaction: Transaction, throws expected: TxValidationError, message: String) {
        #expect(throws: expected) { try transaction.validate() }
        #expect(expected.description == message)
    }

    @Test func theBaseOrderIsValid() throws {
        try Self.createOrder().validate()
    }

    @Test func orderRules() {
        Self.expect(Self.createOrder { $0.price = 0 }, throws: .priceTooLow, message: "OrderPrice should not be less than 1")
        Self.expect(Self.createOrder { $0.orderExpiry = 0 }, throws: .orderExpiryInvalid, message: "OrderExpiry is invalid")
        Self.expect(
            Self.createOrder { $0.timeInForce = .immediateOrCancel }, throws: .orderExpiryInvalid,
            message: "OrderExpiry is invalid"
        )
        Self.expect(
            Self.createOrder { $0.clientOrderIndex = 1 << 48 }, throws: .clientOrderIndexTooHigh,
            message: "ClientOrderIndex should not be larger than 281474976710655"
        )
        Self.expect(Self.createOrder { $0.marketIndex = 255 }, throws: .invalidMarketIndex, message: "MarketIndex is not valid")
        Self.expect(Self.createOrder { $0.marketIndex = -1 }, throws: .invalidMarketIndex, message: "MarketIndex is not valid")
        Self.expect(Self.createOrder { $0.baseAmount = 0 }, throws: .baseAmountTooLow, message: "BaseAmount should not be less than 1")
        Self.expect(
            Self.createOrder { $0.triggerPrice = 5 }, throws: .triggerPriceInvalid, message: "TriggerPrice is invalid"
        )
        Self.expect(
            Self.createOrder { $0.type = .market }, throws: .timeInForceInvalid, message: "OrderTimeInForce is not valid"
        )
        Self.expect(
            Self.createOrder { $0.orderExpiry = OrderInfo.defaultExpiry }, throws: .orderExpiryInvalid,
            message: "OrderExpiry is invalid"
        )
    }

    @Test func envelopeRules() {
        var envelope = Self.envelope
        envelope.apiKeyIndex = 255
        Self.expect(
            Self.createOrder(envelope: envelope), throws: .apiKeyIndexTooHigh,
            message: "ApiKeyIndex should not be larger than 254"
        )
        // Cancel-all accepts 255, the "nil" API key.
        #expect(throws: Never.self) { try Transaction(.cancelAllOrders(.immediate), envelope: envelope).validate() }

        envelope = Self.envelope
        envelope.nonce = -1
        Self.expect(Self.createOrder(envelope: envelope), throws: .nonceTooLow, message: "AccountNonce should not be less than 0")
        envelope = Self.envelope
        envelope.expiredAt = 1 << 48
        Self.expect(Self.createOrder(envelope: envelope), throws: .expiredAtInvalid, message: "ExpiredAt is invalid")
        envelope = Self.envelope
        envelope.accountIndex = (1 << 48) - 1
        Self.expect(
            Self.createOrder(envelope: envelope), throws: .accountIndexTooHigh,
            message: "AccountIndex should not be larger than 281474976710654"
        )
        Self.expect(
            Transaction(.withdraw(WithdrawTx(assetIndex: 3, routeType: .perps, amount: 5)), envelope: envelope),
            throws: .fromAccountIndexTooHigh, message: "FromAccountIndex should not be larger than 281474976710654"
        )
    }

    @Test func attributeRules() {
        var envelope = Self.envelope
        envelope.attributes = TxAttributes(selfTradeBehavior: .reduce, selfTradeEquality: .sameMasterAccount)
        Self.expect(
            Self.createOrder(envelope: envelope), throws: .reduceNotAllowedWithMasterAccountEquality,
            message: "Reduce self-trade behavior mode isn't allowed with master account index equality mode"
        )
        envelope.attributes = TxAttributes(
            integrator: IntegratorFees(accountIndex: 55, takerFee: 10, makerFee: 0), selfTradeBehavior: .expireTaker
        )
        Self.expect(
            Self.createOrder(envelope: envelope), throws: .selfTradeNotAllowedWithFees,
            message: "Self-trade specification isn't allowed with integrator fees"
        )
        envelope.attributes = TxAttributes(rawValues: [4: 0])
        Self.expect(Self.createOrder(envelope: envelope), throws: .skipNonceInvalid, message: "Nonce skip attribute is invalid")
        envelope.attributes = TxAttributes(rawValues: [9: 1])
        Self.expect(Self.createOrder(envelope: envelope), throws: .invalidAttributeType(9), message: "Attribute type is invalid: 9")
        envelope.attributes = TxAttributes(rawValues: [1: 5, 2: 1, 3: 1, 4: 1, 8: 3])
        Self.expect(
            Self.createOrder(envelope: envelope), throws: .tooManyAttributes,
            message: "Too many attributes, should not be larger than 4"
        )
        // A per-market cancel-all cannot be scheduled.
        envelope.attributes = TxAttributes(cancelAllMarketIndex: 3)
        Self.expect(
            Transaction(.cancelAllOrders(.scheduled(at: 1_800_000_000_000)), envelope: envelope),
            throws: .cancelAllMarketIndexCannotBeScheduled,
            message: "Cancel all for market index can't be scheduled, TimeInforce must be ImmediateCancelAll"
        )
    }

    @Test func attributesDropDefaultsLikeTheCAPI() {
        let defaults = TxAttributes(
            skipNonce: false, integrator: nil, selfTradeBehavior: .expireMaker, selfTradeEquality: .sameAccount,
            cancelAllMarketIndex: 255, orderVersion: 0
        )
        #expect(defaults.rawValues.isEmpty)
        #expect(defaults == .none)
        var attributes = TxAttributes(skipNonce: true, selfTradeBehavior: .expireBoth)
        #expect(attributes.rawValues == [4: 1, 6: 2])
        attributes.skipNonce = false
        attributes.selfTradeBehavior = .expireMaker
        #expect(attributes.rawValues.isEmpty)
        // A parsed nil value is kept for re-emission but neither counts nor hashes.
        let parsed = TxAttributes(rawValues: [5: 255])
        #expect(parsed.isEffectivelyEmpty)
        #expect(parsed.hashElements == nil)
    }

    @Test func defaultExpiries() {
        let now: Int64 = 1_795_000_000_000
        // 10 min − 1 s (lighter-go DefaultExpireTime) and 28 days (sharedlib SignCreateOrder).
        #expect(TxEnvelope.defaultExpiredAt(nowMilliseconds: now) == now + 599_000)
        #expect(
            TxEnvelope(chain: .testnet, accountIndex: 1, apiKeyIndex: 4, nonce: 0, nowMilliseconds: now).expiredAt
                == now + 599_000
        )
        let order = OrderInfo(marketIndex: 1, baseAmount: 1, price: 1, isAsk: true, orderExpiry: OrderInfo.defaultExpiry)
        #expect(order.resolvingDefaultExpiry(nowMilliseconds: now).orderExpiry == now + 2_419_200_000)
        let explicit = OrderInfo(marketIndex: 1, baseAmount: 1, price: 1, isAsk: true, orderExpiry: 42)
        #expect(explicit.resolvingDefaultExpiry(nowMilliseconds: now).orderExpiry == 42)
        let group = Transaction(
            .createGroupedOrders(CreateGroupedOrdersTx(grouping: .oneCancelsTheOther, orders: [order, order])),
            envelope: Self.envelope
        ).resolvingDefaultExpiries(nowMilliseconds: now)
        guard case .createGroupedOrders(let resolved) = group.body else {
            Issue.record("body changed kind")
            return
        }
        #expect(resolved.orders.map(\.orderExpiry) == [now + 2_419_200_000, now + 2_419_200_000])
        // The wall-clock convenience reads the clock at the call site.
        let before = UnixTime.milliseconds(Date())
        let stamped = TxEnvelope.defaultExpiredAt()
        let after = UnixTime.milliseconds(Date())
        #expect((before + 599_000)...(after + 599_000) ~= stamped)
    }
}

/// Builds a transaction from the C-API style `inputs` of an oracle line (same conventions as the
/// official signer's C functions: attributes only when non-default).
enum OracleInputs {
    struct BadInput: Error, CustomStringConvertible {
        var description: String
    }

    static func int(_ inputs: [String: Any], _ key: String, default fallback: Int64? = nil) throws -> Int64 {
        if let number = inputs[key] as? NSNumber { return number.int64Value }
        if let fallback { return fallback }
        throw BadInput(description: "inputs.\(key) missing")
    }

    static func exact<T: FixedWidthInteger>(_ inputs: [String: Any], _ key: String, default fallback: Int64? = nil) throws -> T? {
        T(exactly: try int(inputs, key, default: fallback))
    }

    /// `nil` when the inputs cannot be expressed with this module's types (e.g. an unknown enum value).
    static func transaction(kind: String, inputs: [String: Any], line: [String: Any]) throws -> Transaction? {
        var attributes = TxAttributes()
        attributes[.integratorAccountIndex] = try int(inputs, "integrator_account_index", default: 0)
        attributes[.integratorTakerFee] = try int(inputs, "integrator_taker_fee", default: 0)
        attributes[.integratorMakerFee] = try int(inputs, "integrator_maker_fee", default: 0)
        attributes[.selfTradeBehavior] = try int(inputs, "self_trade_behavior_mode", default: 0)
        attributes[.selfTradeEquality] = try int(inputs, "self_trade_equality_mode", default: 0)
        attributes.skipNonce = try int(inputs, "skip_nonce", default: 0) == 1
        attributes[.orderVersion] = try int(inputs, "order_version", default: 0)
        if kind == "cancel_all_orders" {
            attributes[.cancelAllMarketIndex] = try int(inputs, "market_index")
        }
        guard let apiKey: UInt8 = try exact(line, "api_key_index") else { return nil }
        let envelope = TxEnvelope(
            chain: LighterChain(rawValue: UInt32(try int(line, "chain_id"))), accountIndex: try int(line, "account_index"),
            apiKeyIndex: apiKey, nonce: try int(line, "nonce"), expiredAt: 1_799_996_400_000, attributes: attributes
        )
        let body: TransactionBody?
        switch kind {
        case "create_order": body = try order(inputs).map(TransactionBody.createOrder)
        case "cancel_order":
            body = .cancelOrder(CancelOrderTx(marketIndex: try int(inputs, "market_index"), index: try int(inputs, "order_index")))
        case "cancel_all_orders":
            guard let raw: UInt8 = try exact(inputs, "time_in_force"), let mode = CancelAllMode(rawValue: raw) else { return nil }
            body = .cancelAllOrders(CancelAllOrdersTx(mode: mode, time: try int(inputs, "time")))
        case "modify_order":
            guard let price: UInt32 = try exact(inputs, "price"), let trigger: UInt32 = try exact(inputs, "trigger_price") else {
                return nil
            }
            body = .modifyOrder(
                ModifyOrderTx(
                    marketIndex: try int(inputs, "market_index"), index: try int(inputs, "order_index"),
                    baseAmount: try int(inputs, "base_amount"), price: price, triggerPrice: trigger
                )
            )
        case "update_leverage":
            guard let fraction: UInt16 = try exact(inputs, "initial_margin_fraction"),
                let rawMode: UInt8 = try exact(inputs, "margin_mode"), let mode = MarginMode(rawValue: rawMode)
            else { return nil }
            body = .updateLeverage(UpdateLeverageTx(marketIndex: try int(inputs, "market_index"), initialMarginFraction: fraction, marginMode: mode))
        case "update_margin":
            guard let rawDirection: UInt8 = try exact(inputs, "direction"), let direction = MarginDirection(rawValue: rawDirection) else {
                return nil
            }
            body = .updateMargin(
                UpdateMarginTx(marketIndex: try int(inputs, "market_index"), usdcAmount: try int(inputs, "usdc_amount"), direction: direction)
            )
        case "create_grouped_orders":
            guard let raw: UInt8 = try exact(inputs, "grouping_type"), let grouping = OrderGrouping(rawValue: raw),
                let orderInputs = inputs["orders"] as? [[String: Any]]
            else { return nil }
            var orders: [OrderInfo] = []
            for element in orderInputs {
                guard let parsed = try order(element) else { return nil }
                orders.append(parsed)
            }
            body = .createGroupedOrders(CreateGroupedOrdersTx(grouping: grouping, orders: orders))
        case "withdraw":
            guard let asset: Int16 = try exact(inputs, "asset_index"), let rawRoute: UInt8 = try exact(inputs, "route_type"),
                let route = RouteType(rawValue: rawRoute), let amount: UInt64 = try exact(inputs, "amount")
            else { return nil }
            body = .withdraw(WithdrawTx(assetIndex: asset, routeType: route, amount: amount))
        case "transfer":
            guard let asset: Int16 = try exact(inputs, "asset_index"), let rawFrom: UInt8 = try exact(inputs, "from_route_type"),
                let from = RouteType(rawValue: rawFrom), let rawTo: UInt8 = try exact(inputs, "to_route_type"),
                let to = RouteType(rawValue: rawTo), let memoHex = inputs["memo"] as? String
            else { return nil }
            let memoBytes = stride(from: 0, to: memoHex.utf8.count, by: 2).compactMap { offset -> UInt8? in
                let start = memoHex.index(memoHex.startIndex, offsetBy: offset)
                return UInt8(memoHex[start..<memoHex.index(start, offsetBy: 2)], radix: 16)
            }
            body = .transfer(
                TransferTx(
                    toAccountIndex: try int(inputs, "to_account_index"), assetIndex: asset, fromRouteType: from, toRouteType: to,
                    amount: try int(inputs, "amount"), usdcFee: try int(inputs, "usdc_fee"), memo: memoBytes
                )
            )
        default:
            throw BadInput(description: "unknown kind \(kind)")
        }
        return body.map { Transaction($0, envelope: envelope) }
    }

    static func order(_ inputs: [String: Any]) throws -> OrderInfo? {
        guard let price: UInt32 = try exact(inputs, "price"), let trigger: UInt32 = try exact(inputs, "trigger_price"),
            let rawType: UInt8 = try exact(inputs, "order_type"), let type = TxOrderType(rawValue: rawType),
            let rawTimeInForce: UInt8 = try exact(inputs, "time_in_force"), let timeInForce = TxTimeInForce(rawValue: rawTimeInForce)
        else { return nil }
        let isAsk = try int(inputs, "is_ask")
        let reduceOnly = try int(inputs, "reduce_only")
        guard (0...1).contains(isAsk), (0...1).contains(reduceOnly) else { return nil }
        return OrderInfo(
            marketIndex: try int(inputs, "market_index"), clientOrderIndex: try int(inputs, "client_order_index"),
            baseAmount: try int(inputs, "base_amount"), price: price, isAsk: isAsk == 1, type: type, timeInForce: timeInForce,
            reduceOnly: reduceOnly == 1, triggerPrice: trigger, orderExpiry: try int(inputs, "order_expiry")
        )
    }
}
