/// Rounding of `Double`s to whole numbers without a call into the C library.
///
/// On x86-64 without SSE4.1 (Swift's default target) `Double.rounded(_:)` is a call to `floor`,
/// `ceil`, `round` or `rint`; the hot path rounds a dozen prices and sizes per book update, so
/// these do it with an integer conversion instead. Each gives the same value as
/// `rounded(_:)` with the matching rule, except that the sign of a zero result is not kept
/// (`-0.3` rounds up to `0.0`, not `-0.0`), which no caller converting to an integer can see.
/// Values of magnitude 2⁵² or more (already whole), infinities and NaN go to `rounded(_:)`.
public enum FastRounding {
    /// 2⁵²: from here on every `Double` is whole.
    @usableFromInline static let wholeFrom: Double = 4_503_599_627_370_496

    /// The largest whole number at or below `value` (`rounded(.down)`).
    @inlinable @inline(__always)
    public static func down(_ value: Double) -> Double {
        guard abs(value) < wholeFrom else { return value.rounded(.down) }
        let truncated = Double(Int64(value))
        // Selects rather than branches: the direction is unpredictable on prices.
        return truncated - (truncated > value ? 1 : 0)
    }

    /// The smallest whole number at or above `value` (`rounded(.up)`).
    @inlinable @inline(__always)
    public static func up(_ value: Double) -> Double {
        guard abs(value) < wholeFrom else { return value.rounded(.up) }
        let truncated = Double(Int64(value))
        return truncated + (truncated < value ? 1 : 0)
    }

    /// The nearest whole number, halves away from zero (`rounded()`).
    @inlinable @inline(__always)
    public static func nearest(_ value: Double) -> Double {
        guard abs(value) < wholeFrom else { return value.rounded() }
        let truncated = Double(Int64(value))
        // Exact: below 2⁵² the fraction is representable on its own.
        let fraction = value - truncated
        return truncated + (fraction >= 0.5 ? 1 : 0) - (fraction <= -0.5 ? 1 : 0)
    }

    /// The nearest whole number, halves to even (`rounded(.toNearestOrEven)`).
    @inlinable @inline(__always)
    public static func nearestEven(_ value: Double) -> Double {
        guard abs(value) < wholeFrom else { return value.rounded(.toNearestOrEven) }
        let whole = Int64(value)
        let truncated = Double(whole)
        let fraction = value - truncated
        let odd = whole & 1 != 0
        if fraction > 0.5 || (fraction == 0.5 && odd) { return truncated + 1 }
        if fraction < -0.5 || (fraction == -0.5 && odd) { return truncated - 1 }
        return truncated
    }
}
