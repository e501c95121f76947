/// A small byte-level writer for compact JSON the way Go's `encoding/json` writes it: no spaces,
/// integers in decimal, strings escaped like Go (`<`, `>`, `&`, U+2028, U+2029 as `\u` escapes).
struct GoJSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    var string: String {
        String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Structure

    mutating func beginObject() {
        separateValue()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func beginArray() {
        separateValue()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes `"name":` (a comma first if needed); the next value call writes the value.
    mutating func key(_ name: String) {
        separateValue()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        pendingKey = true
    }

    // MARK: Values

    mutating func value(_ number: Int64) {
        separateValue()
        appendDecimal(number)
    }

    mutating func value(_ number: UInt64) {
        separateValue()
        appendDecimal(number)
    }

    mutating func value(_ text: String) {
        separateValue()
        appendQuoted(text)
    }

    mutating func null() {
        separateValue()
        bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
    }

    mutating func value(_ flag: Bool) {
        separateValue()
        bytes.append(contentsOf: flag ? Array("true".utf8) : Array("false".utf8))
    }

    /// Writes a number whose JSON text is already known (e.g. kept from a parsed document).
    mutating func rawNumber(_ text: String) {
        separateValue()
        bytes.append(contentsOf: text.utf8)
    }

    /// Convenience: `"name":number`.
    mutating func field(_ name: String, _ number: Int64) {
        key(name)
        value(number)
    }

    /// Convenience: `"name":number`.
    mutating func field(_ name: String, _ number: UInt64) {
        key(name)
        value(number)
    }

    // MARK: Internals

    private var pendingKey = false

    /// Emits the comma between members or elements; a value right after its key needs none.
    private mutating func separateValue() {
        if pendingKey {
            pendingKey = false
            return
        }
        guard !needsComma.isEmpty else { return }
        if needsComma[needsComma.count - 1] {
            bytes.append(UInt8(ascii: ","))
        } else {
            needsComma[needsComma.count - 1] = true
        }
    }

    private mutating func appendDecimal(_ number: Int64) {
        if number < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(number.magnitude)
        } else {
            appendDecimal(UInt64(number))
        }
    }

    private mutating func appendDecimal(_ number: UInt64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = number
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case "\\": bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case "\n": bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case "\r": bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case "\t": bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                appendUnicodeEscape(scalar.value)
            default:
                if scalar.value < 0x20 {
                    appendUnicodeEscape(scalar.value)
                } else {
                    bytes.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendUnicodeEscape(_ value: UInt32) {
        bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) {
            bytes.append(Self.hexDigits[Int((value >> UInt32(shift)) & 0xF)])
        }
    }
}
