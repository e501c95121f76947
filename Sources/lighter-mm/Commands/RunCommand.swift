import AppConfig
import ArgumentParser
import Binance
import Calibration
import Foundation
import Lighter
import LighterCrypto
import Logging
import MarketCore
import Simulation
import Trading

/// `lighter-mm run`: quotes markets live with the engine, through the real Lighter client.
///
/// Without credentials it starts the sandbox in-process and paper trades on it (sockets,
/// signatures, nonces all real); live trading needs credentials and an explicit `--network`.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the market maker (paper trading on the built-in sandbox unless credentials and --network are given).",
        discussion: """
            With no credentials (credentials.private_key / account_index / api_key_index) the built-in \
            sandbox is started on a free loopback port and the market maker PAPER TRADES on it through the \
            real client code. Live trading needs credentials AND --network mainnet|testnet. Ctrl-C (or \
            SIGTERM, or the end of --duration) cancels our orders (orders.cancel_on_exit), confirms over \
            REST that none are open, prints a summary and exits.
            """
    )

    /// Networks accepted by --network.
    enum Network: String, ExpressibleByArgument, CaseIterable {
        case mainnet, testnet
    }

    @Option(help: "Strategy: as, glft, volobi or grid (default: strategy.model).")
    var strategy: BacktestCommand.StrategyName?

    @Option(help: "Trade this market only (default: markets.symbols).")
    var market: String?

    @OptionGroup var configOptions: ConfigOptions

    @Option(help: "Live network (needs credentials): mainnet or testnet.")
    var network: Network?

    @Option(help: "Stop after this long, e.g. 60s, 30m (default: until Ctrl-C).")
    var duration: String?

    @Option(name: .customLong("status-seconds"), help: "Seconds between status lines.")
    var statusSeconds: Double = 5

    func validate() throws {
        if let duration, parseDurationNanoseconds(duration) == nil {
            throw ValidationError("--duration: '\(duration)' is not a duration like 90s, 30m or 1h30m")
        }
        guard statusSeconds > 0, statusSeconds.isFinite else {
            throw ValidationError("--status-seconds must be positive, got \(statusSeconds)")
        }
    }

    func run() async throws {
        let values = try configOptions.load()
        let symbols = market.map { [$0] } ?? values.list("markets.symbols")
        guard !symbols.isEmpty else { throw ValidationError("no markets: set markets.symbols or --market") }
        let hasCredentials = values.string("credentials.private_key") != nil
        let clock = LiveClock()

        // Output: log lines and the status block (in place on a terminal); every logger goes there.
        let output = RunOutput()
        let level = Logger.Level(rawValue: values.string("logging.level") ?? "info") ?? .info
        LoggingSystem.bootstrap { _ in RunLogHandler(output: output, logLevel: level) }
        let logger = Logger(label: "lighter-mm.run")

        // Where to trade: the in-process sandbox, or a live network.
        var sandbox: SandboxServer?
        let restURL: String
        let streamURL: String
        let chain: LighterChain
        let key: PrivateKey
        let accountIndex: Int64
        let apiKeyIndex: UInt8
        if hasCredentials {
            guard let network else {
                throw ValidationError(
                    "credentials are configured but no --network was given: refusing to trade live. "
                        + "Pass --network mainnet or --network testnet to trade live, or remove the credentials to paper trade.")
            }
            // account_index and api_key_index are integer keys (range-checked by the schema).
            guard let keyText = values.string("credentials.private_key"),
                case .integer(let account) = values.value("credentials.account_index"),
                case .integer(let apiKey) = values.value("credentials.api_key_index"),
                let apiKeyValue = UInt8(exactly: apiKey)
            else {
                throw ValidationError("live trading needs credentials.private_key, credentials.account_index and credentials.api_key_index")
            }
            do { key = try PrivateKey(hex: keyText) } catch {
                throw ValidationError("credentials.private_key is not a valid API private key (\(error))")
            }
            accountIndex = Int64(account)
            apiKeyIndex = apiKeyValue
            let host = network == .mainnet ? "mainnet.zklighter.elliot.ai" : "testnet.zklighter.elliot.ai"
            restURL = values.string("exchange.rest_url") ?? "https://\(host)"
            streamURL = values.string("exchange.ws_url") ?? "wss://\(host)/stream"
            chain = network == .mainnet ? .mainnet : .testnet
            output.log("LIVE TRADING on \(network.rawValue) (account \(accountIndex), key \(apiKeyIndex)): \(symbols.joined(separator: ", "))")
        } else {
            if network != nil {
                throw ValidationError("--network needs credentials (credentials.private_key, account_index, api_key_index)")
            }
            let account = SandboxAccountSetup(
                accountIndex: 100, apiKeyIndex: 4, privateKey: .generate(), collateral: values.double("sizing.paper_capital"))
            let configuration: SandboxConfiguration
            do {
                configuration = SandboxConfiguration(
                    markets: try SandboxConfiguration.presets(symbols: symbols), seed: UInt64(clock.now.nanoseconds & 0xffff),
                    accounts: [account])
            } catch {
                throw ValidationError("sandbox: \(error)")
            }
            let server = try await SandboxServer.start(configuration: configuration, clock: clock)
            sandbox = server
            restURL = server.baseURL
            streamURL = server.streamURL
            chain = configuration.chain
            key = account.privateKey
            accountIndex = account.accountIndex
            apiKeyIndex = account.apiKeyIndex
            output.log(
                "PAPER TRADING on the built-in sandbox at \(server.baseURL) (no credentials configured; no real orders): "
                    + symbols.joined(separator: ", "))
        }

        let rest = LighterRESTClient(configuration: .init(baseURL: restURL))
        let allSpecs = try await rest.marketSpecs()
        var specs: [MarketSpec] = []
        for symbol in symbols {
            guard let spec = allSpecs.first(where: { $0.symbol.uppercased() == symbol.uppercased() }) else {
                throw ValidationError("market '\(symbol)' is not listed by \(restURL)")
            }
            specs.append(spec)
        }

        let decisionLogger =
            values.bool("logging.decisions")
            ? Logger(label: "lighter-mm.engine")
            : Logger(label: "lighter-mm.engine") { _ in SwiftLogNoOpLogHandler() }

        // One engine and one venue per market.
        let settings = StrategySettings(configuration: values, strategy: strategy?.rawValue)
        let sender = TransactionSender(rest: rest, accountIndex: accountIndex, apiKeys: [apiKeyIndex])
        var runners: [MarketRunner] = []
        for (lane, spec) in specs.enumerated() {
            let quoteStrategy: ConfiguredStrategy
            do { quoteStrategy = try ConfiguredStrategy(settings) } catch {
                throw ValidationError("strategy settings: \(error)")
            }
            // Sizing from the account's collateral (read at start), not sizing.paper_capital.
            var engineConfiguration = backtestEngineConfiguration(values, spec: spec, levels: settings.shaper.levels)
            engineConfiguration.sizing.capitalUSD = nil
            let engine = Engine(
                spec: spec, strategy: quoteStrategy, configuration: engineConfiguration,
                ids: ClientOrderIDGenerator(startTime: clock.now, lane: lane, lanes: specs.count), logger: decisionLogger)
            // The dead-man's switch cancels every order of the account: only the first venue arms it.
            let deadMansSwitchMinutes = values.int("orders.dead_mans_switch_minutes")
            let venue = LighterVenue(
                configuration: .init(
                    chain: chain, accountIndex: accountIndex, apiKeyIndex: apiKeyIndex, spec: spec,
                    deadMansSwitchMilliseconds: lane == 0 && deadMansSwitchMinutes > 0
                        ? Int64(deadMansSwitchMinutes) * 60_000 : nil,
                    // The volume quota belongs to the account: only the first venue recovers it.
                    quotaRecovery: lane == 0 && values.bool("orders.quota_recovery")
                        ? .init(
                            below: Int64(values.int("orders.quota_recovery_below")),
                            maxDailyLossUSD: values.double("orders.quota_recovery_max_loss_usd"))
                        : nil),
                privateKey: key, rest: rest, sender: sender, clock: clock)
            let runner = MarketRunner(
                spec: spec, engine: engine, venue: venue, settings: settings,
                binanceFeed: binanceFeed(for: spec.symbol, values: values, clock: clock))
            if let path = values.string("strategy.params_file") {
                try loadParameterFile(path: path, into: runner, values: values, at: clock.now, logger: logger)
            }
            runners.append(runner)
        }

        let session = RunSession(
            values: values, clock: clock, rest: rest, sender: sender, runners: runners, accountIndex: accountIndex,
            streamConfiguration: .init(url: streamURL), allSpecs: allSpecs, output: output, logger: logger,
            statusSeconds: statusSeconds, deadline: duration.flatMap(parseDurationNanoseconds).map { clock.now + $0 },
            accountActions: LighterAccountActions(
                rest: rest, sender: sender, privateKey: key, chain: chain, accountIndex: accountIndex,
                apiKeyIndex: apiKeyIndex, clock: clock),
            apiKeyIndex: apiKeyIndex, publicKeyHex: key.publicKey.hex)
        let openAtExit: Int
        do {
            openAtExit = try await session.run()
        } catch {
            if let sandbox { await sandbox.shutdown() }
            throw error
        }
        if let sandbox { await sandbox.shutdown() }
        if values.bool("orders.cancel_on_exit") && openAtExit != 0 {
            output.log("ERROR: \(openAtExit) order(s) still open after cancelling; check the account")
            throw ExitCode.failure
        }
    }

    /// Loads the market's parameter file at start (`strategy.params_file`) and starts watching it.
    ///
    /// - Throws: `ValidationError` when the file is refused and `strategy.params_on_invalid` = stop.
    private func loadParameterFile(
        path: String, into runner: MarketRunner, values: ConfigValues, at now: Timestamp, logger: Logger
    ) throws {
        let watcher = ParameterWatcher(
            path: path, spec: runner.spec, maxAgeHours: values.double("strategy.params_max_age_hours"),
            configured: runner.settings)
        runner.parameters = watcher
        do {
            let loaded = try watcher.load(at: now)
            try runner.engine.strategy.reconfigure(loaded)
            let changes = ParameterFile.changes(from: runner.settings, to: loaded)
            runner.settings = loaded
            let list = changes.isEmpty ? "same as configured" : changes.map(\.description).joined(separator: ", ")
            logger.notice("\(runner.spec.symbol): params loaded from \(watcher.path): \(list)")
        } catch {
            if values.string("strategy.params_on_invalid") == "stop" {
                throw ValidationError("\(runner.spec.symbol): \(error); not starting (strategy.params_on_invalid = stop)")
            }
            logger.warning(
                "\(runner.spec.symbol): \(error); quoting with the configured values (strategy.params_on_invalid = config)")
        }
    }

    /// The Binance feed of `symbol`'s twin when `binance.enabled` and `binance.symbols` lists one.
    ///
    /// Decimals come from the built-in table for the symbols it knows (BTCUSDT, ETHUSDT,
    /// SOLUSDT) and are 8 for prices and 6 for sizes otherwise (more decimals than Binance prints
    /// is harmless).
    private func binanceFeed(for symbol: String, values: ConfigValues, clock: LiveClock) -> BinanceMarketDataFeed? {
        guard values.bool("binance.enabled") else { return nil }
        var twin: String?
        for pair in values.list("binance.symbols") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0].uppercased() == symbol.uppercased() { twin = parts[1].uppercased() }
        }
        guard let twin else { return nil }
        let known = BinanceSymbolMap.default.entries.values.first { $0.symbol == twin }
        let binanceSymbol = known ?? BinanceSymbol(symbol: twin, priceDecimals: 8, sizeDecimals: 6)
        let configuration = BinanceFeedConfiguration(
            restBaseURL: values.string("binance.rest_url") ?? "https://fapi.binance.com",
            webSocketBaseURL: values.string("binance.ws_url") ?? "wss://fstream.binance.com")
        let alpha = BinanceImbalanceAlpha.Configuration(
            lookingDepth: values.double("binance.looking_depth"), windowSize: values.int("binance.window_size"),
            minSamples: values.int("binance.min_samples"), staleSeconds: values.double("binance.stale_seconds"))
        return BinanceMarketDataFeed(symbol: binanceSymbol, configuration: configuration, alpha: alpha, clock: clock)
    }
}
