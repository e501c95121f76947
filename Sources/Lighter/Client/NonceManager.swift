/// Hands out transaction nonces for one account's API keys, the way Lighter's SDK does, as a
/// pure value (the caller does the fetching).
///
/// Each key's next nonce is fetched lazily (`GET /api/v1/nextNonce`) and then incremented
/// locally. A failed send returns its nonce if it was the last one issued; an "invalid nonce"
/// reply invalidates the key so the next use fetches again. Several keys are used round-robin.
///
/// ```swift
/// var nonces = NonceManager(apiKeys: [3, 4])
/// let key = nonces.nextKey()
/// if nonces.needsFetch(key) { nonces.setNextNonce(try await rest.nextNonce(account, key), for: key) }
/// let nonce = try nonces.take(for: key)
/// ```
public struct NonceManager: Sendable {
    /// Errors using the manager.
    public enum Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        /// The key is not one of the manager's keys.
        case unknownKey(UInt8)
        /// The key's nonce has not been fetched (or was invalidated).
        case notFetched(UInt8)

        public var description: String {
            switch self {
            case .unknownKey(let key): "API key \(key) is not managed here"
            case .notFetched(let key): "the next nonce of API key \(key) is not known; fetch it first"
            }
        }
    }

    /// The managed API key indexes, in rotation order.
    public let apiKeys: [UInt8]
    private var next: [UInt8: Int64] = [:]
    private var cursor = 0

    /// A manager for `apiKeys` (at least one).
    public init(apiKeys: [UInt8]) {
        precondition(!apiKeys.isEmpty, "NonceManager needs at least one API key")
        self.apiKeys = apiKeys
    }

    /// The key to use for the next transaction (round-robin).
    public mutating func nextKey() -> UInt8 {
        let key = apiKeys[cursor % apiKeys.count]
        cursor = (cursor + 1) % apiKeys.count
        return key
    }

    /// Whether `key`'s next nonce must be fetched before ``take(for:)``.
    public func needsFetch(_ key: UInt8) -> Bool { next[key] == nil }

    /// The nonce ``take(for:)`` would return, if known.
    public func peek(_ key: UInt8) -> Int64? { next[key] }

    /// Records the server's next nonce for `key` (the value of `nextNonce`).
    public mutating func setNextNonce(_ nonce: Int64, for key: UInt8) throws(Error) {
        guard apiKeys.contains(key) else { throw .unknownKey(key) }
        next[key] = nonce
    }

    /// The nonce for the next transaction with `key`; increments locally.
    public mutating func take(for key: UInt8) throws(Error) -> Int64 {
        guard apiKeys.contains(key) else { throw .unknownKey(key) }
        guard let nonce = next[key] else { throw .notFetched(key) }
        next[key] = nonce + 1
        return nonce
    }

    /// A transaction with `nonce` was rejected for a reason other than its nonce: give the
    /// nonce back if nothing later was issued.
    public mutating func release(_ nonce: Int64, for key: UInt8) {
        if let current = next[key], current == nonce + 1 { next[key] = nonce }
    }

    /// The server said "invalid nonce": forget the key's nonce so it is fetched again.
    public mutating func invalidate(_ key: UInt8) {
        next[key] = nil
    }
}
