@testable import LighterCrypto
import Testing

/// Known answers from poseidon_crypto `hash/poseidon2_goldilocks_plonky2/poseidon2_test.go` and from
/// the protocol notes (section D.4).
@Suite struct Poseidon2Tests {
    func elements(_ values: [UInt64]) -> [Goldilocks] { values.map { Goldilocks($0) } }

    @Test func permutationKnownAnswer() {
        var state = elements([
            5_417_613_058_500_526_590, 2_481_548_824_842_427_254, 6_473_243_198_879_784_792, 1_720_313_757_066_167_274,
            2_806_320_291_675_974_571, 7_407_976_414_706_455_446, 1_105_257_841_424_046_885, 7_613_435_757_403_328_049,
            3_376_066_686_066_811_538, 5_888_575_799_323_675_710, 6_689_309_723_188_675_948, 2_468_250_420_241_012_720,
        ])
        Poseidon2.permute(&state)
        #expect(state.map(\.value) == [
            5_364_184_781_011_389_007, 15_309_475_861_242_939_136, 5_983_386_513_087_443_499, 886_942_118_604_446_276,
            14_903_657_885_227_062_600, 7_742_650_891_575_941_298, 1_962_182_278_500_985_790, 10_213_480_816_595_178_755,
            3_510_799_061_817_443_836, 4_610_029_967_627_506_430, 7_566_382_334_276_534_836, 2_288_460_879_362_380_348,
        ])
    }

    @Test func hashNToMNoPadKnownAnswer() {
        let input = elements([
            2_963_773_914_414_780_088, 8_389_525_300_242_074_234, 3_700_959_901_615_818_008, 6_116_199_383_751_757_212,
            3_418_607_418_699_599_889, 8_793_277_256_263_635_044, 448_623_437_464_918_480, 1_857_310_021_116_627_925,
            6_145_634_616_307_237_342, 1_548_353_948_794_474_539, 2_318_110_128_254_703_527, 8_347_759_953_730_634_762,
        ])
        #expect(Poseidon2.hashNToMNoPad(input, outputs: 12).map(\.value) == [
            3_627_923_032_009_111_551, 1_460_752_551_327_577_353, 1_084_214_837_491_058_067, 1_841_622_875_286_057_462,
            3_996_252_440_506_437_984, 1_276_718_204_392_552_803, 8_564_515_621_134_952_155, 9_252_927_025_993_202_701,
            1_147_435_538_714_642_916, 16_407_277_821_156_164_797, 11_997_661_877_740_155_273, 12_485_021_000_320_141_292,
        ])
    }

    @Test func hashNoPadKnownAnswers() {
        let input = elements([
            11_295_517_158_488_612_626, 10_669_470_463_693_797_151, 17_232_114_065_640_264_171, 4_175_927_072_186_299_193,
            13_985_285_184_240_204_531, 7_901_017_084_268_693_144, 4_326_299_618_263_946_178, 14_787_024_750_292_535_041,
            894_520_636_503_353_046, 12_556_655_399_058_578_835, 3_097_737_892_474_696_200, 7_515_335_668_060_050_861,
        ])
        #expect(Poseidon2.hashNoPad(input).map(\.value) == [
            15_396_602_476_382_546_759, 12_422_280_135_166_335_470, 8_165_681_190_607_828_974, 3_475_588_160_239_961_712,
        ])
        // Inputs at or above p are reduced first (Go's TestHashNToHashNoPadLarge).
        let p: UInt64 = 0xFFFF_FFFF_0000_0001
        #expect(Poseidon2.hashNoPad(elements([p + 1, p + 2, p + 3, .max, .max - 1])).map(\.value) == [
            14_216_040_864_787_980_138, 17_275_303_675_000_904_868, 11_831_395_338_463_193_314, 281_267_649_235_863_375,
        ])
    }

    @Test func hashTwoToOneKnownAnswer() {
        let a = elements([3_777_312_593_917_610_528, 6_858_608_920_877_200_812, 5_269_611_035_257_552_853, 10_607_733_449_481_270_434])
        let b = elements([10_355_703_322_562_521_155, 1_039_917_189_921_776_884, 10_844_249_567_941_924_238, 14_291_130_953_945_924_124])
        #expect(Poseidon2.hashTwoToOne(a, b).map(\.value) == [
            1_453_933_811_752_520_343, 16_186_418_140_372_484_281, 9_207_215_809_524_681_813, 10_182_182_911_172_027_974,
        ])
    }

    @Test func hashToQuinticExtensionProtocolVectors() {
        #expect(Poseidon2.hashToQuinticExtension(elements([1, 2, 3])).values == [
            9_012_335_156_113_876_971, 15_010_880_231_141_122_522, 4_012_923_551_176_940_486, 9_336_101_679_595_537_887,
            3_273_591_152_248_699_825,
        ])
        #expect(Poseidon2.hashToQuinticExtension(elements(Array(1 ... 16))).values == [
            3_022_238_987_280_540_295, 6_090_905_146_767_050_079, 17_174_541_342_790_884_440, 10_372_049_799_004_552_184,
            2_569_894_147_314_989_780,
        ])
    }

    @Test func protocolTransactionAndAuthHashes() {
        // Synthetic CreateOrder (doc G): chain 304, type 14, then the fields.
        let createOrder = elements([304, 14, 5, 1_799_996_400_000, 1234, 3, 1, 7, 1000, 300_000, 0, 0, 1, 0, 0, 1_800_000_000_000])
        #expect(Poseidon2.hashToQuinticExtension(createOrder).hex ==
            "13c9828c795d5a09d473e62a3d51369918222550431b0211402442839966d577849a7b7a32e2219b")
        // Auth message "1795300000:1234:3" in 8-byte little-endian chunks.
        let auth = elements([3_472_328_309_197_059_889, 4_194_033_443_656_052_784, 51])
        #expect(Poseidon2.hashToQuinticExtension(auth).hex ==
            "3ed3aab970c24709543bc3a866f6bad86b36e8819e5824628dfad7ff041a970a2f19248b48986c61")
    }

    @Test func tenElementFastPathMatchesGenericSponge() {
        var rng = SplitMix64(state: 9)
        for _ in 0 ..< 20 {
            let r = GFp5.random(using: &rng), m = GFp5.random(using: &rng)
            #expect(Poseidon2.hashToQuinticExtension(r, m) == Poseidon2.hashToQuinticExtension(r.limbs + m.limbs))
        }
    }
}
