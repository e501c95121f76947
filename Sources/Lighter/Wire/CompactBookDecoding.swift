import MarketCore

/// A cursor over message bytes for the compact fast path: the position lives in a local value
/// (a register once inlined), reads are unchecked loads below `count`.
struct CompactCursor {
    let base: UnsafeRawPointer
    let count: Int
    var position = 0

    @inline(__always)
    init(base: UnsafeRawPointer, count: Int) {
        self.base = base
        self.count = count
    }

    /// The byte at `index` (the caller checks `index < count`).
    @inline(__always)
    func byte(_ index: Int) -> UInt8 { base.load(fromByteOffset: index, as: UInt8.self) }

    /// Consumes `byte` if it is next.
    @inline(__always)
    mutating func consume(_ expected: UInt8) -> Bool {
        guard position < count, byte(position) == expected else { return false }
        position &+= 1
        return true
    }

    /// Whether the bytes at `span` equal `literal` (compared as two overlapping words; keys are at
    /// least 4 bytes long, shorter ones byte by byte).
    @inline(__always)
    func equals(_ span: WireSpan, _ literal: StaticString) -> Bool {
        let length = span.count
        guard length == literal.utf8CodeUnitCount else { return false }
        let text = UnsafeRawPointer(literal.utf8Start)
        let here = base + span.start
        if length >= 8 {
            if length > 16 { return memoryEquals(here, text, length) }
            return here.loadUnaligned(as: UInt64.self) == text.loadUnaligned(as: UInt64.self)
                && here.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)
                    == text.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)
        }
        if length >= 4 {
            return here.loadUnaligned(as: UInt32.self) == text.loadUnaligned(as: UInt32.self)
                && here.loadUnaligned(fromByteOffset: length &- 4, as: UInt32.self)
                    == text.loadUnaligned(fromByteOffset: length &- 4, as: UInt32.self)
        }
        return memoryEquals(here, text, length)
    }

    @inline(__always)
    func memoryEquals(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ length: Int) -> Bool {
        var index = 0
        while index < length {
            if a.load(fromByteOffset: index, as: UInt8.self) != b.load(fromByteOffset: index, as: UInt8.self) { return false }
            index &+= 1
        }
        return true
    }

    /// Reads a plain string (no escape, no control byte) from its opening quote up to and
    /// including the closing quote, eight bytes at a time while it can.
    @inline(__always)
    mutating func plainString() -> WireSpan? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = position
        while position &+ 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian
            // High bit of each byte that is a quote, a backslash or below 0x20 (exact for the
            // lowest such byte, which is the one used).
            let quote = word ^ 0x2222_2222_2222_2222
            let backslash = word ^ 0x5C5C_5C5C_5C5C_5C5C
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let special =
                ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- 0x2020_2020_2020_2020) & ~word)
            let found = special & highs
            if found == 0 {
                position &+= 8
                continue
            }
            position &+= found.trailingZeroBitCount >> 3
            break
        }
        while position < count {
            let next = byte(position)
            if next == UInt8(ascii: "\"") {
                position &+= 1
                return WireSpan(start: start, count: position &- 1 &- start)
            }
            if next == UInt8(ascii: "\\") || next < 0x20 { return nil }
            position &+= 1
        }
        return nil
    }

    /// Reads `"key":` and returns the key's span.
    @inline(__always)
    mutating func key() -> WireSpan? {
        guard let span = plainString(), consume(UInt8(ascii: ":")) else { return nil }
        return span
    }

    /// Reads a bare JSON integer (optional `-`, 1 to 18 digits) followed by `,` or `}` (not
    /// consumed); `nil` for anything else, including a quoted integer or more digits.
    @inline(__always)
    mutating func integer() -> Int64? {
        var negative = false
        if position < count, byte(position) == UInt8(ascii: "-") {
            negative = true
            position &+= 1
        }
        let start = position
        var value: Int64 = 0
        while position < count {
            let digit = Int64(byte(position)) &- 48
            if digit < 0 || digit > 9 { break }
            value = value &* 10 &+ digit
            position &+= 1
        }
        let digits = position &- start
        guard digits > 0, digits <= 18, position < count else { return nil }
        let next = byte(position)
        guard next == UInt8(ascii: ",") || next == UInt8(ascii: "}") else { return nil }
        return negative ? -value : value
    }

    /// Reads unsigned decimal text up to and including its closing quote, scaled by
    /// `10^decimals`, with the acceptance rules of `WireReader.scanUnsignedDecimal` (digits and
    /// at most one `.`, at least one digit, fractional digits beyond `decimals` all zeros).
    /// `nil` for anything else, and also when the integer digits plus `decimals` exceed 18 (the
    /// general path decides those), so the result never overflows.
    @inline(__always)
    mutating func unsignedDecimal(decimals: Int) -> Int64? {
        var mantissa: Int64 = 0
        var integerDigits = 0
        var fractionDigits = 0
        // Integer part.
        while position < count {
            let digit = Int64(byte(position)) &- 48
            if digit < 0 || digit > 9 { break }
            mantissa = mantissa &* 10 &+ digit
            integerDigits &+= 1
            position &+= 1
        }
        guard integerDigits &+ decimals <= 18, position < count else { return nil }
        var sawDigit = integerDigits > 0
        if byte(position) == UInt8(ascii: ".") {
            position &+= 1
            while position < count {
                let digit = Int64(byte(position)) &- 48
                if digit < 0 || digit > 9 { break }
                sawDigit = true
                if fractionDigits == decimals {
                    if digit != 0 { return nil }
                } else {
                    mantissa = mantissa &* 10 &+ digit
                    fractionDigits &+= 1
                }
                position &+= 1
            }
        }
        guard sawDigit, position < count, byte(position) == UInt8(ascii: "\"") else { return nil }
        position &+= 1
        var scale = decimals &- fractionDigits
        while scale > 0 {
            mantissa = mantissa &* 10
            scale &-= 1
        }
        return mantissa
    }

    /// Matches `{"price":"` (10 bytes).
    @inline(__always)
    mutating func levelOpening() -> Bool {
        guard position &+ 10 <= count,
            base.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian == 0x2265_6369_7270_227B,
            base.loadUnaligned(fromByteOffset: position &+ 8, as: UInt16.self).littleEndian == 0x223A
        else { return false }
        position &+= 10
        return true
    }

    /// Matches `,"size":"` (9 bytes).
    @inline(__always)
    mutating func sizeKey() -> Bool {
        guard position &+ 9 <= count,
            base.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian == 0x3A22_657A_6973_222C,
            byte(position &+ 8) == UInt8(ascii: "\"")
        else { return false }
        position &+= 9
        return true
    }
}

extension MarketMessageDecoder {
    /// The fast path for order-book messages in the form Lighter sends them: no whitespace, no
    /// escapes, the channel before the book, levels as `{"price":"…","size":"…"}`, integers bare,
    /// and only the keys the decoder reads. Fills `message` and returns `true`, or returns
    /// `false` as soon as anything differs (the caller then runs the general decoder, which
    /// produces the same result for these messages and the errors for malformed ones).
    mutating func decodeCompactBook(_ bytes: UnsafeRawBufferPointer, into message: inout MarketMessage) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        message.reset()
        var cursor = CompactCursor(base: base, count: bytes.count)
        guard cursor.consume(UInt8(ascii: "{")) else { return false }
        var decimals: MarketDecimalsTable.Decimals?
        var typeSpan: WireSpan?
        var sawBook = false
        var first = true
        while true {
            guard cursor.position < cursor.count else { return false }
            if cursor.byte(cursor.position) == UInt8(ascii: "}") {
                cursor.position &+= 1
                break
            }
            if !first { guard cursor.consume(UInt8(ascii: ",")) else { return false } }
            first = false
            guard let key = cursor.key() else { return false }
            switch key.count {
            case 7 where cursor.equals(key, "channel"):
                guard let span = cursor.plainString(),
                    let market = Self.marketID(channel: span, in: WireReader(bytes)),
                    let known = markets[market]
                else { return false }
                message.marketID = market
                decimals = known
            case 6 where cursor.equals(key, "offset"):
                guard let value = cursor.integer() else { return false }
                message.offset = value
            case 5 where cursor.equals(key, "nonce"):
                guard let value = cursor.integer() else { return false }
                message.nonce = value
            case 9 where cursor.equals(key, "timestamp"):
                guard let value = cursor.integer() else { return false }
                message.timestampMs = value
            case 4 where cursor.equals(key, "type"):
                guard let span = cursor.plainString() else { return false }
                typeSpan = span
            case 10 where cursor.equals(key, "order_book"):
                guard let decimals, Self.compactBook(&cursor, decimals: decimals, into: &message) else { return false }
                sawBook = true
            default:
                return false
            }
        }
        while cursor.position < cursor.count {
            let next = cursor.byte(cursor.position)
            guard next == 0x20 || next == 0x0A || next == 0x0D || next == 0x09 else { return false }
            cursor.position &+= 1
        }
        guard sawBook, let typeSpan else { return false }
        let kind = Self.kind(of: typeSpan, in: WireReader(bytes))
        guard kind == .orderBookSnapshot || kind == .orderBookUpdate else { return false }
        message.kind = kind
        return true
    }

    /// The `order_book` object of the fast path.
    static func compactBook(
        _ cursor: inout CompactCursor, decimals: MarketDecimalsTable.Decimals, into message: inout MarketMessage
    ) -> Bool {
        guard cursor.consume(UInt8(ascii: "{")) else { return false }
        var first = true
        while true {
            guard cursor.position < cursor.count else { return false }
            if cursor.byte(cursor.position) == UInt8(ascii: "}") {
                cursor.position &+= 1
                return true
            }
            if !first { guard cursor.consume(UInt8(ascii: ",")) else { return false } }
            first = false
            guard let key = cursor.key() else { return false }
            switch key.count {
            case 4 where cursor.equals(key, "asks"):
                guard compactLevels(&cursor, decimals: decimals, into: &message.asks) else { return false }
            case 4 where cursor.equals(key, "bids"):
                guard compactLevels(&cursor, decimals: decimals, into: &message.bids) else { return false }
            case 5 where cursor.equals(key, "nonce"):
                guard let value = cursor.integer() else { return false }
                message.nonce = value
            case 11 where cursor.equals(key, "begin_nonce"):
                guard let value = cursor.integer() else { return false }
                message.beginNonce = value
            case 6 where cursor.equals(key, "offset"):
                guard let value = cursor.integer() else { return false }
                if message.offset == nil { message.offset = value }
            case 4 where cursor.equals(key, "code"):
                guard let value = cursor.integer() else { return false }
                message.code = value
            default:
                return false
            }
        }
    }

    /// A levels array of the fast path, appended to `levels`.
    static func compactLevels(
        _ cursor: inout CompactCursor, decimals: MarketDecimalsTable.Decimals, into levels: inout [BookLevel]
    ) -> Bool {
        guard cursor.consume(UInt8(ascii: "[")) else { return false }
        if cursor.consume(UInt8(ascii: "]")) { return true }
        while true {
            guard cursor.levelOpening(), let price = cursor.unsignedDecimal(decimals: decimals.price),
                cursor.sizeKey(), let size = cursor.unsignedDecimal(decimals: decimals.size),
                cursor.consume(UInt8(ascii: "}"))
            else { return false }
            levels.append(BookLevel(price: Price(ticks: price), size: Quantity(lots: size)))
            if cursor.consume(UInt8(ascii: "]")) { return true }
            guard cursor.consume(UInt8(ascii: ",")) else { return false }
        }
    }
}
