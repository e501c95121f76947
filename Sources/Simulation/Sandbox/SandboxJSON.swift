import Foundation
import Lighter
import MarketCore

/// Small helpers for writing the sandbox's JSON replies by hand (field order as Lighter sends it).
enum SandboxJSON {
    /// `text` as a JSON string literal.
    static func string(_ text: String) -> String { JSONText.quoted(text) }

    /// A fixed-point integer as a quoted decimal string with `decimals` digits ("3024.66").
    static func decimal(_ value: Int64, decimals: Int) -> String {
        "\"" + FixedPoint.format(value, decimals: decimals) + "\""
    }

    /// A `Double` in USD as a quoted string with six decimals ("46342.000000").
    static func usd(_ value: Double) -> String {
        "\"" + String(format: "%.6f", value) + "\""
    }

    /// `{"k":v,…}` from already encoded values, in the given order.
    static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// `[a,b,…]` from already encoded values.
    static func array(_ items: [String]) -> String {
        "[" + items.joined(separator: ",") + "]"
    }

    /// The `{"code":…,"message":…}` error envelope.
    static func error(code: Int, message: String) -> String {
        object([("code", String(code)), ("message", string(message))])
    }

    /// Parses a JSON object (nil if the text is not one).
    static func parseObject(_ text: String) -> [String: Any]? {
        guard let data = text.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) as? [String: Any]
    }

    /// Re-encodes a parsed JSON value as text.
    static func encode(_ value: Any) -> String? {
        guard JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.withoutEscapingSlashes])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes `application/x-www-form-urlencoded` text (also query strings).
    static func decodeForm(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = unescape(String(parts[0]))
            fields[key] = parts.count > 1 ? unescape(String(parts[1])) : ""
        }
        return fields
    }

    static func unescape(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
