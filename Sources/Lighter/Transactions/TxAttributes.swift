import LighterCrypto

/// The optional attributes of a transaction (`L2TxAttributes`): integrator fees, skip-nonce,
/// per-market cancel-all, self-trade prevention and order version.
///
/// Stored as raw `type → value` pairs so that a parsed `tx_info` is re-emitted exactly and an
/// out-of-range value can be reported by ``Transaction/validate()`` instead of being lost. The typed
/// properties (``skipNonce``, ``selfTradeBehavior``, …) read and write those pairs; setting a property
/// to its default removes the pair, as the official signer's C API does.
///
/// Hashing (protocol notes D.7 step 3): attributes equal to their nil value are ignored; the others,
/// sorted by type and padded with `(0, 0)` to four pairs, are hashed and combined with the
/// transaction hash.
public struct TxAttributes: Hashable, Sendable {
    /// The attribute type codes (`lighter-go/types/txtypes/tx_attributes.go`, plus type 8 of 1.1.8).
    public enum Kind: UInt8, Hashable, Sendable, CaseIterable {
        /// The integrator receiving fees (1).
        case integratorAccountIndex = 1
        /// The integrator's taker fee, in millionths (2).
        case integratorTakerFee = 2
        /// The integrator's maker fee, in millionths (3).
        case integratorMakerFee = 3
        /// 1 = accept any nonce greater than the last one instead of exactly last + 1 (4).
        case skipNonce = 4
        /// Limits an immediate cancel-all to one market (5; nil value 255).
        case cancelAllMarketIndex = 5
        /// ``SelfTradeBehavior`` raw value (6).
        case selfTradeBehavior = 6
        /// ``SelfTradeEquality`` raw value (7).
        case selfTradeEquality = 7
        /// Order version of a modify: applied only if greater than the order's current version (8).
        case orderVersion = 8

        /// The value that means "not set"; such pairs do not count and are not hashed.
        public var nilValue: Int64 {
            self == .cancelAllMarketIndex ? 255 : 0
        }

        /// The accepted values.
        var validRange: ClosedRange<Int64> {
            switch self {
            case .integratorAccountIndex: 0...TxLimits.maxAccountIndex
            case .integratorTakerFee, .integratorMakerFee: 0...TxLimits.feeTick
            case .skipNonce: 1...1
            case .cancelAllMarketIndex: 0...((1 << 48) - 1)
            case .selfTradeBehavior: 0...3
            case .selfTradeEquality: 0...1
            case .orderVersion: 0...((1 << 48) - 1)
            }
        }

        /// The error for a value outside ``validRange``.
        var rangeError: TxValidationError {
            switch self {
            case .integratorAccountIndex: .integratorAccountIndexInvalidRange
            case .integratorTakerFee, .integratorMakerFee: .integratorFeeInvalidRange
            case .skipNonce: .skipNonceInvalid
            case .cancelAllMarketIndex: .cancelAllMarketIndexInvalidRange
            case .selfTradeBehavior: .selfTradeBehaviorInvalidRange
            case .selfTradeEquality: .selfTradeEqualityInvalidRange
            case .orderVersion: .orderVersionInvalidRange
            }
        }
    }

    /// The raw pairs, keyed by type code, exactly as set or parsed (including nil values if a parsed
    /// `tx_info` contained them).
    public private(set) var rawValues: [UInt8: Int64]

    /// No attributes (`"L2TxAttributes":null`).
    public static let none = TxAttributes()

    /// Creates an empty attribute set.
    public init() {
        self.rawValues = [:]
    }

    /// Creates an attribute set from raw pairs, kept as given (used when parsing `tx_info`).
    public init(rawValues: [UInt8: Int64]) {
        self.rawValues = rawValues
    }

    /// Creates attributes the way the official signer's C API does: only non-default values are stored.
    ///
    /// - Parameters:
    ///   - skipNonce: accept a nonce greater than, not exactly one more than, the last one.
    ///   - integrator: integrator account and fees, if the order is routed through an integrator.
    ///   - selfTradeBehavior: self-trade prevention behaviour (default ``SelfTradeBehavior/expireMaker``).
    ///   - selfTradeEquality: which orders count as one's own (default ``SelfTradeEquality/sameAccount``).
    ///   - cancelAllMarketIndex: limit an immediate cancel-all to this market.
    ///   - orderVersion: version of a modify (attribute 8); 0 means none.
    public init(
        skipNonce: Bool = false,
        integrator: IntegratorFees? = nil,
        selfTradeBehavior: SelfTradeBehavior = .expireMaker,
        selfTradeEquality: SelfTradeEquality = .sameAccount,
        cancelAllMarketIndex: Int64? = nil,
        orderVersion: Int64 = 0
    ) {
        self.rawValues = [:]
        self.skipNonce = skipNonce
        if let integrator {
            self[.integratorAccountIndex] = integrator.accountIndex
            self[.integratorTakerFee] = Int64(integrator.takerFee)
            self[.integratorMakerFee] = Int64(integrator.makerFee)
        }
        self.selfTradeBehavior = selfTradeBehavior
        self.selfTradeEquality = selfTradeEquality
        self[.cancelAllMarketIndex] = cancelAllMarketIndex
        self[.orderVersion] = orderVersion
    }

    /// The raw value of one attribute; setting `nil` or the attribute's nil value removes it.
    public subscript(kind: Kind) -> Int64? {
        get { rawValues[kind.rawValue] }
        set {
            if let newValue, newValue != kind.nilValue {
                rawValues[kind.rawValue] = newValue
            } else {
                rawValues[kind.rawValue] = nil
            }
        }
    }

    /// Whether the skip-nonce attribute (4) is set to 1.
    public var skipNonce: Bool {
        get { rawValues[Kind.skipNonce.rawValue] == 1 }
        set { self[.skipNonce] = newValue ? 1 : nil }
    }

    /// The self-trade behaviour (6); ``SelfTradeBehavior/expireMaker`` when absent or out of range.
    public var selfTradeBehavior: SelfTradeBehavior {
        get { self[.selfTradeBehavior].flatMap { UInt8(exactly: $0) }.flatMap(SelfTradeBehavior.init) ?? .expireMaker }
        set { self[.selfTradeBehavior] = Int64(newValue.rawValue) }
    }

    /// The self-trade equality (7); ``SelfTradeEquality/sameAccount`` when absent or out of range.
    public var selfTradeEquality: SelfTradeEquality {
        get { self[.selfTradeEquality].flatMap { UInt8(exactly: $0) }.flatMap(SelfTradeEquality.init) ?? .sameAccount }
        set { self[.selfTradeEquality] = Int64(newValue.rawValue) }
    }

    /// The market an immediate cancel-all is limited to (5), or `nil` for all markets.
    public var cancelAllMarketIndex: Int64? {
        get { self[.cancelAllMarketIndex].flatMap { $0 == Kind.cancelAllMarketIndex.nilValue ? nil : $0 } }
        set { self[.cancelAllMarketIndex] = newValue }
    }

    /// The order version of a modify (8), or `nil`.
    public var orderVersion: Int64? {
        get { self[.orderVersion].flatMap { $0 == 0 ? nil : $0 } }
        set { self[.orderVersion] = newValue }
    }

    /// The integrator account and fees (1–3), or `nil` when no integrator account is set.
    public var integrator: IntegratorFees? {
        get {
            guard let account = self[.integratorAccountIndex], account != 0 else { return nil }
            return IntegratorFees(
                accountIndex: account,
                takerFee: UInt32(clamping: self[.integratorTakerFee] ?? 0),
                makerFee: UInt32(clamping: self[.integratorMakerFee] ?? 0)
            )
        }
        set {
            self[.integratorAccountIndex] = newValue?.accountIndex
            self[.integratorTakerFee] = newValue.map { Int64($0.takerFee) }
            self[.integratorMakerFee] = newValue.map { Int64($0.makerFee) }
        }
    }

    /// The pairs that count (value different from the nil value), sorted by type.
    var effectivePairs: [(type: UInt8, value: Int64)] {
        rawValues
            .filter { type, value in value != (Kind(rawValue: type)?.nilValue ?? 0) }
            .sorted { $0.key < $1.key }
            .map { (type: $0.key, value: $0.value) }
    }

    /// Whether no attribute counts (the transaction hash is then not combined with an attribute hash).
    public var isEffectivelyEmpty: Bool {
        effectivePairs.isEmpty
    }

    /// The 8 elements `[t1, v1, …, t4, v4]` hashed for the attributes (D.7 step 3), or `nil` when
    /// ``isEffectivelyEmpty``.
    public var hashElements: [Goldilocks]? {
        let pairs = effectivePairs
        guard !pairs.isEmpty else { return nil }
        var elements: [Goldilocks] = []
        elements.reserveCapacity(2 * TxLimits.maxAttributes)
        for pair in pairs {
            elements.append(Goldilocks(UInt64(pair.type)))
            elements.append(Goldilocks(UInt64(bitPattern: pair.value)))
        }
        while elements.count < 2 * TxLimits.maxAttributes {
            elements.append(.zero)
        }
        return elements
    }

    /// Checks the rules of `L2TxAttributes.Validate()`.
    ///
    /// - Throws: ``TxValidationError`` naming the first broken rule (types in ascending order).
    public func validate() throws(TxValidationError) {
        guard !rawValues.isEmpty else { return }
        guard rawValues.count <= TxLimits.maxAttributes else { throw .tooManyAttributes }
        for (type, value) in rawValues.sorted(by: { $0.key < $1.key }) {
            guard let kind = Kind(rawValue: type) else { throw .invalidAttributeType(type) }
            guard kind.validRange.contains(value) else { throw kind.rangeError }
        }
        func isSet(_ kind: Kind) -> Bool {
            (self[kind] ?? kind.nilValue) != kind.nilValue
        }
        let hasFees = isSet(.integratorTakerFee) || isSet(.integratorMakerFee)
        if hasFees && !isSet(.integratorAccountIndex) {
            throw .integratorAccountIndexRequiredForFees
        }
        if hasFees && (isSet(.selfTradeBehavior) || isSet(.selfTradeEquality)) {
            throw .selfTradeNotAllowedWithFees
        }
        if self[.selfTradeBehavior] == Int64(SelfTradeBehavior.reduce.rawValue)
            && self[.selfTradeEquality] == Int64(SelfTradeEquality.sameMasterAccount.rawValue)
        {
            throw .reduceNotAllowedWithMasterAccountEquality
        }
    }
}

/// An integrator account and the fees (in millionths, 0…1 000 000) it charges on an order.
public struct IntegratorFees: Hashable, Sendable {
    /// The integrator's account index (must be non-zero when a fee is non-zero).
    public var accountIndex: Int64
    /// Taker fee in millionths.
    public var takerFee: UInt32
    /// Maker fee in millionths.
    public var makerFee: UInt32

    /// Creates integrator settings.
    public init(accountIndex: Int64, takerFee: UInt32, makerFee: UInt32) {
        self.accountIndex = accountIndex
        self.takerFee = takerFee
        self.makerFee = makerFee
    }
}
