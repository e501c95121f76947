/// Why a transaction would be rejected by the official Lighter signer (and by the sequencer).
///
/// The rules and the ``description`` texts follow `lighter-go/types/txtypes/*.go` `Validate()` and
/// `errors.go`, as compiled into the `lighter-sdk==1.1.8` signer (checked by experiment against that
/// binary): a market index is valid when it is non-negative and not 255, attribute 5 accepts
/// 0…2^48−1, and attribute 8 (order version) accepts 0…2^48−1.
public enum TxValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    // MARK: Envelope
    /// `AccountIndex` below −1.
    case accountIndexTooLow
    /// `AccountIndex` above 2^48−2.
    case accountIndexTooHigh
    /// `FromAccountIndex` (or the account of a leverage/margin update) below −1.
    case fromAccountIndexTooLow
    /// `FromAccountIndex` (or the account of a leverage/margin update) above 2^48−2.
    case fromAccountIndexTooHigh
    /// `ToAccountIndex` below −1.
    case toAccountIndexTooLow
    /// `ToAccountIndex` above 2^48−2.
    case toAccountIndexTooHigh
    /// `ApiKeyIndex` above 254 (255 is accepted only by cancel-all).
    case apiKeyIndexTooHigh
    /// A negative nonce.
    case nonceTooLow
    /// `ExpiredAt` negative or above 2^48−1.
    case expiredAtInvalid

    // MARK: Orders
    /// A negative market index, or 255 (the "nil" market).
    case invalidMarketIndex
    /// A grouped order on another market than the first order.
    case marketIndexMismatch
    /// `ClientOrderIndex` (or a modify's `Index`) below 1.
    case clientOrderIndexTooLow
    /// `ClientOrderIndex` above 2^48−1 (or a modify's `Index` above 2^60−1).
    case clientOrderIndexTooHigh
    /// Two orders of one group with the same client order index.
    case clientOrderIndexDuplicate
    /// A cancel's `Index` below 1.
    case orderIndexTooLow
    /// A cancel's `Index` above 2^60−1.
    case orderIndexTooHigh
    /// `BaseAmount` 0 without reduce-only, or negative.
    case baseAmountTooLow
    /// `BaseAmount` above 2^48−1.
    case baseAmountTooHigh
    /// The two orders of an OCO group have different sizes.
    case baseAmountsNotEqual
    /// A child order of an OTO/OTOCO group has a non-zero size (children are sized by the position).
    case baseAmountNotNil
    /// `Price` 0.
    case priceTooLow
    /// `IsAsk` inconsistent within a group (OCO: same side; OTO/OTOCO: children opposite to the parent).
    case isAskInvalid
    /// An order type not allowed here (e.g. a trigger order as an OTO parent).
    case orderTypeInvalid
    /// A time in force not allowed for the order type.
    case timeInForceInvalid
    /// Reduce-only required (OCO) or not allowed.
    case reduceOnlyInvalid
    /// A trigger price where none is allowed, or none where one is required.
    case triggerPriceInvalid
    /// `OrderExpiry` negative, 0 where a resting order needs one, non-zero for IOC/market, or
    /// different where a group needs equal expiries.
    case orderExpiryInvalid
    /// A group with the wrong number of orders (1…3 overall; 2 for OTO/OCO, 3 for OTOCO).
    case orderGroupSizeInvalid

    // MARK: Cancel-all
    /// `Time` not 0 for an immediate cancel-all or an abort.
    case cancelAllTimeNotNil
    /// `Time` not positive for a scheduled cancel-all.
    case cancelAllTimeNotInRange
    /// A per-market cancel-all (attribute 5) that is scheduled or an abort.
    case cancelAllMarketIndexCannotBeScheduled

    // MARK: Leverage, margin, transfers
    /// `InitialMarginFraction` 0.
    case initialMarginFractionTooLow
    /// `InitialMarginFraction` above 10 000.
    case initialMarginFractionTooHigh
    /// A transfer or margin amount of 0 (or a negative transfer amount).
    case transferAmountTooLow
    /// A transfer or margin amount above 2^60−1.
    case transferAmountTooHigh
    /// A negative transfer fee.
    case transferFeeNegative
    /// A transfer fee above 2^60−1.
    case transferFeeTooHigh
    /// A withdrawal of 0.
    case withdrawalAmountTooLow
    /// A withdrawal above 2^60−1.
    case withdrawalAmountTooHigh
    /// `AssetIndex` below 1.
    case assetIndexTooLow
    /// `AssetIndex` above 62.
    case assetIndexTooHigh
    /// A transfer memo that is not exactly 32 bytes.
    case memoInvalid

    // MARK: Attributes
    /// More than 4 attributes.
    case tooManyAttributes
    /// An attribute type other than 1…8.
    case invalidAttributeType(UInt8)
    /// Integrator account index (attribute 1) outside 0…2^48−2.
    case integratorAccountIndexInvalidRange
    /// Integrator taker or maker fee (attributes 2, 3) outside 0…1 000 000.
    case integratorFeeInvalidRange
    /// Skip-nonce (attribute 4) other than 1.
    case skipNonceInvalid
    /// Cancel-all market index (attribute 5) outside 0…2^48−1.
    case cancelAllMarketIndexInvalidRange
    /// Self-trade behaviour (attribute 6) outside 0…3.
    case selfTradeBehaviorInvalidRange
    /// Self-trade equality (attribute 7) outside 0…1.
    case selfTradeEqualityInvalidRange
    /// Order version (attribute 8) outside 0…2^48−1.
    case orderVersionInvalidRange
    /// Integrator fees without an integrator account.
    case integratorAccountIndexRequiredForFees
    /// Self-trade settings combined with integrator fees.
    case selfTradeNotAllowedWithFees
    /// Self-trade behaviour "reduce" combined with master-account equality.
    case reduceNotAllowedWithMasterAccountEquality

    /// The official signer's message for this error (same text as `lighter-go` `errors.go`).
    public var description: String {
        switch self {
        case .accountIndexTooLow: "AccountIndex should not be less than -1"
        case .accountIndexTooHigh: "AccountIndex should not be larger than 281474976710654"
        case .fromAccountIndexTooLow: "FromAccountIndex should not be less than -1"
        case .fromAccountIndexTooHigh: "FromAccountIndex should not be larger than 281474976710654"
        case .toAccountIndexTooLow: "ToAccountIndex should not be less than -1"
        case .toAccountIndexTooHigh: "ToAccountIndex should not be larger than 281474976710654"
        case .apiKeyIndexTooHigh: "ApiKeyIndex should not be larger than 254"
        case .nonceTooLow: "AccountNonce should not be less than 0"
        case .expiredAtInvalid: "ExpiredAt is invalid"
        case .invalidMarketIndex: "MarketIndex is not valid"
        case .marketIndexMismatch: "MarketIndex should match the market index of the order"
        case .clientOrderIndexTooLow: "ClientOrderIndex should not be less than 1"
        case .clientOrderIndexTooHigh: "ClientOrderIndex should not be larger than 281474976710655"
        case .clientOrderIndexDuplicate: "ClientOrderIndex should be unique within the group"
        case .orderIndexTooLow: "OrderIndex should not be less than 281474976710656"
        case .orderIndexTooHigh: "OrderIndex should not be larger than 1152921504606846975"
        case .baseAmountTooLow: "BaseAmount should not be less than 1"
        case .baseAmountTooHigh: "BaseAmount should not be larger than 281474976710655"
        case .baseAmountsNotEqual: "BaseAmounts should be equal"
        case .baseAmountNotNil: "BaseAmount should be nil"
        case .priceTooLow: "OrderPrice should not be less than 1"
        case .isAskInvalid: "IsAsk should be 0 or 1"
        case .orderTypeInvalid: "OrderType is not valid"
        case .timeInForceInvalid: "OrderTimeInForce is not valid"
        case .reduceOnlyInvalid: "ReduceOnly is invalid"
        case .triggerPriceInvalid: "TriggerPrice is invalid"
        case .orderExpiryInvalid: "OrderExpiry is invalid"
        case .orderGroupSizeInvalid: "OrderGroupSize is not valid"
        case .cancelAllTimeNotNil: "CancelAllTime should be nil"
        case .cancelAllTimeNotInRange:
            "CancelAllTime should be larger than 0 and not larger than 9223372036854775807"
        case .cancelAllMarketIndexCannotBeScheduled:
            "Cancel all for market index can't be scheduled, TimeInforce must be ImmediateCancelAll"
        case .initialMarginFractionTooLow: "InitialMarginFraction should not be less than 0"
        case .initialMarginFractionTooHigh: "InitialMarginFraction should not be larger than 10000"
        case .transferAmountTooLow: "TransferAmount should be larger than 1"
        case .transferAmountTooHigh: "TransferAmount should not be larger than 1152921504606846975"
        case .transferFeeNegative: "TransferFee should not be negative"
        case .transferFeeTooHigh: "TransferFee should not be larger than 1152921504606846975"
        case .withdrawalAmountTooLow: "WithdrawalAmount should be larger than 1"
        case .withdrawalAmountTooHigh: "WithdrawalAmount should not be larger than 1152921504606846975"
        case .assetIndexTooLow: "AssetIndex should not be less than 1"
        case .assetIndexTooHigh: "AssetIndex should not be larger than 62"
        case .memoInvalid: "Memo should be exactly 32 bytes"
        case .tooManyAttributes: "Too many attributes, should not be larger than 4"
        case .invalidAttributeType(let type): "Attribute type is invalid: \(type)"
        case .integratorAccountIndexInvalidRange: "IntegratorAccountIndex is in invalid range"
        case .integratorFeeInvalidRange: "Integrator fees are in invalid range"
        case .skipNonceInvalid: "Nonce skip attribute is invalid"
        case .cancelAllMarketIndexInvalidRange: "Cancel all for market index attribute is in invalid range"
        case .selfTradeBehaviorInvalidRange: "SelfTradeBehaviorMode is in invalid range"
        case .selfTradeEqualityInvalidRange: "SelfTradeEqualityMode is in invalid range"
        case .orderVersionInvalidRange: "OrderOrderVersion is in invalid range"
        case .integratorAccountIndexRequiredForFees:
            "IntegratorAccountIndex should be non-zero when integrator taker fee or maker fee is non-zero"
        case .selfTradeNotAllowedWithFees: "Self-trade specification isn't allowed with integrator fees"
        case .reduceNotAllowedWithMasterAccountEquality:
            "Reduce self-trade behavior mode isn't allowed with master account index equality mode"
        }
    }
}

/// Limits shared by the validation rules (`lighter-go/types/txtypes/constants.go`).
enum TxLimits {
    static let minAccountIndex: Int64 = -1
    static let maxAccountIndex: Int64 = (1 << 48) - 2
    static let maxApiKeyIndex: UInt8 = 254
    static let nilApiKeyIndex: UInt8 = 255
    static let nilMarketIndex: Int64 = 255
    static let maxClientOrderIndex: Int64 = (1 << 48) - 1
    static let maxOrderIndex: Int64 = (1 << 60) - 1
    static let maxBaseAmount: Int64 = (1 << 48) - 1
    static let maxTimestamp: Int64 = (1 << 48) - 1
    static let maxExchangeAmount: Int64 = (1 << 60) - 1
    static let maxMarginFraction: UInt16 = 10_000
    static let maxGroupedOrders = 3
    static let minAssetIndex: Int16 = 1
    static let maxAssetIndex: Int16 = 62
    static let maxAttributes = 4
    static let feeTick: Int64 = 1_000_000

    /// The 1.1.8 signer's market rule: any non-negative index except 255 (the nil market).
    static func isValidMarket(_ index: Int64) -> Bool {
        index >= 0 && index != nilMarketIndex
    }
}
