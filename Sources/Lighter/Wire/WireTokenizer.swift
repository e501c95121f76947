/// Why a wire message could not be decoded. Decoders throw this (typed, so nothing is boxed or
/// allocated on the error path's way up); the caller counts and logs it and drops the message.
public enum WireError: Error, Sendable, CustomStringConvertible {
    /// The message ended in the middle of a value.
    case unexpectedEnd(offset: Int)
    /// A byte that cannot start or continue the expected value.
    case unexpectedByte(UInt8, offset: Int)
    /// Objects or arrays nested deeper than the tokenizer allows.
    case nestingTooDeep(offset: Int)
    /// A number field that is not an integer in range.
    case invalidInteger(field: StaticString, offset: Int)
    /// A price or size that is not a decimal number with at most the market's decimals.
    case invalidDecimal(field: StaticString, offset: Int)
    /// A field the message type requires is absent.
    case missingField(StaticString)
    /// The channel name does not end in a market id (`order_book:0`).
    case invalidChannel
    /// A book or trade message for a market whose decimals are unknown.
    case unknownMarket(Int)

    public var description: String {
        switch self {
        case .unexpectedEnd(let offset): "message ends early (byte \(offset))"
        case .unexpectedByte(let byte, let offset): "unexpected byte 0x\(String(byte, radix: 16)) at \(offset)"
        case .nestingTooDeep(let offset): "nesting too deep at byte \(offset)"
        case .invalidInteger(let field, let offset): "'\(field)' is not an integer (byte \(offset))"
        case .invalidDecimal(let field, let offset): "'\(field)' is not a decimal with the market's decimals (byte \(offset))"
        case .missingField(let field): "missing field '\(field)'"
        case .invalidChannel: "channel has no market id"
        case .unknownMarket(let market): "no decimals known for market \(market)"
        }
    }
}

/// A byte range inside the message being decoded (no copy; valid while the buffer is).
public struct WireSpan: Hashable, Sendable {
    /// Index of the first byte.
    public var start: Int
    /// Number of bytes.
    public var count: Int

    /// A span of `count` bytes from `start`.
    @inlinable
    public init(start: Int, count: Int) {
        self.start = start
        self.count = count
    }

    /// The empty span.
    public static let empty = WireSpan(start: 0, count: 0)
}

/// A zero-allocation pull tokenizer over JSON bytes.
///
/// The reader never copies: strings come back as ``WireSpan``s (escape sequences are skipped, not
/// decoded; the hot messages carry none in the fields we read), numbers as integers or raw spans.
/// Every method validates what it reads and throws ``WireError`` on malformed input, so random
/// bytes can never make it crash or loop.
///
/// ```swift
/// var reader = WireReader(bytes)
/// try reader.beginObject()
/// while let key = try reader.nextKey() {
///     if reader.equals(key, "nonce") { nonce = try reader.readInt64(field: "nonce") }
///     else { try reader.skipValue() }
/// }
/// ```
public struct WireReader {
    /// The message bytes.
    public let bytes: UnsafeRawBufferPointer
    /// The index of the next unread byte.
    public var position: Int
    /// Whether the next `nextKey`/`nextElement` call is the first in its container.
    @usableFromInline var first = true

    /// The deepest nesting ``skipValue()`` accepts.
    public static let maximumDepth = 64

    /// A reader at the start of `bytes`.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.position = 0
    }

    @inlinable
    mutating func skipWhitespace() {
        while position < bytes.count {
            let byte = bytes[position]
            if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position &+= 1 } else { return }
        }
    }

    /// The next non-whitespace byte without consuming it.
    @inlinable
    public mutating func peek() throws(WireError) -> UInt8 {
        skipWhitespace()
        guard position < bytes.count else { throw .unexpectedEnd(offset: position) }
        return bytes[position]
    }

    @inlinable
    mutating func expect(_ byte: UInt8) throws(WireError) {
        let next = try peek()
        guard next == byte else { throw .unexpectedByte(next, offset: position) }
        position &+= 1
    }

    /// Consumes `{`; follow with ``nextKey()`` until it returns `nil`.
    @inlinable
    public mutating func beginObject() throws(WireError) {
        try expect(UInt8(ascii: "{"))
        first = true
    }

    /// The next key of the current object (and consumes its `:`), or `nil` at the closing `}`.
    @inlinable
    public mutating func nextKey() throws(WireError) -> WireSpan? {
        var next = try peek()
        if next == UInt8(ascii: "}") {
            position &+= 1
            first = false
            return nil
        }
        if !first {
            guard next == UInt8(ascii: ",") else { throw .unexpectedByte(next, offset: position) }
            position &+= 1
            next = try peek()
        }
        first = false
        guard next == UInt8(ascii: "\"") else { throw .unexpectedByte(next, offset: position) }
        let key = try readString()
        try expect(UInt8(ascii: ":"))
        return key
    }

    /// Consumes `[`; follow with ``nextElement()`` until it returns `false`.
    @inlinable
    public mutating func beginArray() throws(WireError) {
        try expect(UInt8(ascii: "["))
        first = true
    }

    /// Whether another element follows in the current array (consumes the `,` or the closing `]`).
    @inlinable
    public mutating func nextElement() throws(WireError) -> Bool {
        let next = try peek()
        if next == UInt8(ascii: "]") {
            position &+= 1
            first = false
            return false
        }
        if !first {
            guard next == UInt8(ascii: ",") else { throw .unexpectedByte(next, offset: position) }
            position &+= 1
        }
        first = false
        return true
    }

    /// Reads a string and returns the span of its contents (between the quotes, escapes undecoded).
    @inlinable
    public mutating func readString() throws(WireError) -> WireSpan {
        try expect(UInt8(ascii: "\""))
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position &+= 1
                return WireSpan(start: start, count: position &- 1 &- start)
            }
            if byte == UInt8(ascii: "\\") {
                position &+= 2
                continue
            }
            if byte < 0x20 { throw .unexpectedByte(byte, offset: position) }
            position &+= 1
        }
        throw .unexpectedEnd(offset: bytes.count)
    }

    /// Reads a number token (`-`, digits, `.`, `e`, `+`) and returns its span.
    @inlinable
    public mutating func readNumberSpan() throws(WireError) -> WireSpan {
        let next = try peek()
        let start = position
        guard next == UInt8(ascii: "-") || (next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9")) else {
            throw .unexpectedByte(next, offset: position)
        }
        position &+= 1
        while position < bytes.count {
            let byte = bytes[position]
            let isNumberByte =
                (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: "-")
            if !isNumberByte { break }
            position &+= 1
        }
        return WireSpan(start: start, count: position &- start)
    }

    /// Reads an integer; accepts a JSON number or a string holding one (`"281475384758017"`).
    @inlinable
    public mutating func readInt64(field: StaticString) throws(WireError) -> Int64 {
        let start = position
        let span: WireSpan
        if try peek() == UInt8(ascii: "\"") { span = try readString() } else { span = try readNumberSpan() }
        guard let value = integer(span) else { throw .invalidInteger(field: field, offset: start) }
        return value
    }

    /// Reads `true` or `false`.
    @inlinable
    public mutating func readBool() throws(WireError) -> Bool {
        let next = try peek()
        if next == UInt8(ascii: "t") {
            try expectLiteral(0x74_72_75_65, length: 4)  // "true"
            return true
        }
        if next == UInt8(ascii: "f") {
            guard position &+ 5 <= bytes.count else { throw .unexpectedEnd(offset: bytes.count) }
            guard bytes[position &+ 1] == UInt8(ascii: "a"), bytes[position &+ 2] == UInt8(ascii: "l"),
                bytes[position &+ 3] == UInt8(ascii: "s"), bytes[position &+ 4] == UInt8(ascii: "e")
            else { throw .unexpectedByte(next, offset: position) }
            position &+= 5
            return false
        }
        throw .unexpectedByte(next, offset: position)
    }

    /// Consumes `null` if it is next; returns whether it was.
    @inlinable
    public mutating func readNullIfPresent() throws(WireError) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try expectLiteral(0x6E_75_6C_6C, length: 4)  // "null"
        return true
    }

    @inlinable
    mutating func expectLiteral(_ bigEndianASCII: UInt32, length: Int) throws(WireError) {
        guard position &+ length <= bytes.count else { throw .unexpectedEnd(offset: bytes.count) }
        var shift = UInt32(8 * (length - 1))
        for index in 0..<length {
            let expected = UInt8(truncatingIfNeeded: bigEndianASCII >> shift)
            guard bytes[position &+ index] == expected else {
                throw .unexpectedByte(bytes[position &+ index], offset: position &+ index)
            }
            shift &-= 8
        }
        position &+= length
    }

    /// Skips one value of any kind, nested up to ``maximumDepth`` (iteratively; no recursion).
    @inlinable
    public mutating func skipValue() throws(WireError) {
        var depth = 0
        var objectBits: UInt64 = 0  // bit d set: the container at depth d+1 is an object
        repeat {
            let next = try peek()
            switch next {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < Self.maximumDepth else { throw .nestingTooDeep(offset: position) }
                let isObject = next == UInt8(ascii: "{")
                position &+= 1
                let after = try peek()
                if after == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    position &+= 1  // empty container: a complete value
                } else {
                    if isObject { objectBits |= (1 << UInt64(depth)) } else { objectBits &= ~(1 << UInt64(depth)) }
                    depth &+= 1
                    if isObject {
                        _ = try readString()
                        try expect(UInt8(ascii: ":"))
                    }
                    continue
                }
            case UInt8(ascii: "\""): _ = try readString()
            case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try readBool()
            case UInt8(ascii: "n"): _ = try readNullIfPresent()
            default: _ = try readNumberSpan()
            }
            // After a complete value: close containers, or move to the next member/element.
            while depth > 0 {
                let isObject = objectBits & (1 << UInt64(depth &- 1)) != 0
                let separator = try peek()
                if separator == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    position &+= 1
                    depth &-= 1
                    continue
                }
                guard separator == UInt8(ascii: ",") else { throw .unexpectedByte(separator, offset: position) }
                position &+= 1
                if isObject {
                    _ = try readString()
                    try expect(UInt8(ascii: ":"))
                }
                break
            }
        } while depth > 0
    }

    // MARK: Shape fast path

    /// Scans plain string contents up to the closing quote and consumes the quote; `nil` (position
    /// unspecified) on an escape, a control byte or the end.
    @inlinable
    mutating func scanPlainString() -> WireSpan? {
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position &+= 1
                return WireSpan(start: start, count: position &- 1 &- start)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            position &+= 1
        }
        return nil
    }

    /// Matches a level object in Lighter's compact form, `{"price":"…","size":"…"}`, at the
    /// position and consumes it; returns `nil` and leaves the position unchanged for any other
    /// form (whitespace, other key order, extra keys, escapes), which the general path handles.
    @inlinable
    public mutating func matchCompactLevel() -> (price: WireSpan, size: WireSpan)? {
        let start = position
        // `{"price":"` then `,"size":"` compared 8 bytes at a time (little-endian ASCII).
        guard position &+ 10 <= bytes.count,
            bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian == 0x2265_6369_7270_227B,
            bytes.loadUnaligned(fromByteOffset: position &+ 8, as: UInt16.self).littleEndian == 0x223A
        else { return nil }
        position &+= 10
        guard let price = scanPlainString(), position &+ 9 <= bytes.count,
            bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian == 0x3A22_657A_6973_222C,
            bytes[position &+ 8] == UInt8(ascii: "\"")
        else {
            position = start
            return nil
        }
        position &+= 9
        guard let size = scanPlainString(), position < bytes.count, bytes[position] == UInt8(ascii: "}") else {
            position = start
            return nil
        }
        position &+= 1
        first = false
        return (price, size)
    }

    /// Reads unsigned decimal text up to the closing quote straight into an integer scaled by
    /// `10^decimals` (the same rules as `FixedPoint.parse`: extra fractional digits must be zeros)
    /// and consumes the quote; `nil` (position unspecified) on anything else, including a sign,
    /// an escape, too many significant decimals or overflow.
    @inlinable
    mutating func scanUnsignedDecimal(decimals: Int) -> Int64? {
        var mantissa: Int64 = 0
        var sawDigit = false
        var inFraction = false
        var fractionDigits = 0
        while position < bytes.count {
            let byte = bytes[position]
            position &+= 1
            if byte == UInt8(ascii: "\"") {
                guard sawDigit else { return nil }
                var scale = decimals &- fractionDigits
                while scale > 0 {
                    let (scaled, overflow) = mantissa.multipliedReportingOverflow(by: 10)
                    if overflow { return nil }
                    mantissa = scaled
                    scale &-= 1
                }
                return mantissa
            }
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
                    if digit != 0 { return nil }
                    continue
                }
                fractionDigits &+= 1
            }
            let (times10, overflow1) = mantissa.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            mantissa = sum
        }
        return nil
    }

    /// ``matchCompactLevel()`` that also converts the price and size with the given decimals in
    /// the same pass; `nil` with the position unchanged if the form or the numbers are not plain.
    @inlinable
    public mutating func matchCompactLevel(priceDecimals: Int, sizeDecimals: Int) -> (price: Int64, size: Int64)? {
        let start = position
        guard position &+ 10 <= bytes.count,
            bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian == 0x2265_6369_7270_227B,
            bytes.loadUnaligned(fromByteOffset: position &+ 8, as: UInt16.self).littleEndian == 0x223A
        else { return nil }
        position &+= 10
        guard let price = scanUnsignedDecimal(decimals: priceDecimals), position &+ 9 <= bytes.count,
            bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian == 0x3A22_657A_6973_222C,
            bytes[position &+ 8] == UInt8(ascii: "\"")
        else {
            position = start
            return nil
        }
        position &+= 9
        guard let size = scanUnsignedDecimal(decimals: sizeDecimals), position < bytes.count,
            bytes[position] == UInt8(ascii: "}")
        else {
            position = start
            return nil
        }
        position &+= 1
        first = false
        return (price, size)
    }

    // MARK: Spans

    /// Whether the bytes of `span` equal `literal`.
    @inlinable
    public func equals(_ span: WireSpan, _ literal: StaticString) -> Bool {
        guard span.count == literal.utf8CodeUnitCount else { return false }
        let pointer = literal.utf8Start
        var index = 0
        while index < span.count {
            if bytes[span.start &+ index] != pointer[index] { return false }
            index &+= 1
        }
        return true
    }

    /// The bytes of `span` as a buffer (no copy).
    @inlinable
    public func slice(_ span: WireSpan) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[span.start..<(span.start &+ span.count)])
    }

    /// The span as a `String` (allocates; for errors and non-hot fields).
    public func string(_ span: WireSpan) -> String {
        String(decoding: slice(span), as: UTF8.self)
    }

    /// The span as a plain decimal integer (optional `-`, digits only), or `nil`.
    @inlinable
    public func integer(_ span: WireSpan) -> Int64? {
        guard span.count > 0 else { return nil }
        var index = span.start
        let end = span.start &+ span.count
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index &+= 1
            guard index < end else { return nil }
        }
        var value: Int64 = 0
        while index < end {
            let digit = Int64(bytes[index]) &- 48
            guard digit >= 0, digit <= 9 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = sum
            index &+= 1
        }
        return negative ? -value : value
    }
}
