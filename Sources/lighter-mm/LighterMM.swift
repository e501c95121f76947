import ArgumentParser

@main
struct LighterMM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lighter-mm",
        abstract: "Market making on the Lighter DEX: quote, record, calibrate, backtest.",
        discussion: """
            Backtests run the same engine (strategy, order manager, risk) against a simulated exchange \
            on a virtual clock. Configuration: --config FILE (YAML or JSON), .env and LIGHTER_MM_* \
            environment variables; see `lighter-mm config example`.
            """,
        version: "0.1.0",
        subcommands: [
            SandboxCommand.self,
            CollectCommand.self,
            DataCommand.self,
            BacktestCommand.self,
            RunCommand.self,
            AccountCommand.self,
            LeverageCommand.self,
            CloseCommand.self,
            CalibrateCommand.self,
            ExperimentCommand.self,
            KeygenCommand.self,
            VectorsCommand.self,
            ConfigCommand.self,
        ]
    )
}
