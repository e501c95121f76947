/// A point of the ECgFp5 group in fractional (x, u) coordinates, x = X/Z, u = U/T, after Pornin's ecgfp5 and
/// poseidon_crypto `curve/ecgfp5/point.go`. The curve is y² = x(x² + a·x + b) over GF(p^5) with a = 2, b = 263·z;
/// for a curve point (x, y) the u coordinate is x/y (0 for the neutral element N = (0, 0)). The group law
/// P ⊕ Q = P + Q + N is what the complete formulas below compute. A point is encoded as w = 1/u = T/U.
struct ECPoint: Sendable {
    var x: GFp5
    var z: GFp5
    var u: GFp5
    var t: GFp5

    @inline(__always)
    init(x: GFp5, z: GFp5, u: GFp5, t: GFp5) {
        self.x = x
        self.z = z
        self.u = u
        self.t = t
    }

    /// b = 263·z, applied as "times z, scaled by 263".
    static let b1: UInt64 = 263

    static let neutral = ECPoint(x: .zero, z: .one, u: .zero, t: .one)

    /// The conventional generator (it encodes to w = 4).
    static let generator = ECPoint(
        x: GFp5(raw: 12_883_135_586_176_881_569, 4_356_519_642_755_055_268, 5_248_930_565_894_896_907,
                2_165_973_894_480_315_022, 2_448_410_071_095_648_785),
        z: .one, u: .one, t: GFp5(raw: 4, 0, 0, 0, 0)
    )

    var isNeutral: Bool { u.isZero }

    /// Group equality (u1·t2 = u2·t1).
    func isEqual(to other: ECPoint) -> Bool {
        u * other.t == other.u * t
    }

    /// The canonical encoding w = t/u (0 for the neutral element).
    func encode() -> GFp5 {
        t * u.inverse()
    }

    /// (p + 1)/2, the inverse of 2 in F_p.
    static let halfOfOne = Goldilocks(canonical: 0x7FFF_FFFF_8000_0001)

    /// Decodes an encoding w; nil if w is not the encoding of a group element.
    init?(decoding w: GFp5) {
        let e = w.square() - GFp5(raw: 2, 0, 0, 0, 0)
        let delta = e.square() - GFp5(raw: 0, 4 * ECPoint.b1, 0, 0, 0)
        guard let r = delta.canonicalSquareRoot() else {
            // w = 0 gives δ = a² − 4b, not a square: that is the neutral element.
            if w.isZero {
                self = .neutral
                return
            }
            return nil
        }
        let x1 = (e + r).scaled(by: ECPoint.halfOfOne)
        let x2 = (e - r).scaled(by: ECPoint.halfOfOne)
        // Keep the root that is not a square.
        let x = x1.legendre().value == 1 ? x2 : x1
        self.init(x: x, z: .one, u: .one, t: w)
    }

    /// Complete addition (10M).
    func adding(_ rhs: ECPoint) -> ECPoint {
        let (x1, z1, u1, t1_) = (x, z, u, t)
        let (x2, z2, u2, t2_) = (rhs.x, rhs.z, rhs.u, rhs.t)
        let t1 = x1 * x2
        let t2 = z1 * z2
        let t3 = u1 * u2
        let t4 = t1_ * t2_
        let t5 = (x1 + z1) * (x2 + z2) - (t1 + t2)
        let t6 = (u1 + t1_) * (u2 + t2_) - (t3 + t4)
        return ECPoint.finishAddition(t1: t1, t2: t2, t3: t3, t4: t4, t5: t5, t6: t6)
    }

    /// Addition of an affine point (z = t = 1) (8M). Complete: the affine (0, 0) is the neutral element.
    func adding(_ rhs: AffinePoint) -> ECPoint {
        let t1 = x * rhs.x
        let t3 = u * rhs.u
        let t5 = x + rhs.x * z
        let t6 = u + rhs.u * t
        return ECPoint.finishAddition(t1: t1, t2: z, t3: t3, t4: t, t5: t5, t6: t6)
    }

    @inline(__always)
    static func finishAddition(t1: GFp5, t2: GFp5, t3: GFp5, t4: GFp5, t5: GFp5, t6: GFp5) -> ECPoint {
        let t7 = t1 + t2.timesZ(scaledBy: b1)
        let t8 = t4 * t7
        let t9 = t3 * (t5.timesZ(scaledBy: 2 * b1) + t7.doubled())
        let t10 = (t4 + t3.doubled()) * (t5 + t7)
        return ECPoint(
            x: (t10 - t8).timesZ(scaledBy: b1),
            z: t8 - t9,
            u: t6 * (t2.timesZ(scaledBy: b1) - t1),
            t: t8 + t9
        )
    }

    /// Doubling (4M + 5S).
    func doubled() -> ECPoint {
        let t1 = z * t
        let t2 = t1 * t
        let x1 = t2.square()
        let z1 = t1 * u
        let t3 = u.square()
        let w1 = t2 - t3 * (x + z).doubled()
        let t4 = z1.square()
        let newZ = w1.square()
        return ECPoint(
            x: t4.timesZ(scaledBy: 4 * ECPoint.b1),
            z: newZ,
            u: (w1 + z1).square() - (t4 + newZ),
            t: x1.doubled() - (t4.doubled().doubled() + newZ)
        )
    }

    /// 2^n · self, with the faster repeated-doubling formulas (n·(2M + 5S) + 2M + 1S).
    func doubled(times n: Int) -> ECPoint {
        if n == 0 { return self }
        if n == 1 { return doubled() }
        let b = ECPoint.b1
        let t1 = z * t
        let t2 = t1 * t
        let x1 = t2.square()
        let z1 = t1 * u
        let t3 = u.square()
        let w1 = t2 - (x + z).doubled() * t3
        let t4 = w1.square()
        let t5 = z1.square()
        var xx = t5.square().timesZ(scaledBy: 16 * b)
        var ww = x1.doubled() - (t5.doubled().doubled() + t4)
        var zz = (w1 + z1).square() - (t4 + t5)
        for _ in 2 ..< n {
            let s1 = zz.square()
            let s2 = s1.square()
            let s3 = ww.square()
            let s4 = s3.square()
            let s5 = (ww + zz).square() - (s1 + s3)
            zz = s5 * ((xx + s1).doubled() - s3)
            xx = (s2 * s4).timesZ(scaledBy: 16 * b)
            // w = −(t4 + t2·(4b − 4))
            ww = -(s4 + (s2.timesZ(scaledBy: 4 * b) - s2.doubled().doubled()))
        }
        let f1 = ww.square()
        let f2 = zz.square()
        let f3 = (ww + zz).square() - (f1 + f2)
        let w2 = f1 - (xx + f2).doubled()
        let newZ = w2.square()
        return ECPoint(
            x: f3.square().timesZ(scaledBy: b),
            z: newZ,
            u: f3 * w2,
            t: (f1.doubled() * (f1 - f2.doubled())) - newZ
        )
    }

    /// Converts points to affine (x/z, u/t) with a single inversion (Montgomery's trick).
    static func batchToAffine(_ points: [ECPoint]) -> [AffinePoint] {
        guard !points.isEmpty else { return [] }
        // prefix[i] = Π_{j<i} (z_j·t_j)
        var prefix = [GFp5]()
        prefix.reserveCapacity(points.count)
        var product = GFp5.one
        for p in points {
            prefix.append(product)
            product = product * (p.z * p.t)
        }
        var inverse = product.inverse()
        var result = [AffinePoint](repeating: .neutral, count: points.count)
        for i in stride(from: points.count - 1, through: 0, by: -1) {
            let p = points[i]
            // 1/(z_i·t_i) = inverse · prefix[i]
            let inv = inverse * prefix[i]
            inverse = inverse * (p.z * p.t)
            result[i] = AffinePoint(x: p.x * p.t * inv, u: p.u * p.z * inv)
        }
        return result
    }

    /// The affine multiples 1·P … 16·P (the window for 5-bit signed digits).
    func window16() -> [AffinePoint] {
        var multiples = [ECPoint]()
        multiples.reserveCapacity(16)
        multiples.append(self)
        for i in 1 ..< 16 {
            multiples.append(i & 1 == 0 ? multiples[i - 1].adding(self) : multiples[i >> 1].doubled())
        }
        return ECPoint.batchToAffine(multiples)
    }

    /// Variable-time k·P (for public scalars: verification).
    func multiplied(by k: Scalar) -> ECPoint {
        let window = window16()
        var digits = [Int](repeating: 0, count: 64)
        k.signedDigits5 { i, d in digits[i] = d }
        var acc = ECPoint.neutral
        window.withUnsafeBufferPointer { win in
            acc = AffinePoint.lookupVariableTime(win, digits[63]).projective
            for i in stride(from: 62, through: 0, by: -1) {
                acc = acc.doubled(times: 5)
                acc = acc.adding(AffinePoint.lookupVariableTime(win, digits[i]))
            }
        }
        return acc
    }

    /// k·G with the precomputed fixed-base table; constant-time table access (for secret scalars).
    static func generatorMultiple(_ k: Scalar) -> ECPoint {
        FixedBaseTable.shared.multiply(k, constantTime: true)
    }

    /// s·G + e·P (verification).
    static func generatorMultiple(_ s: Scalar, plus e: Scalar, times p: ECPoint) -> ECPoint {
        let sg = FixedBaseTable.shared.multiply(s, constantTime: false)
        return p.multiplied(by: e).adding(sg)
    }
}

/// An affine point (x, u) (z = t = 1); (0, 0) is the neutral element.
struct AffinePoint: Sendable {
    var x: GFp5
    var u: GFp5

    static let neutral = AffinePoint(x: .zero, u: .zero)

    var projective: ECPoint { ECPoint(x: x, z: .one, u: u, t: .one) }

    /// −P has the same x and the opposite u.
    var negated: AffinePoint { AffinePoint(x: x, u: -u) }

    /// digit·P from win = [1·P … 16·P], digit in [−16, 16].
    static func lookupVariableTime(_ win: UnsafeBufferPointer<AffinePoint>, _ digit: Int) -> AffinePoint {
        if digit == 0 { return .neutral }
        return digit > 0 ? win[digit - 1] : win[-digit - 1].negated
    }

    /// Same as `lookupVariableTime`, but reads every entry and selects with masks.
    static func lookupConstantTime(_ win: UnsafePointer<AffinePoint>, _ digit: Int) -> AffinePoint {
        let sign = digit >> 63  // −1 if negative, else 0
        let magnitude = (digit ^ sign) - sign
        var x0: UInt64 = 0, x1: UInt64 = 0, x2: UInt64 = 0, x3: UInt64 = 0, x4: UInt64 = 0
        var u0: UInt64 = 0, u1: UInt64 = 0, u2: UInt64 = 0, u3: UInt64 = 0, u4: UInt64 = 0
        for j in 0 ..< 16 {
            let difference = UInt64(bitPattern: Int64((j + 1) ^ magnitude))
            let mask = 0 &- ((difference &- 1) >> 63)  // all ones iff difference == 0
            let entry = win[j]
            x0 |= entry.x.a0 & mask; x1 |= entry.x.a1 & mask; x2 |= entry.x.a2 & mask
            x3 |= entry.x.a3 & mask; x4 |= entry.x.a4 & mask
            u0 |= entry.u.a0 & mask; u1 |= entry.u.a1 & mask; u2 |= entry.u.a2 & mask
            u3 |= entry.u.a3 & mask; u4 |= entry.u.a4 & mask
        }
        let u = GFp5(raw: u0, u1, u2, u3, u4)
        let negU = -u
        let negMask = UInt64(bitPattern: Int64(sign))
        let selected = GFp5(
            raw: (u.a0 & ~negMask) | (negU.a0 & negMask), (u.a1 & ~negMask) | (negU.a1 & negMask),
            (u.a2 & ~negMask) | (negU.a2 & negMask), (u.a3 & ~negMask) | (negU.a3 & negMask),
            (u.a4 & ~negMask) | (negU.a4 & negMask)
        )
        return AffinePoint(x: GFp5(raw: x0, x1, x2, x3, x4), u: selected)
    }
}

/// Affine multiples j·32^i·G for i in 0..<64, j in 1...16, computed once on first use.
final class FixedBaseTable: Sendable {
    /// The table for the generator (built lazily and thread-safely by the `static let`).
    static let shared = FixedBaseTable(base: .generator)

    /// 64 windows × 16 points, window-major.
    let points: [AffinePoint]

    init(base: ECPoint) {
        var projective = [ECPoint]()
        projective.reserveCapacity(64 * 16)
        var windowBase = base
        for _ in 0 ..< 64 {
            var multiples = [windowBase]
            for i in 1 ..< 16 {
                multiples.append(i & 1 == 0 ? multiples[i - 1].adding(windowBase) : multiples[i >> 1].doubled())
            }
            projective.append(contentsOf: multiples)
            windowBase = windowBase.doubled(times: 5)
        }
        points = ECPoint.batchToAffine(projective)
    }

    /// Σ d_i·32^i·G; no doublings needed.
    func multiply(_ k: Scalar, constantTime: Bool) -> ECPoint {
        points.withUnsafeBufferPointer { table in
            var acc = ECPoint.neutral
            k.signedDigits5 { i, digit in
                let window = UnsafeBufferPointer(rebasing: table[(16 * i) ..< (16 * i + 16)])
                let point = constantTime
                    ? AffinePoint.lookupConstantTime(window.baseAddress!, digit)
                    : AffinePoint.lookupVariableTime(window, digit)
                acc = acc.adding(point)
            }
            return acc
        }
    }
}
