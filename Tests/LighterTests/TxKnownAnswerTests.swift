import Lighter
import LighterCrypto
import Testing

/// Fixed examples from the protocol notes (sections C.6 and G), produced by or checked against the
/// official 1.1.8 signer.
@Suite struct TxKnownAnswerTests {
    /// sk = bytes 0x01…0x28 (protocol notes G).
    static let exampleKeyHex = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728"
    static let examplePublicKeyHex = "710c8cd2201061fa5570d20852d90ddabd6c496825b639d6c6486ecb1f859b63f237dee54f3f42b4"

    /// The first C.6 example exactly as the official signer emitted it.
    static let createOrderTxInfo =
        #"{"AccountIndex":1234,"ApiKeyIndex":3,"MarketIndex":0,"ClientOrderIndex":1001,"BaseAmount":1000,"Price":405000,"IsAsk":1,"Type":0,"TimeInForce":2,"ReduceOnly":0,"TriggerPrice":0,"OrderExpiry":1800000000000,"ExpiredAt":1795269471126,"Nonce":42,"Sig":"d7BHnar0/dnz7rn4pI8oqD0gpletI8vnV7HBUrhRPDABeUNabTA6UGpQIhJl2I3Zl01wkvuXH1WRh0CFoSUEWL3g3cMJNw0xp2doHghXV1g=","L2TxAttributes":null}"#
    static let createOrderHash = "68157e11bd5ae3b3e4dd711827e3461e794c5f70c1faffa219be765fc04183c24bb8150a4d3b8c17"

    static let envelope1234 = TxEnvelope(chain: .mainnet, accountIndex: 1234, apiKeyIndex: 3, nonce: 42, expiredAt: 1_795_269_471_126)

    static func exampleCreateOrder() -> Transaction {
        Transaction(
            .createOrder(
                OrderInfo(
                    marketIndex: 0, clientOrderIndex: 1001, baseAmount: 1000, price: 405_000, isAsk: true,
                    type: .limit, timeInForce: .postOnly, orderExpiry: 1_800_000_000_000
                )
            ),
            envelope: envelope1234
        )
    }

    /// The synthetic CreateOrder of section G: chain 304, nonce 5, ExpiredAt 1799996400000, account
    /// 1234, key 3, market 1, COI 7, base 1000, price 300000, buy, limit, GTT, expiry 1800000000000.
    static func syntheticCreateOrder(attributes: TxAttributes = .none) -> Transaction {
        Transaction(
            .createOrder(
                OrderInfo(
                    marketIndex: 1, clientOrderIndex: 7, baseAmount: 1000, price: 300_000, isAsk: false,
                    type: .limit, timeInForce: .goodTillTime, orderExpiry: 1_800_000_000_000
                )
            ),
            envelope: TxEnvelope(
                chain: .mainnet, accountIndex: 1234, apiKeyIndex: 3, nonce: 5, expiredAt: 1_799_996_400_000,
                attributes: attributes
            )
        )
    }

    @Test func exampleKeyDerivesTheOfficialPublicKey() throws {
        let key = try PrivateKey(hex: Self.exampleKeyHex)
        #expect(key.publicKey.hex == Self.examplePublicKeyHex)
    }

    @Test func createOrderExampleHashAndExactJSON() throws {
        let transaction = Self.exampleCreateOrder()
        #expect(transaction.txHash == Self.createOrderHash)
        let signature = try #require(
            SchnorrSignature(
                base64: "d7BHnar0/dnz7rn4pI8oqD0gpletI8vnV7HBUrhRPDABeUNabTA6UGpQIhJl2I3Zl01wkvuXH1WRh0CFoSUEWL3g3cMJNw0xp2doHghXV1g="
            )
        )
        #expect(transaction.txInfo(signature: signature) == Self.createOrderTxInfo)
        let signed = SignedTransaction(transaction: transaction, signature: signature)
        #expect(signed.txInfo == Self.createOrderTxInfo)
        #expect(signed.txHash == Self.createOrderHash)
        #expect(signed.type.rawValue == 14)
        #expect(signed.isSignatureValid(for: try PublicKey(hex: Self.examplePublicKeyHex)))
    }

    @Test func createOrderExampleParsesBackToTheSameTransaction() throws {
        let parsed = try Transaction.parse(txType: 14, txInfo: Self.createOrderTxInfo, chain: .mainnet)
        #expect(parsed.transaction == Self.exampleCreateOrder())
        let signed = try #require(parsed.signed)
        #expect(signed.txInfo == Self.createOrderTxInfo)
        #expect(signed.txHash == Self.createOrderHash)
    }

    @Test func cancelOrderExampleHashAndJSON() throws {
        var envelope = Self.envelope1234
        envelope.nonce = 43
        envelope.expiredAt = 1_795_269_471_220
        let transaction = Transaction(.cancelOrder(CancelOrderTx(marketIndex: 0, index: 1001)), envelope: envelope)
        #expect(transaction.txHash == "e806973467393ba10b446c80383176bd833ae2016054a56870e1570b10a4983b498e83cbd198d600")
        // The notes elide the middle of this example's Sig, so sign here and check the surrounding bytes.
        let signed = try transaction.signed(with: try PrivateKey(hex: Self.exampleKeyHex))
        #expect(
            signed.txInfo
                == #"{"AccountIndex":1234,"ApiKeyIndex":3,"MarketIndex":0,"Index":1001,"ExpiredAt":1795269471220,"Nonce":43,"Sig":""#
                + signed.signature.base64 + #"","L2TxAttributes":null}"#
        )
        #expect(signed.signature.base64.count == 108)
        #expect(signed.isSignatureValid(for: try PublicKey(hex: Self.examplePublicKeyHex)))
    }

    @Test func syntheticHashesFromTheNotes() {
        #expect(
            Self.syntheticCreateOrder().txHash
                == "13c9828c795d5a09d473e62a3d51369918222550431b0211402442839966d577849a7b7a32e2219b"
        )
        #expect(
            Self.syntheticCreateOrder(attributes: TxAttributes(skipNonce: true)).txHash
                == "5be895a8ae0550fcb17cbb33054136d0e7a7bb9f0fc3cf2e019674faa0efe511dd0694249a22976e"
        )
        let cancel = Transaction(
            .cancelOrder(CancelOrderTx(marketIndex: 1, index: 7)),
            envelope: TxEnvelope(chain: .mainnet, accountIndex: 1234, apiKeyIndex: 3, nonce: 6, expiredAt: 1_799_996_400_000)
        )
        #expect(cancel.txHash == "e75a4076fcf97e57bc796331a43db17ff7d4c03bb92c7e6d8b9283921433833dc4039236d810273c")
    }

    @Test func syntheticCreateOrderElementsInHashOrder() {
        // [chain, type, nonce, expiredAt, account, key, market, coi, base, price, isAsk, type, tif, ro, trigger, expiry]
        let expected: [UInt64] = [304, 14, 5, 1_799_996_400_000, 1234, 3, 1, 7, 1000, 300_000, 0, 0, 1, 0, 0, 1_800_000_000_000]
        #expect(Self.syntheticCreateOrder().hashElements.map(\.value) == expected)
        #expect(Self.syntheticCreateOrder().envelope.attributes.hashElements == nil)
        #expect(
            Self.syntheticCreateOrder(attributes: TxAttributes(skipNonce: true)).envelope.attributes.hashElements?.map(\.value)
                == [4, 1, 0, 0, 0, 0, 0, 0]
        )
    }

    @Test func fixedNonceSignatureMatchesTheGoAlgorithm() throws {
        let key = try PrivateKey(hex: Self.exampleKeyHex)
        let signed = try Self.syntheticCreateOrder().signed(with: key, nonce: Scalar(123_456_789))
        #expect(
            signed.signature.hex
                == "413617b8af9838159171165add142d3e4f8cf74b1592675a3e565f6a7486643a3babcf028105df1b20f613a3c19f49d4ab36a1a9e14f45beeff4d4b3ae737566fdea2969eb2a5e2f54dfc869d75d154d"
        )
    }

    @Test func authMessageChunksAndHash() throws {
        let message = AuthToken.message(deadline: 1_795_300_000, accountIndex: 1234, apiKeyIndex: 3)
        #expect(message == "1795300000:1234:3")
        #expect(AuthToken.messageElements(message).map(\.value) == [3_472_328_309_197_059_889, 4_194_033_443_656_052_784, 51])
        #expect(
            AuthToken.messageHash(message).hex
                == "3ed3aab970c24709543bc3a866f6bad86b36e8819e5824628dfad7ff041a970a2f19248b48986c61"
        )
    }

    @Test func authTokenShapeAndVerification() throws {
        let key = try PrivateKey(hex: Self.exampleKeyHex)
        let token = AuthToken(deadline: 1_800_000_000, accountIndex: 1234, apiKeyIndex: 3, signingWith: key)
        // "1800000000:1234:3:" + 160 hex = 178 characters (protocol notes D.8).
        #expect(token.token.count == 178)
        #expect(token.token.hasPrefix("1800000000:1234:3:"))
        #expect(token.isValid(for: key.publicKey))
        let parsed = try AuthToken(parsing: token.token)
        #expect(parsed == token)
        #expect(!token.description.contains(token.signature.hex))
        // A different deadline is a different message: the signature no longer verifies.
        let moved = AuthToken(deadline: 1_800_000_001, accountIndex: 1234, apiKeyIndex: 3, signature: token.signature)
        #expect(!moved.isValid(for: key.publicKey))
        #expect(throws: AuthTokenError.self) { try AuthToken(parsing: "1800000000:1234:3") }
        #expect(throws: AuthTokenError.self) { try AuthToken(parsing: "1800000000:1234:3:abcd") }
        #expect(throws: AuthTokenError.self) { try AuthToken(parsing: "soon:1234:3:" + String(repeating: "0", count: 160)) }
    }

    @Test func otherNotesExamplesHaveTheSignersFieldOrder() throws {
        // C.6 lines 3–7 (ExpiredAt and Sig elided in the notes; a fixed ExpiredAt and null Sig here).
        var envelope = Self.envelope1234
        envelope.expiredAt = 1_795_269_471_300

        envelope.nonce = 11
        envelope.attributes = TxAttributes(cancelAllMarketIndex: 1)
        #expect(
            Transaction(.cancelAllOrders(.immediate), envelope: envelope).txInfo(signature: nil)
                == #"{"AccountIndex":1234,"ApiKeyIndex":3,"TimeInForce":0,"Time":0,"ExpiredAt":1795269471300,"Nonce":11,"Sig":null,"L2TxAttributes":{"5":1}}"#
        )

        envelope.nonce = 12
        envelope.attributes = TxAttributes(
            skipNonce: true, selfTradeBehavior: .expireBoth, selfTradeEquality: .sameMasterAccount, orderVersion: 1_795_269_999_123
        )
        let modify = ModifyOrderTx(marketIndex: 1, index: 7, baseAmount: 2000, price: 310_000)
        #expect(
            Transaction(.modifyOrder(modify), envelope: envelope).txInfo(signature: nil)
                == #"{"AccountIndex":1234,"ApiKeyIndex":3,"MarketIndex":1,"Index":7,"BaseAmount":2000,"Price":310000,"TriggerPrice":0,"ExpiredAt":1795269471300,"Nonce":12,"Sig":null,"L2TxAttributes":{"4":1,"6":2,"7":1,"8":1795269999123}}"#
        )

        envelope.nonce = 13
        envelope.attributes = .none
        let leverage = UpdateLeverageTx(marketIndex: 1, initialMarginFraction: 500, marginMode: .cross)
        #expect(
            Transaction(.updateLeverage(leverage), envelope: envelope).txInfo(signature: nil)
                == #"{"AccountIndex":1234,"ApiKeyIndex":3,"MarketIndex":1,"InitialMarginFraction":500,"MarginMode":0,"ExpiredAt":1795269471300,"Nonce":13,"Sig":null,"L2TxAttributes":null}"#
        )

        envelope.nonce = 14
        let margin = UpdateMarginTx(marketIndex: 1, usdcAmount: 21_474_836_603, direction: .add)
        #expect(
            Transaction(.updateMargin(margin), envelope: envelope).txInfo(signature: nil)
                == #"{"AccountIndex":1234,"ApiKeyIndex":3,"MarketIndex":1,"USDCAmount":21474836603,"Direction":1,"ExpiredAt":1795269471300,"Nonce":14,"Sig":null,"L2TxAttributes":null}"#
        )

        envelope.nonce = 22
        let parent = OrderInfo(
            marketIndex: 1, baseAmount: 1000, price: 300_000, isAsk: false, timeInForce: .goodTillTime,
            orderExpiry: 1_800_000_000_000
        )
        let stopLoss = OrderInfo(
            marketIndex: 1, baseAmount: 0, price: 290_000, isAsk: true, type: .stopLoss, timeInForce: .immediateOrCancel,
            reduceOnly: true, triggerPrice: 290_000, orderExpiry: 1_800_000_000_000
        )
        let group = CreateGroupedOrdersTx(grouping: .oneTriggersTheOther, orders: [parent, stopLoss])
        #expect(
            Transaction(.createGroupedOrders(group), envelope: envelope).txInfo(signature: nil)
                == #"{"AccountIndex":1234,"ApiKeyIndex":3,"GroupingType":1,"Orders":[{"MarketIndex":1,"ClientOrderIndex":0,"BaseAmount":1000,"Price":300000,"IsAsk":0,"Type":0,"TimeInForce":1,"ReduceOnly":0,"TriggerPrice":0,"OrderExpiry":1800000000000},{"MarketIndex":1,"ClientOrderIndex":0,"BaseAmount":0,"Price":290000,"IsAsk":1,"Type":2,"TimeInForce":0,"ReduceOnly":1,"TriggerPrice":290000,"OrderExpiry":1800000000000}],"ExpiredAt":1795269471300,"Nonce":22,"Sig":null,"L2TxAttributes":null}"#
        )
    }

    @Test func integratorAttributesJSONFromTheNotes() {
        // Observed on the 1.1.8 signer (notes G.7): "L2TxAttributes":{"1":55,"2":10,"3":1}.
        var transaction = Self.syntheticCreateOrder()
        transaction.envelope.attributes = TxAttributes(integrator: IntegratorFees(accountIndex: 55, takerFee: 10, makerFee: 1))
        #expect(transaction.txInfo(signature: nil).hasSuffix(#","Sig":null,"L2TxAttributes":{"1":55,"2":10,"3":1}}"#))
    }
}
