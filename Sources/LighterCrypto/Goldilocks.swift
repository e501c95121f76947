/// An element of the Goldilocks prime field, p = 2^64 − 2^32 + 1.
///
/// The value is always kept canonical (strictly below `Goldilocks.modulus`), so two equal
/// elements have equal `value`s and the synthesized `Hashable` conformance is correct.
public struct Goldilocks: Hashable, Sendable, CustomStringConvertible {
    /// The field modulus p = 2^64 − 2^32 + 1 = 0xFFFFFFFF00000001.
    public static let modulus: UInt64 = 0xFFFF_FFFF_0000_0001

    /// 2^64 mod p = 2^32 − 1; the constant that makes reduction cheap.
    @usableFromInline static let epsilon: UInt64 = 0xFFFF_FFFF

    /// The canonical representative, in `0 ..< p`.
    public let value: UInt64

    /// Creates the element congruent to `v` (values at or above p are reduced).
    @inlinable
    public init(_ v: UInt64) {
        value = v >= Goldilocks.modulus ? v &- Goldilocks.modulus : v
    }

    /// Creates an element from a value that is already known to be canonical.
    @inlinable
    init(canonical v: UInt64) {
        value = v
    }

    /// The additive identity.
    public static let zero = Goldilocks(canonical: 0)
    /// The multiplicative identity.
    public static let one = Goldilocks(canonical: 1)

    /// The decimal value.
    public var description: String { String(value) }

    /// Whether this is the zero element.
    @inlinable public var isZero: Bool { value == 0 }

    /// The sum of two elements.
    @inlinable
    public static func + (lhs: Goldilocks, rhs: Goldilocks) -> Goldilocks {
        Goldilocks(canonical: GoldilocksArithmetic.add(lhs.value, rhs.value))
    }

    /// The difference of two elements.
    @inlinable
    public static func - (lhs: Goldilocks, rhs: Goldilocks) -> Goldilocks {
        Goldilocks(canonical: GoldilocksArithmetic.sub(lhs.value, rhs.value))
    }

    /// The product of two elements.
    @inlinable
    public static func * (lhs: Goldilocks, rhs: Goldilocks) -> Goldilocks {
        Goldilocks(canonical: GoldilocksArithmetic.mul(lhs.value, rhs.value))
    }

    /// The additive inverse.
    @inlinable
    public static prefix func - (x: Goldilocks) -> Goldilocks {
        Goldilocks(canonical: GoldilocksArithmetic.neg(x.value))
    }

    /// Adds `rhs` in place.
    @inlinable public static func += (lhs: inout Goldilocks, rhs: Goldilocks) { lhs = lhs + rhs }
    /// Subtracts `rhs` in place.
    @inlinable public static func -= (lhs: inout Goldilocks, rhs: Goldilocks) { lhs = lhs - rhs }
    /// Multiplies by `rhs` in place.
    @inlinable public static func *= (lhs: inout Goldilocks, rhs: Goldilocks) { lhs = lhs * rhs }

    /// The square of this element.
    @inlinable
    public func square() -> Goldilocks { self * self }

    /// This element raised to the power `exponent` (x^0 = 1, including 0^0).
    public func pow(_ exponent: UInt64) -> Goldilocks {
        Goldilocks(canonical: GoldilocksArithmetic.pow(value, exponent))
    }

    /// The multiplicative inverse, or zero for zero.
    public func inverse() -> Goldilocks {
        Goldilocks(canonical: GoldilocksArithmetic.inverseOrZero(value))
    }

    /// The Legendre symbol as an element: 1 for a non-zero square, p − 1 for a non-square, 0 for 0.
    public func legendre() -> Goldilocks {
        pow((Goldilocks.modulus - 1) >> 1)
    }

    /// A square root (Tonelli–Shanks), or `nil` if this element is not a square.
    public func squareRoot() -> Goldilocks? {
        GoldilocksArithmetic.sqrt(value).map { Goldilocks(canonical: $0) }
    }
}

/// Raw arithmetic on canonical `UInt64` representatives of the Goldilocks field.
/// Every function takes canonical inputs and returns a canonical output.
@usableFromInline
enum GoldilocksArithmetic {
    @usableFromInline static let p: UInt64 = 0xFFFF_FFFF_0000_0001
    @usableFromInline static let epsilon: UInt64 = 0xFFFF_FFFF

    @inlinable @inline(__always)
    static func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        // On overflow a + b − 2^64 + ε = a + b − p < p, and it cannot overflow.
        var r = overflow ? sum &+ epsilon : sum
        if r >= p { r &-= p }
        return r
    }

    @inlinable @inline(__always)
    static func sub(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (diff, borrow) = a.subtractingReportingOverflow(b)
        // On borrow the wrapped value is a − b + 2^64; subtracting ε gives a − b + p.
        return borrow ? diff &- epsilon : diff
    }

    @inlinable @inline(__always)
    static func neg(_ a: UInt64) -> UInt64 {
        a == 0 ? 0 : p &- a
    }

    /// Reduces the 128-bit value hi·2^64 + lo to its canonical representative.
    @inlinable @inline(__always)
    static func reduce128(high hi: UInt64, low lo: UInt64) -> UInt64 {
        // 2^64 ≡ ε and 2^96 ≡ −1, so hi·2^64 + lo ≡ lo − hi_hi + hi_lo·ε.
        let hiHi = hi >> 32
        let hiLo = hi & epsilon
        var (t0, borrow) = lo.subtractingReportingOverflow(hiHi)
        if borrow { t0 &-= epsilon }
        let t1 = hiLo &* epsilon
        let (sum, overflow) = t0.addingReportingOverflow(t1)
        var r = overflow ? sum &+ epsilon : sum
        if r >= p { r &-= p }
        return r
    }

    /// Reduces lo + mid·2^64 + top·2^128 (top small, below 2^31) to its canonical representative.
    @inlinable @inline(__always)
    static func reduce192(low lo: UInt64, mid: UInt64, top: UInt64) -> UInt64 {
        // 2^128 ≡ −2^32, so the value ≡ lo − (mid_hi + top·2^32) + mid_lo·ε.
        let subtrahend = (mid >> 32) &+ (top << 32)
        var (t0, borrow) = lo.subtractingReportingOverflow(subtrahend)
        if borrow { t0 &-= epsilon }
        let t1 = (mid & epsilon) &* epsilon
        let (sum, overflow) = t0.addingReportingOverflow(t1)
        var r = overflow ? sum &+ epsilon : sum
        if r >= p { r &-= p }
        return r
    }

    @inlinable @inline(__always)
    static func mul(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (hi, lo) = a.multipliedFullWidth(by: b)
        return reduce128(high: hi, low: lo)
    }

    @inlinable @inline(__always)
    static func square(_ a: UInt64) -> UInt64 { mul(a, a) }

    /// a · k for a small constant k < 2^32 (the high word of the product is then below 2^32, so 2^64 ≡ ε suffices).
    @inlinable @inline(__always)
    static func mulSmall(_ a: UInt64, _ k: UInt64) -> UInt64 {
        let (hi, lo) = a.multipliedFullWidth(by: k)
        let (sum, overflow) = lo.addingReportingOverflow(hi &* epsilon)
        var r = overflow ? sum &+ epsilon : sum
        if r >= p { r &-= p }
        return r
    }

    @inlinable @inline(__always)
    static func double(_ a: UInt64) -> UInt64 { add(a, a) }

    static func pow(_ base: UInt64, _ exponent: UInt64) -> UInt64 {
        var result: UInt64 = 1
        var current = base
        var e = exponent
        while e > 0 {
            if e & 1 == 1 { result = mul(result, current) }
            current = square(current)
            e >>= 1
        }
        return result
    }

    static func expPowerOfTwo(_ x: UInt64, _ n: Int) -> UInt64 {
        var z = x
        for _ in 0 ..< n { z = square(z) }
        return z
    }

    /// x^(p−2) with a fixed addition chain; 0 maps to 0.
    static func inverseOrZero(_ x: UInt64) -> UInt64 {
        if x == 0 { return 0 }
        let t2 = mul(square(x), x)
        let t3 = mul(square(t2), x)
        let t6 = mul(expPowerOfTwo(t3, 3), t3)
        let t12 = mul(expPowerOfTwo(t6, 6), t6)
        let t24 = mul(expPowerOfTwo(t12, 12), t12)
        let t30 = mul(expPowerOfTwo(t24, 6), t6)
        let t31 = mul(square(t30), x)
        let t63 = mul(expPowerOfTwo(t31, 32), t31)
        return mul(square(t63), x)
    }

    /// A generator of the 2^32-th roots of unity.
    static let twoAdicRootOfUnity: UInt64 = 7_277_203_076_849_721_926

    /// Tonelli–Shanks square root (2-adicity 32); nil for a non-square.
    static func sqrt(_ x: UInt64) -> UInt64? {
        if x == 0 { return 0 }
        if pow(x, (p - 1) >> 1) != 1 { return nil }
        let t = (p - 1) >> 32  // odd part
        var z = twoAdicRootOfUnity
        var w = pow(x, (t - 1) / 2)
        var r = mul(x, w)
        var b = mul(r, w)
        var v = 32
        while b != 1 {
            var k = 0
            var b2k = b
            while b2k != 1 {
                b2k = square(b2k)
                k += 1
            }
            w = z
            for _ in 0 ..< (v - k - 1) { w = square(w) }
            z = square(w)
            b = mul(b, z)
            r = mul(r, w)
            v = k
        }
        return r
    }
}
