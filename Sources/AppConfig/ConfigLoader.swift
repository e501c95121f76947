import Foundation
import Yams

/// Validated configuration values with where each came from.
///
/// Precedence, highest first: command-line overrides, process environment, `.env` file,
/// configuration file, defaults.
public struct ConfigValues: Sendable {
    /// The schema the values were checked against.
    public let schema: ConfigSchema
    private var values: [String: (value: ConfigValue, source: ConfigSource)]

    init(schema: ConfigSchema) {
        self.schema = schema
        self.values = [:]
        for key in schema.keys { values[key.path] = (key.defaultValue, .defaultValue) }
    }

    mutating func set(_ path: String, _ value: ConfigValue, from source: ConfigSource) {
        values[path] = (value, source)
    }

    /// The value of `path` (the default if nothing set it).
    public func value(_ path: String) -> ConfigValue {
        precondition(schema.key(path) != nil, "\(path) is not in the schema")
        return values[path]?.value ?? .unset
    }

    /// Where the value of `path` came from.
    public func source(_ path: String) -> ConfigSource { values[path]?.source ?? .defaultValue }

    /// The integer at `path`.
    public func int(_ path: String) -> Int {
        if case .integer(let value) = value(path) { return value }
        preconditionFailure("\(path) is not an integer key")
    }

    /// The number at `path` (integers are widened).
    public func double(_ path: String) -> Double {
        switch value(path) {
        case .number(let value): return value
        case .integer(let value): return Double(value)
        default: preconditionFailure("\(path) is not a number key")
        }
    }

    /// The number at `path`, or `nil` if unset.
    public func optionalDouble(_ path: String) -> Double? {
        if case .unset = value(path) { return nil }
        return double(path)
    }

    /// The boolean at `path`.
    public func bool(_ path: String) -> Bool {
        if case .boolean(let value) = value(path) { return value }
        preconditionFailure("\(path) is not a boolean key")
    }

    /// The text at `path`, or `nil` if unset.
    public func string(_ path: String) -> String? {
        if case .text(let value) = value(path) { return value }
        return nil
    }

    /// The list at `path` (empty if unset).
    public func list(_ path: String) -> [String] {
        if case .list(let values) = value(path) { return values }
        return []
    }

    /// Every key with its value and source, secrets redacted: for `config show`.
    public func describe() -> [(path: String, value: String, source: String)] {
        schema.keys.map { key in
            let entry = values[key.path] ?? (.unset, .defaultValue)
            let shown: String
            if key.isSecret, entry.value != .unset { shown = "(set, hidden)" } else { shown = entry.value.description }
            return (key.path, shown, entry.source.description)
        }
    }
}

/// Reads configuration from a YAML or JSON file, a `.env` file and the environment, and checks
/// every value against a ``ConfigSchema``.
public struct ConfigLoader: Sendable {
    /// The schema to check against.
    public var schema: ConfigSchema

    /// A loader for `schema`.
    public init(schema: ConfigSchema) { self.schema = schema }

    /// Loads and validates configuration.
    ///
    /// - Parameters:
    ///   - file: a YAML or JSON configuration file (JSON is read as YAML), or `nil`.
    ///   - dotEnvFile: a `.env` file; a missing file is fine unless `requireDotEnv`.
    ///   - environment: the process environment (pass `ProcessInfo.processInfo.environment`).
    ///   - overrides: values from command-line options, by key path, as text.
    /// - Throws: ``ConfigError`` naming the key, the source and what is allowed.
    public func load(
        file: String?, dotEnvFile: String? = ".env", requireDotEnv: Bool = false,
        environment: [String: String], overrides: [(path: String, raw: String, option: String)] = []
    ) throws(ConfigError) -> ConfigValues {
        var result = ConfigValues(schema: schema)
        if let file {
            try applyFile(file, to: &result)
        }
        if let dotEnvFile {
            try applyDotEnv(dotEnvFile, required: requireDotEnv, to: &result)
        }
        try applyEnvironment(environment, to: &result)
        for override in overrides {
            guard let key = schema.key(override.path) else { throw ConfigError("unknown key \(override.path)") }
            let value = try parse(key, raw: override.raw, at: .commandLine(option: override.option))
            result.set(key.path, value, from: .commandLine(option: override.option))
        }
        return result
    }

    // MARK: File

    private func applyFile(_ path: String, to result: inout ConfigValues) throws(ConfigError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError("cannot read configuration file \(path): \(describe(error))")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError("\(path) is not valid YAML or JSON: \(describe(error))")
        }
        guard let root else { return }  // an empty file sets nothing
        guard case .mapping(let mapping) = root else {
            throw ConfigError("\(path): the top level must be a mapping of sections (e.g. `trading:`)")
        }
        try walk(mapping, prefix: "", file: path, into: &result)
    }

    private func walk(_ mapping: Node.Mapping, prefix: String, file: String, into result: inout ConfigValues) throws(ConfigError) {
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.scalar?.string else {
                throw ConfigError("\(file):\(line(keyNode)): keys must be plain words")
            }
            let path = prefix.isEmpty ? name : prefix + "." + name
            let source = ConfigSource.file(path: file, line: keyNode.mark?.line)
            if let key = schema.key(path) {
                if key.isSecret {
                    throw ConfigError(
                        "\(path) must not be written in \(file) (line \(line(keyNode))): it is a secret; set \(key.environmentName) in the environment or .env instead")
                }
                let value = try value(of: valueNode, for: key, at: source)
                result.set(path, value, from: source)
            } else if schema.keys.contains(where: { $0.path.hasPrefix(path + ".") }) {
                switch valueNode {
                case .mapping(let inner):
                    try walk(inner, prefix: path, file: file, into: &result)
                case .scalar(let scalar) where ["", "null", "~"].contains(scalar.string):
                    continue  // an empty section, e.g. with every key commented out
                default:
                    throw ConfigError("\(path) in \(source) must be a section of keys (e.g. `\(path):` followed by indented keys)")
                }
            } else {
                var message = "unknown key \(path) in \(source)"
                if let hint = schema.suggestion(for: path) { message += " (did you mean \(hint)?)" }
                throw ConfigError(message)
            }
        }
    }

    private func value(of node: Node, for key: ConfigKey, at source: ConfigSource) throws(ConfigError) -> ConfigValue {
        switch node {
        case .scalar(let scalar):
            if scalar.string == "null" || scalar.string == "~" || (scalar.string.isEmpty && scalar.style == .plain) {
                return key.defaultValue
            }
            return try parse(key, raw: scalar.string, at: source)
        case .sequence(let sequence):
            guard case .list = key.kind else { throw ConfigError.invalid(key, raw: "a list", at: source) }
            var items: [String] = []
            for item in sequence {
                guard let text = item.scalar?.string, !text.isEmpty else {
                    throw ConfigError.invalid(key, raw: "a nested value", at: source)
                }
                items.append(text)
            }
            return .list(items)
        case .mapping:
            throw ConfigError.invalid(key, raw: "a mapping", at: source)
        case .alias:
            throw ConfigError.invalid(key, raw: "an alias", at: source)
        }
    }

    private func line(_ node: Node) -> String { node.mark.map { String($0.line) } ?? "?" }

    // MARK: .env and environment

    private func applyDotEnv(_ path: String, required: Bool, to result: inout ConfigValues) throws(ConfigError) {
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw ConfigError("cannot read .env file \(path): no such file") }
            return
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError("cannot read .env file \(path): \(describe(error))")
        }
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigError("\(path):\(offset + 1): expected NAME=value")
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            guard name.hasPrefix(ConfigSchema.environmentPrefix) else { continue }  // other tools' variables
            let source = ConfigSource.dotEnv(path: path, line: offset + 1, variable: name)
            try applyVariable(name, value, source: source, to: &result)
        }
    }

    private func applyEnvironment(_ environment: [String: String], to result: inout ConfigValues) throws(ConfigError) {
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix(ConfigSchema.environmentPrefix) {
            try applyVariable(name, value, source: .environment(variable: name), to: &result)
        }
    }

    private func applyVariable(_ name: String, _ raw: String, source: ConfigSource, to result: inout ConfigValues) throws(ConfigError) {
        guard let key = schema.keys.first(where: { $0.environmentName == name }) else {
            var message = "unknown variable \(name) in \(source)"
            let guessedPath = name.dropFirst(ConfigSchema.environmentPrefix.count).lowercased()
            if let hint = schema.keys.first(where: { editDistance($0.environmentName, name) <= 2 }) ?? schema.key(guessedPath) {
                message += " (did you mean \(hint.environmentName)?)"
            }
            throw ConfigError(message)
        }
        result.set(key.path, try parse(key, raw: raw, at: source), from: source)
    }

    // MARK: Values

    /// Parses and checks one raw value for `key`.
    func parse(_ key: ConfigKey, raw: String, at source: ConfigSource) throws(ConfigError) -> ConfigValue {
        let text = raw.trimmingCharacters(in: .whitespaces)
        switch key.kind {
        case .integer(let range):
            guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
                throw ConfigError.invalid(key, raw: raw, at: source)
            }
            guard range.contains(value) else { throw ConfigError.invalid(key, raw: raw, at: source) }
            return .integer(value)
        case .number(let range):
            guard let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite else {
                throw ConfigError.invalid(key, raw: raw, at: source)
            }
            guard range.contains(value) else { throw ConfigError.invalid(key, raw: raw, at: source) }
            return .number(value)
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "on", "1": return .boolean(true)
            case "false", "no", "off", "0": return .boolean(false)
            default: throw ConfigError.invalid(key, raw: raw, at: source)
            }
        case .text:
            guard !text.isEmpty else { throw ConfigError.invalid(key, raw: raw, at: source, reason: "non-empty text") }
            return .text(text)
        case .choice(let words):
            guard let word = words.first(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) else {
                throw ConfigError.invalid(key, raw: raw, at: source)
            }
            return .text(word)
        case .list:
            var body = Substring(text)
            if body.hasPrefix("["), body.hasSuffix("]") { body = body.dropFirst().dropLast() }
            let items = body.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !items.isEmpty else { throw ConfigError.invalid(key, raw: raw, at: source) }
            return .list(items)
        }
    }
}

private func describe(_ error: any Error) -> String {
    if let yaml = error as? YamlError { return "\(yaml)".split(separator: "\n").first.map(String.init) ?? "\(yaml)" }
    return (error as NSError).localizedDescription
}
