extension Transaction {
    /// Checks the rules the official signer applies before signing (`Validate()` of each
    /// `lighter-go/types/txtypes` struct, adjusted to the 1.1.8 binary; see ``TxValidationError``).
    ///
    /// An unresolved ``OrderInfo/defaultExpiry`` (−1) is rejected as ``TxValidationError/orderExpiryInvalid``:
    /// call ``resolvingDefaultExpiries(nowMilliseconds:)`` first.
    ///
    /// - Throws: ``TxValidationError`` naming the first broken rule.
    public func validate() throws(TxValidationError) {
        try envelope.attributes.validate()
        switch body {
        case .createOrder(let order):
            try validateAccount(from: false)
            try validateApiKey(allowNil: false)
            try Self.validate(order: order)
            try validateNonceAndDeadline()
        case .cancelOrder(let cancel):
            try validateAccount(from: false)
            try validateApiKey(allowNil: false)
            guard TxLimits.isValidMarket(cancel.marketIndex) else { throw .invalidMarketIndex }
            guard cancel.index >= 1 else { throw .orderIndexTooLow }
            guard cancel.index <= TxLimits.maxOrderIndex else { throw .orderIndexTooHigh }
            try validateNonceAndDeadline()
        case .cancelAllOrders(let cancelAll):
            try validateAccount(from: false)
            try validateApiKey(allowNil: true)
            try validateNonceAndDeadline()
            if envelope.attributes.cancelAllMarketIndex != nil && cancelAll.mode != .immediate {
                throw .cancelAllMarketIndexCannotBeScheduled
            }
            switch cancelAll.mode {
            case .immediate, .abortScheduled:
                guard cancelAll.time == 0 else { throw .cancelAllTimeNotNil }
            case .scheduled:
                guard cancelAll.time >= 1 else { throw .cancelAllTimeNotInRange }
            }
        case .modifyOrder(let modify):
            try validateAccount(from: false)
            try validateApiKey(allowNil: false)
            guard TxLimits.isValidMarket(modify.marketIndex) else { throw .invalidMarketIndex }
            guard modify.index >= 1 else { throw .clientOrderIndexTooLow }
            guard modify.index <= TxLimits.maxOrderIndex else { throw .clientOrderIndexTooHigh }
            guard modify.baseAmount >= 0 else { throw .baseAmountTooLow }
            guard modify.baseAmount <= TxLimits.maxBaseAmount else { throw .baseAmountTooHigh }
            guard modify.price >= 1 else { throw .priceTooLow }
            try validateNonceAndDeadline()
        case .updateLeverage(let leverage):
            try validateAccount(from: true)
            try validateApiKey(allowNil: false)
            guard TxLimits.isValidMarket(leverage.marketIndex) else { throw .invalidMarketIndex }
            guard leverage.initialMarginFraction >= 1 else { throw .initialMarginFractionTooLow }
            guard leverage.initialMarginFraction <= TxLimits.maxMarginFraction else {
                throw .initialMarginFractionTooHigh
            }
            try validateNonceAndDeadline()
        case .updateMargin(let margin):
            try validateAccount(from: true)
            try validateApiKey(allowNil: false)
            guard TxLimits.isValidMarket(margin.marketIndex) else { throw .invalidMarketIndex }
            // The official rule only rejects 0 (a negative amount passes, as in lighter-go).
            guard margin.usdcAmount != 0 else { throw .transferAmountTooLow }
            guard margin.usdcAmount <= TxLimits.maxExchangeAmount else { throw .transferAmountTooHigh }
            try validateNonceAndDeadline()
        case .createGroupedOrders(let group):
            try validateAccount(from: false)
            try validateApiKey(allowNil: false)
            try Self.validate(group: group)
            try validateNonceAndDeadline()
            try Self.validateGroupShape(group)
        case .withdraw(let withdraw):
            try validateAccount(from: true)
            try validateApiKey(allowNil: false)
            try Self.validate(assetIndex: withdraw.assetIndex)
            guard withdraw.amount >= 1 else { throw .withdrawalAmountTooLow }
            guard withdraw.amount <= UInt64(TxLimits.maxExchangeAmount) else { throw .withdrawalAmountTooHigh }
            try validateNonceAndDeadline()
        case .transfer(let transfer):
            try validateAccount(from: true)
            try validateApiKey(allowNil: false)
            guard transfer.toAccountIndex >= TxLimits.minAccountIndex else { throw .toAccountIndexTooLow }
            guard transfer.toAccountIndex <= TxLimits.maxAccountIndex else { throw .toAccountIndexTooHigh }
            try Self.validate(assetIndex: transfer.assetIndex)
            guard transfer.amount >= 1 else { throw .transferAmountTooLow }
            guard transfer.amount <= TxLimits.maxExchangeAmount else { throw .transferAmountTooHigh }
            guard transfer.usdcFee >= 0 else { throw .transferFeeNegative }
            guard transfer.usdcFee <= TxLimits.maxExchangeAmount else { throw .transferFeeTooHigh }
            guard transfer.memo.count == 32 else { throw .memoInvalid }
            try validateNonceAndDeadline()
        }
    }

    private func validateAccount(from: Bool) throws(TxValidationError) {
        guard envelope.accountIndex >= TxLimits.minAccountIndex else {
            throw from ? .fromAccountIndexTooLow : .accountIndexTooLow
        }
        guard envelope.accountIndex <= TxLimits.maxAccountIndex else {
            throw from ? .fromAccountIndexTooHigh : .accountIndexTooHigh
        }
    }

    private func validateApiKey(allowNil: Bool) throws(TxValidationError) {
        if envelope.apiKeyIndex > TxLimits.maxApiKeyIndex
            && !(allowNil && envelope.apiKeyIndex == TxLimits.nilApiKeyIndex)
        {
            throw .apiKeyIndexTooHigh
        }
    }

    private func validateNonceAndDeadline() throws(TxValidationError) {
        guard envelope.nonce >= 0 else { throw .nonceTooLow }
        guard (0...TxLimits.maxTimestamp).contains(envelope.expiredAt) else { throw .expiredAtInvalid }
    }

    private static func validate(assetIndex: Int16) throws(TxValidationError) {
        guard assetIndex >= TxLimits.minAssetIndex else { throw .assetIndexTooLow }
        guard assetIndex <= TxLimits.maxAssetIndex else { throw .assetIndexTooHigh }
    }

    /// Range checks shared by single and grouped orders.
    private static func validateCommonRanges(of order: OrderInfo) throws(TxValidationError) {
        if order.clientOrderIndex != 0 {
            guard order.clientOrderIndex >= 1 else { throw .clientOrderIndexTooLow }
            guard order.clientOrderIndex <= TxLimits.maxClientOrderIndex else { throw .clientOrderIndexTooHigh }
        }
        if !order.reduceOnly && order.baseAmount == 0 { throw .baseAmountTooLow }
        guard order.baseAmount >= 0 else { throw .baseAmountTooLow }
        guard order.baseAmount <= TxLimits.maxBaseAmount else { throw .baseAmountTooHigh }
        guard order.price >= 1 else { throw .priceTooLow }
        guard order.orderExpiry >= 0 else { throw .orderExpiryInvalid }
    }

    /// `L2CreateOrderTxInfo.Validate()` for the order fields.
    private static func validate(order: OrderInfo) throws(TxValidationError) {
        guard TxLimits.isValidMarket(order.marketIndex) else { throw .invalidMarketIndex }
        try validateCommonRanges(of: order)
        let hasExpiry = order.orderExpiry != 0
        let hasTrigger = order.triggerPrice != 0
        switch order.type {
        case .market:
            guard order.timeInForce == .immediateOrCancel else { throw .timeInForceInvalid }
            guard !hasExpiry else { throw .orderExpiryInvalid }
            guard !hasTrigger else { throw .triggerPriceInvalid }
        case .limit:
            guard !hasTrigger else { throw .triggerPriceInvalid }
            if order.timeInForce == .immediateOrCancel {
                guard !hasExpiry else { throw .orderExpiryInvalid }
            } else {
                guard hasExpiry else { throw .orderExpiryInvalid }
            }
        case .stopLoss, .takeProfit:
            guard order.timeInForce == .immediateOrCancel else { throw .timeInForceInvalid }
            guard hasTrigger else { throw .triggerPriceInvalid }
            guard hasExpiry else { throw .orderExpiryInvalid }
        case .stopLossLimit, .takeProfitLimit:
            guard hasTrigger else { throw .triggerPriceInvalid }
            guard hasExpiry else { throw .orderExpiryInvalid }
        case .twap:
            guard order.timeInForce == .goodTillTime else { throw .timeInForceInvalid }
            guard !hasTrigger else { throw .triggerPriceInvalid }
            guard hasExpiry else { throw .orderExpiryInvalid }
        }
    }

    /// `L2CreateGroupedOrdersTxInfo.Validate()`: size, market and per-order range checks.
    private static func validate(group: CreateGroupedOrdersTx) throws(TxValidationError) {
        guard let first = group.orders.first, group.orders.count <= TxLimits.maxGroupedOrders else {
            throw .orderGroupSizeInvalid
        }
        guard TxLimits.isValidMarket(first.marketIndex) else { throw .invalidMarketIndex }
        var clientOrderIndexes: Set<Int64> = []
        for order in group.orders {
            guard order.marketIndex == first.marketIndex else { throw .marketIndexMismatch }
            if order.clientOrderIndex != 0 {
                guard order.clientOrderIndex >= 1 else { throw .clientOrderIndexTooLow }
                guard order.clientOrderIndex <= TxLimits.maxClientOrderIndex else { throw .clientOrderIndexTooHigh }
                guard clientOrderIndexes.insert(order.clientOrderIndex).inserted else {
                    throw .clientOrderIndexDuplicate
                }
            }
            try validateCommonRanges(of: order)
        }
    }

    /// The grouping rules (`ValidateOCO`, `ValidateOTO`, `ValidateOTOCO`).
    private static func validateGroupShape(_ group: CreateGroupedOrdersTx) throws(TxValidationError) {
        let orders = group.orders
        switch group.grouping {
        case .oneCancelsTheOther:
            guard orders.count == 2 else { throw .orderGroupSizeInvalid }
            guard orders[0].baseAmount == orders[1].baseAmount else { throw .baseAmountsNotEqual }
            guard orders[0].isAsk == orders[1].isAsk else { throw .isAskInvalid }
            guard orders[0].reduceOnly && orders[1].reduceOnly else { throw .reduceOnlyInvalid }
            guard orders[0].orderExpiry == orders[1].orderExpiry else { throw .orderExpiryInvalid }
            try validateSiblings(orders[0], orders[1])
        case .oneTriggersTheOther:
            guard orders.count == 2 else { throw .orderGroupSizeInvalid }
            guard orders[1].baseAmount == 0 else { throw .baseAmountNotNil }
            guard orders[0].isAsk != orders[1].isAsk else { throw .isAskInvalid }
            if orders[0].orderExpiry != 0 && orders[0].orderExpiry != orders[1].orderExpiry {
                throw .orderExpiryInvalid
            }
            try validateParent(orders[0])
            try validateChild(orders[1])
        case .oneTriggersOneCancelsTheOther:
            guard orders.count == 3 else { throw .orderGroupSizeInvalid }
            guard orders[1].baseAmount == 0 && orders[2].baseAmount == 0 else { throw .baseAmountNotNil }
            guard orders[0].isAsk != orders[1].isAsk && orders[0].isAsk != orders[2].isAsk else {
                throw .isAskInvalid
            }
            guard orders[1].orderExpiry == orders[2].orderExpiry else { throw .orderExpiryInvalid }
            if orders[0].orderExpiry != 0 && orders[0].orderExpiry != orders[1].orderExpiry {
                throw .orderExpiryInvalid
            }
            try validateParent(orders[0])
            try validateSiblings(orders[1], orders[2])
        }
    }

    private static func validateParent(_ order: OrderInfo) throws(TxValidationError) {
        switch order.type {
        case .market:
            guard order.timeInForce == .immediateOrCancel else { throw .timeInForceInvalid }
            guard order.orderExpiry == 0 else { throw .orderExpiryInvalid }
            guard order.triggerPrice == 0 else { throw .triggerPriceInvalid }
        case .limit:
            guard order.triggerPrice == 0 else { throw .triggerPriceInvalid }
            if order.timeInForce == .immediateOrCancel {
                guard order.orderExpiry == 0 else { throw .orderExpiryInvalid }
            } else {
                guard order.orderExpiry != 0 else { throw .orderExpiryInvalid }
            }
        default:
            throw .orderTypeInvalid
        }
    }

    private static func validateChild(_ order: OrderInfo) throws(TxValidationError) {
        switch order.type {
        case .stopLoss, .takeProfit:
            guard order.timeInForce == .immediateOrCancel else { throw .timeInForceInvalid }
            guard order.triggerPrice != 0 else { throw .triggerPriceInvalid }
            guard order.orderExpiry != 0 else { throw .orderExpiryInvalid }
        case .stopLossLimit, .takeProfitLimit:
            guard order.triggerPrice != 0 else { throw .triggerPriceInvalid }
            guard order.orderExpiry != 0 else { throw .orderExpiryInvalid }
        default:
            throw .orderTypeInvalid
        }
    }

    /// A stop-loss and a take-profit (in either order).
    private static func validateSiblings(_ first: OrderInfo, _ second: OrderInfo) throws(TxValidationError) {
        var hasStopLoss = false
        var hasTakeProfit = false
        for order in [first, second] {
            try validateChild(order)
            switch order.type {
            case .stopLoss, .stopLossLimit: hasStopLoss = true
            case .takeProfit, .takeProfitLimit: hasTakeProfit = true
            default: break
            }
        }
        guard hasStopLoss && hasTakeProfit else { throw .orderTypeInvalid }
    }
}
