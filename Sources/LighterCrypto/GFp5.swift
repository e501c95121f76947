/// An element of GF(p^5) = F_p[z]/(z^5 − 3), p the Goldilocks prime.
///
/// Stored as five canonical limbs (a0 + a1·z + … + a4·z^4). Serialized as 40 bytes: the five limbs as
/// little-endian `UInt64`, limb 0 first. This is the type of the Lighter transaction hash and of public keys.
public struct GFp5: Hashable, Sendable, CustomStringConvertible {
    @usableFromInline var a0: UInt64
    @usableFromInline var a1: UInt64
    @usableFromInline var a2: UInt64
    @usableFromInline var a3: UInt64
    @usableFromInline var a4: UInt64

    @inlinable @inline(__always)
    init(raw a0: UInt64, _ a1: UInt64, _ a2: UInt64, _ a3: UInt64, _ a4: UInt64) {
        self.a0 = a0
        self.a1 = a1
        self.a2 = a2
        self.a3 = a3
        self.a4 = a4
    }

    /// Creates the element e0 + e1·z + e2·z² + e3·z³ + e4·z⁴.
    public init(_ e0: Goldilocks, _ e1: Goldilocks, _ e2: Goldilocks, _ e3: Goldilocks, _ e4: Goldilocks) {
        self.init(raw: e0.value, e1.value, e2.value, e3.value, e4.value)
    }

    /// Creates an element from exactly five limbs (limb 0 first). Passing another count is a programming error.
    public init(limbs: [Goldilocks]) {
        precondition(limbs.count == 5, "GFp5 needs exactly 5 limbs, got \(limbs.count)")
        self.init(limbs[0], limbs[1], limbs[2], limbs[3], limbs[4])
    }

    /// Creates an element from five `UInt64` limbs, each reduced mod p (limb 0 first).
    public init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64) {
        self.init(Goldilocks(l0), Goldilocks(l1), Goldilocks(l2), Goldilocks(l3), Goldilocks(l4))
    }

    /// Parses 40 bytes (five little-endian `UInt64`, limb 0 first); `nil` unless there are exactly
    /// 40 bytes and every limb is canonical (below p).
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 40 else { return nil }
        var limbs = [UInt64](repeating: 0, count: 5)
        var index = 0
        for byte in bytes {
            limbs[index >> 3] |= UInt64(byte) << (8 * UInt64(index & 7))
            index += 1
        }
        for limb in limbs where limb >= Goldilocks.modulus { return nil }
        self.init(raw: limbs[0], limbs[1], limbs[2], limbs[3], limbs[4])
    }

    /// Parses 80 hexadecimal characters (optionally prefixed with `0x`) encoding the 40 bytes of `bytes`.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), let value = GFp5(bytes: bytes) else { return nil }
        self = value
    }

    /// The zero element.
    public static let zero = GFp5(raw: 0, 0, 0, 0, 0)
    /// The one element.
    public static let one = GFp5(raw: 1, 0, 0, 0, 0)

    /// The five limbs, limb 0 (the constant term) first.
    public var limbs: [Goldilocks] {
        [a0, a1, a2, a3, a4].map { Goldilocks(canonical: $0) }
    }

    /// The 40-byte encoding: five little-endian `UInt64`, limb 0 first.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(40)
        for limb in [a0, a1, a2, a3, a4] {
            for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: limb >> UInt64(shift))) }
        }
        return out
    }

    /// The 40-byte encoding as 80 lowercase hexadecimal characters, without a `0x` prefix.
    public var hex: String { Hex.encode(bytes) }

    /// The limbs in decimal, e.g. `[1, 2, 3, 4, 5]`.
    public var description: String { "[\(a0), \(a1), \(a2), \(a3), \(a4)]" }

    /// Whether this is the zero element.
    @inlinable public var isZero: Bool { (a0 | a1 | a2 | a3 | a4) == 0 }

    // MARK: Arithmetic

    /// The sum of two elements.
    @inlinable @inline(__always)
    public static func + (x: GFp5, y: GFp5) -> GFp5 {
        typealias F = GoldilocksArithmetic
        return GFp5(raw: F.add(x.a0, y.a0), F.add(x.a1, y.a1), F.add(x.a2, y.a2), F.add(x.a3, y.a3), F.add(x.a4, y.a4))
    }

    /// The difference of two elements.
    @inlinable @inline(__always)
    public static func - (x: GFp5, y: GFp5) -> GFp5 {
        typealias F = GoldilocksArithmetic
        return GFp5(raw: F.sub(x.a0, y.a0), F.sub(x.a1, y.a1), F.sub(x.a2, y.a2), F.sub(x.a3, y.a3), F.sub(x.a4, y.a4))
    }

    /// The additive inverse.
    @inlinable @inline(__always)
    public static prefix func - (x: GFp5) -> GFp5 {
        typealias F = GoldilocksArithmetic
        return GFp5(raw: F.neg(x.a0), F.neg(x.a1), F.neg(x.a2), F.neg(x.a3), F.neg(x.a4))
    }

    /// The product of two elements (z^5 = 3).
    @inlinable @inline(__always)
    public static func * (x: GFp5, y: GFp5) -> GFp5 {
        typealias F = GoldilocksArithmetic
        // 3·y_j, so that every output coefficient is a plain sum of five products (< 5p² < 2^131).
        let b1 = F.mulSmall(y.a1, 3), b2 = F.mulSmall(y.a2, 3), b3 = F.mulSmall(y.a3, 3), b4 = F.mulSmall(y.a4, 3)
        var acc = Accumulator()
        acc.mac(x.a0, y.a0); acc.mac(x.a1, b4); acc.mac(x.a2, b3); acc.mac(x.a3, b2); acc.mac(x.a4, b1)
        let c0 = acc.reduced()
        acc = Accumulator()
        acc.mac(x.a0, y.a1); acc.mac(x.a1, y.a0); acc.mac(x.a2, b4); acc.mac(x.a3, b3); acc.mac(x.a4, b2)
        let c1 = acc.reduced()
        acc = Accumulator()
        acc.mac(x.a0, y.a2); acc.mac(x.a1, y.a1); acc.mac(x.a2, y.a0); acc.mac(x.a3, b4); acc.mac(x.a4, b3)
        let c2 = acc.reduced()
        acc = Accumulator()
        acc.mac(x.a0, y.a3); acc.mac(x.a1, y.a2); acc.mac(x.a2, y.a1); acc.mac(x.a3, y.a0); acc.mac(x.a4, b4)
        let c3 = acc.reduced()
        acc = Accumulator()
        acc.mac(x.a0, y.a4); acc.mac(x.a1, y.a3); acc.mac(x.a2, y.a2); acc.mac(x.a3, y.a1); acc.mac(x.a4, y.a0)
        let c4 = acc.reduced()
        return GFp5(raw: c0, c1, c2, c3, c4)
    }

    /// Adds in place.
    @inlinable public static func += (lhs: inout GFp5, rhs: GFp5) { lhs = lhs + rhs }
    /// Subtracts in place.
    @inlinable public static func -= (lhs: inout GFp5, rhs: GFp5) { lhs = lhs - rhs }
    /// Multiplies in place.
    @inlinable public static func *= (lhs: inout GFp5, rhs: GFp5) { lhs = lhs * rhs }

    /// The square of this element (cheaper than `self * self`).
    @inlinable @inline(__always)
    public func square() -> GFp5 {
        typealias F = GoldilocksArithmetic
        let d0 = F.double(a0), d1 = F.double(a1)
        let a1x6 = F.mulSmall(a1, 6), a2x6 = F.mulSmall(a2, 6), a3x6 = F.mulSmall(a3, 6)
        let a3x3 = F.mulSmall(a3, 3), a4x3 = F.mulSmall(a4, 3)
        var acc = Accumulator()
        acc.mac(a0, a0); acc.mac(a1x6, a4); acc.mac(a2x6, a3)
        let c0 = acc.reduced()
        acc = Accumulator()
        acc.mac(d0, a1); acc.mac(a2x6, a4); acc.mac(a3x3, a3)
        let c1 = acc.reduced()
        acc = Accumulator()
        acc.mac(d0, a2); acc.mac(a1, a1); acc.mac(a3x6, a4)
        let c2 = acc.reduced()
        acc = Accumulator()
        acc.mac(d0, a3); acc.mac(d1, a2); acc.mac(a4x3, a4)
        let c3 = acc.reduced()
        acc = Accumulator()
        acc.mac(d0, a4); acc.mac(d1, a3); acc.mac(a2, a2)
        let c4 = acc.reduced()
        return GFp5(raw: c0, c1, c2, c3, c4)
    }

    /// Twice this element.
    @inlinable @inline(__always)
    public func doubled() -> GFp5 { self + self }

    /// This element times a base-field element.
    @inlinable @inline(__always)
    public func scaled(by k: Goldilocks) -> GFp5 {
        typealias F = GoldilocksArithmetic
        return GFp5(raw: F.mul(a0, k.value), F.mul(a1, k.value), F.mul(a2, k.value), F.mul(a3, k.value), F.mul(a4, k.value))
    }

    /// This element times z·k for a small k (used for the curve constant b = 263·z): (a0..a4)·k·z = k·(3a4, a0, a1, a2, a3).
    @inlinable @inline(__always)
    func timesZ(scaledBy k: UInt64) -> GFp5 {
        typealias F = GoldilocksArithmetic
        return GFp5(raw: F.mulSmall(a4, 3 &* k), F.mulSmall(a0, k), F.mulSmall(a1, k), F.mulSmall(a2, k), F.mulSmall(a3, k))
    }

    /// x^(2^n).
    func squared(times n: Int) -> GFp5 {
        var r = self
        for _ in 0 ..< n { r = r.square() }
        return r
    }

    /// The Frobenius map x ↦ x^p applied `count` times (count in 0...4).
    func frobenius(_ count: Int = 1) -> GFp5 {
        let k = ((count % 5) + 5) % 5
        if k == 0 { return self }
        let c = GFp5.frobeniusConstants[k]
        typealias F = GoldilocksArithmetic
        return GFp5(raw: a0, F.mul(a1, c[1]), F.mul(a2, c[2]), F.mul(a3, c[3]), F.mul(a4, c[4]))
    }

    /// A primitive 5th root of unity in F_p used by the Frobenius map.
    static let dthRoot: UInt64 = 1_041_288_259_238_279_555

    /// frobeniusConstants[k][i] = dthRoot^(i·k).
    static let frobeniusConstants: [[UInt64]] = (0 ..< 5).map { k in
        let z0 = GoldilocksArithmetic.pow(dthRoot, UInt64(k))
        return (0 ..< 5).map { i in GoldilocksArithmetic.pow(z0, UInt64(i)) }
    }

    /// The constant coefficient of x·y (the only one needed when x·y is known to lie in F_p).
    @inline(__always)
    static func constantTermOfProduct(_ x: GFp5, _ y: GFp5) -> UInt64 {
        typealias F = GoldilocksArithmetic
        var acc = Accumulator()
        acc.mac(x.a0, y.a0)
        acc.mac(x.a1, F.mulSmall(y.a4, 3)); acc.mac(x.a2, F.mulSmall(y.a3, 3))
        acc.mac(x.a3, F.mulSmall(y.a2, 3)); acc.mac(x.a4, F.mulSmall(y.a1, 3))
        return acc.reduced()
    }

    /// The multiplicative inverse, or zero for zero.
    public func inverse() -> GFp5 {
        if isZero { return .zero }
        // f = x^(p + p² + p³ + p⁴); x·f is the norm, an element of F_p.
        let d = frobenius(1)
        let e = d * d.frobenius(1)
        let f = e * e.frobenius(2)
        let g = GFp5.constantTermOfProduct(self, f)
        return f.scaled(by: Goldilocks(canonical: GoldilocksArithmetic.inverseOrZero(g)))
    }

    /// The Legendre symbol as a base-field element: 1 for a non-zero square, p − 1 for a non-square, 0 for 0.
    public func legendre() -> Goldilocks {
        let frob1 = frobenius(1)
        let frob2 = frob1.frobenius(1)
        let frob1TimesFrob2 = frob1 * frob2
        let frob2Frob1TimesFrob2 = frob1TimesFrob2.frobenius(2)
        let norm = GFp5.constantTermOfProduct(self, frob1TimesFrob2 * frob2Frob1TimesFrob2)
        let xr31 = GoldilocksArithmetic.expPowerOfTwo(norm, 31)
        let xr63 = GoldilocksArithmetic.expPowerOfTwo(xr31, 32)
        return Goldilocks(canonical: GoldilocksArithmetic.mul(xr63, GoldilocksArithmetic.inverseOrZero(xr31)))
    }

    /// Whether this element is a square (zero counts as a square).
    public var isSquare: Bool { legendre().value != GoldilocksArithmetic.p - 1 }

    /// A square root, or `nil` if this element is not a square. Which of the two roots is returned is unspecified.
    public func squareRoot() -> GFp5? {
        let v = squared(times: 31)
        let d = self * v.squared(times: 32) * v.inverse()
        let e = (d * d.frobenius(2)).frobenius(1)
        let f = e.square()
        let g = GFp5.constantTermOfProduct(self, f)
        guard let s = GoldilocksArithmetic.sqrt(g) else { return nil }
        return e.inverse().scaled(by: Goldilocks(canonical: s))
    }

    /// The square root chosen by poseidon_crypto's `CanonicalSqrt` (the root whose `sgn0` is false).
    func canonicalSquareRoot() -> GFp5? {
        guard let r = squareRoot() else { return nil }
        return r.sgn0 ? -r : r
    }

    /// poseidon_crypto's `Sgn0`: true iff the first non-zero limb is even (true for zero, whose limb 0 is even).
    var sgn0: Bool {
        var sign = false
        var zero = true
        for limb in [a0, a1, a2, a3, a4] {
            let signI = (limb & 1) == 0
            sign = sign || (zero && signI)
            zero = zero && limb == 0
        }
        return sign
    }
}

/// A 192-bit accumulator for sums of a few 128-bit products, reduced once at the end.
@usableFromInline
struct Accumulator {
    @usableFromInline var lo: UInt64 = 0
    @usableFromInline var mid: UInt64 = 0
    @usableFromInline var top: UInt64 = 0

    @inlinable @inline(__always)
    init() {}

    /// Adds a·b.
    @inlinable @inline(__always)
    mutating func mac(_ a: UInt64, _ b: UInt64) {
        let (h, l) = a.multipliedFullWidth(by: b)
        let (newLo, c1) = lo.addingReportingOverflow(l)
        // h ≤ 2^64 − 2, so h + 1 cannot overflow.
        let (newMid, c2) = mid.addingReportingOverflow(c1 ? h &+ 1 : h)
        lo = newLo
        mid = newMid
        top &+= c2 ? 1 : 0
    }

    @inlinable @inline(__always)
    func reduced() -> UInt64 {
        GoldilocksArithmetic.reduce192(low: lo, mid: mid, top: top)
    }
}

/// Lowercase hexadecimal encoding and lenient (case-insensitive, optional `0x`) decoding.
enum Hex {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var chars = [UInt8]()
        for b in bytes {
            chars.append(digits[Int(b >> 4)])
            chars.append(digits[Int(b & 0xF)])
        }
        return String(decoding: chars, as: UTF8.self)
    }

    /// Decodes hex with an optional `0x`/`0X` prefix; nil on odd length or a non-hex character.
    static func decode(_ text: String) -> [UInt8]? {
        var utf8 = Array(text.utf8)
        if utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] == UInt8(ascii: "x") || utf8[1] == UInt8(ascii: "X") {
            utf8.removeFirst(2)
        }
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
