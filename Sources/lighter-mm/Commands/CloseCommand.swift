import AppConfig
import ArgumentParser
import Foundation
import Lighter
import MarketCore

/// `lighter-mm close`: closes a position with a reduce-only immediate-or-cancel order.
struct CloseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close",
        abstract: "Close a position with a reduce-only market order (IOC) within a slippage limit.",
        discussion: """
            The order's worst price is --max-slippage-bps from the best price on the other side; it \
            never flips the position. On a thin book it fills what it can and reports the rest (exit \
            status 1 when a position remains). Does nothing when flat. Needs credentials.private_key, \
            credentials.account_index and credentials.api_key_index. On mainnet it asks for \
            confirmation (or --yes).
            """
    )

    @OptionGroup var networkOptions: AccountNetworkOptions
    @OptionGroup var configOptions: ConfigOptions

    @Option(help: "Market symbol, e.g. ETH.")
    var market: String?

    @Flag(help: "Close every open position.")
    var all = false

    @Option(name: .customLong("max-slippage-bps"), help: "Worst price, in basis points from the best price.")
    var maxSlippageBps: Double = 50

    @Flag(help: "Do not ask for confirmation on mainnet.")
    var yes = false

    func validate() throws {
        guard (market != nil) != all else { throw ValidationError("give either --market M or --all") }
        guard maxSlippageBps >= 0, maxSlippageBps < 10_000, maxSlippageBps.isFinite else {
            throw ValidationError("--max-slippage-bps must be at least 0 and below 10000, got \(maxSlippageBps)")
        }
    }

    func run() async throws {
        let values = try configOptions.load()
        let connection = try AccountConnection(options: networkOptions, values: values, needsPrivateKey: true)
        let what = all ? "close every position" : "close the \(market?.uppercased() ?? "") position"
        try connection.confirmMainnet(what, yes: yes)
        let actions = connection.actions()
        var results: [CloseResult] = []
        do {
            print(connection.label)
            if let market {
                let spec = try await actions.market(symbol: market)
                results.append(try await actions.closePosition(market: spec, maxSlippageBps: maxSlippageBps))
            } else {
                results = try await actions.closeAllPositions(maxSlippageBps: maxSlippageBps)
                if results.isEmpty { print("no open positions: nothing to close") }
            }
        } catch {
            throw AccountCommandFailure("close: \(error)")
        }
        var remaining = false
        for result in results {
            for line in Self.report(result, maxSlippageBps: maxSlippageBps) { print(line) }
            if result.positionAfter.lots != 0 { remaining = true }
        }
        if remaining { throw ExitCode.failure }
    }

    /// What one close did, in a few lines.
    static func report(_ result: CloseResult, maxSlippageBps: Double) -> [String] {
        let spec = result.market
        let before = result.positionBefore
        if result.status == .alreadyFlat {
            return ["\(spec.symbol): no position (flat); nothing sent"]
        }
        var lines = ["\(spec.symbol): position \(signedText(before, spec: spec)) (\(before.lots > 0 ? "long" : "short"))"]
        let side = before.lots > 0 ? "sell" : "buy"
        let reference = result.referencePrice.map { "best \(before.lots > 0 ? "bid" : "ask") \(spec.string($0)), " } ?? ""
        lines.append(
            "  sent reduce-only IOC \(side) \(spec.string(Quantity(lots: abs(before.lots)))) at worst "
                + "\(result.limitPrice.map { spec.string($0) } ?? "-") (\(reference)max slippage \(String(format: "%g", maxSlippageBps)) bps), "
                + "client index \(result.clientOrderIndex.map(String.init) ?? "-")")
        let average = result.averagePrice.map { " at avg " + String(format: "%.\(spec.priceDecimals)f", $0) } ?? ""
        lines.append(
            "  filled \(spec.string(result.filled))\(average); order \(result.orderStatus ?? "outcome not seen")")
        let after = result.positionAfter
        switch result.status {
        case .closed:
            lines.append("  position now \(spec.string(after)): closed")
        case .partiallyClosed, .notFilled:
            lines.append(
                "  position now \(signedText(after, spec: spec)): \(result.status.rawValue) — the book within "
                    + "\(String(format: "%g", maxSlippageBps)) bps was too thin; run again or raise --max-slippage-bps")
        case .unconfirmed, .alreadyFlat:
            lines.append("  position now \(signedText(after, spec: spec)): the order's outcome was not seen in time")
        }
        return lines
    }
}
