import AppConfig
import ArgumentParser
import Foundation

/// `lighter-mm config`: print the documented example, or check and show a configuration.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the example configuration, or check a configuration and show every value with its source.",
        subcommands: [Example.self, Check.self]
    )

    struct Example: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a commented configuration file with every key and its default.")

        func run() {
            print(ConfigSchema.lighterMM.exampleYAML(), terminator: "")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a configuration (file + .env + environment), validate it and print each value and where it came from.")

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let values = try options.load()
            let rows = values.describe()
            let width = rows.map(\.path.count).max() ?? 0
            for row in rows {
                print(row.path.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + row.value + "  (" + row.source + ")")
            }
            print("configuration is valid")
        }
    }
}

/// The options every command that reads configuration shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (YAML or JSON).")
    var config: String?

    @Option(name: .long, help: "The .env file to read (ignored if missing).")
    var envFile: String = ".env"

    /// Loads and validates configuration, turning errors into a clean exit with the message.
    func load(overrides: [(path: String, raw: String, option: String)] = []) throws -> ConfigValues {
        do {
            let values = try ConfigLoader(schema: .lighterMM).load(
                file: config, dotEnvFile: envFile, environment: ProcessInfo.processInfo.environment,
                overrides: overrides)
            try values.validateLighterMM()
            return values
        } catch {
            throw ValidationError("configuration: \(error)")
        }
    }
}
