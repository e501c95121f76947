/// A configuration problem, worded for the person who wrote the configuration: it names the key,
/// where the value came from, and what is allowed.
///
/// ```text
/// trading.leverage = 40 in config.yaml:12: must be an integer 1…20
/// unknown key trading.levrage in config.yaml:11 (did you mean trading.leverage?)
/// ```
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The full message.
    public let description: String

    /// An error with a message.
    public init(_ description: String) { self.description = description }

    static func invalid(_ key: ConfigKey, raw: String, at source: ConfigSource, reason: String? = nil) -> ConfigError {
        let shown = key.isSecret ? "(secret)" : raw
        return ConfigError("\(key.path) = \(shown) in \(source): must be \(reason ?? key.kind.allowed)")
    }
}

/// Where a configuration value came from.
public enum ConfigSource: Sendable, Equatable, CustomStringConvertible {
    /// The built-in default.
    case defaultValue
    /// The configuration file, at a line.
    case file(path: String, line: Int?)
    /// The `.env` file, at a line, with the variable's name.
    case dotEnv(path: String, line: Int, variable: String)
    /// A process environment variable.
    case environment(variable: String)
    /// A command-line option.
    case commandLine(option: String)

    public var description: String {
        switch self {
        case .defaultValue: "the defaults"
        case .file(let path, let line): line.map { "\(path):\($0)" } ?? path
        case .dotEnv(let path, let line, let variable): "\(path):\(line) (\(variable))"
        case .environment(let variable): "environment variable \(variable)"
        case .commandLine(let option): "command-line option \(option)"
        }
    }
}
