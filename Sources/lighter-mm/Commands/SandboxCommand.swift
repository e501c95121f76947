import ArgumentParser
import Foundation
import Lighter
import LighterCrypto
import MarketCore
import Simulation

/// `lighter-mm sandbox`: a local exchange that speaks Lighter's REST and WebSocket protocol.
///
/// Synthetic markets run in real time; orders signed with the printed test account's key rest in
/// the matching engine next to the synthetic flow and get filled by it. Like a local devnet, it
/// prints a ready-to-use test account including its (sandbox-only) private key.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run a local Lighter-compatible exchange (REST + WebSocket) on 127.0.0.1.",
        discussion: """
            Serves /api/v1/… and /stream on 127.0.0.1, backed by synthetic markets and the matching engine. \
            Point the official SDK or `lighter-mm` at the printed URL; sign with the printed sandbox test key \
            (chain id 304 unless --chain-id says otherwise). Stop with Ctrl-C.
            """
    )

    @Option(help: "TCP port on 127.0.0.1 (0: a free port, printed at start).")
    var port: Int = 0

    @Option(help: "Comma-separated synthetic markets (ETH → market 0, BTC → market 1).")
    var markets: String = "ETH,BTC"

    @Option(help: "Seed of the synthetic markets.")
    var seed: UInt64 = 1

    @Option(help: "The test account's index.")
    var accountIndex: Int64 = 100

    @Option(help: "The test account's API key index.")
    var apiKeyIndex: UInt8 = 4

    @Option(help: "The test account's API private key (hex); generated when absent. Prefer --private-key-file.")
    var privateKey: String?

    @Option(help: "A file holding the test account's API private key (hex).")
    var privateKeyFile: String?

    @Option(help: "The test account's starting collateral, USDC.")
    var collateral: Double = 100_000

    @Option(help: "Chain id transactions must be signed for (304 mainnet as the SDK uses for local URLs, 300 testnet).")
    var chainID: UInt32 = 304

    func run() async throws {
        let key = try loadKey()
        let symbols = markets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let configuration = SandboxConfiguration(
            markets: try SandboxConfiguration.presets(symbols: symbols), seed: seed,
            chain: LighterChain(rawValue: chainID),
            accounts: [
                SandboxAccountSetup(
                    accountIndex: accountIndex, apiKeyIndex: apiKeyIndex, privateKey: key, collateral: collateral)
            ])
        let clock = LiveClock()
        let exchange = try SandboxExchange(configuration: configuration, startTime: clock.now)
        let server = SandboxServer(exchange: exchange, port: port, clock: clock)
        try await server.start()
        // Unbuffered, so a parent process reading the pipe sees the banner at once.
        FileHandle.standardOutput.write(Data((exchange.readyBanner(baseURL: server.baseURL) + "\n").utf8))
        // Serve until interrupted.
        while !Task.isCancelled {
            try await Task.sleep(nanoseconds: 3_600_000_000_000)
        }
        await server.shutdown()
    }

    private func loadKey() throws -> PrivateKey {
        if let privateKeyFile {
            let text = try String(contentsOfFile: privateKeyFile, encoding: .utf8)
            return try PrivateKey(hex: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if let privateKey { return try PrivateKey(hex: privateKey) }
        return PrivateKey.generate()
    }
}
