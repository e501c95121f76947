import AppConfig
import ArgumentParser
import Foundation
import Lighter
import MarketCore

/// `lighter-mm leverage`: sets a market's leverage and margin mode with a signed UpdateLeverage.
struct LeverageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leverage",
        abstract: "Set a market's leverage and margin mode (UpdateLeverage), wait for it, print what changed.",
        discussion: """
            The initial margin fraction sent is 10000 / leverage (integer division, as the official SDK). \
            Needs credentials.private_key, credentials.account_index and credentials.api_key_index. On \
            mainnet it asks for confirmation (or --yes). Changing the margin mode with an open position or \
            orders is refused by Lighter (21132).
            """
    )

    /// Margin modes accepted by --margin.
    enum Margin: String, ExpressibleByArgument, CaseIterable {
        case cross, isolated

        var mode: MarginMode { self == .cross ? .cross : .isolated }
    }

    @OptionGroup var networkOptions: AccountNetworkOptions
    @OptionGroup var configOptions: ConfigOptions

    @Option(help: "Market symbol, e.g. ETH.")
    var market: String

    @Option(help: "Leverage, a whole number ≥ 1 (the market's maximum applies).")
    var leverage: Int

    @Option(help: "Margin mode: cross or isolated (default: sizing.margin_mode).")
    var margin: Margin?

    @Flag(help: "Do not ask for confirmation on mainnet.")
    var yes = false

    func validate() throws {
        guard LighterAccountActions.initialMarginFraction(leverage: leverage) != nil else {
            throw ValidationError("--leverage must be 1…10000, got \(leverage)")
        }
    }

    func run() async throws {
        let values = try configOptions.load()
        let connection = try AccountConnection(options: networkOptions, values: values, needsPrivateKey: true)
        let mode = margin ?? Margin(rawValue: values.string("sizing.margin_mode") ?? "cross") ?? .cross
        try connection.confirmMainnet("set \(market.uppercased()) leverage to \(leverage)× \(mode.rawValue)", yes: yes)
        let actions = connection.actions()
        let change: LeverageChange
        do {
            let spec = try await actions.market(symbol: market)
            print("\(spec.symbol), \(connection.label)")
            change = try await actions.setLeverage(market: spec, leverage: leverage, marginMode: mode.mode)
        } catch {
            throw AccountCommandFailure("leverage: \(error)")
        }
        let symbol = change.market.symbol
        print("  before: \(describe(change.before))")
        if change.status == .unchanged {
            print("  already \(leverage)× \(mode.rawValue): nothing sent")
            return
        }
        print(
            "  sent UpdateLeverage: \(leverage)× \(mode.rawValue) (initial margin fraction \(change.initialMarginFraction)/10000)"
                + (change.txHash.map { ", tx \($0)" } ?? ""))
        print("  after:  \(describe(change.after))")
        switch change.status {
        case .confirmed:
            print("\(symbol): leverage \(leverage)× \(mode.rawValue) confirmed")
        case .executed:
            print(
                "\(symbol): the transaction executed; the account lists no \(symbol) position yet, so the setting "
                    + "shows once there is one")
        case .unconfirmed, .unchanged:
            print("\(symbol): the exchange accepted the transaction but the account did not show the new setting within 15 s")
            throw ExitCode.failure
        }
    }
}
