@testable import LighterCrypto
import Testing

/// Reference arithmetic mod p by shift-and-add: independent of the reduction code under test.
enum SlowGoldilocks {
    static let p: UInt64 = 0xFFFF_FFFF_0000_0001

    static func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        // a, b < p; a + b < 2p
        let (s, o) = a.addingReportingOverflow(b)
        if o || s >= p { return s &- p }
        return s
    }

    static func mul(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var result: UInt64 = 0
        for bit in stride(from: 63, through: 0, by: -1) {
            result = add(result, result)
            if (b >> UInt64(bit)) & 1 == 1 { result = add(result, a % p) }
        }
        return result
    }
}

/// A deterministic generator so failures reproduce (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Goldilocks {
    static func random(using rng: inout SplitMix64) -> Goldilocks { Goldilocks(rng.next()) }
}

extension GFp5 {
    static func random(using rng: inout SplitMix64) -> GFp5 {
        GFp5(rng.next(), rng.next(), rng.next(), rng.next(), rng.next())
    }

    init(_ limbs: [UInt64]) { self.init(limbs[0], limbs[1], limbs[2], limbs[3], limbs[4]) }

    var values: [UInt64] { limbs.map(\.value) }
}

@Suite struct GoldilocksTests {
    let p: UInt64 = 0xFFFF_FFFF_0000_0001

    @Test func reductionOfOutOfRangeValues() {
        #expect(Goldilocks(p).value == 0)
        #expect(Goldilocks(p + 1).value == 1)
        #expect(Goldilocks(UInt64.max).value == 0xFFFF_FFFE)  // 2^64 − 1 − p = 2^32 − 2
        #expect(Goldilocks(p - 1).value == p - 1)
    }

    @Test func edgeCaseArithmetic() {
        let minusOne = Goldilocks(p - 1)
        #expect((minusOne + .one).value == 0)
        #expect((minusOne + minusOne).value == p - 2)
        #expect((Goldilocks.zero - .one).value == p - 1)
        #expect((minusOne * minusOne).value == 1)
        #expect((-minusOne).value == 1)
        #expect((-Goldilocks.zero).value == 0)
        #expect(minusOne.inverse() == minusOne)
        #expect(Goldilocks.zero.inverse() == .zero)
        #expect(Goldilocks(2).inverse().value == 0x7FFF_FFFF_8000_0001)
        // (2^32)^2 = 2^64 ≡ 2^32 − 1
        #expect((Goldilocks(1 << 32) * Goldilocks(1 << 32)).value == 0xFFFF_FFFF)
        // 2^96 ≡ −1
        #expect(Goldilocks(1 << 32).pow(3).value == p - 1)
        #expect(Goldilocks(7).pow(p - 1) == .one)
    }

    @Test func multiplicationMatchesShiftAndAddReference() {
        var rng = SplitMix64(state: 1)
        let specials: [UInt64] = [0, 1, 2, p - 1, p - 2, 0xFFFF_FFFF, 1 << 32, 1 << 63, 0xFFFF_FFFE_FFFF_FFFF]
        var values = specials
        for _ in 0 ..< 200 { values.append(rng.next() % p) }
        for (i, a) in values.enumerated() {
            let b = values[(i * 7 + 3) % values.count]
            #expect((Goldilocks(a) * Goldilocks(b)).value == SlowGoldilocks.mul(a, b), "\(a) * \(b)")
            #expect((Goldilocks(a) + Goldilocks(b)).value == SlowGoldilocks.add(a, b), "\(a) + \(b)")
        }
    }

    @Test func fieldLawsOnRandomValues() {
        var rng = SplitMix64(state: 2)
        for _ in 0 ..< 500 {
            let a = Goldilocks.random(using: &rng), b = Goldilocks.random(using: &rng), c = Goldilocks.random(using: &rng)
            #expect(a + b == b + a)
            #expect(a * b == b * a)
            #expect((a + b) + c == a + (b + c))
            #expect((a * b) * c == a * (b * c))
            #expect(a * (b + c) == a * b + a * c)
            #expect(a - b + b == a)
            #expect(a + (-a) == .zero)
            if !a.isZero { #expect(a * a.inverse() == .one) }
            #expect(a.square() == a * a)
        }
    }

    @Test func squareRoots() throws {
        var rng = SplitMix64(state: 3)
        for _ in 0 ..< 50 {
            let a = Goldilocks.random(using: &rng)
            let root = try #require(a.square().squareRoot())
            #expect(root == a || root == -a)
        }
        // 7 generates the multiplicative group, so it is not a square.
        #expect(Goldilocks(7).squareRoot() == nil)
        #expect(Goldilocks(7).legendre().value == p - 1)
    }
}

@Suite struct GFp5Tests {
    // Vectors from poseidon_crypto field/field_test.go.
    let val1 = GFp5(0x1234_5678_90AB_CDEF, 0x0FED_CBA9_8765_4321, 0x1122_3344_5566_7788, 0x8877_6655_4433_2211, 0xAABB_CCDD_EEFF_0011)
    let val2 = GFp5(.max, .max, .max, .max, .max)

    @Test func goVectorsForAddSubMulSquare() {
        #expect((val1 + val2).values == [1_311_768_471_589_866_989, 1_147_797_413_325_783_839, 1_234_605_620_731_475_846, 9_833_440_832_084_189_711, 12_302_652_064_957_136_911])
        #expect((val1 - val2).values == [1_311_768_462_999_932_401, 1_147_797_404_735_849_251, 1_234_605_612_141_541_258, 9_833_440_823_494_255_123, 12_302_652_056_367_202_323])
        #expect((val1 * val2).values == [12_801_331_769_143_413_385, 14_031_114_708_135_177_824, 4_192_851_210_753_422_088, 14_031_114_723_597_060_086, 4_193_451_712_464_626_164])
        #expect(val1.square().values == [2_711_468_769_317_614_959, 15_562_737_284_369_360_677, 48_874_032_493_986_270, 11_211_402_278_708_723_253, 2_864_528_669_572_451_733])
    }

    @Test func goVectorsForFrobeniusAndInverse() {
        #expect(val1.frobenius(1).values == [1_311_768_467_294_899_695, 5_234_265_561_494_296_110, 6_204_816_484_784_411_482, 8_858_034_429_214_283_719, 17_855_579_289_599_571_296])
        #expect(val1.inverse().values == [10_760_985_268_447_604_442, 1_770_001_646_280_707_407, 826_117_924_202_660_585, 45_414_427_571_889_187, 8_256_636_258_983_026_155])
        #expect(GFp5.zero.inverse() == .zero)
    }

    @Test func goVectorsForSquareRoots() throws {
        let x = GFp5(17_397_692_312_497_920_520, 4_597_259_071_399_531_684, 15_835_726_694_542_307_225, 16_979_717_054_676_631_815, 12_876_043_227_925_845_432)
        let canonical = try #require(x.canonicalSquareRoot())
        #expect(canonical.values == [16_260_118_390_353_633_405, 2_204_473_665_618_140_400, 10_421_517_006_653_550_782, 4_618_467_884_536_173_852, 15_556_190_572_415_033_139])
        let root = try #require(x.squareRoot())
        #expect(root.values == [2_186_625_679_060_950_916, 16_242_270_403_796_443_921, 8_025_227_062_761_033_539, 13_828_276_184_878_410_469, 2_890_553_496_999_551_182])
        let nonSquare = GFp5(3_558_249_639_744_866_495, 2_615_658_757_916_804_776, 14_375_546_700_029_059_319, 16_160_052_538_060_569_780, 8_366_525_948_816_396_307)
        #expect(nonSquare.squareRoot() == nil)
        #expect(GFp5(263, 0, 0, 0, 0).squareRoot() == nil)
        #expect(GFp5(7_146_494_650_688_613_286, 2_524_706_331_227_574_337, 2_805_008_444_831_673_606, 10_342_159_727_506_097_401, 5_582_307_593_199_735_986).sgn0)
    }

    @Test func fieldLawsOnRandomValues() {
        var rng = SplitMix64(state: 4)
        for _ in 0 ..< 200 {
            let a = GFp5.random(using: &rng), b = GFp5.random(using: &rng), c = GFp5.random(using: &rng)
            #expect(a * b == b * a)
            #expect((a * b) * c == a * (b * c))
            #expect(a * (b + c) == a * b + a * c)
            #expect(a - b + b == a)
            #expect(a.square() == a * a)
            #expect(a * a.inverse() == .one)
            #expect(a.frobenius(5) == a)
            #expect(a.frobenius(1).frobenius(1) == a.frobenius(2))
        }
    }

    @Test func legendreAndSquareRootAgree() throws {
        var rng = SplitMix64(state: 5)
        var nonSquares = 0
        for _ in 0 ..< 40 {
            let a = GFp5.random(using: &rng)
            let square = a.square()
            #expect(square.legendre() == .one)
            let root = try #require(square.squareRoot())
            #expect(root == a || root == -a)
            if a.legendre().value == GoldilocksArithmetic.p - 1 {
                nonSquares += 1
                #expect(a.squareRoot() == nil)
            }
        }
        #expect(nonSquares > 5)  // about half of random elements are non-squares
        #expect(GFp5.zero.legendre() == .zero)
    }

    @Test func byteEncoding() throws {
        let x = GFp5(1, 2, 3, 4, 0xFFFF_FFFF_0000_0000)
        #expect(x.hex == "0100000000000000" + "0200000000000000" + "0300000000000000" + "0400000000000000" + "00000000ffffffff")
        #expect(GFp5(bytes: x.bytes) == x)
        #expect(GFp5(hex: "0x" + x.hex) == x)
        #expect(GFp5(bytes: [UInt8](repeating: 0, count: 39)) == nil)
        // A limb equal to p is not canonical.
        var bytes = [UInt8](repeating: 0, count: 40)
        bytes[0 ..< 8] = [0x01, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(GFp5(bytes: bytes) == nil)
    }
}
