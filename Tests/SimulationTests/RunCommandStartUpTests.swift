import Foundation
import Lighter
import LighterCrypto
import MarketCore
import Simulation
import Testing

/// `lighter-mm run`'s start-up against a sandbox started here (as a live venue: credentials,
/// `--network` and `exchange.rest_url`/`ws_url` pointed at it), and its status display on a
/// terminal.
@Suite struct RunCommandStartUpTests {
    static func binary() throws -> String {
        let path = try LighterVenueRunCommandTests.packageRoot() + "/.build/debug/lighter-mm"
        try #require(FileManager.default.isExecutableFile(atPath: path), "\(path) is missing: run `swift build` first")
        return path
    }

    /// Credentials of `account` on `harness`, trading "live" on it.
    static func liveEnvironment(_ harness: SandboxHarness, key: PrivateKey) -> [String: String] {
        [
            "LIGHTER_MM_CREDENTIALS_PRIVATE_KEY": key.hexForExport,
            "LIGHTER_MM_CREDENTIALS_ACCOUNT_INDEX": String(harness.first.accountIndex),
            "LIGHTER_MM_CREDENTIALS_API_KEY_INDEX": String(harness.first.apiKeyIndex),
            "LIGHTER_MM_EXCHANGE_REST_URL": harness.server.baseURL,
            "LIGHTER_MM_EXCHANGE_WS_URL": harness.server.streamURL,
            "LIGHTER_MM_SIZING_MODE": "fixed", "LIGHTER_MM_SIZING_ORDER_SIZE": "0.05",
        ]
    }

    @Test func aPrivateKeyThatIsNotTheRegisteredAPIKeyStopsTheStart() async throws {
        let harness = try await SandboxHarness.start()
        defer { Task { await harness.stop() } }
        let wrongKey = PrivateKey.generate()
        let result = try await LighterVenueRunCommandTests.run(
            try Self.binary(), ["run", "--network", "mainnet", "--duration", "5s"],
            environment: Self.liveEnvironment(harness, key: wrongKey), timeoutSeconds: 60)
        #expect(result.status != 0)
        #expect(result.stdout.contains("LIVE TRADING on mainnet (account 100, key 4)"), "output:\n\(result.stdout)")
        let registered = String(harness.first.privateKey.publicKey.hex.lowercased().prefix(16))
        let ours = String(wrongKey.publicKey.hex.lowercased().prefix(16))
        #expect(
            result.stdout.contains(
                "API key 4 of account 100 is registered with public key \(registered)…, but credentials.private_key belongs to \(ours)…"),
            "output:\n\(result.stdout)")
        #expect(!result.stdout.contains("leverage"), "output:\n\(result.stdout)")
        #expect(!result.stdout.contains(wrongKey.hexForExport.dropFirst(2)), "the private key was printed")
    }

    @Test func startUpClosesALeftoverPositionSetsLeverageThenQuotesAndExitsClean() async throws {
        let harness = try await SandboxHarness.start()
        defer { Task { await harness.stop() } }
        // A leftover long of 0.0100 ETH: an immediate-or-cancel buy through the ask.
        let top = try await harness.ethTop()
        let nonce = try await harness.rest.nextNonce(accountIndex: 100, apiKeyIndex: 4)
        let order = OrderInfo(
            marketIndex: 0, clientOrderIndex: 77, baseAmount: 100, price: UInt32(top.ask + 500), isAsk: false,
            type: .market, timeInForce: .immediateOrCancel, orderExpiry: 0)
        let buy = try harness.sign(.createOrder(order), account: harness.first, nonce: nonce)
        _ = try await harness.rest.sendTx(buy)
        let opened = await SandboxHarness.eventually(seconds: 10) {
            guard let account = try? await harness.rest.account(index: 100),
                let eth = account.positions.first(where: { $0.marketID == 0 })
            else { return false }
            return (try? eth.signedQuantity(sizeDecimals: 4))?.lots == 100
        }
        try #require(opened, "the leftover position was not opened")

        var environment = Self.liveEnvironment(harness, key: harness.first.privateKey)
        environment["LIGHTER_MM_RISK_CLOSE_POSITION_ON_START"] = "true"
        environment["LIGHTER_MM_SIZING_LEVERAGE"] = "3"
        environment["LIGHTER_MM_SIZING_MARGIN_MODE"] = "isolated"
        environment["LIGHTER_MM_VOLOBI_WARMUP_SAMPLES"] = "5"
        environment["LIGHTER_MM_VOLOBI_STEP_MS"] = "100"
        let run = try RunningLighterMM(
            ["run", "--network", "mainnet", "--strategy", "volobi", "--duration", "120s"], environment: environment)
        let placed = try await run.waitForLine(timeoutSeconds: 40) { $0.contains(": place ") }
        try #require(placed != nil, "no order placed:\n\(run.output)")
        // The dead-man's switch (orders.dead_mans_switch_minutes = 10) is armed while running...
        let armed = await SandboxHarness.eventually(seconds: 10) {
            ((try? await harness.rest.account(index: 100))?.cancelAllTime ?? 0) > 0
        }
        #expect(armed, "no scheduled cancel-all while running")
        let status = try await run.interruptAndWait(timeoutSeconds: 30)
        #expect(status == 0, "output:\n\(run.output)")
        let output = run.output
        let lines = output.split(separator: "\n").map(String.init)
        func index(_ prefix: String) -> Int? { lines.firstIndex { $0.hasPrefix(prefix) } }
        let closed = try #require(index("ETH: leftover position 0.0100 → 0.0000 (closed)"), "output:\n\(output)")
        let leverage = try #require(index("ETH: leverage 3× isolated (confirmed)"), "output:\n\(output)")
        let position = try #require(index("ETH: position 0.0000"), "output:\n\(output)")
        let book = try #require(index("ETH: book ready, mid "), "output:\n\(output)")
        let firstOrder = try #require(lines.firstIndex { $0.contains(": place ") }, "no order placed:\n\(output)")
        #expect(closed < leverage && leverage < position && position < book && book < firstOrder, "output:\n\(output)")
        #expect(lines.contains("open orders at exit (REST): 0"), "output:\n\(output)")
        // ...and disarmed on the clean exit.
        let after = try await harness.rest.account(index: 100)
        #expect((after.cancelAllTime ?? 0) == 0, "the scheduled cancel-all is still armed")
    }

    @Test func withFlattenOnKillTheExitClosesThePosition() async throws {
        let harness = try await SandboxHarness.start()
        defer { Task { await harness.stop() } }
        var environment = Self.liveEnvironment(harness, key: harness.first.privateKey)
        environment["LIGHTER_MM_RISK_FLATTEN_ON_KILL"] = "true"
        environment["LIGHTER_MM_VOLOBI_WARMUP_SAMPLES"] = "5"
        environment["LIGHTER_MM_VOLOBI_STEP_MS"] = "100"
        let run = try RunningLighterMM(
            ["run", "--network", "mainnet", "--strategy", "volobi", "--duration", "120s"], environment: environment)
        let placed = try await run.waitForLine(timeoutSeconds: 40) { $0.contains(": place ") }
        try #require(placed != nil, "no order placed:\n\(run.output)")

        // The second account sells through the bids (ours among them): we end up long.
        let top = try await harness.ethTop()
        let nonce = try await harness.rest.nextNonce(accountIndex: harness.second.accountIndex, apiKeyIndex: harness.second.apiKeyIndex)
        let sweep = OrderInfo(
            marketIndex: 0, clientOrderIndex: 88, baseAmount: 50_000, price: UInt32(top.bid - 20_000), isAsk: true,
            type: .market, timeInForce: .immediateOrCancel, orderExpiry: 0)
        _ = try await harness.rest.sendTx(try harness.sign(.createOrder(sweep), account: harness.second, nonce: nonce))
        let long = await SandboxHarness.eventually(seconds: 10) {
            guard let account = try? await harness.rest.account(index: 100),
                let eth = account.positions.first(where: { $0.marketID == 0 })
            else { return false }
            return ((try? eth.signedQuantity(sizeDecimals: 4))?.lots ?? 0) != 0
        }
        try #require(long, "our bid was not hit:\n\(run.output)")

        let status = try await run.interruptAndWait(timeoutSeconds: 30)
        #expect(status == 0, "output:\n\(run.output)")
        #expect(run.output.contains("ETH: flattened on exit "), "output:\n\(run.output)")
        let account = try await harness.rest.account(index: 100)
        let eth = try #require(account.positions.first { $0.marketID == 0 })
        #expect(try eth.signedQuantity(sizeDecimals: 4).lots == 0, "position left after exit:\n\(run.output)")
        #expect(run.output.contains("open orders at exit (REST): 0"), "output:\n\(run.output)")
    }

    @Test func onATerminalTheStatusIsRedrawnInPlace() async throws {
        // `script` runs the command on a pseudo-terminal (stdout is a TTY) and copies its output.
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux `script` is needed")
        let command = "\(try Self.binary()) run --duration 5s --status-seconds 1"
        let result = try await LighterVenueRunCommandTests.run(
            script, ["-q", "-e", "-f", "-c", command, "/dev/null"],
            environment: [
                "LIGHTER_MM_SIZING_MODE": "fixed", "LIGHTER_MM_SIZING_ORDER_SIZE": "0.05", "LIGHTER_MM_LOGGING_DECISIONS": "false",
            ], timeoutSeconds: 60)
        #expect(result.status == 0, "output:\n\(result.stdout)")
        // One market: each refresh moves the cursor up one line and clears it before writing.
        let redraws = result.stdout.components(separatedBy: "\u{1B}[1A\r\u{1B}[2KETH mid ").count - 1
        #expect(redraws >= 2, "output:\n\(result.stdout.debugDescription)")
        #expect(result.stdout.contains("\r\u{1B}[2KETH mid "), "output:\n\(result.stdout.debugDescription)")
    }
}
