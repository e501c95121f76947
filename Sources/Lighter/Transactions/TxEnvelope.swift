import Foundation

/// The fields every Lighter L2 transaction carries besides its own: chain, account, API key, nonce,
/// deadline and attributes (protocol notes C.2).
public struct TxEnvelope: Hashable, Sendable {
    /// The chain the transaction is signed for (first element of the hash; not in `tx_info`).
    public var chain: LighterChain
    /// The account that sends the transaction (`AccountIndex`, or `FromAccountIndex` for withdrawals
    /// and transfers).
    public var accountIndex: Int64
    /// The API key that signs it (0…254; keys 0–3 are used by Lighter's own apps).
    public var apiKeyIndex: UInt8
    /// The nonce of this (account, API key): exactly last + 1, or greater with ``TxAttributes/skipNonce``.
    public var nonce: Int64
    /// The deadline of the transaction, Unix milliseconds (`ExpiredAt`).
    public var expiredAt: Int64
    /// The optional attributes.
    public var attributes: TxAttributes

    /// Creates an envelope with an explicit deadline.
    ///
    /// - Parameters:
    ///   - chain: ``LighterChain/mainnet`` or ``LighterChain/testnet``.
    ///   - accountIndex: the sending account.
    ///   - apiKeyIndex: the signing API key.
    ///   - nonce: the next nonce of that key.
    ///   - expiredAt: deadline in Unix ms; see ``defaultExpiredAt(nowMilliseconds:)``.
    ///   - attributes: optional attributes (none by default).
    public init(
        chain: LighterChain,
        accountIndex: Int64,
        apiKeyIndex: UInt8,
        nonce: Int64,
        expiredAt: Int64,
        attributes: TxAttributes = .none
    ) {
        self.chain = chain
        self.accountIndex = accountIndex
        self.apiKeyIndex = apiKeyIndex
        self.nonce = nonce
        self.expiredAt = expiredAt
        self.attributes = attributes
    }

    /// Creates an envelope whose deadline is the official default, ``defaultExpiryWindowMilliseconds``
    /// after `nowMilliseconds`.
    ///
    /// - Parameters:
    ///   - nowMilliseconds: the current time, Unix ms (from the caller's clock).
    public init(
        chain: LighterChain,
        accountIndex: Int64,
        apiKeyIndex: UInt8,
        nonce: Int64,
        nowMilliseconds: Int64,
        attributes: TxAttributes = .none
    ) {
        self.init(
            chain: chain, accountIndex: accountIndex, apiKeyIndex: apiKeyIndex, nonce: nonce,
            expiredAt: Self.defaultExpiredAt(nowMilliseconds: nowMilliseconds), attributes: attributes
        )
    }

    /// The official signer's deadline: 10 minutes minus 1 second (`DefaultExpireTime` in
    /// `lighter-go/client/tx_client.go`), in milliseconds.
    public static let defaultExpiryWindowMilliseconds: Int64 = 10 * 60_000 - 1_000

    /// `nowMilliseconds` + 10 min − 1 s: the deadline the official signer stamps on a transaction.
    public static func defaultExpiredAt(nowMilliseconds: Int64) -> Int64 {
        nowMilliseconds + defaultExpiryWindowMilliseconds
    }

    /// The default deadline measured from `now`, which defaults to the system clock read at the call site.
    ///
    /// ```swift
    /// let envelope = TxEnvelope(chain: .mainnet, accountIndex: 1234, apiKeyIndex: 4, nonce: 17,
    ///                           expiredAt: TxEnvelope.defaultExpiredAt())
    /// ```
    public static func defaultExpiredAt(now: Date = Date()) -> Int64 {
        defaultExpiredAt(nowMilliseconds: UnixTime.milliseconds(now))
    }
}

/// Conversions between `Date` and the integer Unix times the protocol uses.
public enum UnixTime {
    /// Whole Unix milliseconds of `date` (rounded down).
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Whole Unix seconds of `date` (rounded down).
    public static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }
}
