import Lighter
import LighterCrypto
import Testing

/// Changing any hashed field changes the hash, and the official signature then fails to verify.
@Suite struct TxTamperingTests {
    struct Tamper: Sendable, CustomTestStringConvertible {
        let name: String
        let apply: @Sendable (inout Transaction) -> Void
        var testDescription: String { name }
    }

    static let officialSignatureBase64 =
        "d7BHnar0/dnz7rn4pI8oqD0gpletI8vnV7HBUrhRPDABeUNabTA6UGpQIhJl2I3Zl01wkvuXH1WRh0CFoSUEWL3g3cMJNw0xp2doHghXV1g="

    static func updateOrder(_ transaction: inout Transaction, _ change: (inout OrderInfo) -> Void) {
        guard case .createOrder(var order) = transaction.body else { return }
        change(&order)
        transaction.body = .createOrder(order)
    }

    static let tampers: [Tamper] = [
        Tamper(name: "price") { tx in updateOrder(&tx) { $0.price += 1 } },
        Tamper(name: "nonce") { $0.envelope.nonce += 1 },
        Tamper(name: "account") { $0.envelope.accountIndex += 1 },
        Tamper(name: "chain id") { $0.envelope.chain = .testnet },
        Tamper(name: "API key") { $0.envelope.apiKeyIndex = 4 },
        Tamper(name: "ExpiredAt") { $0.envelope.expiredAt += 1 },
        Tamper(name: "side") { tx in updateOrder(&tx) { $0.isAsk.toggle() } },
        Tamper(name: "size") { tx in updateOrder(&tx) { $0.baseAmount = 1001 } },
        Tamper(name: "market") { tx in updateOrder(&tx) { $0.marketIndex = 1 } },
        Tamper(name: "client order index") { tx in updateOrder(&tx) { $0.clientOrderIndex = 1002 } },
        Tamper(name: "order expiry") { tx in updateOrder(&tx) { $0.orderExpiry += 1 } },
        Tamper(name: "time in force") { tx in updateOrder(&tx) { $0.timeInForce = .goodTillTime } },
        Tamper(name: "reduce-only") { tx in updateOrder(&tx) { $0.reduceOnly = true } },
        Tamper(name: "skip-nonce attribute") { $0.envelope.attributes.skipNonce = true },
        Tamper(name: "self-trade attribute") { $0.envelope.attributes.selfTradeBehavior = .expireTaker },
    ]

    @Test(arguments: tampers)
    func aChangedFieldInvalidatesTheOfficialSignature(_ tamper: Tamper) throws {
        let original = TxKnownAnswerTests.exampleCreateOrder()
        let signature = try #require(SchnorrSignature(base64: Self.officialSignatureBase64))
        let publicKey = try PublicKey(hex: TxKnownAnswerTests.examplePublicKeyHex)
        #expect(original.txHash == TxKnownAnswerTests.createOrderHash)
        #expect(publicKey.isValidSignature(signature, for: original.messageHash))

        var tampered = original
        tamper.apply(&tampered)
        #expect(tampered != original)
        #expect(tampered.txHash != TxKnownAnswerTests.createOrderHash)
        #expect(!SignedTransaction(transaction: tampered, signature: signature).isSignatureValid(for: publicKey))
    }

    @Test func aChangedSignatureOrKeyDoesNotVerify() throws {
        let transaction = TxKnownAnswerTests.exampleCreateOrder()
        let signature = try #require(SchnorrSignature(base64: Self.officialSignatureBase64))
        var bytes = signature.bytes
        bytes[3] ^= 0x01
        let flipped = try #require(SchnorrSignature(bytes: bytes))
        let publicKey = try PublicKey(hex: TxKnownAnswerTests.examplePublicKeyHex)
        #expect(!SignedTransaction(transaction: transaction, signature: flipped).isSignatureValid(for: publicKey))
        let otherKey = PrivateKey.generate().publicKey
        #expect(!SignedTransaction(transaction: transaction, signature: signature).isSignatureValid(for: otherKey))
    }

    @Test func sigL1SigAndMemoAreNotHashed() {
        // Protocol notes C.6: the hash covers neither Sig, nor L1Sig, nor the transfer memo.
        let envelope = TxEnvelope(chain: .mainnet, accountIndex: 1234, apiKeyIndex: 3, nonce: 9, expiredAt: 1_799_996_400_000)
        let plain = TransferTx(toAccountIndex: 5, assetIndex: 3, fromRouteType: .perps, toRouteType: .perps, amount: 5, usdcFee: 0)
        var annotated = plain
        annotated.memo = [UInt8](repeating: 0xAB, count: 32)
        annotated.l1Signature = "0x1234"
        #expect(Transaction(.transfer(plain), envelope: envelope).txHash == Transaction(.transfer(annotated), envelope: envelope).txHash)
        var richer = plain
        richer.usdcFee = 1
        #expect(Transaction(.transfer(plain), envelope: envelope).txHash != Transaction(.transfer(richer), envelope: envelope).txHash)
    }
}
