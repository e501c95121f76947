import ArgumentParser

@main
struct LighterMM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lighter-mm",
        abstract: "Market making on the Lighter DEX: quote, record, calibrate, backtest.",
        discussion: """
            With no credentials every trading command runs against the built-in sandbox exchange \
            (paper trading). Live trading needs credentials in the environment and --network.
            """,
        version: "0.1.0",
        subcommands: [
            ConfigCommand.self,
        ]
    )
}
