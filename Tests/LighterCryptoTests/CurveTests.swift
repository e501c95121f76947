@testable import LighterCrypto
import Testing

/// Known answers from poseidon_crypto `curve/ecgfp5/curve_test.go` and the protocol notes (D.5).
@Suite struct CurveTests {
    /// testVectors(): w0 = neutral, P1 random, P2 = e·P1, P3 = P1 + P2, P4 = 2·P1, P5 = 2·P2, P6 = 2·P1 + P2, P7 = P1 + 2·P2.
    static let encodings: [GFp5] = [
        .zero,
        GFp5([12_539_254_003_028_696_409, 15_524_144_070_600_887_654, 15_092_036_948_424_041_984, 11_398_871_370_327_264_211, 10_958_391_180_505_708_567]),
        GFp5([11_001_943_240_060_308_920, 17_075_173_755_187_928_434, 3_940_989_555_384_655_766, 15_017_795_574_860_011_099, 5_548_543_797_011_402_287]),
        GFp5([246_872_606_398_642_312, 4_900_963_247_917_836_450, 7_327_006_728_177_203_977, 13_945_036_888_436_667_069, 3_062_018_119_121_328_861]),
        GFp5([8_058_035_104_653_144_162, 16_041_715_455_419_993_830, 7_448_530_016_070_824_199, 11_253_639_182_222_911_208, 6_228_757_819_849_640_866]),
        GFp5([10_523_134_687_509_281_194, 11_148_711_503_117_769_087, 9_056_499_921_957_594_891, 13_016_664_454_465_495_026, 16_494_247_923_890_248_266]),
        GFp5([12_173_306_542_237_620, 6_587_231_965_341_539_782, 17_027_985_748_515_888_117, 17_194_831_817_613_584_995, 10_056_734_072_351_459_010]),
        GFp5([9_420_857_400_785_992_333, 4_695_934_009_314_206_363, 14_471_922_162_341_187_302, 13_395_190_104_221_781_928, 16_359_223_219_913_018_041]),
    ]

    /// Values that must not decode (TestBasicOps).
    static let invalidEncodings: [GFp5] = [
        GFp5([13_557_832_913_345_268_708, 15_669_280_705_791_538_619, 8_534_654_657_267_986_396, 12_533_218_303_838_131_749, 5_058_070_698_878_426_028]),
        GFp5([135_036_726_621_282_077, 17_283_229_938_160_287_622, 13_113_167_081_889_323_961, 1_653_240_450_380_825_271, 520_025_869_628_727_862]),
        GFp5([6_727_960_962_624_180_771, 17_240_764_188_796_091_916, 3_954_717_247_028_503_753, 1_002_781_561_619_501_488, 4_295_357_288_570_643_789]),
        GFp5([4_578_929_270_179_684_956, 3_866_930_513_245_945_042, 7_662_265_318_638_150_701, 9_503_686_272_550_423_634, 12_241_691_520_798_116_285]),
        GFp5([16_890_297_404_904_119_082, 6_169_724_643_582_733_633, 9_725_973_298_012_340_311, 5_977_049_210_035_183_790, 11_379_332_130_141_664_883]),
        GFp5([13_777_379_982_711_219_130, 14_715_168_412_651_470_168, 17_942_199_593_791_635_585, 6_188_824_164_976_547_520, 15_461_469_634_034_461_986]),
    ]

    @Test func generatorEncodesToFour() {
        #expect(ECPoint.generator.encode() == GFp5(4, 0, 0, 0, 0))
        #expect(ECPoint.neutral.encode() == .zero)
    }

    @Test func invalidEncodingsAreRejected() {
        for w in Self.invalidEncodings {
            #expect(ECPoint(decoding: w) == nil, "\(w)")
        }
    }

    @Test func decodeEncodeRoundTripAndGroupLaw() throws {
        var points = [ECPoint]()
        for w in Self.encodings {
            let p = try #require(ECPoint(decoding: w), "\(w)")
            #expect(p.encode() == w)
            points.append(p)
        }
        let w = Self.encodings
        #expect(points[0].isNeutral)
        #expect(points[1].adding(points[2]).encode() == w[3])
        #expect(points[1].adding(points[1]).encode() == w[4])
        #expect(points[2].doubled().encode() == w[5])
        #expect(points[1].doubled().adding(points[2]).encode() == w[6])
        #expect(points[1].adding(points[2]).adding(points[2]).encode() == w[7])
        #expect(points[0].adding(points[1]).encode() == w[1])
        #expect(points[0].doubled().encode() == .zero)
        for n in 0 ..< 10 {
            var repeated = points[1]
            for _ in 0 ..< n { repeated = repeated.doubled() }
            #expect(points[1].doubled(times: n).isEqual(to: repeated), "2^\(n)")
        }
        let affine2 = AffinePoint(x: points[2].x * points[2].z.inverse(), u: points[2].u * points[2].t.inverse())
        #expect(points[1].adding(affine2).isEqual(to: points[1].adding(points[2])))
    }

    @Test func goScalarMultiplicationKnownAnswer() {
        let p1 = ECPoint(
            x: GFp5([16_818_074_783_491_816_710, 5_830_279_414_330_569_119, 3_449_083_115_922_675_783, 1_268_145_320_872_323_641, 12_614_816_166_275_380_125]),
            z: .one, u: .one,
            t: GFp5([7_534_507_442_095_725_921, 16_658_460_051_907_528_927, 12_417_574_136_563_175_256, 2_750_788_641_759_288_856, 620_002_843_272_906_439])
        )
        let k = Scalar(limbs: [996_458_928_865_875_995, 7_368_213_710_557_165_165, 8_553_572_641_065_079_816, 15_282_443_801_767_955_752, 251_150_557_732_720_826])
        let expected = ECPoint(
            x: GFp5([16_885_333_682_092_300_432, 5_595_343_485_914_691_669, 13_188_593_663_496_831_978, 10_414_629_856_394_645_794, 5_668_658_507_670_629_815]),
            z: .one, u: .one,
            t: GFp5([9_486_104_512_504_676_657, 14_312_981_644_741_144_668, 5_159_846_406_177_847_664, 15_978_863_787_033_795_628, 3_249_948_839_313_771_192])
        )
        #expect(p1.multiplied(by: k).isEqual(to: expected))
    }

    @Test func fixedBaseMatchesVariableBaseMultiplication() {
        var rng = SplitMix64(state: 11)
        let n = Scalar.order
        let edgeScalars = [Scalar.zero, .one, Scalar(2), Scalar(16), Scalar(17), Scalar(limbs: n.limbs) /* = 0 */, .zero - .one]
        var scalars = edgeScalars
        for _ in 0 ..< 10 { scalars.append(Scalar(limbs: [rng.next(), rng.next(), rng.next(), rng.next(), rng.next()])) }
        for k in scalars {
            let fixed = ECPoint.generatorMultiple(k)
            let variable = ECPoint.generator.multiplied(by: k)
            #expect(fixed.isEqual(to: variable))
            #expect(FixedBaseTable.shared.multiply(k, constantTime: false).isEqual(to: fixed))
        }
        // (n − 1)·G = −G, which encodes to −4.
        #expect(ECPoint.generatorMultiple(.zero - .one).encode() == -GFp5(4, 0, 0, 0, 0))
    }
}
