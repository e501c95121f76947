import Foundation
import Lighter
import LighterCrypto
import Testing

/// Field-to-element encoding of each transaction type (protocol notes C.3, D.7), computed by hand.
@Suite struct TxEncodingTests {
    static let envelope = TxEnvelope(chain: .testnet, accountIndex: 77, apiKeyIndex: 9, nonce: 1, expiredAt: 1_000)
    /// [chain, type, nonce, expiredAt, account, apiKey] for the envelope above.
    static func head(_ type: UInt64) -> [UInt64] { [300, type, 1, 1_000, 77, 9] }

    static func elements(_ body: TransactionBody) -> [UInt64] {
        Transaction(body, envelope: envelope).hashElements.map(\.value)
    }

    @Test func cancelOrderAndCancelAll() {
        #expect(Self.elements(.cancelOrder(CancelOrderTx(marketIndex: 2, index: (1 << 48) + 5))) == Self.head(15) + [2, 281_474_976_710_661])
        #expect(Self.elements(.cancelAllOrders(.scheduled(at: 1_800_000_000_000))) == Self.head(16) + [1, 1_800_000_000_000])
        #expect(Self.elements(.cancelAllOrders(.abortScheduled)) == Self.head(16) + [2, 0])
    }

    @Test func modifyAndLeverage() {
        let modify = ModifyOrderTx(marketIndex: 3, index: 11, baseAmount: 250, price: 4_000_000_000, triggerPrice: 7)
        #expect(Self.elements(.modifyOrder(modify)) == Self.head(17) + [3, 11, 250, 4_000_000_000, 7])
        let leverage = UpdateLeverageTx(marketIndex: 4, initialMarginFraction: 500, marginMode: .isolated)
        #expect(Self.elements(.updateLeverage(leverage)) == Self.head(20) + [4, 500, 1])
    }

    @Test func wideAmountsAreSplitIntoLowAndHighWords() {
        // 21474836603 = 5·2^32 + 123
        let margin = UpdateMarginTx(marketIndex: 1, usdcAmount: 21_474_836_603, direction: .add)
        #expect(Self.elements(.updateMargin(margin)) == Self.head(29) + [1, 123, 5, 1])
        // A negative amount (the signer accepts it): low word 2^32−5; high word −1 → 2^64−1 mod p = 2^32−2.
        let negative = UpdateMarginTx(marketIndex: 1, usdcAmount: -5, direction: .remove)
        #expect(Self.elements(.updateMargin(negative)) == Self.head(29) + [1, 4_294_967_291, 4_294_967_294, 0])
        let withdraw = WithdrawTx(assetIndex: 3, routeType: .spot, amount: (7 << 32) + 9)
        #expect(Self.elements(.withdraw(withdraw)) == Self.head(13) + [3, 1, 9, 7])
        let transfer = TransferTx(
            toAccountIndex: 88, assetIndex: 1, fromRouteType: .spot, toRouteType: .perps, amount: (2 << 32) + 1, usdcFee: (3 << 32) + 4
        )
        #expect(Self.elements(.transfer(transfer)) == Self.head(12) + [88, 1, 1, 0, 1, 2, 4, 3])
    }

    @Test func groupedOrdersAppendTheAggregatedOrderHash() {
        let parent = OrderInfo(marketIndex: 1, baseAmount: 1000, price: 300_000, isAsk: false, orderExpiry: 1_800_000_000_000)
        let child = OrderInfo(
            marketIndex: 1, baseAmount: 0, price: 290_000, isAsk: true, type: .stopLoss, timeInForce: .immediateOrCancel,
            reduceOnly: true, triggerPrice: 290_000, orderExpiry: 1_800_000_000_000
        )
        #expect(child.hashElements.map(\.value) == [1, 0, 0, 290_000, 1, 2, 0, 1, 290_000, 1_800_000_000_000])
        let group = CreateGroupedOrdersTx(grouping: .oneTriggersTheOther, orders: [parent, child])
        let elements = Self.elements(.createGroupedOrders(group))
        #expect(elements.count == 11)
        #expect(Array(elements.prefix(7)) == Self.head(28) + [1])
        let expected = Poseidon2.hashTwoToOne(Poseidon2.hashNoPad(parent.hashElements), Poseidon2.hashNoPad(child.hashElements))
        #expect(Array(elements.suffix(4)) == expected.map(\.value))
    }

    @Test func attributeElementsAreSortedAndPadded() throws {
        let attributes = TxAttributes(skipNonce: true, selfTradeBehavior: .expireBoth, selfTradeEquality: .sameMasterAccount, orderVersion: 99)
        #expect(try #require(attributes.hashElements).map(\.value) == [4, 1, 6, 2, 7, 1, 8, 99])
        let cancelAll = TxAttributes(cancelAllMarketIndex: 0)
        #expect(try #require(cancelAll.hashElements).map(\.value) == [5, 0, 0, 0, 0, 0, 0, 0])
        // With attributes, the message hash is H(bodyHash ‖ H(attributes)), not the body hash.
        let transaction = Transaction(.cancelAllOrders(.immediate), envelope: TxEnvelope(
            chain: .mainnet, accountIndex: 1, apiKeyIndex: 0, nonce: 0, expiredAt: 0, attributes: cancelAll
        ))
        let combined = Poseidon2.hashToQuinticExtension(
            transaction.bodyHash.limbs + Poseidon2.hashToQuinticExtension(try #require(cancelAll.hashElements)).limbs
        )
        #expect(transaction.messageHash == combined)
        #expect(transaction.messageHash != transaction.bodyHash)
    }

    @Test func parsingRejectsMalformedTxInfoNamingTheField() {
        #expect(throws: TxParseError.unsupportedType(99)) { try Transaction.parse(txType: 99, txInfo: "{}", chain: .mainnet) }
        #expect(throws: TxParseError.missingField("AccountIndex")) { try Transaction.parse(txType: 15, txInfo: "{}", chain: .mainnet) }
        let cancel = #"{"AccountIndex":1,"ApiKeyIndex":300,"MarketIndex":0,"Index":5,"ExpiredAt":1,"Nonce":1,"Sig":null,"L2TxAttributes":null}"#
        #expect(throws: TxParseError.invalidField("ApiKeyIndex", reason: "300 is out of range for UInt8")) {
            try Transaction.parse(txType: 15, txInfo: cancel, chain: .mainnet)
        }
        let badSide = TxKnownAnswerTests.createOrderTxInfo.replacingOccurrences(of: #""IsAsk":1"#, with: #""IsAsk":2"#)
        #expect(throws: TxParseError.invalidField("IsAsk", reason: "2 is not 0 or 1")) {
            try Transaction.parse(txType: 14, txInfo: badSide, chain: .mainnet)
        }
        let badSig = TxKnownAnswerTests.createOrderTxInfo.replacingOccurrences(of: #""Sig":"d7BH"#, with: #""Sig":"d7B"#)
        #expect(throws: TxParseError.self) { try Transaction.parse(txType: 14, txInfo: badSig, chain: .mainnet) }
        #expect(throws: TxParseError.self) { try Transaction.parse(txType: 14, txInfo: "[1,2]", chain: .mainnet) }
        #expect(throws: TxParseError.self) { try Transaction.parse(txType: 14, txInfo: #"{"AccountIndex":1"#, chain: .mainnet) }
        // Key order and whitespace do not matter when reading; unsigned transactions parse with no signature.
        let spaced = #"{ "Nonce": 1, "ExpiredAt": 1, "Index": 5, "MarketIndex": 0, "ApiKeyIndex": 3, "AccountIndex": 1 }"#
        let parsed = try? Transaction.parse(txType: 15, txInfo: spaced, chain: .testnet)
        #expect(parsed?.signature == nil)
        #expect(parsed?.transaction == Transaction(
            .cancelOrder(CancelOrderTx(marketIndex: 0, index: 5)),
            envelope: TxEnvelope(chain: .testnet, accountIndex: 1, apiKeyIndex: 3, nonce: 1, expiredAt: 1)
        ))
    }

    @Test func transferJSONHasMemoAndL1SigInGoOrder() {
        var memo = [UInt8](repeating: 0, count: 32)
        memo[0] = 171
        memo[31] = 1
        let transfer = TransferTx(
            toAccountIndex: 5, assetIndex: 3, fromRouteType: .perps, toRouteType: .spot, amount: 5, usdcFee: 0, memo: memo,
            l1Signature: "0x<&>"
        )
        let json = Transaction(.transfer(transfer), envelope: Self.envelope).txInfo(signature: nil)
        let zeros = Array(repeating: "0", count: 30).joined(separator: ",")
        // Go escapes <, > and & inside strings.
        #expect(json == #"{"FromAccountIndex":77,"ApiKeyIndex":9,"ToAccountIndex":5,"AssetIndex":3,"FromRouteType":0,"ToRouteType":1,"Amount":5,"USDCFee":0,"Memo":[171,"# + zeros + #",1],"ExpiredAt":1000,"Nonce":1,"Sig":null,"L1Sig":"0x\u003c\u0026\u003e","L2TxAttributes":null}"#)
        let parsed = try? Transaction.parse(txType: 12, txInfo: json, chain: .testnet)
        #expect(parsed?.transaction == Transaction(.transfer(transfer), envelope: Self.envelope))
    }
}
