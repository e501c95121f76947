import Foundation
import Lighter
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LighterCrypto
import MarketCore
import Simulation
import Testing

/// Positions, orders and raw account figures on an in-process sandbox, made and read with the
/// project's tx layer and plain REST (not with the code under test).
struct AccountFixture {
    let sandbox: SandboxHarness

    /// A sandbox whose ETH market is frozen (no price moves, no book events), so book levels read
    /// before an order are the levels it meets.
    static func start() async throws -> AccountFixture {
        AccountFixture(sandbox: try await SandboxHarness.start(seed: 11, quiet: true))
    }

    func stop() async { await sandbox.stop() }

    /// The environment that hands the first test account to `lighter-mm`.
    var credentials: [String: String] {
        [
            "LIGHTER_MM_CREDENTIALS_ACCOUNT_INDEX": String(sandbox.first.accountIndex),
            "LIGHTER_MM_CREDENTIALS_API_KEY_INDEX": String(sandbox.first.apiKeyIndex),
            "LIGHTER_MM_CREDENTIALS_PRIVATE_KEY": sandbox.first.privateKey.hexForExport,
        ]
    }

    /// Signs and sends one order for the first account (nonce from `nextNonce`); fails the test if refused.
    func send(_ order: OrderInfo) async throws {
        let account = sandbox.first
        let nonce = try await sandbox.rest.nextNonce(accountIndex: account.accountIndex, apiKeyIndex: account.apiKeyIndex)
        let reply = try await sandbox.rest.sendTx(try sandbox.sign(.createOrder(order), account: account, nonce: nonce))
        #expect(reply.code == 200)
    }

    /// An aggressive immediate-or-cancel order of `lots` on `market`, worst price 2 % through the book.
    func take(market: Int, lots: Int64, isAsk: Bool, clientIndex: Int64) async throws {
        let top = try await levels(market: market)
        let reference = isAsk ? try #require(top.bids.first).price : try #require(top.asks.first).price
        let limit = isAsk ? reference * 98 / 100 : reference * 102 / 100
        try await send(
            OrderInfo(
                marketIndex: Int64(market), clientOrderIndex: clientIndex, baseAmount: lots, price: UInt32(limit), isAsk: isAsk,
                type: .limit, timeInForce: .immediateOrCancel, orderExpiry: 0))
    }

    /// Price levels of `market` from `orderBookOrders` (integer ticks and lots).
    func levels(market: Int) async throws -> (bids: [(price: Int64, lots: Int64)], asks: [(price: Int64, lots: Int64)]) {
        struct Level: Decodable {
            var price: String
            var remaining: String
            enum CodingKeys: String, CodingKey {
                case price
                case remaining = "remaining_base_amount"
            }
        }
        struct Orders: Decodable { var asks: [Level]; var bids: [Level] }
        let spec = try await self.spec(market)
        let orders: Orders = try await sandbox.rest.get(
            "/api/v1/orderBookOrders", query: [("market_id", String(market)), ("limit", "20")])
        func read(_ levels: [Level]) throws -> [(price: Int64, lots: Int64)] {
            try levels.map {
                (try FixedPoint.parse($0.price, decimals: spec.priceDecimals), try FixedPoint.parse($0.remaining, decimals: spec.sizeDecimals))
            }
        }
        return (try read(orders.bids), try read(orders.asks))
    }

    func spec(_ market: Int) async throws -> MarketSpec {
        try #require(try await sandbox.rest.marketSpecs().first { $0.marketID == market })
    }

    /// The raw position fields of `market` from `GET /api/v1/account`.
    struct RawPosition: Decodable {
        var sign: Int
        var position: String
        var initialMarginFraction: String
        var marginMode: Int
        enum CodingKeys: String, CodingKey {
            case sign, position
            case marketID = "market_id"
            case initialMarginFraction = "initial_margin_fraction"
            case marginMode = "margin_mode"
        }
        var marketID: Int
    }

    func rawPosition(market: Int) async throws -> RawPosition {
        struct Account: Decodable { var positions: [RawPosition] }
        struct Response: Decodable { var accounts: [Account] }
        let response: Response = try await sandbox.rest.get(
            "/api/v1/account", query: [("by", "index"), ("value", String(sandbox.first.accountIndex))])
        return try #require(response.accounts.first?.positions.first { $0.marketID == market })
    }

    /// The signed position of `market` in lots, from the raw account.
    func positionLots(market: Int) async throws -> Int64 {
        let raw = try await rawPosition(market: market)
        let lots = try FixedPoint.parse(raw.position, decimals: try await spec(market).sizeDecimals)
        return raw.sign < 0 ? -lots : lots
    }

    /// Account actions signing as the first account.
    func actions() -> LighterAccountActions {
        let account = sandbox.first
        let sender = TransactionSender(rest: sandbox.rest, accountIndex: account.accountIndex, apiKeys: [account.apiKeyIndex])
        return LighterAccountActions(
            rest: sandbox.rest, sender: sender, privateKey: account.privateKey, chain: SandboxHarness.chain,
            accountIndex: account.accountIndex, apiKeyIndex: account.apiKeyIndex,
            options: .init(confirmationTimeoutSeconds: 5, pollIntervalSeconds: 0.1))
    }
}

/// `LighterAccountActions` against the sandbox over loopback, plus its pure price and margin rules.
@Suite(.serialized) struct AccountActionsTests {
    @Test func initialMarginFractionIsTenThousandOverLeverageRoundedDown() {
        // Hand values: 10000/1, 10000/3 = 3333.3 → 3333, 10000/20, 10000/10000.
        #expect(LighterAccountActions.initialMarginFraction(leverage: 1) == 10_000)
        #expect(LighterAccountActions.initialMarginFraction(leverage: 3) == 3_333)
        #expect(LighterAccountActions.initialMarginFraction(leverage: 20) == 500)
        #expect(LighterAccountActions.initialMarginFraction(leverage: 10_000) == 1)
        #expect(LighterAccountActions.initialMarginFraction(leverage: 0) == nil)
        #expect(LighterAccountActions.initialMarginFraction(leverage: 10_001) == nil)
    }

    @Test func closeLimitPriceStaysWithinTheSlippageOnTheTickGrid() throws {
        let eth = MarketSpec.syntheticETH
        // Long: sell down to 3000.00 × (1 − 0.005) = 2985.00.
        #expect(
            LighterAccountActions.closeLimitPrice(
                position: Quantity(lots: 5000), bestBid: Price(ticks: 300_000), bestAsk: Price(ticks: 300_010),
                maxSlippageBps: 50, spec: eth) == Price(ticks: 298_500))
        // Long, 1 bp from 3000.03: 3000.03 − 0.300003 = 2999.729997 → rounded up to 2999.73 (0.30 below: under 1 bp).
        #expect(
            LighterAccountActions.closeLimitPrice(
                position: Quantity(lots: 1), bestBid: Price(ticks: 300_003), bestAsk: nil, maxSlippageBps: 1, spec: eth)
                == Price(ticks: 299_973))
        // Short: buy up to 3000.01 × 1.005 = 3015.01005 → rounded down to 3015.01.
        #expect(
            LighterAccountActions.closeLimitPrice(
                position: Quantity(lots: -5000), bestBid: Price(ticks: 300_000), bestAsk: Price(ticks: 300_001),
                maxSlippageBps: 50, spec: eth) == Price(ticks: 301_501))
        // Zero slippage is the best price itself.
        #expect(
            LighterAccountActions.closeLimitPrice(
                position: Quantity(lots: -1), bestBid: nil, bestAsk: Price(ticks: 300_001), maxSlippageBps: 0, spec: eth)
                == Price(ticks: 300_001))
        // Flat, or the needed side missing: no price.
        #expect(
            LighterAccountActions.closeLimitPrice(
                position: .zero, bestBid: Price(ticks: 1), bestAsk: Price(ticks: 2), maxSlippageBps: 50, spec: eth) == nil)
        #expect(
            LighterAccountActions.closeLimitPrice(
                position: Quantity(lots: 10), bestBid: nil, bestAsk: Price(ticks: 2), maxSlippageBps: 50, spec: eth) == nil)
    }

    @Test func snapshotReadsBalancesPositionAndOpenOrders() async throws {
        let fixture = try await AccountFixture.start()
        defer { Task { await fixture.stop() } }
        let before = try await fixture.levels(market: 0)
        let bestAsk = try #require(before.asks.first)
        let bestBid = try #require(before.bids.first)
        try #require(bestAsk.lots >= 2000, "top ask too thin for the test: \(bestAsk.lots)")
        // Buy 0.2 ETH: all of it at the best ask. Then rest a bid 10.00 below the best bid.
        try await fixture.take(market: 0, lots: 2000, isAsk: false, clientIndex: 11)
        try await fixture.send(
            OrderInfo(
                marketIndex: 0, clientOrderIndex: 4242, baseAmount: 1000, price: UInt32(bestBid.price - 1000), isAsk: false,
                timeInForce: .postOnly, orderExpiry: SandboxHarness.nowMilliseconds + 3_600_000))

        let snapshot = try await fixture.actions().snapshot()
        #expect(snapshot.accountIndex == 100)
        #expect(snapshot.collateral == "100000.000000")  // the harness's 100 000 USDC, no fees
        let eth = try #require(snapshot.position(marketID: 0))
        #expect(eth.size == Quantity(lots: 2000))
        #expect(eth.sizeText == "0.2000")
        #expect(eth.entryPrice == FixedPoint.format(bestAsk.price, decimals: 2))
        #expect(eth.marginSetting?.initialMarginFractionPercent == 5)  // sandbox default 0.05
        #expect(eth.marginSetting?.marginMode == .cross)
        #expect(snapshot.openPositions.map(\.symbol) == ["ETH"])
        let orders = try #require(snapshot.openOrders)
        #expect(orders.count == 1)
        #expect(orders.first?.clientOrderIndex == 4242)
        #expect(orders.first?.side == .buy)
        #expect(orders.first?.price == FixedPoint.format(bestBid.price - 1000, decimals: 2))
        #expect(orders.first?.remainingSize == "0.1000")

        // Read-only: balances and positions, but no open orders and no writes.
        let readOnly = LighterAccountActions(readOnly: fixture.sandbox.rest, accountIndex: 100)
        let publicView = try await readOnly.snapshot()
        #expect(publicView.openOrders == nil)
        #expect(publicView.position(marketID: 0)?.size == Quantity(lots: 2000))
        await #expect(throws: AccountActionError.self) {
            _ = try await readOnly.closePosition(market: MarketSpec.syntheticETH, maxSlippageBps: 50)
        }
    }

    @Test func setLeverageSendsTheFractionAndModeThenSkipsWhenUnchanged() async throws {
        let fixture = try await AccountFixture.start()
        defer { Task { await fixture.stop() } }
        let actions = fixture.actions()
        let eth = try await actions.market(symbol: "eth")
        let change = try await actions.setLeverage(market: eth, leverage: 3, marginMode: .isolated)
        #expect(change.status == .confirmed)
        #expect(change.initialMarginFraction == 3333)
        #expect(change.before?.initialMarginFractionPercent == 5)
        #expect(change.txHash?.count == 80)
        // The account itself: 3333/10000 = 33.33 %, margin mode 1 (isolated).
        let raw = try await fixture.rawPosition(market: 0)
        #expect(raw.initialMarginFraction == "33.33")
        #expect(raw.marginMode == 1)
        let nonce = try await fixture.sandbox.rest.nextNonce(accountIndex: 100, apiKeyIndex: 4)

        let again = try await actions.setLeverage(market: eth, leverage: 3, marginMode: .isolated)
        #expect(again.status == .unchanged)
        #expect(again.txHash == nil)
        #expect(try await fixture.sandbox.rest.nextNonce(accountIndex: 100, apiKeyIndex: 4) == nonce)  // nothing sent

        // Above the market's maximum (the sandbox's minimum fraction 500 → 20×): refused before sending.
        await #expect {
            _ = try await actions.setLeverage(market: eth, leverage: 21, marginMode: .cross)
        } throws: { error in
            if case .invalidLeverage(21, _) = error as? AccountActionError { true } else { false }
        }
        #expect(try await fixture.rawPosition(market: 0).initialMarginFraction == "33.33")
    }

    @Test func closePositionBuysBackAShortAndReportsTheFill() async throws {
        let fixture = try await AccountFixture.start()
        defer { Task { await fixture.stop() } }
        let levels = try await fixture.levels(market: 0)
        let bestBid = try #require(levels.bids.first)
        try #require(bestBid.lots >= 1500)
        try await fixture.take(market: 0, lots: 1500, isAsk: true, clientIndex: 21)  // short 0.15 ETH
        #expect(try await fixture.positionLots(market: 0) == -1500)
        let bestAsk = try #require(try await fixture.levels(market: 0).asks.first)
        try #require(bestAsk.lots >= 1500)

        let actions = fixture.actions()
        let eth = try await actions.market(symbol: "ETH")
        let result = try await actions.closePosition(market: eth, maxSlippageBps: 50, clientOrderIndex: 777)
        #expect(result.status == .closed)
        #expect(result.positionBefore == Quantity(lots: -1500))
        #expect(result.positionAfter == .zero)
        #expect(result.filled == Quantity(lots: 1500))
        #expect(result.referencePrice == Price(ticks: bestAsk.price))
        // All 0.15 ETH at the best ask (its level holds at least that much).
        let average = try #require(result.averagePrice)
        #expect(abs(average - Double(bestAsk.price) / 100) < 1e-6)
        #expect(result.orderStatus == "filled")
        #expect(try await fixture.positionLots(market: 0) == 0)
        // What was signed: a reduce-only market order, immediate-or-cancel, buying 0.15 ETH up to the limit.
        let sent = try await fixture.sandbox.rest.transaction(hash: try #require(result.txHash))
        let info = try #require(sent.info)
        for field in [
            "\"ClientOrderIndex\":777", "\"BaseAmount\":1500", "\"IsAsk\":0", "\"Type\":1", "\"TimeInForce\":0",
            "\"ReduceOnly\":1", "\"OrderExpiry\":0", "\"Price\":\(try #require(result.limitPrice).ticks)",
        ] {
            #expect(info.contains(field), "\(field) not in \(info)")
        }
        // 50 bps above the best ask, rounded down to the tick: never beyond the slippage limit.
        #expect(try #require(result.limitPrice).ticks == bestAsk.price * 10_050 / 10_000)

        let flat = try await actions.closePosition(market: eth, maxSlippageBps: 50)
        #expect(flat.status == .alreadyFlat)
        #expect(flat.txHash == nil)
    }
}

/// The built `lighter-mm account`, `leverage` and `close` against an in-process sandbox.
@Suite(.serialized) struct AccountCommandsTests {
    static func binary() throws -> String {
        let path = try LighterVenueRunCommandTests.packageRoot() + "/.build/debug/lighter-mm"
        try #require(FileManager.default.isExecutableFile(atPath: path), "\(path) is missing: run `swift build` first")
        return path
    }

    /// Runs the binary with a clean LIGHTER_MM_* environment plus `environment`, standard input
    /// from `input` (default /dev/null, not a terminal), in an empty directory (no .env).
    static func run(
        _ arguments: [String], environment: [String: String], input: FileHandle = .nullDevice, timeoutSeconds: Double = 60
    ) async throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("account-command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("output")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var base = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LIGHTER_MM_") }
        base.merge(environment) { _, new in new }
        process.environment = base
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("lighter-mm \(arguments.joined(separator: " ")) did not finish within \(timeoutSeconds) s")
        }
        try output.close()
        return (process.terminationStatus, (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "")
    }

    @Test func accountShowsCollateralPositionAndOpenOrder() async throws {
        let fixture = try await AccountFixture.start()
        defer { Task { await fixture.stop() } }
        let top = try await fixture.levels(market: 0)
        let bestAsk = try #require(top.asks.first)
        let bestBid = try #require(top.bids.first)
        try #require(bestAsk.lots >= 5000)
        try await fixture.take(market: 0, lots: 5000, isAsk: false, clientIndex: 31)  // long 0.5 ETH at the best ask
        let restingPrice = bestBid.price - 2000  // 20.00 below the best bid
        try await fixture.send(
            OrderInfo(
                marketIndex: 0, clientOrderIndex: 5151, baseAmount: 300, price: UInt32(restingPrice), isAsk: false,
                timeInForce: .postOnly, orderExpiry: SandboxHarness.nowMilliseconds + 3_600_000))
        let url = fixture.sandbox.server.baseURL

        let table = try await Self.run(["account", "--network", "sandbox", "--url", url], environment: fixture.credentials)
        #expect(table.status == 0, "\(table.output)")
        let lines = table.output.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("collateral") && $0.contains("100000.000000 USDC") }, "\(table.output)")
        let entry = FixedPoint.format(bestAsk.price, decimals: 2)
        let position = try #require(lines.first { $0.hasPrefix("  ETH") && $0.contains("long") }, "\(table.output)")
        #expect(position.split(separator: " ").map(String.init).starts(with: ["ETH", "long", "0.5000", entry]), "\(position)")
        let order = try #require(lines.first { $0.contains("5151") }, "\(table.output)")
        #expect(order.contains("buy") && order.contains(FixedPoint.format(restingPrice, decimals: 2)) && order.contains("0.0300"))
        #expect(!table.output.contains(fixture.sandbox.first.privateKey.hexForExport.dropFirst(2)))

        let json = try await Self.run(["account", "--network", "sandbox", "--url", url, "--json"], environment: fixture.credentials)
        #expect(json.status == 0, "\(json.output)")
        struct Output: Decodable {
            struct Position: Decodable { var symbol: String; var size: String; var side: String; var entry_price: String? }
            struct Order: Decodable { var client_order_index: Int64; var side: String; var price: String; var remaining: String }
            var account_index: Int64
            var collateral: String
            var positions: [Position]
            var open_orders: [Order]?
        }
        let decoded = try JSONDecoder().decode(Output.self, from: Data(json.output.utf8))
        #expect(decoded.account_index == 100)
        #expect(decoded.collateral == "100000.000000")
        let eth = try #require(decoded.positions.first { $0.symbol == "ETH" })
        #expect(eth.size == "0.5000" && eth.side == "long" && eth.entry_price == entry)
        #expect(decoded.positions.first { $0.symbol == "BTC" }?.side == "flat")
        let orders = try #require(decoded.open_orders)
        #expect(orders.count == 1)
        #expect(orders.first?.client_order_index == 5151)
        #expect(orders.first?.remaining == "0.0300")

        // With only the account index: balances and positions, open orders explained as not shown.
        let readOnly = try await Self.run(
            ["account", "--network", "sandbox", "--url", url],
            environment: ["LIGHTER_MM_CREDENTIALS_ACCOUNT_INDEX": "100"])
        #expect(readOnly.status == 0, "\(readOnly.output)")
        #expect(readOnly.output.contains("0.5000"))
        #expect(readOnly.output.contains("open orders: not shown"))
    }

    @Test func leverageChangesTheSandboxMarginFractionAndMode() async throws {
        let fixture = try await AccountFixture.start()
        defer { Task { await fixture.stop() } }
        let url = fixture.sandbox.server.baseURL
        #expect(try await fixture.rawPosition(market: 0).initialMarginFraction == "5.00")

        let result = try await Self.run(
            ["leverage", "--network", "sandbox", "--url", url, "--market", "ETH", "--leverage", "4", "--margin", "isolated"],
            environment: fixture.credentials)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("before: 20.0× cross"), "\(result.output)")
        #expect(result.output.contains("initial margin fraction 2500/10000"), "\(result.output)")
        #expect(result.output.contains("confirmed"), "\(result.output)")
        // 10000 / 4 = 2500 → 25.00 %, isolated (1), per the account endpoint.
        let raw = try await fixture.rawPosition(market: 0)
        #expect(raw.initialMarginFraction == "25.00")
        #expect(raw.marginMode == 1)
        #expect(try await fixture.rawPosition(market: 1).initialMarginFraction == "5.00")  // BTC untouched

        // More than the market allows: refused, nothing changes.
        let tooHigh = try await Self.run(
            ["leverage", "--network", "sandbox", "--url", url, "--market", "ETH", "--leverage", "25", "--margin", "cross"],
            environment: fixture.credentials)
        #expect(tooHigh.status != 0)
        #expect(tooHigh.output.contains("at most 20×"), "\(tooHigh.output)")
        #expect(try await fixture.rawPosition(market: 0).initialMarginFraction == "25.00")
    }

    @Test func closeTakesPositionsToZeroWithReduceOnlyOrders() async throws {
        let fixture = try await AccountFixture.start()
        defer { Task { await fixture.stop() } }
        let url = fixture.sandbox.server.baseURL
        try await fixture.take(market: 0, lots: 8000, isAsk: false, clientIndex: 41)  // long 0.8 ETH
        #expect(try await fixture.positionLots(market: 0) == 8000)

        let close = try await Self.run(
            ["close", "--network", "sandbox", "--url", url, "--market", "ETH"], environment: fixture.credentials)
        #expect(close.status == 0, "\(close.output)")
        #expect(close.output.contains("ETH: position +0.8000 (long)"), "\(close.output)")
        #expect(close.output.contains("sent reduce-only IOC sell 0.8000"), "\(close.output)")
        #expect(close.output.contains("filled 0.8000"), "\(close.output)")
        #expect(close.output.contains(": closed"), "\(close.output)")
        #expect(try await fixture.positionLots(market: 0) == 0)

        // Flat: says so and sends nothing.
        let nonce = try await fixture.sandbox.rest.nextNonce(accountIndex: 100, apiKeyIndex: 4)
        let flat = try await Self.run(
            ["close", "--network", "sandbox", "--url", url, "--market", "ETH"], environment: fixture.credentials)
        #expect(flat.status == 0, "\(flat.output)")
        #expect(flat.output.contains("ETH: no position (flat); nothing sent"), "\(flat.output)")
        #expect(try await fixture.sandbox.rest.nextNonce(accountIndex: 100, apiKeyIndex: 4) == nonce)

        // --all: a short ETH and a long BTC both end flat.
        try await fixture.take(market: 0, lots: 3000, isAsk: true, clientIndex: 42)
        try await fixture.take(market: 1, lots: 2000, isAsk: false, clientIndex: 43)  // 0.02 BTC
        #expect(try await fixture.positionLots(market: 0) == -3000)
        #expect(try await fixture.positionLots(market: 1) == 2000)
        let all = try await Self.run(["close", "--network", "sandbox", "--url", url, "--all"], environment: fixture.credentials)
        #expect(all.status == 0, "\(all.output)")
        #expect(all.output.contains("sent reduce-only IOC buy 0.3000"), "\(all.output)")
        #expect(all.output.contains("sent reduce-only IOC sell 0.02000"), "\(all.output)")
        #expect(try await fixture.positionLots(market: 0) == 0)
        #expect(try await fixture.positionLots(market: 1) == 0)
    }

    @Test func closeOnAThinBookFillsTheTopLevelOnlyAndNeverFlips() async throws {
        let fixture = try await AccountFixture.start()
        defer { Task { await fixture.stop() } }
        let url = fixture.sandbox.server.baseURL
        let topBid = try #require(try await fixture.levels(market: 0).bids.first)
        // A long 2.0 ETH larger than the best bid level; with 0 bps slippage only that level can fill.
        let size = topBid.lots + 20_000
        try await fixture.take(market: 0, lots: size, isAsk: false, clientIndex: 51)
        #expect(try await fixture.positionLots(market: 0) == size)
        #expect(try await fixture.levels(market: 0).bids.first?.lots == topBid.lots)

        let thin = try await Self.run(
            ["close", "--network", "sandbox", "--url", url, "--market", "ETH", "--max-slippage-bps", "0"],
            environment: fixture.credentials)
        #expect(thin.status != 0, "a remaining position is a failure: \(thin.output)")
        #expect(thin.output.contains("partially closed"), "\(thin.output)")
        #expect(thin.output.contains("filled \(FixedPoint.format(topBid.lots, decimals: 4))"), "\(thin.output)")
        // Exactly the best level was sold; 2.0 ETH remain, still long.
        #expect(try await fixture.positionLots(market: 0) == 20_000)

        // A wide enough limit closes the rest, and a reduce-only order never goes short.
        let rest = try await Self.run(
            ["close", "--network", "sandbox", "--url", url, "--market", "ETH", "--max-slippage-bps", "100"],
            environment: fixture.credentials)
        #expect(rest.status == 0, "\(rest.output)")
        #expect(rest.output.contains("filled 2.0000"), "\(rest.output)")
        #expect(try await fixture.positionLots(market: 0) == 0)
    }

    @Test func missingCredentialsAreNamed() async throws {
        // Nothing listens on port 9; every refusal below comes before any network use.
        let url = "http://127.0.0.1:9"
        let noAccount = try await Self.run(["account", "--network", "sandbox", "--url", url], environment: [:])
        #expect(noAccount.status != 0)
        #expect(noAccount.output.contains("credentials.account_index is not set"), "\(noAccount.output)")
        #expect(noAccount.output.contains("LIGHTER_MM_CREDENTIALS_ACCOUNT_INDEX"), "\(noAccount.output)")

        let noKey = try await Self.run(
            ["close", "--network", "sandbox", "--url", url, "--market", "ETH"],
            environment: ["LIGHTER_MM_CREDENTIALS_ACCOUNT_INDEX": "100"])
        #expect(noKey.status != 0)
        #expect(noKey.output.contains("credentials.private_key is not set"), "\(noKey.output)")
        #expect(noKey.output.contains("LIGHTER_MM_CREDENTIALS_PRIVATE_KEY"), "\(noKey.output)")

        let noKeyIndex = try await Self.run(
            ["leverage", "--network", "sandbox", "--url", url, "--market", "ETH", "--leverage", "2"],
            environment: [
                "LIGHTER_MM_CREDENTIALS_ACCOUNT_INDEX": "100",
                "LIGHTER_MM_CREDENTIALS_PRIVATE_KEY": String(repeating: "1", count: 80),
            ])
        #expect(noKeyIndex.status != 0)
        #expect(noKeyIndex.output.contains("credentials.api_key_index is not set"), "\(noKeyIndex.output)")

        let noNetwork = try await Self.run(["account"], environment: ["LIGHTER_MM_CREDENTIALS_ACCOUNT_INDEX": "100"])
        #expect(noNetwork.status != 0)
        #expect(noNetwork.output.contains("--network"), "\(noNetwork.output)")

        let noURL = try await Self.run(["account", "--network", "sandbox"], environment: ["LIGHTER_MM_CREDENTIALS_ACCOUNT_INDEX": "100"])
        #expect(noURL.status != 0)
        #expect(noURL.output.contains("--url"), "\(noURL.output)")
    }

    @Test func mainnetWritesWithoutYesAreRefused() async throws {
        // A syntactically valid key registered nowhere; the refusal comes before any network use.
        let key = String(repeating: "1", count: 80)
        let environment = [
            "LIGHTER_MM_CREDENTIALS_ACCOUNT_INDEX": "5", "LIGHTER_MM_CREDENTIALS_API_KEY_INDEX": "4",
            "LIGHTER_MM_CREDENTIALS_PRIVATE_KEY": key,
        ]
        let leverage = try await Self.run(
            ["leverage", "--network", "mainnet", "--market", "ETH", "--leverage", "3", "--margin", "cross"],
            environment: environment)
        #expect(leverage.status != 0)
        #expect(leverage.output.contains("refusing to set ETH leverage to 3× cross on mainnet without --yes"), "\(leverage.output)")
        let close = try await Self.run(["close", "--network", "mainnet", "--market", "ETH"], environment: environment)
        #expect(close.status != 0)
        #expect(close.output.contains("refusing to close the ETH position on mainnet without --yes"), "\(close.output)")
        #expect(!close.output.contains(key))
    }

    /// Runs the binary with a pseudo-terminal as standard input, on which `answer` has been typed.
    static func runOnTerminal(_ arguments: [String], answer: String, environment: [String: String]) async throws
        -> (status: Int32, output: String)
    {
        var primary: Int32 = -1
        var secondary: Int32 = -1
        try #require(openpty(&primary, &secondary, nil, nil, nil) == 0, "no pseudo-terminal available")
        defer {
            close(primary)
            close(secondary)
        }
        let typed = Array(answer.utf8)
        try #require(typed.withUnsafeBytes { write(primary, $0.baseAddress, $0.count) } == typed.count)
        return try await run(
            arguments, environment: environment, input: FileHandle(fileDescriptor: secondary, closeOnDealloc: false))
    }

    @Test func mainnetAsksOnATerminalAndSendsOnlyAfterYes() async throws {
        // The sandbox signs for chain 304 like mainnet, so `--network mainnet --url <sandbox>` exercises the
        // mainnet path without touching the real exchange.
        let fixture = try await AccountFixture.start()
        defer { Task { await fixture.stop() } }
        let arguments = [
            "leverage", "--network", "mainnet", "--url", fixture.sandbox.server.baseURL, "--market", "ETH", "--leverage", "2",
            "--margin", "cross",
        ]
        let declined = try await Self.runOnTerminal(arguments, answer: "no\n", environment: fixture.credentials)
        #expect(declined.status != 0)
        #expect(declined.output.contains("on MAINNET for account 100 (real money). Type 'yes' to continue"), "\(declined.output)")
        #expect(declined.output.contains("not confirmed; nothing was sent"), "\(declined.output)")
        #expect(try await fixture.rawPosition(market: 0).initialMarginFraction == "5.00")

        let confirmed = try await Self.runOnTerminal(arguments, answer: "yes\n", environment: fixture.credentials)
        #expect(confirmed.status == 0, "\(confirmed.output)")
        #expect(confirmed.output.contains("confirmed"), "\(confirmed.output)")
        #expect(try await fixture.rawPosition(market: 0).initialMarginFraction == "50.00")  // 10000 / 2 = 5000

        // --yes: no question, even on a terminal.
        try await fixture.take(market: 0, lots: 1000, isAsk: false, clientIndex: 61)
        let close = try await Self.runOnTerminal(
            ["close", "--network", "mainnet", "--url", fixture.sandbox.server.baseURL, "--market", "ETH", "--yes"],
            answer: "", environment: fixture.credentials)
        #expect(close.status == 0, "\(close.output)")
        #expect(!close.output.contains("Type 'yes'"), "\(close.output)")
        #expect(try await fixture.positionLots(market: 0) == 0)
    }
}
