import LighterCrypto

/// Why a `tx_info` could not be read back into a ``Transaction``.
public enum TxParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `tx_type` is not one of the supported ``TransactionType``s.
    case unsupportedType(UInt8)
    /// The text is not valid JSON, or not a JSON object.
    case malformedJSON(String)
    /// A required field is absent.
    case missingField(String)
    /// A field has the wrong JSON type or a value outside its range or enum.
    case invalidField(String, reason: String)

    /// What went wrong, naming the field.
    public var description: String {
        switch self {
        case .unsupportedType(let type): "unsupported tx_type \(type)"
        case .malformedJSON(let reason): "tx_info is not a JSON object: \(reason)"
        case .missingField(let field): "tx_info has no field \(field)"
        case .invalidField(let field, let reason): "tx_info field \(field): \(reason)"
        }
    }
}

/// A transaction read from a `tx_info`, with its signature when the JSON had one.
public struct ParsedTransaction: Hashable, Sendable {
    /// The transaction (the chain comes from the caller; it is not part of `tx_info`).
    public let transaction: Transaction
    /// The `Sig` field, or `nil` when it was `null` or absent.
    public let signature: SchnorrSignature?

    /// The signed form, if a signature was present.
    public var signed: SignedTransaction? {
        signature.map { SignedTransaction(transaction: transaction, signature: $0) }
    }
}

extension Transaction {
    /// Reads a `tx_info` JSON (as the official signer or this module writes it) back into a transaction.
    ///
    /// Field order and unknown extra fields do not matter; every field of the transaction type must be
    /// present except `L2TxAttributes` (absent = none), `Sig` (absent = unsigned), and for transfers
    /// `Memo` and `L1Sig`.
    ///
    /// - Parameters:
    ///   - txType: the `tx_type` sent alongside.
    ///   - txInfo: the JSON text.
    ///   - chain: the chain the transaction is meant for (hashed, but not in the JSON).
    /// - Throws: ``TxParseError`` naming the offending field.
    public static func parse(txType: UInt8, txInfo: String, chain: LighterChain) throws(TxParseError) -> ParsedTransaction {
        guard let type = TransactionType(rawValue: txType) else { throw .unsupportedType(txType) }
        let json: TxJSONValue
        do {
            json = try TxJSONValue.parse(txInfo)
        } catch {
            throw .malformedJSON(error.description)
        }
        return try parse(type: type, json: json, chain: chain)
    }

    /// Reads an already parsed `tx_info` object.
    static func parse(type: TransactionType, json: TxJSONValue, chain: LighterChain) throws(TxParseError) -> ParsedTransaction {
        guard json.members != nil else { throw .malformedJSON("expected an object") }
        let fields = TxFields(json: json)
        let accountKey = (type == .withdraw || type == .transfer) ? "FromAccountIndex" : "AccountIndex"
        let envelope = TxEnvelope(
            chain: chain,
            accountIndex: try fields.int64(accountKey),
            apiKeyIndex: try fields.integer("ApiKeyIndex", as: UInt8.self),
            nonce: try fields.int64("Nonce"),
            expiredAt: try fields.int64("ExpiredAt"),
            attributes: try fields.attributes()
        )
        let body: TransactionBody
        switch type {
        case .createOrder:
            body = .createOrder(try fields.order())
        case .cancelOrder:
            body = .cancelOrder(CancelOrderTx(marketIndex: try fields.int64("MarketIndex"), index: try fields.int64("Index")))
        case .cancelAllOrders:
            body = .cancelAllOrders(
                CancelAllOrdersTx(mode: try fields.enumeration("TimeInForce"), time: try fields.int64("Time"))
            )
        case .modifyOrder:
            body = .modifyOrder(
                ModifyOrderTx(
                    marketIndex: try fields.int64("MarketIndex"), index: try fields.int64("Index"),
                    baseAmount: try fields.int64("BaseAmount"), price: try fields.integer("Price", as: UInt32.self),
                    triggerPrice: try fields.integer("TriggerPrice", as: UInt32.self)
                )
            )
        case .updateLeverage:
            body = .updateLeverage(
                UpdateLeverageTx(
                    marketIndex: try fields.int64("MarketIndex"),
                    initialMarginFraction: try fields.integer("InitialMarginFraction", as: UInt16.self),
                    marginMode: try fields.enumeration("MarginMode")
                )
            )
        case .updateMargin:
            body = .updateMargin(
                UpdateMarginTx(
                    marketIndex: try fields.int64("MarketIndex"), usdcAmount: try fields.int64("USDCAmount"),
                    direction: try fields.enumeration("Direction")
                )
            )
        case .createGroupedOrders:
            guard let ordersJSON = json["Orders"] else { throw .missingField("Orders") }
            let elements: [TxJSONValue]
            if ordersJSON.isNull {
                elements = []
            } else if let array = ordersJSON.elements {
                elements = array
            } else {
                throw .invalidField("Orders", reason: "expected an array")
            }
            var orders: [OrderInfo] = []
            for (position, element) in elements.enumerated() {
                guard element.members != nil else { throw .invalidField("Orders[\(position)]", reason: "expected an object") }
                orders.append(try TxFields(json: element, prefix: "Orders[\(position)].").order())
            }
            body = .createGroupedOrders(
                CreateGroupedOrdersTx(grouping: try fields.enumeration("GroupingType"), orders: orders)
            )
        case .withdraw:
            guard let amountJSON = json["Amount"] else { throw .missingField("Amount") }
            guard let amount = amountJSON.uint64Value else {
                throw .invalidField("Amount", reason: "expected an unsigned 64-bit integer")
            }
            body = .withdraw(
                WithdrawTx(
                    assetIndex: try fields.integer("AssetIndex", as: Int16.self),
                    routeType: try fields.enumeration("RouteType"), amount: amount
                )
            )
        case .transfer:
            body = .transfer(
                TransferTx(
                    toAccountIndex: try fields.int64("ToAccountIndex"),
                    assetIndex: try fields.integer("AssetIndex", as: Int16.self),
                    fromRouteType: try fields.enumeration("FromRouteType"),
                    toRouteType: try fields.enumeration("ToRouteType"),
                    amount: try fields.int64("Amount"), usdcFee: try fields.int64("USDCFee"),
                    memo: try fields.memo(), l1Signature: try fields.optionalString("L1Sig") ?? ""
                )
            )
        }
        return ParsedTransaction(transaction: Transaction(body, envelope: envelope), signature: try fields.signature())
    }
}

/// Typed access to the members of one `tx_info` object, with errors that name the field.
private struct TxFields {
    let json: TxJSONValue
    var prefix = ""

    func value(_ name: String) throws(TxParseError) -> TxJSONValue {
        guard let value = json[name] else { throw .missingField(prefix + name) }
        return value
    }

    func int64(_ name: String) throws(TxParseError) -> Int64 {
        guard let number = try value(name).int64Value else {
            throw .invalidField(prefix + name, reason: "expected a 64-bit integer")
        }
        return number
    }

    func integer<T: FixedWidthInteger>(_ name: String, as type: T.Type) throws(TxParseError) -> T {
        let number = try int64(name)
        guard let exact = T(exactly: number) else {
            throw .invalidField(prefix + name, reason: "\(number) is out of range for \(T.self)")
        }
        return exact
    }

    func flag(_ name: String) throws(TxParseError) -> Bool {
        switch try int64(name) {
        case 0: return false
        case 1: return true
        case let other: throw .invalidField(prefix + name, reason: "\(other) is not 0 or 1")
        }
    }

    func enumeration<E: RawRepresentable>(_ name: String) throws(TxParseError) -> E where E.RawValue == UInt8 {
        let raw = try integer(name, as: UInt8.self)
        guard let value = E(rawValue: raw) else {
            throw .invalidField(prefix + name, reason: "\(raw) is not a valid \(E.self)")
        }
        return value
    }

    func optionalString(_ name: String) throws(TxParseError) -> String? {
        guard let value = json[name], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw .invalidField(prefix + name, reason: "expected a string") }
        return text
    }

    func order() throws(TxParseError) -> OrderInfo {
        OrderInfo(
            marketIndex: try int64("MarketIndex"), clientOrderIndex: try int64("ClientOrderIndex"),
            baseAmount: try int64("BaseAmount"), price: try integer("Price", as: UInt32.self),
            isAsk: try flag("IsAsk"), type: try enumeration("Type"), timeInForce: try enumeration("TimeInForce"),
            reduceOnly: try flag("ReduceOnly"), triggerPrice: try integer("TriggerPrice", as: UInt32.self),
            orderExpiry: try int64("OrderExpiry")
        )
    }

    func attributes() throws(TxParseError) -> TxAttributes {
        guard let value = json["L2TxAttributes"], !value.isNull else { return .none }
        guard let members = value.members else {
            throw .invalidField("L2TxAttributes", reason: "expected an object or null")
        }
        var raw: [UInt8: Int64] = [:]
        for member in members {
            guard let type = UInt8(member.key) else {
                throw .invalidField("L2TxAttributes", reason: "key \"\(member.key)\" is not an attribute type")
            }
            guard let number = member.value.int64Value else {
                throw .invalidField("L2TxAttributes.\(member.key)", reason: "expected a 64-bit integer")
            }
            raw[type] = number
        }
        return TxAttributes(rawValues: raw)
    }

    func signature() throws(TxParseError) -> SchnorrSignature? {
        guard let text = try optionalString("Sig") else { return nil }
        guard let signature = SchnorrSignature(base64: text) else {
            throw .invalidField("Sig", reason: "expected standard base64 of 80 bytes")
        }
        return signature
    }

    func memo() throws(TxParseError) -> [UInt8] {
        guard let value = json["Memo"], !value.isNull else { return [UInt8](repeating: 0, count: 32) }
        guard let elements = value.elements else { throw .invalidField("Memo", reason: "expected an array of 32 bytes") }
        var memo: [UInt8] = []
        for element in elements {
            guard let number = element.int64Value, let byte = UInt8(exactly: number) else {
                throw .invalidField("Memo", reason: "expected numbers 0…255")
            }
            memo.append(byte)
        }
        guard memo.count == 32 else { throw .invalidField("Memo", reason: "expected 32 bytes, got \(memo.count)") }
        return memo
    }
}
