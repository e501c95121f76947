import MarketCore

/// A byte-level decoder for the Binance USD-M futures messages this client reads: `depthUpdate`
/// (diff and partial depth), `bookTicker`, `aggTrade`, the REST depth snapshot, and the combined-stream
/// wrapper `{"stream":…,"data":{…}}` around any of them.
///
/// It reads the bytes once, in any key order, skips keys it does not use, and converts prices and
/// sizes straight from their decimal text into integers with ``FixedPoint/parse(_:decimals:)``
/// (no `Double`, no Foundation). Level arrays are kept between calls so a long-lived parser does
/// not allocate for them once they have grown; the returned message holds copies.
///
/// ```swift
/// var parser = BinanceMessageParser(priceDecimals: 1, sizeDecimals: 3)
/// let message = try parser.parse(#"{"e":"bookTicker","u":1,"E":2,"T":2,"s":"BTCUSDT","b":"100.5","B":"1.250","a":"100.6","A":"0.5"}"#)
/// ```
public struct BinanceMessageParser: Sendable {
    /// Decimals of the integer prices produced.
    public var priceDecimals: Int
    /// Decimals of the integer sizes produced.
    public var sizeDecimals: Int

    private var bids: [BookLevel] = []
    private var asks: [BookLevel] = []

    /// A parser producing prices with `priceDecimals` and sizes with `sizeDecimals` decimals.
    public init(priceDecimals: Int, sizeDecimals: Int) {
        self.priceDecimals = priceDecimals
        self.sizeDecimals = sizeDecimals
        bids.reserveCapacity(64)
        asks.reserveCapacity(64)
    }

    /// Decodes one message held in `text` (convenience for tests and tools).
    ///
    /// - Throws: ``BinanceParseError`` if the text is not one of the supported shapes.
    public mutating func parse(_ text: String) throws(BinanceParseError) -> BinanceMessage {
        var copy = text
        let result = copy.withUTF8 { buffer -> Result<BinanceMessage, BinanceParseError> in
            do throws(BinanceParseError) {
                return .success(try self.parse(UnsafeRawBufferPointer(buffer)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Decodes one message from its UTF-8 bytes.
    ///
    /// - Returns: the message, or ``BinanceMessage/ignored`` for well-formed JSON objects of other kinds.
    /// - Throws: ``BinanceParseError`` naming the problem and its byte offset if the bytes are not
    ///   valid JSON of the expected shape, a required field is missing, or a price or size does not
    ///   fit the configured decimals.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(BinanceParseError) -> BinanceMessage {
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        var cursor = JSONCursor(bytes: bytes)
        var fields = Fields()
        try parseObject(&cursor, into: &fields, nesting: 0)
        cursor.skipWhitespace()
        guard cursor.isAtEnd else { throw BinanceParseError("unexpected bytes after the message", offset: cursor.index) }
        return try fields.message(bids: bids, asks: asks, end: cursor.index)
    }

    // MARK: Object walking

    private mutating func parseObject(_ cursor: inout JSONCursor, into fields: inout Fields, nesting: Int)
        throws(BinanceParseError)
    {
        try cursor.expect(UInt8(ascii: "{"))
        cursor.skipWhitespace()
        if cursor.peek() == UInt8(ascii: "}") {
            cursor.index += 1
            return
        }
        while true {
            cursor.skipWhitespace()
            let key = try cursor.readStringRange()
            cursor.skipWhitespace()
            try cursor.expect(UInt8(ascii: ":"))
            cursor.skipWhitespace()
            try parseValue(forKey: key, &cursor, into: &fields, nesting: nesting)
            cursor.skipWhitespace()
            guard let next = cursor.next() else { throw BinanceParseError("unterminated object", offset: cursor.index) }
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else {
                throw BinanceParseError("expected ',' or '}' in object", offset: cursor.index - 1)
            }
        }
    }

    private mutating func parseValue(
        forKey key: Range<Int>, _ cursor: inout JSONCursor, into fields: inout Fields, nesting: Int
    ) throws(BinanceParseError) {
        let first = cursor.peek()
        switch key.count {
        case 1:
            switch cursor.bytes[key.lowerBound] {
            case UInt8(ascii: "e"):
                let value = try cursor.readStringRange()
                fields.eventType =
                    cursor.equals(value, "depthUpdate") ? .depthUpdate
                    : cursor.equals(value, "bookTicker") ? .bookTicker
                    : cursor.equals(value, "aggTrade") ? .aggTrade : .other
            case UInt8(ascii: "E"): fields.eventTime = try cursor.readIntegerOrSkip()
            case UInt8(ascii: "T"): fields.transactionTime = try cursor.readIntegerOrSkip()
            case UInt8(ascii: "U"): fields.firstUpdateID = try cursor.readIntegerOrSkip()
            case UInt8(ascii: "u"): fields.finalUpdateID = try cursor.readIntegerOrSkip()
            case UInt8(ascii: "b"):
                if first == UInt8(ascii: "[") {
                    try parseLevels(&cursor, side: .buy)
                    fields.sawBids = true
                } else if first == UInt8(ascii: "\"") {
                    fields.bestBidPrice = try readDecimal(&cursor, decimals: priceDecimals, what: "bid price")
                } else {
                    try cursor.skipValue()
                }
            case UInt8(ascii: "a"):
                // Depth: ask levels; bookTicker: the best ask price; aggTrade: the aggregate trade id.
                if first == UInt8(ascii: "[") {
                    try parseLevels(&cursor, side: .sell)
                    fields.sawAsks = true
                } else if first == UInt8(ascii: "\"") {
                    fields.bestAskPrice = try readDecimal(&cursor, decimals: priceDecimals, what: "ask price")
                } else {
                    fields.aggregateTradeID = try cursor.readIntegerOrSkip()
                }
            case UInt8(ascii: "p"):
                if first == UInt8(ascii: "\"") {
                    fields.tradePrice = try readDecimal(&cursor, decimals: priceDecimals, what: "trade price")
                } else {
                    try cursor.skipValue()
                }
            case UInt8(ascii: "q"):
                if first == UInt8(ascii: "\"") {
                    fields.tradeSize = try readDecimal(&cursor, decimals: sizeDecimals, what: "trade quantity")
                } else {
                    try cursor.skipValue()
                }
            case UInt8(ascii: "f"): fields.firstTradeID = try cursor.readIntegerOrSkip()
            case UInt8(ascii: "l"): fields.lastTradeID = try cursor.readIntegerOrSkip()
            case UInt8(ascii: "m"): fields.buyerIsMaker = try cursor.readBoolOrSkip()
            case UInt8(ascii: "B"):
                if first == UInt8(ascii: "\"") {
                    fields.bestBidSize = try readDecimal(&cursor, decimals: sizeDecimals, what: "bid size")
                } else {
                    try cursor.skipValue()
                }
            case UInt8(ascii: "A"):
                if first == UInt8(ascii: "\"") {
                    fields.bestAskSize = try readDecimal(&cursor, decimals: sizeDecimals, what: "ask size")
                } else {
                    try cursor.skipValue()
                }
            default: try cursor.skipValue()
            }
        case 2 where cursor.equals(key, "pu"):
            fields.previousFinalUpdateID = try cursor.readIntegerOrSkip()
        case 4 where cursor.equals(key, "bids"):
            try parseLevels(&cursor, side: .buy)
            fields.sawBids = true
        case 4 where cursor.equals(key, "asks"):
            try parseLevels(&cursor, side: .sell)
            fields.sawAsks = true
        case 4 where cursor.equals(key, "data") && first == UInt8(ascii: "{") && nesting == 0:
            try parseObject(&cursor, into: &fields, nesting: 1)
        case 12 where cursor.equals(key, "lastUpdateId"):
            fields.lastUpdateID = try cursor.readIntegerOrSkip()
        default:
            try cursor.skipValue()
        }
    }

    /// Reads `[["price","size"], …]` into the bid or ask scratch array.
    private mutating func parseLevels(_ cursor: inout JSONCursor, side: Side) throws(BinanceParseError) {
        if side == .buy { bids.removeAll(keepingCapacity: true) } else { asks.removeAll(keepingCapacity: true) }
        try cursor.expect(UInt8(ascii: "["))
        cursor.skipWhitespace()
        if cursor.peek() == UInt8(ascii: "]") {
            cursor.index += 1
            return
        }
        while true {
            cursor.skipWhitespace()
            try cursor.expect(UInt8(ascii: "["))
            cursor.skipWhitespace()
            let price = try readDecimal(&cursor, decimals: priceDecimals, what: "level price")
            cursor.skipWhitespace()
            try cursor.expect(UInt8(ascii: ","))
            cursor.skipWhitespace()
            let size = try readDecimal(&cursor, decimals: sizeDecimals, what: "level size")
            cursor.skipWhitespace()
            // Tolerate extra trailing elements (older formats carried an empty array here).
            while cursor.peek() == UInt8(ascii: ",") {
                cursor.index += 1
                cursor.skipWhitespace()
                try cursor.skipValue()
                cursor.skipWhitespace()
            }
            try cursor.expect(UInt8(ascii: "]"))
            guard price > 0, size >= 0 else {
                throw BinanceParseError("level has a non-positive price or a negative size", offset: cursor.index)
            }
            let level = BookLevel(price: Price(ticks: price), size: Quantity(lots: size))
            if side == .buy { bids.append(level) } else { asks.append(level) }
            cursor.skipWhitespace()
            guard let next = cursor.next() else { throw BinanceParseError("unterminated level array", offset: cursor.index) }
            if next == UInt8(ascii: "]") { return }
            guard next == UInt8(ascii: ",") else {
                throw BinanceParseError("expected ',' or ']' in level array", offset: cursor.index - 1)
            }
        }
    }

    /// Reads a quoted decimal string as a scaled integer.
    private func readDecimal(_ cursor: inout JSONCursor, decimals: Int, what: StaticString) throws(BinanceParseError)
        -> Int64
    {
        let start = cursor.index
        let range = try cursor.readStringRange()
        guard let value = FixedPoint.parse(UnsafeRawBufferPointer(rebasing: cursor.bytes[range]), decimals: decimals)
        else {
            throw BinanceParseError(
                "\(what) '\(String(decoding: UnsafeRawBufferPointer(rebasing: cursor.bytes[range]), as: UTF8.self))' is not a decimal with at most \(decimals) decimals",
                offset: start)
        }
        return value
    }
}

// MARK: - Collected fields

private enum EventType {
    case none, depthUpdate, bookTicker, aggTrade, other
}

private struct Fields {
    var eventType: EventType = .none
    var eventTime: Int64?
    var transactionTime: Int64?
    var firstUpdateID: Int64?
    var finalUpdateID: Int64?
    var previousFinalUpdateID: Int64?
    var lastUpdateID: Int64?
    var sawBids = false
    var sawAsks = false
    var bestBidPrice: Int64?
    var bestBidSize: Int64?
    var bestAskPrice: Int64?
    var bestAskSize: Int64?
    var aggregateTradeID: Int64?
    var tradePrice: Int64?
    var tradeSize: Int64?
    var firstTradeID: Int64?
    var lastTradeID: Int64?
    var buyerIsMaker: Bool?

    func message(bids: [BookLevel], asks: [BookLevel], end: Int) throws(BinanceParseError) -> BinanceMessage {
        switch eventType {
        case .depthUpdate:
            guard let first = firstUpdateID, let final = finalUpdateID, let previous = previousFinalUpdateID else {
                throw BinanceParseError("depthUpdate without U, u or pu", offset: end)
            }
            guard let eventTime, sawBids, sawAsks else {
                throw BinanceParseError("depthUpdate without E, b or a", offset: end)
            }
            return .depthUpdate(
                BinanceDepthUpdate(
                    eventTimeMs: eventTime, transactionTimeMs: transactionTime ?? eventTime, firstUpdateID: first,
                    finalUpdateID: final, previousFinalUpdateID: previous, bids: bids, asks: asks))
        case .bookTicker:
            guard let updateID = finalUpdateID, let bidPrice = bestBidPrice, let bidSize = bestBidSize,
                let askPrice = bestAskPrice, let askSize = bestAskSize
            else { throw BinanceParseError("bookTicker without u, b, B, a or A", offset: end) }
            guard bidSize >= 0, askSize >= 0 else { throw BinanceParseError("bookTicker with a negative size", offset: end) }
            let eventTime = eventTime ?? 0
            return .bookTicker(
                BinanceBookTicker(
                    updateID: updateID, eventTimeMs: eventTime, transactionTimeMs: transactionTime ?? eventTime,
                    bid: BookLevel(price: Price(ticks: bidPrice), size: Quantity(lots: bidSize)),
                    ask: BookLevel(price: Price(ticks: askPrice), size: Quantity(lots: askSize))))
        case .aggTrade:
            guard let id = aggregateTradeID, let price = tradePrice, let size = tradeSize, let buyerIsMaker,
                let first = firstTradeID, let last = lastTradeID, let tradeTime = transactionTime ?? eventTime
            else { throw BinanceParseError("aggTrade without a, p, q, f, l, m or T", offset: end) }
            guard price > 0, size > 0 else {
                throw BinanceParseError("aggTrade with a non-positive price or quantity", offset: end)
            }
            return .aggTrade(
                BinanceAggTrade(
                    aggregateTradeID: id, eventTimeMs: eventTime ?? tradeTime, tradeTimeMs: tradeTime,
                    price: Price(ticks: price), size: Quantity(lots: size), firstTradeID: first,
                    lastTradeID: last, buyerIsMaker: buyerIsMaker))
        case .none:
            if let lastUpdateID {
                guard sawBids, sawAsks else { throw BinanceParseError("depth snapshot without bids or asks", offset: end) }
                let eventTime = eventTime ?? 0
                return .depthSnapshot(
                    BinanceDepthSnapshot(
                        lastUpdateID: lastUpdateID, eventTimeMs: eventTime, transactionTimeMs: transactionTime ?? eventTime,
                        bids: bids, asks: asks))
            }
            return .ignored
        case .other:
            return .ignored
        }
    }
}

// MARK: - Cursor

/// A forward-only reader over JSON bytes.
private struct JSONCursor {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func next() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8) throws(BinanceParseError) {
        guard index < bytes.count else {
            throw BinanceParseError("expected '\(Character(Unicode.Scalar(byte)))' but the message ended", offset: index)
        }
        guard bytes[index] == byte else {
            throw BinanceParseError(
                "expected '\(Character(Unicode.Scalar(byte)))' but found '\(Character(Unicode.Scalar(bytes[index])))'",
                offset: index)
        }
        index += 1
    }

    func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != pointer[offset] { return false }
        return true
    }

    /// Reads a string and returns the range of its contents (between the quotes, escapes left as they are).
    mutating func readStringRange() throws(BinanceParseError) -> Range<Int> {
        try expect(UInt8(ascii: "\""))
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<(index - 1)
            }
            if byte == UInt8(ascii: "\\") { index += 1 } else if byte < 0x20 {
                throw BinanceParseError("control character in string", offset: index)
            }
            index += 1
        }
        throw BinanceParseError("unterminated string", offset: start)
    }

    /// Reads a JSON integer (no fraction or exponent).
    mutating func readInteger() throws(BinanceParseError) -> Int64 {
        let start = index
        var negative = false
        if peek() == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var value: Int64 = 0
        var digits = 0
        while index < bytes.count {
            let digit = Int64(bytes[index]) &- 48
            guard digit >= 0, digit <= 9 else { break }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { throw BinanceParseError("integer too large", offset: start) }
            value = sum
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw BinanceParseError("expected an integer", offset: start) }
        if let byte = peek(), byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            throw BinanceParseError("expected an integer, found a fraction or exponent", offset: start)
        }
        return negative ? -value : value
    }

    /// Reads a JSON integer, or skips a value of another type and returns `nil` (other event
    /// types may use the same short keys for strings; a missing required field is reported later).
    mutating func readIntegerOrSkip() throws(BinanceParseError) -> Int64? {
        guard let first = peek(), first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39) else {
            try skipValue()
            return nil
        }
        return try readInteger()
    }

    /// Reads `true` or `false`, or skips a value of another type and returns `nil`.
    mutating func readBoolOrSkip() throws(BinanceParseError) -> Bool? {
        switch peek() {
        case UInt8(ascii: "t"):
            try literal("true")
            return true
        case UInt8(ascii: "f"):
            try literal("false")
            return false
        default:
            try skipValue()
            return nil
        }
    }

    /// Skips any JSON value.
    mutating func skipValue() throws(BinanceParseError) {
        skipWhitespace()
        guard let first = peek() else { throw BinanceParseError("expected a value but the message ended", offset: index) }
        switch first {
        case UInt8(ascii: "\""):
            _ = try readStringRange()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            // Skip a nested structure by counting brackets, stepping over strings.
            var depth = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    _ = try readStringRange()
                    continue
                }
                index += 1
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return }
                }
            }
            throw BinanceParseError("unterminated object or array", offset: index)
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            // A number: sign, digits, fraction, exponent.
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                    UInt8(ascii: "e"), UInt8(ascii: "E"):
                    index += 1
                default:
                    guard index > start else { throw BinanceParseError("unexpected character", offset: index) }
                    return
                }
            }
            guard index > start else { throw BinanceParseError("expected a value", offset: start) }
        }
    }

    private mutating func literal(_ text: StaticString) throws(BinanceParseError) {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count, equals(index..<(index + count), text) else {
            throw BinanceParseError("invalid literal", offset: index)
        }
        index += count
    }
}
