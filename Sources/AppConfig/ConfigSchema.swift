/// The type and allowed values of one configuration key.
public enum ConfigKind: Sendable, Equatable {
    /// An integer within a closed range.
    case integer(ClosedRange<Int>)
    /// A number within a closed range.
    case number(ClosedRange<Double>)
    /// `true` or `false`.
    case boolean
    /// Free text (must not be empty).
    case text
    /// One of a fixed set of words.
    case choice([String])
    /// A list of words, e.g. market symbols (given as a YAML/JSON list or a comma-separated string).
    case list

    /// What the kind allows, in words, for error messages and the example file.
    public var allowed: String {
        switch self {
        case .integer(let range): "an integer \(range.lowerBound)…\(range.upperBound)"
        case .number(let range): "a number \(format(range.lowerBound))…\(format(range.upperBound))"
        case .boolean: "true or false"
        case .text: "text"
        case .choice(let words): "one of " + words.joined(separator: ", ")
        case .list: "a list (e.g. [ETH, BTC] or ETH,BTC)"
        }
    }
}

/// A typed configuration value.
public enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    /// An integer.
    case integer(Int)
    /// A number.
    case number(Double)
    /// A boolean.
    case boolean(Bool)
    /// Text (also the value of a choice).
    case text(String)
    /// A list of words.
    case list([String])
    /// Explicitly unset (the key has no default and was not given).
    case unset

    public var description: String {
        switch self {
        case .integer(let value): String(value)
        case .number(let value): format(value)
        case .boolean(let value): String(value)
        case .text(let value): value
        case .list(let values): "[" + values.joined(separator: ", ") + "]"
        case .unset: "(unset)"
        }
    }
}

/// One documented configuration key.
public struct ConfigKey: Sendable {
    /// The dotted path, e.g. `trading.leverage`.
    public let path: String
    /// Its type and allowed values.
    public let kind: ConfigKind
    /// The value when nothing sets it (`.unset` for optional keys).
    public let defaultValue: ConfigValue
    /// One or two sentences for users, with units.
    public let help: String
    /// A secret: may only come from the environment or `.env`, and is never printed.
    public let isSecret: Bool

    /// A key.
    public init(_ path: String, _ kind: ConfigKind, default defaultValue: ConfigValue, help: String, secret: Bool = false) {
        self.path = path
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
        self.isSecret = secret
    }

    /// The environment variable that sets this key: `LIGHTER_MM_` + the path in upper case with
    /// dots as underscores (`trading.leverage` → `LIGHTER_MM_TRADING_LEVERAGE`).
    public var environmentName: String {
        ConfigSchema.environmentPrefix + path.uppercased().replacingDots()
    }
}

/// The full set of keys a program accepts, with a one-line description per section.
public struct ConfigSchema: Sendable {
    /// Every environment variable of ours starts with this.
    public static let environmentPrefix = "LIGHTER_MM_"

    /// The keys, in documentation order.
    public let keys: [ConfigKey]
    /// Section descriptions, by section name (the first path component).
    public let sections: [(name: String, help: String)]
    private let index: [String: Int]

    /// A schema.
    public init(sections: [(name: String, help: String)], keys: [ConfigKey]) {
        self.keys = keys
        self.sections = sections
        var index: [String: Int] = [:]
        for (position, key) in keys.enumerated() { index[key.path] = position }
        self.index = index
    }

    /// The key at `path`, if there is one.
    public func key(_ path: String) -> ConfigKey? { index[path].map { keys[$0] } }

    /// The known key most like `path`, for "did you mean" hints.
    func suggestion(for path: String) -> String? {
        var best: (path: String, distance: Int)?
        for key in keys {
            let distance = editDistance(path, key.path)
            if distance <= max(2, path.count / 4), distance < (best?.distance ?? .max) { best = (key.path, distance) }
        }
        return best?.path
    }
}

func format(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
}

extension String {
    func replacingDots() -> String { String(map { $0 == "." ? "_" : $0 }) }
}

/// Levenshtein distance, for suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
