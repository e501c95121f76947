/// Exact conversions between decimal text and scaled integers.
///
/// Exchange messages carry prices and sizes as decimal strings (`"3024.66"`). Going through
/// `Double` would round; these functions read the digits straight into an integer mantissa at a
/// given number of decimals, so `"3024.66"` at 2 decimals is exactly `302466`.
public enum FixedPoint {
    /// Why a decimal string could not be read as a scaled integer.
    public enum ParseError: Error, Equatable, CustomStringConvertible, Sendable {
        /// The text is empty or has a character that is not part of a decimal number.
        case malformed(String)
        /// The text has more significant fractional digits than the scale allows.
        case tooPrecise(String, decimals: Int)
        /// The value does not fit in 64 bits at this scale.
        case overflow(String)
        /// A negative value where only non-negative values are allowed.
        case negative(String)

        public var description: String {
            switch self {
            case .malformed(let text): "'\(text)' is not a decimal number"
            case .tooPrecise(let text, let decimals): "'\(text)' has more than \(decimals) significant decimals"
            case .overflow(let text): "'\(text)' is too large"
            case .negative(let text): "'\(text)' is negative"
            }
        }
    }

    /// Powers of ten that fit in `Int64`, indexed by exponent.
    public static let powersOfTen: [Int64] = {
        var table = [Int64](repeating: 1, count: 19)
        for index in 1..<19 { table[index] = table[index - 1] * 10 }
        return table
    }()

    /// `10^decimals` as a `Double` (exact for 0…18, the exponents of ``powersOfTen``), without the
    /// table lookup: a global array read from another module costs a call per access, and prices
    /// and sizes are converted several times per book update.
    @inlinable @inline(__always)
    public static func scale(_ decimals: Int) -> Double {
        switch decimals {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        default: Double(powersOfTen[decimals])
        }
    }

    /// Parses decimal text into an integer scaled by `10^decimals`, exactly.
    ///
    /// Trailing fractional zeros beyond the scale are accepted (`"1.2300"` at 2 decimals is `123`);
    /// a non-zero digit beyond the scale is an error, never silently rounded.
    ///
    /// ```swift
    /// let ticks = try FixedPoint.parse("3024.66", decimals: 2)   // 302466
    /// ```
    /// - Parameters:
    ///   - text: a decimal number, optionally signed, with an optional fractional part.
    ///   - decimals: the scale, 0…18.
    /// - Returns: the scaled integer.
    /// - Throws: ``ParseError``.
    public static func parse(_ text: some StringProtocol, decimals: Int) throws(ParseError) -> Int64 {
        var utf8 = Array(text.utf8)
        return try utf8.withUnsafeMutableBufferPointer { buffer throws(ParseError) -> Int64 in
            switch parse(UnsafeRawBufferPointer(buffer), decimals: decimals) {
            case .some(let value): return value
            case .none: throw diagnose(String(text), decimals: decimals)
            }
        }
    }

    /// Parses ASCII decimal bytes into an integer scaled by `10^decimals`; the allocation-free path
    /// used by the market-data decoders.
    ///
    /// - Returns: the scaled value, or `nil` if the bytes are malformed, too precise or too large.
    @inlinable
    public static func parse(_ bytes: UnsafeRawBufferPointer, decimals: Int) -> Int64? {
        var index = 0
        let count = bytes.count
        guard count > 0, decimals >= 0, decimals <= 18 else { return nil }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
        } else if bytes[0] == UInt8(ascii: "+") {
            index = 1
        }
        var mantissa: Int64 = 0
        var sawDigit = false
        var fractionDigits = 0
        var inFraction = false
        while index < count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ".") {
                if inFraction { return nil }
                inFraction = true
                continue
            }
            let digit = Int64(byte) &- 48
            guard digit >= 0, digit <= 9 else { return nil }
            sawDigit = true
            if inFraction {
                if fractionDigits == decimals {
                    if digit != 0 { return nil }  // too precise
                    continue
                }
                fractionDigits += 1
            }
            let (times10, overflow1) = mantissa.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            mantissa = sum
        }
        guard sawDigit else { return nil }
        let scale = powersOfTen[decimals - fractionDigits]
        let (scaled, overflow) = mantissa.multipliedReportingOverflow(by: scale)
        if overflow { return nil }
        return negative ? -scaled : scaled
    }

    /// Formats a scaled integer as decimal text with exactly `decimals` fractional digits.
    ///
    /// ```swift
    /// FixedPoint.format(302466, decimals: 2)   // "3024.66"
    /// ```
    public static func format(_ value: Int64, decimals: Int) -> String {
        precondition(decimals >= 0 && decimals <= 18, "decimals must be 0…18")
        let magnitude = value.magnitude
        let scale = UInt64(powersOfTen[decimals])
        let whole = magnitude / scale
        let fraction = magnitude % scale
        var text = value < 0 ? "-" : ""
        text += String(whole)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return text
    }

    /// The value of a scaled integer as a `Double` (for models, never for orders).
    @inlinable @inline(__always)
    public static func double(_ value: Int64, decimals: Int) -> Double {
        Double(value) / scale(decimals)
    }

    /// Finds out why `parse` failed, for the error message (not on the hot path).
    private static func diagnose(_ text: String, decimals: Int) -> ParseError {
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        let digitsOnly = parts.allSatisfy { $0.allSatisfy(\.isASCIIDigit) }
        guard !body.isEmpty, parts.count <= 2, digitsOnly, parts.contains(where: { !$0.isEmpty }),
            decimals >= 0, decimals <= 18
        else { return .malformed(text) }
        if parts.count == 2 {
            let significant = parts[1].reversed().drop(while: { $0 == "0" })
            if significant.count > decimals { return .tooPrecise(text, decimals: decimals) }
        }
        return .overflow(text)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { self >= "0" && self <= "9" }
}
