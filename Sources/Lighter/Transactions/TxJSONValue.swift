/// A parsed JSON document that keeps what a byte-exact comparison needs: object members in document
/// order and numbers as their original text (so 64-bit integers are never rounded through `Double`).
enum TxJSONValue: Sendable {
    case object([Member])
    case array([TxJSONValue])
    case string(String)
    /// The number's JSON text, e.g. `-12`, `3.5e2`.
    case number(String)
    case bool(Bool)
    case null

    /// One `"key": value` member of an object.
    struct Member: Sendable {
        var key: String
        var value: TxJSONValue
    }

    /// The value of the first member named `key`, if this is an object that has one.
    subscript(key: String) -> TxJSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The members if this is an object.
    var members: [Member]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements if this is an array.
    var elements: [TxJSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The text if this is a string.
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value if this is an integer (no fraction or exponent) that fits `Int64`.
    var int64Value: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    /// The value if this is a non-negative integer that fits `UInt64`.
    var uint64Value: UInt64? {
        if case .number(let text) = self { return UInt64(text) }
        return nil
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Compact JSON in Go's `encoding/json` style (members in stored order, numbers as stored).
    var goCompactText: String {
        var writer = GoJSONWriter()
        write(into: &writer)
        return writer.string
    }

    private func write(into writer: inout GoJSONWriter) {
        switch self {
        case .object(let members):
            writer.beginObject()
            for member in members {
                writer.key(member.key)
                member.value.write(into: &writer)
            }
            writer.endObject()
        case .array(let elements):
            writer.beginArray()
            for element in elements {
                element.write(into: &writer)
            }
            writer.endArray()
        case .string(let text): writer.value(text)
        case .number(let text): writer.rawNumber(text)
        case .bool(let flag): writer.value(flag)
        case .null: writer.null()
        }
    }

    /// Parses one JSON document (RFC 8259; surrounding whitespace allowed).
    ///
    /// - Throws: ``TxJSONSyntaxError`` with the byte offset of the problem.
    static func parse(_ text: String) throws(TxJSONSyntaxError) -> TxJSONValue {
        var reader = TxJSONReader(bytes: Array(text.utf8))
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        guard reader.position == reader.bytes.count else {
            throw TxJSONSyntaxError(message: "unexpected text after the JSON value", offset: reader.position)
        }
        return value
    }
}

/// A JSON syntax error: what is wrong and where (byte offset).
struct TxJSONSyntaxError: Error, CustomStringConvertible {
    var message: String
    var offset: Int

    var description: String { "\(message) at byte \(offset)" }
}

/// Recursive-descent JSON reader over UTF-8 bytes.
private struct TxJSONReader {
    let bytes: [UInt8]
    var position = 0
    static let maximumDepth = 64

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) {
            position += 1
        }
    }

    private func error(_ message: String) -> TxJSONSyntaxError {
        TxJSONSyntaxError(message: message, offset: position)
    }

    mutating func readValue(depth: Int) throws(TxJSONSyntaxError) -> TxJSONValue {
        guard depth < Self.maximumDepth else { throw error("JSON nested too deeply") }
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end of JSON") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try readObject(depth: depth)
        case UInt8(ascii: "["): return try readArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default: throw error("unexpected character in JSON")
        }
    }

    private mutating func expectLiteral(_ literal: String) throws(TxJSONSyntaxError) {
        let literalBytes = Array(literal.utf8)
        guard position + literalBytes.count <= bytes.count,
            Array(bytes[position..<(position + literalBytes.count)]) == literalBytes
        else { throw error("invalid literal, expected \(literal)") }
        position += literalBytes.count
    }

    private mutating func readObject(depth: Int) throws(TxJSONSyntaxError) -> TxJSONValue {
        position += 1
        var members: [TxJSONValue.Member] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error("expected a string key")
            }
            let key = try readString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            let value = try readValue(depth: depth + 1)
            members.append(TxJSONValue.Member(key: key, value: value))
            skipWhitespace()
            guard position < bytes.count else { throw error("unterminated object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            } else {
                throw error("expected ',' or '}'")
            }
        }
    }

    private mutating func readArray(depth: Int) throws(TxJSONSyntaxError) -> TxJSONValue {
        position += 1
        var elements: [TxJSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            elements.append(try readValue(depth: depth + 1))
            skipWhitespace()
            guard position < bytes.count else { throw error("unterminated array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            } else {
                throw error("expected ',' or ']'")
            }
        }
    }

    private mutating func readNumber() throws(TxJSONSyntaxError) -> String {
        let start = position
        func digits(_ reader: inout TxJSONReader) -> Int {
            var count = 0
            while reader.position < reader.bytes.count,
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.position])
            {
                reader.position += 1
                count += 1
            }
            return count
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count else { throw error("invalid number") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else if digits(&self) == 0 {
            throw error("invalid number")
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits(&self) > 0 else { throw error("invalid number fraction") }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard digits(&self) > 0 else { throw error("invalid number exponent") }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func readHex4() throws(TxJSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func readString() throws(TxJSONSyntaxError) -> String {
        position += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard position < bytes.count else { throw error("unterminated string") }
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
                return text
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { throw error("unterminated escape") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalarValue = try readHex4()
                    if (0xD800...0xDBFF).contains(scalarValue) {
                        guard position + 2 <= bytes.count, bytes[position] == UInt8(ascii: "\\"),
                            bytes[position + 1] == UInt8(ascii: "u")
                        else { throw error("unpaired surrogate in \\u escape") }
                        position += 2
                        let low = try readHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid low surrogate") }
                        scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(scalarValue) else { throw error("invalid \\u escape") }
                    out.append(contentsOf: String(scalar).utf8)
                default:
                    throw error("invalid escape")
                }
            default:
                guard byte >= 0x20 else { throw error("control character in string") }
                out.append(byte)
            }
        }
    }
}
