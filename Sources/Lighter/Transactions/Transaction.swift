import LighterCrypto

/// A Lighter L2 transaction: the common envelope plus the type-specific body.
///
/// Build one, ``validate()`` it (``signed(with:)`` does that for you), sign it, and send the
/// resulting ``SignedTransaction/txInfo`` with ``SignedTransaction/type``:
///
/// ```swift
/// let envelope = TxEnvelope(chain: .mainnet, accountIndex: 1234, apiKeyIndex: 4, nonce: 42,
///                           nowMilliseconds: nowMs)
/// let order = OrderInfo(marketIndex: 0, clientOrderIndex: 1001, baseAmount: 1000, price: 405000,
///                       isAsk: true, timeInForce: .postOnly, orderExpiry: nowMs + 3_600_000)
/// let signed = try Transaction(.createOrder(order), envelope: envelope).signed(with: key)
/// // POST tx_type = signed.type.rawValue, tx_info = signed.txInfo
/// ```
public struct Transaction: Hashable, Sendable {
    /// Chain, account, key, nonce, deadline and attributes.
    public var envelope: TxEnvelope
    /// The type-specific fields.
    public var body: TransactionBody

    /// Creates a transaction.
    public init(_ body: TransactionBody, envelope: TxEnvelope) {
        self.body = body
        self.envelope = envelope
    }

    /// The transaction type.
    public var type: TransactionType { body.type }

    /// The Goldilocks elements hashed into the transaction hash (protocol notes C.3, D.7 step 1):
    /// `[chainId, txType, nonce, expiredAt, account, apiKey, …type fields…]`. For grouped orders the
    /// type fields are `GroupingType` followed by the 4-element aggregated order hash.
    public var hashElements: [Goldilocks] {
        var elements: [Goldilocks] = [
            Goldilocks(UInt64(envelope.chain.rawValue)), Goldilocks(UInt64(type.rawValue)),
            .element(envelope.nonce), .element(envelope.expiredAt),
            .element(envelope.accountIndex), Goldilocks(UInt64(envelope.apiKeyIndex)),
        ]
        switch body {
        case .createOrder(let order):
            elements += order.hashElements
        case .cancelOrder(let cancel):
            elements += [.element(cancel.marketIndex), .element(cancel.index)]
        case .cancelAllOrders(let cancelAll):
            elements += [Goldilocks(UInt64(cancelAll.mode.rawValue)), .element(cancelAll.time)]
        case .modifyOrder(let modify):
            elements += [
                .element(modify.marketIndex), .element(modify.index), .element(modify.baseAmount),
                Goldilocks(UInt64(modify.price)), Goldilocks(UInt64(modify.triggerPrice)),
            ]
        case .updateLeverage(let leverage):
            elements += [
                .element(leverage.marketIndex), Goldilocks(UInt64(leverage.initialMarginFraction)),
                Goldilocks(UInt64(leverage.marginMode.rawValue)),
            ]
        case .updateMargin(let margin):
            // Go: USDCAmount & 0xFFFFFFFF, then USDCAmount >> 32 (arithmetic shift of an int64).
            elements += [
                .element(margin.marketIndex), .element(margin.usdcAmount & 0xFFFF_FFFF),
                .element(margin.usdcAmount >> 32), Goldilocks(UInt64(margin.direction.rawValue)),
            ]
        case .createGroupedOrders(let group):
            elements.append(Goldilocks(UInt64(group.grouping.rawValue)))
            elements += group.aggregatedOrderHash
        case .withdraw(let withdraw):
            elements += [
                .element(Int64(withdraw.assetIndex)), Goldilocks(UInt64(withdraw.routeType.rawValue)),
                Goldilocks(withdraw.amount & 0xFFFF_FFFF), Goldilocks(withdraw.amount >> 32),
            ]
        case .transfer(let transfer):
            // Go: uint64(Amount) & 0xFFFFFFFF, uint64(Amount) >> 32 (logical shift), same for the fee.
            let amount = UInt64(bitPattern: transfer.amount)
            let fee = UInt64(bitPattern: transfer.usdcFee)
            elements += [
                .element(transfer.toAccountIndex), .element(Int64(transfer.assetIndex)),
                Goldilocks(UInt64(transfer.fromRouteType.rawValue)), Goldilocks(UInt64(transfer.toRouteType.rawValue)),
                Goldilocks(amount & 0xFFFF_FFFF), Goldilocks(amount >> 32),
                Goldilocks(fee & 0xFFFF_FFFF), Goldilocks(fee >> 32),
            ]
        }
        return elements
    }

    /// The hash of ``hashElements`` alone, before attributes (D.7 step 2).
    public var bodyHash: GFp5 {
        Poseidon2.hashToQuinticExtension(hashElements)
    }

    /// The message that is signed, whose hex is the transaction hash (D.7 steps 2–3): the body hash,
    /// combined with the attribute hash when any attribute is set.
    public var messageHash: GFp5 {
        let body = bodyHash
        guard let attributeElements = envelope.attributes.hashElements else { return body }
        let attributes = Poseidon2.hashToQuinticExtension(attributeElements)
        return Poseidon2.hashToQuinticExtension(body.limbs + attributes.limbs)
    }

    /// The transaction hash string: 80 lowercase hex characters of ``messageHash``, no `0x`.
    public var txHash: String {
        messageHash.hex
    }

    /// This transaction with every order's ``OrderInfo/defaultExpiry`` replaced by now + 28 days.
    public func resolvingDefaultExpiries(nowMilliseconds: Int64) -> Transaction {
        var copy = self
        switch body {
        case .createOrder(let order):
            copy.body = .createOrder(order.resolvingDefaultExpiry(nowMilliseconds: nowMilliseconds))
        case .createGroupedOrders(var group):
            group.orders = group.orders.map { $0.resolvingDefaultExpiry(nowMilliseconds: nowMilliseconds) }
            copy.body = .createGroupedOrders(group)
        default:
            break
        }
        return copy
    }

    /// Validates, hashes and signs with a fresh random nonce from the system CSPRNG.
    ///
    /// - Parameter key: the private key of ``TxEnvelope/apiKeyIndex``.
    /// - Throws: ``TxValidationError`` if the official signer would reject the transaction.
    public func signed(with key: PrivateKey) throws(TxValidationError) -> SignedTransaction {
        try validate()
        let message = messageHash
        return SignedTransaction(transaction: self, messageHash: message, signature: key.signature(for: message))
    }

    /// Validates, hashes and signs with a caller-chosen Schnorr nonce `k` (known-answer tests only).
    ///
    /// - Throws: ``TxValidationError`` if the official signer would reject the transaction.
    public func signed(with key: PrivateKey, nonce k: Scalar) throws(TxValidationError) -> SignedTransaction {
        try validate()
        let message = messageHash
        return SignedTransaction(
            transaction: self, messageHash: message, signature: key.signature(for: message, nonce: k)
        )
    }

    /// The `tx_info` JSON for this transaction with `signature` as `Sig` (`null` when `nil`), byte for
    /// byte what the official Go signer emits.
    public func txInfo(signature: SchnorrSignature?) -> String {
        TxInfoWriter.write(self, signature: signature)
    }
}

/// A signed transaction, ready to send: `tx_type` = ``type``, `tx_info` = ``txInfo``.
public struct SignedTransaction: Hashable, Sendable {
    /// The transaction.
    public let transaction: Transaction
    /// The signed message (the transaction hash).
    public let messageHash: GFp5
    /// The Schnorr signature over ``messageHash``.
    public let signature: SchnorrSignature
    /// The `tx_info` JSON, as the official signer writes it.
    public let txInfo: String

    /// Pairs a transaction with a signature (e.g. one received in a `tx_info`); the hash is recomputed,
    /// the signature is not checked — use ``isSignatureValid(for:)``.
    public init(transaction: Transaction, signature: SchnorrSignature) {
        self.init(transaction: transaction, messageHash: transaction.messageHash, signature: signature)
    }

    init(transaction: Transaction, messageHash: GFp5, signature: SchnorrSignature) {
        self.transaction = transaction
        self.messageHash = messageHash
        self.signature = signature
        self.txInfo = transaction.txInfo(signature: signature)
    }

    /// The transaction type (`tx_type`).
    public var type: TransactionType { transaction.type }

    /// The transaction hash: 80 lowercase hex characters, no `0x` (what the signer returns as `txHash`).
    public var txHash: String { messageHash.hex }

    /// Whether ``signature`` is a valid signature of ``messageHash`` by `publicKey`.
    public func isSignatureValid(for publicKey: PublicKey) -> Bool {
        publicKey.isValidSignature(signature, for: messageHash)
    }
}
