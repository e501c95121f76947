import Lighter
import LighterCrypto
import MarketCore

/// A test account the sandbox creates at start: an account index with one registered API key.
///
/// The private key is a local paper key for the sandbox only; its `description` stays redacted
/// (``PrivateKey`` never prints itself), and only ``SandboxExchange/readyBanner()`` shows its hex,
/// labelled as a sandbox key.
public struct SandboxAccountSetup: Sendable {
    /// The account index.
    public var accountIndex: Int64
    /// The API key index the key is registered under.
    public var apiKeyIndex: UInt8
    /// The API private key (generated unless given).
    public var privateKey: PrivateKey
    /// The starting collateral in USDC.
    public var collateral: Double

    /// An account; the key is freshly generated from the system CSPRNG unless given.
    public init(
        accountIndex: Int64 = 100, apiKeyIndex: UInt8 = 4, privateKey: PrivateKey = .generate(),
        collateral: Double = 100_000
    ) {
        self.accountIndex = accountIndex
        self.apiKeyIndex = apiKeyIndex
        self.privateKey = privateKey
        self.collateral = collateral
    }
}

/// What a ``SandboxExchange`` runs: its markets, accounts, chain and margin rules.
public struct SandboxConfiguration: Sendable {
    /// The synthetic markets (market ids from their specs; start time and duration are replaced by
    /// the exchange's start and a practically endless run).
    public var markets: [SyntheticMarketConfiguration]
    /// The generator seed (market `i` uses `seed + i`).
    public var seed: UInt64
    /// The chain transactions must be signed for (the official SDK signs with 304 for any URL that
    /// is not a known Lighter host, so mainnet is the default).
    public var chain: LighterChain
    /// The test accounts.
    public var accounts: [SandboxAccountSetup]
    /// The default initial margin fraction (0.05 = 20× leverage), until an UpdateLeverage changes it.
    public var initialMarginFraction: Double
    /// Maker and taker fees.
    public var fees: FeeSchedule
    /// The earliest a scheduled cancel-all (dead-man's switch) may be set, milliseconds ahead:
    /// Lighter's 5 minutes. Tests may lower it; nothing else should.
    public var scheduledCancelAllMinimumMilliseconds: Int64
    /// Lighter's volume quota (premium accounts), charged per transaction and earned back by
    /// traded volume, and reported in every send reply; `nil`: not modelled (replies report 1000).
    public var volumeQuota: VolumeQuotaModel?

    /// Lighter's window for a scheduled cancel-all: 5 minutes … 15 days ahead, milliseconds.
    public static let scheduledCancelAllWindowMilliseconds: ClosedRange<Int64> = 300_000...(15 * 86_400_000)

    /// A configuration.
    public init(
        markets: [SyntheticMarketConfiguration], seed: UInt64 = 1, chain: LighterChain = .mainnet,
        accounts: [SandboxAccountSetup] = [SandboxAccountSetup()], initialMarginFraction: Double = 0.05,
        fees: FeeSchedule = .zero,
        scheduledCancelAllMinimumMilliseconds: Int64 = SandboxConfiguration.scheduledCancelAllWindowMilliseconds.lowerBound,
        volumeQuota: VolumeQuotaModel? = nil
    ) {
        self.volumeQuota = volumeQuota
        self.markets = markets
        self.seed = seed
        self.chain = chain
        self.accounts = accounts
        self.initialMarginFraction = initialMarginFraction
        self.fees = fees
        self.scheduledCancelAllMinimumMilliseconds = scheduledCancelAllMinimumMilliseconds
    }

    /// The preset markets for `symbols` (`ETH` → market 0, `BTC` → market 1).
    ///
    /// - Throws: ``SandboxError`` naming a symbol without a preset, or a repeated one.
    public static func presets(symbols: [String]) throws(SandboxError) -> [SyntheticMarketConfiguration] {
        var markets: [SyntheticMarketConfiguration] = []
        for symbol in symbols {
            guard let preset = SyntheticMarketConfiguration.preset(symbol: symbol, durationNanoseconds: 1) else {
                throw SandboxError(code: 0, message: "no synthetic market preset for '\(symbol)' (known: ETH, BTC)")
            }
            guard !markets.contains(where: { $0.spec.marketID == preset.spec.marketID }) else {
                throw SandboxError(code: 0, message: "market '\(symbol)' is listed twice")
            }
            markets.append(preset)
        }
        return markets
    }
}

/// A refusal with Lighter's code and message (protocol notes E.4).
public struct SandboxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Lighter's error code.
    public var code: Int
    /// The message.
    public var message: String

    /// An error.
    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}

/// The error codes the sandbox answers with.
///
/// Codes listed in the protocol notes (E.4) are used as documented; the few situations without a
/// documented code use the nearest documented one (noted per code).
public enum SandboxErrorCode {
    /// `invalid nonce` (E.4).
    public static let invalidNonce = 21104
    /// `batch transaction nonce is not increasing` (E.4).
    public static let batchNonceNotIncreasing = 21105
    /// `api key not found` (E.4); also an unknown account.
    public static let apiKeyNotFound = 21109
    /// `invalid signature` (E.4).
    public static let invalidSignature = 21120
    /// `all transactions in the batch must use same account and apikey` (E.4).
    public static let batchMixedKeys = 21121
    /// `invalid tx type for account` (E.4); also tx types the sandbox does not execute.
    public static let invalidTxType = 21511
    /// `maximum 50 transactions allowed per batch` (E.4).
    public static let batchTooLarge = 21514
    /// `given order is not an active limit order` (E.4).
    public static let orderNotActive = 21600
    /// `invalid base amount` (E.4).
    public static let invalidBaseAmount = 21701
    /// `invalid price` (E.4).
    public static let invalidPrice = 21702
    /// `invalid order base or quote amount` (E.4): below the market's minimums.
    public static let belowMinimum = 21706
    /// `invalid expiry` (E.4); the sandbox also uses it for a transaction past its `ExpiredAt`.
    public static let invalidExpiry = 21711
    /// The volume quota is used up (the code Lighter uses is not documented; its "Too Many Requests").
    public static let quotaExhausted = 23000
    /// `invalid cancel all time` (Lighter's 21714): a scheduled cancel-all outside 5 minutes … 15 days ahead.
    public static let invalidCancelAllTime = 21714
    /// `invalid client order index` (E.4).
    public static let invalidClientOrderIndex = 21727
    /// `not enough margin to create the order` (E.4).
    public static let notEnoughMargin = 21739
    /// A field rule of the transaction is broken (the signer's `Validate()` message); no documented
    /// code exists, so the sandbox uses `invalid tx info`'s family 21500.
    public static let invalidTxInfo = 21500
    /// A missing, malformed, expired or wrongly signed auth token (sandbox choice: 20013).
    public static let invalidAuth = 20013
    /// WebSocket: invalid JSON or message type (E.4).
    public static let wsInvalidJSON = 30000
    /// WebSocket: `Invalid Channel` (asyncapi, B.1).
    public static let wsInvalidChannel = 30005
}
