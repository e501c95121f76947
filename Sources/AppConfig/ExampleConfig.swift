extension ConfigSchema {
    /// A commented YAML file listing every key with its default, what it allows and its
    /// environment variable. Secret keys are shown commented out, as environment variables only.
    public func exampleYAML() -> String {
        var out = """
            # lighter-mm configuration. Every key is optional; the value shown is the default.
            # Precedence: command-line options > environment variables > .env > this file > defaults.
            # Each key can also be set as an environment variable LIGHTER_MM_<SECTION>_<KEY>,
            # e.g. LIGHTER_MM_SIZING_LEVERAGE=3. Unknown keys are errors.

            """
        for section in sections {
            let keys = keys.filter { $0.path.hasPrefix(section.name + ".") }
            guard !keys.isEmpty else { continue }
            out += "\n# \(section.help)\n\(section.name):\n"
            for key in keys {
                let name = String(key.path.dropFirst(section.name.count + 1))
                out += "  # \(key.help)\n"
                out += "  # Allowed: \(key.kind.allowed). Environment: \(key.environmentName)\n"
                if key.isSecret {
                    out += "  # (secret: set \(key.environmentName) in the environment or .env, not here)\n"
                } else if case .unset = key.defaultValue {
                    out += "  # \(name):\n"
                } else {
                    out += "  \(name): \(yaml(key.defaultValue))\n"
                }
            }
        }
        return out
    }

    private func yaml(_ value: ConfigValue) -> String {
        switch value {
        case .list(let items): "[" + items.joined(separator: ", ") + "]"
        default: value.description
        }
    }
}
