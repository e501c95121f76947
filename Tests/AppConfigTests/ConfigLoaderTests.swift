import AppConfig
import Foundation
import Testing

@Suite struct ConfigLoaderTests {
    let loader = ConfigLoader(schema: .lighterMM)

    /// Writes `text` to a fresh temporary file and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func defaultsWithNothingGiven() throws {
        let values = try loader.load(file: nil, dotEnvFile: nil, environment: [:])
        #expect(values.string("exchange.network") == "sandbox")
        #expect(values.int("sizing.leverage") == 2)
        #expect(values.list("markets.symbols") == ["ETH"])
        #expect(values.source("sizing.leverage") == .defaultValue)
        #expect(values.optionalDouble("risk.max_position") == nil)
        try values.validateLighterMM()
    }

    @Test func readsYAMLAndJSON() throws {
        let yaml = try file("config.yaml", """
            sizing:
              leverage: 5
              mode: fixed
              order_size: 0.01
            markets:
              symbols: [ETH, BTC]
            strategy:
              model: AS
            """)
        let values = try loader.load(file: yaml, dotEnvFile: nil, environment: [:])
        #expect(values.int("sizing.leverage") == 5)
        #expect(values.double("sizing.order_size") == 0.01)
        #expect(values.list("markets.symbols") == ["ETH", "BTC"])
        #expect(values.string("strategy.model") == "as")
        #expect(values.source("sizing.leverage") == .file(path: yaml, line: 2))

        let json = try file("config.json", #"{"sizing": {"leverage": 7}, "orders": {"post_only": false}}"#)
        let fromJSON = try loader.load(file: json, dotEnvFile: nil, environment: [:])
        #expect(fromJSON.int("sizing.leverage") == 7)
        #expect(fromJSON.bool("orders.post_only") == false)
    }

    @Test func badValueNamesKeyFileLineAndAllowedRange() throws {
        let yaml = try file("config.yaml", "sizing:\n  leverage: 40\n")
        #expect(message { _ = try loader.load(file: yaml, dotEnvFile: nil, environment: [:]) }
            == "sizing.leverage = 40 in \(yaml):2: must be an integer 1…20")
        let word = try file("config.yaml", "strategy:\n  model: magic\n")
        #expect(message { _ = try loader.load(file: word, dotEnvFile: nil, environment: [:]) }
            == "strategy.model = magic in \(word):2: must be one of as, glft, volobi")
        let notANumber = try file("config.yaml", "orders:\n  tolerance_bps: wide\n")
        #expect(message { _ = try loader.load(file: notANumber, dotEnvFile: nil, environment: [:]) }
            .hasPrefix("orders.tolerance_bps = wide in \(notANumber):2: must be a number 0…10000"))
    }

    @Test func unknownKeysAreErrorsWithSuggestions() throws {
        let yaml = try file("config.yaml", "sizing:\n  levrage: 3\n")
        #expect(message { _ = try loader.load(file: yaml, dotEnvFile: nil, environment: [:]) }
            == "unknown key sizing.levrage in \(yaml):2 (did you mean sizing.leverage?)")
        let section = try file("config.yaml", "nonsense:\n  a: 1\n")
        #expect(message { _ = try loader.load(file: section, dotEnvFile: nil, environment: [:]) }
            .hasPrefix("unknown key nonsense in \(section):1"))
        #expect(message { _ = try loader.load(file: nil, dotEnvFile: nil, environment: ["LIGHTER_MM_SIZING_LEVRAGE": "3"]) }
            == "unknown variable LIGHTER_MM_SIZING_LEVRAGE in environment variable LIGHTER_MM_SIZING_LEVRAGE (did you mean LIGHTER_MM_SIZING_LEVERAGE?)")
    }

    @Test func precedenceEnvironmentOverDotEnvOverFileOverDefault() throws {
        let yaml = try file("config.yaml", "sizing:\n  leverage: 3\n  capital_usage: 0.2\norders:\n  max_live_orders: 4\n")
        let dotEnv = try file(".env", """
            # comment
            LIGHTER_MM_SIZING_LEVERAGE=4
            export LIGHTER_MM_ORDERS_MAX_LIVE_ORDERS="6"
            UNRELATED_VARIABLE=ignored
            """)
        let values = try loader.load(
            file: yaml, dotEnvFile: dotEnv, environment: ["LIGHTER_MM_SIZING_LEVERAGE": "5", "PATH": "/bin"])
        #expect(values.int("sizing.leverage") == 5)
        #expect(values.source("sizing.leverage") == .environment(variable: "LIGHTER_MM_SIZING_LEVERAGE"))
        #expect(values.int("orders.max_live_orders") == 6)
        #expect(values.source("orders.max_live_orders") == .dotEnv(path: dotEnv, line: 3, variable: "LIGHTER_MM_ORDERS_MAX_LIVE_ORDERS"))
        #expect(values.double("sizing.capital_usage") == 0.2)
        #expect(values.double("risk.max_position_usd") == 5000)
        let overridden = try loader.load(
            file: yaml, dotEnvFile: dotEnv, environment: ["LIGHTER_MM_SIZING_LEVERAGE": "5"],
            overrides: [("sizing.leverage", "9", "--leverage")])
        #expect(overridden.int("sizing.leverage") == 9)
        #expect(message {
            _ = try loader.load(file: nil, dotEnvFile: dotEnv, environment: ["LIGHTER_MM_SIZING_LEVERAGE": "99"])
        } == "sizing.leverage = 99 in environment variable LIGHTER_MM_SIZING_LEVERAGE: must be an integer 1…20")
    }

    @Test func secretsOnlyFromEnvironmentAndNeverEchoed() throws {
        let yaml = try file("config.yaml", "credentials:\n  private_key: 0xdeadbeef\n")
        let error = message { _ = try loader.load(file: yaml, dotEnvFile: nil, environment: [:]) }
        #expect(error.hasPrefix("credentials.private_key must not be written in \(yaml)"))
        #expect(!error.contains("deadbeef"))
        let values = try loader.load(
            file: nil, dotEnvFile: nil, environment: ["LIGHTER_MM_CREDENTIALS_PRIVATE_KEY": "0xdeadbeef"])
        #expect(values.string("credentials.private_key") == "0xdeadbeef")
        let shown = values.describe().first { $0.path == "credentials.private_key" }
        #expect(shown?.value == "(set, hidden)")
        #expect(!values.describe().contains { $0.value.contains("deadbeef") })
    }

    @Test func crossKeyRules() throws {
        let fixed = try loader.load(file: nil, dotEnvFile: nil, environment: ["LIGHTER_MM_SIZING_MODE": "fixed"])
        #expect(message { try fixed.validateLighterMM() }.hasPrefix("sizing.order_size is required when sizing.mode = fixed"))
        let live = try loader.load(file: nil, dotEnvFile: nil, environment: ["LIGHTER_MM_EXCHANGE_NETWORK": "mainnet"])
        #expect(message { try live.validateLighterMM() }.contains("needs credentials.private_key"))
        let spreads = try loader.load(
            file: nil, dotEnvFile: nil,
            environment: ["LIGHTER_MM_STRATEGY_MIN_SPREAD_BPS": "50", "LIGHTER_MM_STRATEGY_MAX_SPREAD_BPS": "10"])
        #expect(message { try spreads.validateLighterMM() }.hasPrefix("strategy.min_spread_bps = 50"))
    }

    @Test func malformedFilesAreClearErrors() throws {
        #expect(message { _ = try loader.load(file: "/nonexistent/config.yaml", dotEnvFile: nil, environment: [:]) }
            .hasPrefix("cannot read configuration file /nonexistent/config.yaml"))
        let broken = try file("config.yaml", "sizing: [unclosed\n")
        #expect(message { _ = try loader.load(file: broken, dotEnvFile: nil, environment: [:]) }
            .hasPrefix("\(broken) is not valid YAML or JSON"))
        let dotEnv = try file(".env", "JUSTAWORD\n")
        #expect(message { _ = try loader.load(file: nil, dotEnvFile: dotEnv, environment: [:]) } == "\(dotEnv):1: expected NAME=value")
    }

    @Test func exampleFileListsEveryKeyAndLoadsBack() throws {
        let example = ConfigSchema.lighterMM.exampleYAML()
        for key in ConfigSchema.lighterMM.keys {
            #expect(example.contains(key.environmentName), "example lacks \(key.path)")
        }
        let path = try file("example.yaml", example)
        let values = try loader.load(file: path, dotEnvFile: nil, environment: [:])
        #expect(values.int("sizing.leverage") == 2)
        // The committed example must be exactly what the schema generates.
        let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("config/example.yaml"), encoding: .utf8)
        #expect(committed == example, "config/example.yaml is out of date: run `lighter-mm config example > config/example.yaml`")
    }
}
