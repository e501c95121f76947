import MarketCore
import Testing

/// `FastRounding` against the standard library's `rounded(_:)` (the C library's floor, ceil,
/// round and rint), compared as integers so that the documented zero-sign difference is ignored.
@Suite struct FastRoundingTests {
    /// Values where rounding rules disagree or conversions break: halves on both sides of zero,
    /// values next to whole numbers, the 2⁵² boundary, huge values, infinities and NaN.
    static let edges: [Double] = {
        var values: [Double] = [0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994,
            1, -1, 3024.66 * 100, 302_465.99999999994, 4_503_599_627_370_495.5, -4_503_599_627_370_495.5,
            4_503_599_627_370_496, -4_503_599_627_370_496, 9_007_199_254_740_994, 1e18, -1e18, 1e300, -1e300,
            .infinity, -.infinity, .nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        for whole in [-1_000_001.0, -3.0, -2.0, 0.0, 2.0, 3.0, 7_000_000.0] {
            values += [whole.nextDown, whole.nextUp, (whole + 0.5).nextDown, whole + 0.5, (whole + 0.5).nextUp]
        }
        return values
    }()

    /// The rules under which `value` rounds differently, with both results.
    func mismatches(_ value: Double) -> [String] {
        var found: [String] = []
        for (rule, fast) in [
            (FloatingPointRoundingRule.down, FastRounding.down(value)), (.up, FastRounding.up(value)),
            (.toNearestOrAwayFromZero, FastRounding.nearest(value)), (.toNearestOrEven, FastRounding.nearestEven(value)),
        ] {
            let reference = value.rounded(rule)
            if reference.isNaN ? !fast.isNaN : fast != reference { found.append("\(value) \(rule): \(fast) vs \(reference)") }
        }
        return found
    }

    @Test func edgeValuesRoundAsTheStandardLibrary() {
        #expect(Self.edges.flatMap(mismatches) == [])
        // The sign of a zero result is the one documented difference.
        #expect(FastRounding.up(-0.3) == 0 && FastRounding.nearest(-0.3) == 0)
    }

    @Test func randomValuesRoundAsTheStandardLibrary() {
        var random = SplitMix(seed: 52)
        var found: [String] = []
        for _ in 0..<200_000 {
            let bits = random.next()
            // Whole-ish prices and sizes, random fractions, and raw bit patterns (every exponent).
            let scaled = Double(Int64(bitPattern: bits) >> Int(bits % 50)) / Double(1 << (bits % 13))
            found += mismatches(scaled) + mismatches(Double(bitPattern: bits))
        }
        #expect(found.prefix(10) == [])
    }
}
