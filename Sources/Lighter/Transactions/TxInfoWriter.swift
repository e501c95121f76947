import LighterCrypto

/// Writes `tx_info` exactly as the official signer does: Go `encoding/json` of the `L2*TxInfo` struct,
/// fields in struct order (protocol notes C.3, C.6).
enum TxInfoWriter {
    static func write(_ transaction: Transaction, signature: SchnorrSignature?) -> String {
        var json = GoJSONWriter()
        let envelope = transaction.envelope
        json.beginObject()
        switch transaction.body {
        case .withdraw, .transfer:
            json.field("FromAccountIndex", envelope.accountIndex)
        default:
            json.field("AccountIndex", envelope.accountIndex)
        }
        json.field("ApiKeyIndex", UInt64(envelope.apiKeyIndex))

        switch transaction.body {
        case .createOrder(let order):
            writeOrderFields(order, into: &json)
        case .cancelOrder(let cancel):
            json.field("MarketIndex", cancel.marketIndex)
            json.field("Index", cancel.index)
        case .cancelAllOrders(let cancelAll):
            json.field("TimeInForce", UInt64(cancelAll.mode.rawValue))
            json.field("Time", cancelAll.time)
        case .modifyOrder(let modify):
            json.field("MarketIndex", modify.marketIndex)
            json.field("Index", modify.index)
            json.field("BaseAmount", modify.baseAmount)
            json.field("Price", UInt64(modify.price))
            json.field("TriggerPrice", UInt64(modify.triggerPrice))
        case .updateLeverage(let leverage):
            json.field("MarketIndex", leverage.marketIndex)
            json.field("InitialMarginFraction", UInt64(leverage.initialMarginFraction))
            json.field("MarginMode", UInt64(leverage.marginMode.rawValue))
        case .updateMargin(let margin):
            json.field("MarketIndex", margin.marketIndex)
            json.field("USDCAmount", margin.usdcAmount)
            json.field("Direction", UInt64(margin.direction.rawValue))
        case .createGroupedOrders(let group):
            json.field("GroupingType", UInt64(group.grouping.rawValue))
            json.key("Orders")
            json.beginArray()
            for order in group.orders {
                json.beginObject()
                writeOrderFields(order, into: &json)
                json.endObject()
            }
            json.endArray()
        case .withdraw(let withdraw):
            json.field("AssetIndex", Int64(withdraw.assetIndex))
            json.field("RouteType", UInt64(withdraw.routeType.rawValue))
            json.field("Amount", withdraw.amount)
        case .transfer(let transfer):
            json.field("ToAccountIndex", transfer.toAccountIndex)
            json.field("AssetIndex", Int64(transfer.assetIndex))
            json.field("FromRouteType", UInt64(transfer.fromRouteType.rawValue))
            json.field("ToRouteType", UInt64(transfer.toRouteType.rawValue))
            json.field("Amount", transfer.amount)
            json.field("USDCFee", transfer.usdcFee)
            // Go encodes a [32]byte array as 32 numbers.
            json.key("Memo")
            json.beginArray()
            for byte in transfer.memo {
                json.value(UInt64(byte))
            }
            json.endArray()
        }

        json.field("ExpiredAt", envelope.expiredAt)
        json.field("Nonce", envelope.nonce)
        json.key("Sig")
        if let signature {
            json.value(signature.base64)
        } else {
            json.null()
        }
        if case .transfer(let transfer) = transaction.body {
            json.key("L1Sig")
            json.value(transfer.l1Signature)
        }
        json.key("L2TxAttributes")
        writeAttributes(envelope.attributes, into: &json)
        json.endObject()
        return json.string
    }

    private static func writeOrderFields(_ order: OrderInfo, into json: inout GoJSONWriter) {
        json.field("MarketIndex", order.marketIndex)
        json.field("ClientOrderIndex", order.clientOrderIndex)
        json.field("BaseAmount", order.baseAmount)
        json.field("Price", UInt64(order.price))
        json.field("IsAsk", UInt64(order.isAsk ? 1 : 0))
        json.field("Type", UInt64(order.type.rawValue))
        json.field("TimeInForce", UInt64(order.timeInForce.rawValue))
        json.field("ReduceOnly", UInt64(order.reduceOnly ? 1 : 0))
        json.field("TriggerPrice", UInt64(order.triggerPrice))
        json.field("OrderExpiry", order.orderExpiry)
    }

    /// `null` when empty, else an object whose keys Go sorts as strings.
    private static func writeAttributes(_ attributes: TxAttributes, into json: inout GoJSONWriter) {
        guard !attributes.rawValues.isEmpty else {
            json.null()
            return
        }
        json.beginObject()
        let sorted = attributes.rawValues
            .map { (key: String($0.key), value: $0.value) }
            .sorted { $0.key < $1.key }
        for pair in sorted {
            json.field(pair.key, pair.value)
        }
        json.endObject()
    }
}
