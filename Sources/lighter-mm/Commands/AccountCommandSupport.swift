import AppConfig
import ArgumentParser
import Foundation
import Lighter
import LighterCrypto
import MarketCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--network`, `--url` and `--chain-id`, shared by `account`, `leverage` and `close`.
///
/// There is deliberately no default network: these commands act on real accounts.
struct AccountNetworkOptions: ParsableArguments {
    /// Where the account lives.
    enum Network: String, ExpressibleByArgument, CaseIterable {
        case mainnet, testnet, sandbox
    }

    @Option(
        help: ArgumentHelp(
            "Where the account is: mainnet, testnet or sandbox (required; there is no default).",
            discussion: "sandbox = a running `lighter-mm sandbox`, at --url or exchange.rest_url."))
    var network: Network

    @Option(help: "REST base URL: the URL `lighter-mm sandbox` prints, or an override of the official mainnet/testnet URL.")
    var url: String?

    @Option(name: .customLong("chain-id"), help: "Chain id transactions are signed for with --network sandbox (default 304).")
    var chainID: UInt32?
}

/// Where and as whom an account command works: URL, chain and credentials from the configuration.
///
/// The private key stays inside; nothing here prints it.
struct AccountConnection {
    let network: AccountNetworkOptions.Network
    let restURL: String
    let chain: LighterChain
    let accountIndex: Int64
    /// The API key index and its private key, when both are configured.
    let signingKey: (index: UInt8, key: PrivateKey)?

    /// Resolves the connection.
    ///
    /// - Parameters:
    ///   - needsPrivateKey: the command sends transactions (`leverage`, `close`): the private key
    ///     and API key index are required.
    /// - Throws: ``AccountCommandFailure`` naming the missing or invalid key and its environment variable.
    init(options: AccountNetworkOptions, values: ConfigValues, needsPrivateKey: Bool) throws {
        network = options.network
        switch options.network {
        case .mainnet:
            restURL = options.url ?? values.string("exchange.rest_url") ?? "https://mainnet.zklighter.elliot.ai"
            chain = .mainnet
        case .testnet:
            restURL = options.url ?? values.string("exchange.rest_url") ?? "https://testnet.zklighter.elliot.ai"
            chain = .testnet
        case .sandbox:
            guard let url = options.url ?? values.string("exchange.rest_url") else {
                throw AccountCommandFailure(
                    "--network sandbox needs the sandbox's REST URL: pass --url (the URL `lighter-mm sandbox` prints) or set exchange.rest_url")
            }
            restURL = url
            chain = LighterChain(rawValue: options.chainID ?? LighterChain.mainnet.rawValue)
        }
        if options.chainID != nil && options.network != .sandbox {
            throw AccountCommandFailure("--chain-id is only for --network sandbox (mainnet signs for 304, testnet for 300)")
        }

        func environmentName(_ path: String) -> String { values.schema.key(path)?.environmentName ?? path }
        func missing(_ path: String, _ why: String) -> AccountCommandFailure {
            AccountCommandFailure("\(path) is not set: \(why). Set \(environmentName(path)) in the environment or .env")
        }
        guard case .integer(let account) = values.value("credentials.account_index") else {
            throw missing("credentials.account_index", "the account to work on is needed")
        }
        accountIndex = Int64(account)

        let keyIndex: UInt8?
        if case .integer(let index) = values.value("credentials.api_key_index"), let value = UInt8(exactly: index) {
            keyIndex = value
        } else {
            keyIndex = nil
        }
        let keyText = values.string("credentials.private_key")
        if needsPrivateKey {
            guard keyText != nil else { throw missing("credentials.private_key", "signing a transaction needs the API private key") }
            guard keyIndex != nil else { throw missing("credentials.api_key_index", "signing a transaction needs the API key index") }
        }
        if let keyText {
            guard let keyIndex else {
                throw missing("credentials.api_key_index", "the private key is set, so its API key index is needed too")
            }
            let key: PrivateKey
            do { key = try PrivateKey(hex: keyText.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
                throw AccountCommandFailure("credentials.private_key is not a valid API private key (\(error))")
            }
            signingKey = (keyIndex, key)
        } else {
            signingKey = nil
        }
    }

    /// `account 100 on sandbox (http://127.0.0.1:5000)`.
    var label: String { "account \(accountIndex) on \(network.rawValue) (\(restURL))" }

    /// The account actions: signing when a key is configured, read-only otherwise.
    func actions() -> LighterAccountActions {
        // The official servers get the standard tier's client-side request budget; the sandbox none.
        let limiter: SlidingWindowRateLimiter? = network == .sandbox ? nil : .standard()
        let rest = LighterRESTClient(configuration: .init(baseURL: restURL, rateLimiter: limiter))
        let options = LighterAccountActions.Options(confirmationTimeoutSeconds: 15, pollIntervalSeconds: 0.5)
        guard let signingKey else { return LighterAccountActions(readOnly: rest, accountIndex: accountIndex, options: options) }
        let sender = TransactionSender(rest: rest, accountIndex: accountIndex, apiKeys: [signingKey.index])
        return LighterAccountActions(
            rest: rest, sender: sender, privateKey: signingKey.key, chain: chain, accountIndex: accountIndex,
            apiKeyIndex: signingKey.index, options: options)
    }

    /// On mainnet, asks before `action` unless `--yes` was given: on a terminal the user must type
    /// `yes`; without one the command refuses.
    func confirmMainnet(_ action: String, yes: Bool) throws {
        guard network == .mainnet, !yes else { return }
        guard isatty(STDIN_FILENO) != 0 else {
            throw AccountCommandFailure("refusing to \(action) on mainnet without --yes (real money; no terminal to confirm on)")
        }
        let prompt = "About to \(action) on MAINNET for account \(accountIndex) (real money). Type 'yes' to continue: "
        FileHandle.standardOutput.write(Data(prompt.utf8))  // unbuffered: the prompt has no newline
        guard readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
            throw AccountCommandFailure("not confirmed; nothing was sent")
        }
    }
}

/// Rows padded into aligned columns (the first row is the header).
func formatTable(_ rows: [[String]], indent: String = "  ") -> [String] {
    guard let columns = rows.map(\.count).max() else { return [] }
    var widths = [Int](repeating: 0, count: columns)
    for row in rows {
        for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
    }
    return rows.map { row in
        var line = indent
        for (column, cell) in row.enumerated() {
            line += column == row.count - 1 ? cell : cell.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
        }
        return line
    }
}

/// A signed size with an explicit `+` for longs: `+1.2000`, `-0.5000`, `0.0000`.
func signedText(_ quantity: Quantity, spec: MarketSpec) -> String {
    quantity.lots > 0 ? "+" + spec.string(quantity) : spec.string(quantity)
}

/// `20.0× cross (initial margin 5.00 %)`.
func describe(_ setting: MarginSetting?) -> String {
    guard let setting else { return "unknown (the exchange lists no position for the market)" }
    let leverage = setting.leverage.map { String(format: "%.1f×", $0) } ?? "-"
    let mode = setting.marginMode.map { $0 == .cross ? "cross" : "isolated" } ?? "mode unknown"
    return "\(leverage) \(mode) (initial margin \(String(format: "%.2f", setting.initialMarginFractionPercent)) %)"
}

/// A failure of an account command, printed as `Error: <message>` (without the usage text that
/// `ValidationError` adds).
struct AccountCommandFailure: Error, CustomStringConvertible {
    /// What went wrong, naming the key, option or exchange answer.
    var description: String

    init(_ description: String) { self.description = description }
}
