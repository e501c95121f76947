@testable import LighterCrypto
import Testing

@Suite struct SchnorrTests {
    static let docKeyHex = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728"

    @Test func publicKeyOfOneIsTheGenerator() throws {
        let key = try PrivateKey(hex: "01" + String(repeating: "00", count: 39))
        #expect(key.publicKey.hex == "04" + String(repeating: "00", count: 39))
    }

    @Test func publicKeyOfProtocolDocKey() throws {
        let key = try PrivateKey(hex: Self.docKeyHex)
        #expect(key.publicKey.hex == "710c8cd2201061fa5570d20852d90ddabd6c496825b639d6c6486ecb1f859b63f237dee54f3f42b4")
    }

    @Test func fixedNonceProtocolVector() throws {
        let key = try PrivateKey(hex: "0x" + Self.docKeyHex)
        let message = try #require(GFp5(hex: "13c9828c795d5a09d473e62a3d51369918222550431b0211402442839966d577849a7b7a32e2219b"))
        let signature = key.signature(for: message, nonce: Scalar(123_456_789))
        #expect(signature.hex == "413617b8af9838159171165add142d3e4f8cf74b1592675a3e565f6a7486643a3babcf028105df1b20f613a3c19f49d4ab36a1a9e14f45beeff4d4b3ae737566fdea2969eb2a5e2f54dfc869d75d154d")
        #expect(key.publicKey.isValidSignature(signature, for: message))
    }

    /// TestComparativeSchnorrSignAndVerify in poseidon_crypto `signature/schnorr/schnorr_test.go`.
    @Test(arguments: [
        (
            [12_235_002_942_052_073_545, 1_175_977_464_658_719_998, 8_536_934_969_147_463_310, 6_524_687_619_313_720_391, 2_922_072_024_880_609_112] as [UInt64],
            [8_398_652_514_106_806_347, 11_069_112_711_939_986_896, 9_732_488_227_085_561_369, 18_076_754_337_204_438_535, 17_155_407_358_725_346_236] as [UInt64],
            [5_245_666_847_777_449_560, 15_178_169_970_799_106_939, 4_403_065_012_435_293_749, 15_306_540_389_399_388_999, 8_935_555_081_913_173_844] as [UInt64],
            [6_950_590_877_883_398_434, 17_178_336_263_794_770_543, 11_012_823_478_139_181_320, 16_445_091_359_523_510_936, 5_882_925_226_143_600_273] as [UInt64],
            [4_544_744_459_434_870_309, 4_180_764_085_957_612_004, 3_024_669_018_778_978_615, 15_433_417_688_859_446_606, 6_775_027_260_348_937_828] as [UInt64]
        ),
        (
            [14_609_471_659_974_493_146, 15_558_617_123_161_593_410, 853_367_204_868_339_037, 17_594_253_198_278_631_904, 368_396_584_122_947_478],
            [14_569_490_467_507_212_064, 2_707_063_505_563_578_676, 7_506_743_487_465_742_335, 12_569_771_346_154_554_175, 4_305_083_698_940_175_790],
            [1_980_123_857_560_067_020, 10_696_795_398_834_097_509, 3_211_831_869_376_171_671, 6_194_822_139_276_031_840, 3_482_023_782_412_490_864],
            [15_189_311_883_262_425_203, 16_924_634_885_527_914_505, 11_098_200_095_411_565_797, 11_441_434_601_417_451_505, 2_245_797_172_600_273_048],
            [4_905_460_437_060_282_008, 9_275_377_852_059_362_729, 10_383_772_785_796_962_929, 6_858_067_464_918_579_610, 7_078_247_668_913_970_626]
        ),
        (
            [846_395_111_423_676_945, 1_354_180_063_821_346_280, 5_751_371_120_309_175_011, 4_898_038_106_472_090_654, 1_076_345_918_732_914_302],
            [17_529_153_479_246_803_593, 1_743_712_677_205_511_695, 4_834_285_972_617_397_460, 5_486_672_566_342_530_358, 7_254_989_001_695_704_129],
            [10_299_597_990_997_564_957, 8_547_298_489_021_408_803, 12_250_978_550_108_858_722, 5_282_281_975_236_198_197, 5_328_603_554_431_393_061],
            [1_747_989_245_728_027_396, 18_083_435_619_737_379_521, 18_276_259_610_811_995_786, 15_101_757_397_705_334_408, 5_007_814_817_019_340_642],
            [4_911_725_746_357_568_132, 12_205_663_641_120_664_338, 16_433_506_899_074_513_700, 14_763_562_571_101_437_023, 2_547_950_465_160_283_358]
        ),
    ])
    func goFixedNonceVectors(sk: [UInt64], message: [UInt64], k: [UInt64], expectedS: [UInt64], expectedE: [UInt64]) throws {
        let key = try PrivateKey(bytes: Scalar(limbs: sk).littleEndianBytes)
        let m = GFp5(message)
        let signature = key.signature(for: m, nonce: Scalar(limbs: k))
        #expect(signature.bytes == Scalar(limbs: expectedS).littleEndianBytes + Scalar(limbs: expectedE).littleEndianBytes)
        #expect(key.publicKey.isValidSignature(signature, for: m))
    }

    @Test func randomizedSignaturesVerifyAndDiffer() throws {
        let key = PrivateKey.generate()
        let message = Poseidon2.hashToQuinticExtension([Goldilocks(1), Goldilocks(2)])
        let first = key.signature(for: message)
        let second = key.signature(for: message)
        #expect(first != second)
        #expect(key.publicKey.isValidSignature(first, for: message))
        #expect(key.publicKey.isValidSignature(second, for: message))
    }

    @Test func tamperingIsRejected() throws {
        let key = try PrivateKey(hex: Self.docKeyHex)
        let message = try #require(GFp5(hex: "13c9828c795d5a09d473e62a3d51369918222550431b0211402442839966d577849a7b7a32e2219b"))
        let signature = key.signature(for: message)
        #expect(key.publicKey.isValidSignature(signature, for: message))

        // A flipped bit in each limb of the message.
        for limb in 0 ..< 5 {
            var bytes = message.bytes
            bytes[8 * limb] ^= 1
            let tampered = try #require(GFp5(bytes: bytes))
            #expect(!key.publicKey.isValidSignature(signature, for: tampered))
        }
        // A flipped bit in s, then in e (bytes 0..<40 are s, 40..<80 are e).
        for index in [0, 17, 39, 40, 63, 79] {
            var bytes = signature.bytes
            bytes[index] ^= 0x04
            let tampered = try #require(SchnorrSignature(bytes: bytes))
            #expect(!key.publicKey.isValidSignature(tampered, for: message), "byte \(index)")
        }
        // Another key.
        let other = try PrivateKey(hex: "01" + String(repeating: "00", count: 39))
        #expect(!other.publicKey.isValidSignature(signature, for: message))
        // A flipped bit in the public key: either not decodable or a different key.
        var pkBytes = key.publicKey.bytes
        pkBytes[3] ^= 0x10
        if let tamperedKey = PublicKey(bytes: pkBytes) {
            #expect(!tamperedKey.isValidSignature(signature, for: message))
        }
    }

    @Test func nonCanonicalScalarsAreRejected() throws {
        let key = try PrivateKey(hex: Self.docKeyHex)
        let message = try #require(GFp5(hex: "13c9828c795d5a09d473e62a3d51369918222550431b0211402442839966d577849a7b7a32e2219b"))
        let signature = key.signature(for: message, nonce: Scalar(123_456_789))
        #expect(key.publicKey.isValidSignature(signature, for: message))
        // s + n and e + n are congruent, but must be rejected (n hex from the protocol notes, little-endian).
        let nLE = try #require(Hex.decode("e1ff8b9496d90fe89ca024d7395c88e83906b8cfe6ffff7f16000000f1ffff7f07000080fdffff7f"))
        func addN(_ part: ArraySlice<UInt8>) -> [UInt8] {
            var out = [UInt8]()
            var carry = 0
            for (a, b) in zip(part, nLE) {
                let sum = Int(a) + Int(b) + carry
                out.append(UInt8(sum & 0xFF))
                carry = sum >> 8
            }
            return out
        }
        let sPlusN = try #require(SchnorrSignature(bytes: addN(signature.bytes[0 ..< 40]) + signature.bytes[40 ..< 80]))
        let ePlusN = try #require(SchnorrSignature(bytes: Array(signature.bytes[0 ..< 40]) + addN(signature.bytes[40 ..< 80])))
        #expect(!key.publicKey.isValidSignature(sPlusN, for: message))
        #expect(!key.publicKey.isValidSignature(ePlusN, for: message))
        let allOnes = try #require(SchnorrSignature(bytes: [UInt8](repeating: 0xFF, count: 80)))
        #expect(!key.publicKey.isValidSignature(allOnes, for: message))
    }

    @Test func signatureEncodings() throws {
        let bytes = (0 ..< 80).map { UInt8($0) }
        let signature = try #require(SchnorrSignature(bytes: bytes))
        #expect(SchnorrSignature(base64: signature.base64) == signature)
        #expect(SchnorrSignature(hex: signature.hex) == signature)
        #expect(signature.hex.count == 160)
        // Standard base64 of 00 01 02: "AAEC"; 80 bytes need 108 characters with no padding.
        #expect(signature.base64.hasPrefix("AAEC"))
        #expect(signature.base64.count == 108)
        #expect(SchnorrSignature(bytes: bytes.dropLast()) == nil)
        #expect(SchnorrSignature(base64: "AAEC") == nil)
        #expect(SchnorrSignature(base64: "not base64!") == nil)
    }
}
