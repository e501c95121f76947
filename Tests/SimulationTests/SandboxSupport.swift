import Foundation
import Lighter
import LighterCrypto
import MarketCore
import Simulation
import Synchronization
import Testing

/// A sandbox started in-process on a free loopback port, with two test accounts, and helpers to
/// sign transactions for them with the project's own tx layer.
struct SandboxHarness {
    let exchange: SandboxExchange
    let server: SandboxServer
    let rest: LighterRESTClient
    let first: SandboxAccountSetup
    let second: SandboxAccountSetup

    static let chain = LighterChain.mainnet

    /// Starts a sandbox with ETH and BTC; `quiet` freezes ETH's synthetic market (no price moves,
    /// no book activity, almost no aggressors), so only the accounts trade there.
    ///
    /// `fees` are the sandbox's maker/taker rates; `scheduledCancelAllMinimumMilliseconds` lowers the
    /// 5-minute minimum of a scheduled cancel-all (dead-man's switch tests).
    static func start(
        seed: UInt64 = 7, quiet: Bool = false, fees: FeeSchedule = .zero,
        scheduledCancelAllMinimumMilliseconds: Int64 = SandboxConfiguration.scheduledCancelAllWindowMilliseconds.lowerBound,
        volumeQuota: VolumeQuotaModel? = nil
    ) async throws -> SandboxHarness {
        let first = SandboxAccountSetup(accountIndex: 100, apiKeyIndex: 4, collateral: 100_000)
        let second = SandboxAccountSetup(accountIndex: 101, apiKeyIndex: 5, collateral: 50_000)
        var markets = try SandboxConfiguration.presets(symbols: ["ETH", "BTC"])
        if quiet {
            markets[0].annualVolatility = 0
            markets[0].jumpsPerDay = 0
            markets[0].bookEventsPerSecond = 0
            markets[0].tradeIntensity = 0.0001
        }
        let configuration = SandboxConfiguration(
            markets: markets, seed: seed, chain: chain, accounts: [first, second], fees: fees,
            scheduledCancelAllMinimumMilliseconds: scheduledCancelAllMinimumMilliseconds, volumeQuota: volumeQuota)
        let server = try await SandboxServer.start(configuration: configuration)
        let exchange = server.exchange
        let rest = LighterRESTClient(configuration: .init(baseURL: server.baseURL, rateLimiter: nil))
        return SandboxHarness(exchange: exchange, server: server, rest: rest, first: first, second: second)
    }

    func stop() async {
        await server.shutdown()
    }

    static var nowMilliseconds: Int64 { UnixTime.milliseconds(Date()) }

    /// Signs `body` for `account` with `nonce` (deadline now + 10 min unless given).
    func sign(
        _ body: TransactionBody, account: SandboxAccountSetup, nonce: Int64, expiredAt: Int64? = nil,
        key: PrivateKey? = nil, attributes: TxAttributes = .none
    ) throws -> SignedTransaction {
        let envelope = TxEnvelope(
            chain: Self.chain, accountIndex: account.accountIndex, apiKeyIndex: account.apiKeyIndex, nonce: nonce,
            expiredAt: expiredAt ?? TxEnvelope.defaultExpiredAt(nowMilliseconds: Self.nowMilliseconds),
            attributes: attributes)
        return try Transaction(body, envelope: envelope).signed(with: key ?? account.privateKey)
    }

    /// A post-only/GTT limit order on ETH (market 0), expiring in an hour.
    static func ethOrder(
        clientIndex: Int64, lots: Int64, priceTicks: Int64, isAsk: Bool, timeInForce: TxTimeInForce = .postOnly
    ) -> TransactionBody {
        .createOrder(
            OrderInfo(
                marketIndex: 0, clientOrderIndex: clientIndex, baseAmount: lots, price: UInt32(priceTicks), isAsk: isAsk,
                timeInForce: timeInForce, orderExpiry: nowMilliseconds + 3_600_000))
    }

    /// An auth token for `account`, valid for an hour.
    func authToken(_ account: SandboxAccountSetup) -> String {
        AuthToken(
            deadline: Self.nowMilliseconds / 1000 + 3600, accountIndex: account.accountIndex,
            apiKeyIndex: account.apiKeyIndex, signingWith: account.privateKey
        ).token
    }

    /// The best bid and ask of ETH from the public REST endpoint `orderBookOrders`.
    func ethTop() async throws -> (bid: Int64, ask: Int64) {
        struct Level: Decodable { var price: String }
        struct Orders: Decodable { var asks: [Level]; var bids: [Level] }
        let orders: Orders = try await rest.get("/api/v1/orderBookOrders", query: [("market_id", "0"), ("limit", "5")])
        let bid = try #require(orders.bids.first).price
        let ask = try #require(orders.asks.first).price
        return (try FixedPoint.parse(bid, decimals: 2), try FixedPoint.parse(ask, decimals: 2))
    }

    /// Polls `condition` every 100 ms until it holds or `seconds` pass.
    static func eventually(seconds: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
        return try await condition()
    }
}

/// Collects what a stream client reports, for assertions.
final class StreamRecorder: Sendable {
    private let events = Mutex<[LighterStreamEvent]>([])

    func record(_ event: LighterStreamEvent) { events.withLock { $0.append(event) } }

    var all: [LighterStreamEvent] { events.withLock { $0 } }

    var bookEvents: [LighterBookEvent] {
        all.compactMap { if case .book(let book) = $0 { book } else { nil } }
    }

    func messages(type: String) -> [String] {
        all.compactMap {
            if case .message(let messageType, _, let json, _) = $0, messageType == type { json } else { nil }
        }
    }
}
