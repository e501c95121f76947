/// An integer modulo the prime order n of the ECgFp5 group
/// (n = 1067993516717146951041484916571792702745057740581727230159139685185762082554198619328292418486241 ≈ 2^319).
///
/// Stored as five little-endian 64-bit limbs, always reduced (below n).
public struct Scalar: Hashable, Sendable {
    @usableFromInline var l0, l1, l2, l3, l4: UInt64

    init(raw l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64) {
        (self.l0, self.l1, self.l2, self.l3, self.l4) = (l0, l1, l2, l3, l4)
    }

    /// The group order n.
    static let order = Scalar(
        raw: 0xE80F_D996_948B_FFE1, 0xE888_5C39_D724_A09C, 0x7FFF_FFE6_CFB8_0639, 0x7FFF_FFF1_0000_0016, 0x7FFF_FFFD_8000_0007
    )
    /// −1/n mod 2^64 (Montgomery constant).
    static let n0Inverse: UInt64 = 0xD78B_EF72_057B_7BDF
    /// 2^640 mod n (Montgomery constant).
    static let r2 = Scalar(
        raw: 0xA010_01DC_E33D_C739, 0x6C32_28D3_3F62_ACCF, 0xD1D7_96CC_91CF_8525, 0xAADF_FF5D_1574_C1D8, 0x4ACA_13B2_8CA2_51F5
    )

    /// Zero.
    public static let zero = Scalar(raw: 0, 0, 0, 0, 0)
    /// One.
    public static let one = Scalar(raw: 1, 0, 0, 0, 0)

    /// The scalar equal to `v`.
    public init(_ v: UInt64) {
        self.init(raw: v, 0, 0, 0, 0)
    }

    /// The 320-bit integer Σ limbs[i]·2^(64·i), reduced mod n. Passing other than 5 limbs is a programming error.
    public init(limbs: [UInt64]) {
        precondition(limbs.count == 5, "a Scalar has 5 limbs, got \(limbs.count)")
        self.init(reducing: (limbs[0], limbs[1], limbs[2], limbs[3], limbs[4]))
    }

    /// Reads bytes as a little-endian unsigned integer (usually 40 bytes: a 320-bit value) reduced mod n.
    /// Any length is accepted; the empty collection is zero.
    public init(littleEndianBytes bytes: some Collection<UInt8>) {
        if bytes.count <= 40 {
            self.init(reducing: Scalar.limbs(fromLittleEndian: bytes))
            return
        }
        // Longer input: Horner's rule from the most significant byte.
        var value = Scalar.zero
        let radix = Scalar(256)
        for byte in bytes.reversed() {
            value = value * radix + Scalar(UInt64(byte))
        }
        self = value
    }

    /// The element Σ e_i·2^(64·i) mod n for an Fp5 element with canonical limbs e_i (how Schnorr turns a hash into a scalar).
    public init(_ element: GFp5) {
        self.init(reducing: (element.a0, element.a1, element.a2, element.a3, element.a4))
    }

    /// Reduces any 320-bit value: 2^320 < 3n, so at most two subtractions of n.
    init(reducing limbs: (UInt64, UInt64, UInt64, UInt64, UInt64)) {
        var value = Scalar(raw: limbs.0, limbs.1, limbs.2, limbs.3, limbs.4)
        for _ in 0 ..< 2 {
            let (difference, borrow) = value.subtractingOrder()
            if !borrow { value = difference }
        }
        self = value
    }

    /// Whether the 40 little-endian bytes encode an integer below n (i.e. are a canonical scalar).
    static func isCanonical(littleEndianBytes bytes: some Collection<UInt8>) -> Bool {
        guard bytes.count == 40 else { return false }
        let l = limbs(fromLittleEndian: bytes)
        return Scalar(raw: l.0, l.1, l.2, l.3, l.4).subtractingOrder().borrow
    }

    static func limbs(fromLittleEndian bytes: some Collection<UInt8>) -> (UInt64, UInt64, UInt64, UInt64, UInt64) {
        var limbs: [UInt64] = [0, 0, 0, 0, 0]
        var index = 0
        for byte in bytes where index < 40 {
            limbs[index >> 3] |= UInt64(byte) << (8 * UInt64(index & 7))
            index += 1
        }
        return (limbs[0], limbs[1], limbs[2], limbs[3], limbs[4])
    }

    /// The 40-byte little-endian encoding.
    public var littleEndianBytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(40)
        for limb in limbs {
            for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: limb >> UInt64(shift))) }
        }
        return out
    }

    /// The five limbs, least significant first.
    public var limbs: [UInt64] { [l0, l1, l2, l3, l4] }

    /// Whether this is zero.
    public var isZero: Bool { (l0 | l1 | l2 | l3 | l4) == 0 }

    // MARK: Arithmetic

    /// self − n without reduction, and whether it borrowed (i.e. self < n).
    func subtractingOrder() -> (difference: Scalar, borrow: Bool) {
        Scalar.rawSubtract(self, Scalar.order)
    }

    static func rawSubtract(_ a: Scalar, _ b: Scalar) -> (difference: Scalar, borrow: Bool) {
        var borrow = false
        func step(_ x: UInt64, _ y: UInt64) -> UInt64 {
            let (d1, b1) = x.subtractingReportingOverflow(y)
            let (d2, b2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
            borrow = b1 || b2
            return d2
        }
        let r0 = step(a.l0, b.l0), r1 = step(a.l1, b.l1), r2 = step(a.l2, b.l2), r3 = step(a.l3, b.l3), r4 = step(a.l4, b.l4)
        return (Scalar(raw: r0, r1, r2, r3, r4), borrow)
    }

    static func rawAdd(_ a: Scalar, _ b: Scalar) -> (sum: Scalar, carry: Bool) {
        var carry = false
        func step(_ x: UInt64, _ y: UInt64) -> UInt64 {
            let (s1, c1) = x.addingReportingOverflow(y)
            let (s2, c2) = s1.addingReportingOverflow(carry ? 1 : 0)
            carry = c1 || c2
            return s2
        }
        let r0 = step(a.l0, b.l0), r1 = step(a.l1, b.l1), r2 = step(a.l2, b.l2), r3 = step(a.l3, b.l3), r4 = step(a.l4, b.l4)
        return (Scalar(raw: r0, r1, r2, r3, r4), carry)
    }

    /// (a + b) mod n.
    public static func + (a: Scalar, b: Scalar) -> Scalar {
        // a, b < n < 2^319, so the raw sum fits in 320 bits and one subtraction suffices.
        let (sum, _) = rawAdd(a, b)
        let (reduced, borrow) = sum.subtractingOrder()
        return borrow ? sum : reduced
    }

    /// (a − b) mod n.
    public static func - (a: Scalar, b: Scalar) -> Scalar {
        let (difference, borrow) = rawSubtract(a, b)
        return borrow ? rawAdd(difference, order).sum : difference
    }

    /// (−a) mod n.
    public static prefix func - (a: Scalar) -> Scalar { .zero - a }

    /// (a · b) mod n.
    public static func * (a: Scalar, b: Scalar) -> Scalar {
        a.montgomeryMultiplied(by: r2).montgomeryMultiplied(by: b)
    }

    /// Montgomery multiplication: self·rhs / 2^320 mod n (self < n; rhs any 320-bit value).
    func montgomeryMultiplied(by rhs: Scalar) -> Scalar {
        let s = [l0, l1, l2, l3, l4]
        let n = Scalar.order.limbs
        let m = rhs.limbs
        var r: [UInt64] = [0, 0, 0, 0, 0]
        for i in 0 ..< 5 {
            let mi = m[i]
            let f = (s[0] &* mi &+ r[0]) &* Scalar.n0Inverse
            var cc1: UInt64 = 0
            var cc2: UInt64 = 0
            for j in 0 ..< 5 {
                // z = s[j]·mi + r[j] + cc1
                var (zh, zl) = s[j].multipliedFullWidth(by: mi)
                var (t, c) = zl.addingReportingOverflow(r[j])
                zh &+= c ? 1 : 0
                (t, c) = t.addingReportingOverflow(cc1)
                zh &+= c ? 1 : 0
                cc1 = zh
                // z = f·n[j] + t + cc2
                var (wh, wl) = f.multipliedFullWidth(by: n[j])
                (wl, c) = wl.addingReportingOverflow(t)
                wh &+= c ? 1 : 0
                (wl, c) = wl.addingReportingOverflow(cc2)
                wh &+= c ? 1 : 0
                cc2 = wh
                if j > 0 { r[j - 1] = wl }
            }
            r[4] = cc1 &+ cc2
        }
        let value = Scalar(raw: r[0], r[1], r[2], r[3], r[4])
        let (reduced, borrow) = value.subtractingOrder()
        return borrow ? value : reduced
    }

    // MARK: Randomness and windows

    /// A uniformly random scalar in [1, n) from `generator` (rejection sampling on 319-bit values).
    static func randomNonZero(using generator: inout some RandomNumberGenerator) -> Scalar {
        while true {
            let candidate = Scalar(
                raw: generator.next(), generator.next(), generator.next(), generator.next(), generator.next() >> 1
            )
            if candidate.subtractingOrder().borrow, !candidate.isZero { return candidate }
        }
    }

    /// Signed base-32 digits d_0…d_63 in [−15, 16] with Σ d_i·32^i = self (valid because self < 2^319).
    func signedDigits5(_ body: (Int, Int) -> Void) {
        let words = [l0, l1, l2, l3, l4]
        var carry = 0
        for i in 0 ..< 64 {
            let bit = 5 * i
            let word = bit >> 6
            let offset = bit & 63
            var chunk = words[word] >> UInt64(offset)
            if offset > 59, word < 4 { chunk |= words[word + 1] << UInt64(64 - offset) }
            var digit = Int(chunk & 31) + carry
            carry = (digit + 15) >> 5
            digit -= carry << 5
            body(i, digit)
        }
    }
}
