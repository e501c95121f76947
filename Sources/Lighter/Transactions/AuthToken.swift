import LighterCrypto

/// An API auth token: `"<deadline>:<account>:<apiKey>:"` followed by 160 hex characters of a Schnorr
/// signature over the message (protocol notes D.8). Sent as `auth` on private REST and WebSocket calls.
///
/// The token is a credential: ``description`` redacts the signature; use ``token`` only to send it.
public struct AuthToken: Hashable, Sendable, CustomStringConvertible {
    /// When the token stops being valid, Unix **seconds**.
    public let deadline: Int64
    /// The account it authenticates.
    public let accountIndex: Int64
    /// The API key that signed it.
    public let apiKeyIndex: UInt8
    /// The signature over ``messageHash``.
    public let signature: SchnorrSignature

    /// The longest lifetime the server honours: 8 hours (a token with a later deadline becomes valid
    /// only 8 hours before it).
    public static let maximumLifetimeSeconds: Int64 = 8 * 3600
    /// The lifetime the official C API uses when given deadline 0: 7 hours.
    public static let defaultLifetimeSeconds: Int64 = 7 * 3600

    /// Signs a token.
    ///
    /// - Parameters:
    ///   - deadline: Unix seconds, e.g. `nowSeconds + AuthToken.defaultLifetimeSeconds`.
    ///   - accountIndex: the account.
    ///   - apiKeyIndex: the API key whose private key is `key`.
    ///   - key: the API private key.
    public init(deadline: Int64, accountIndex: Int64, apiKeyIndex: UInt8, signingWith key: PrivateKey) {
        let hash = Self.messageHash(deadline: deadline, accountIndex: accountIndex, apiKeyIndex: apiKeyIndex)
        self.init(
            deadline: deadline, accountIndex: accountIndex, apiKeyIndex: apiKeyIndex,
            signature: key.signature(for: hash)
        )
    }

    /// Assembles a token from its parts (the signature is not checked).
    public init(deadline: Int64, accountIndex: Int64, apiKeyIndex: UInt8, signature: SchnorrSignature) {
        self.deadline = deadline
        self.accountIndex = accountIndex
        self.apiKeyIndex = apiKeyIndex
        self.signature = signature
    }

    /// Reads a token string `deadline:account:apiKey:<160 hex>`.
    ///
    /// - Throws: ``AuthTokenError`` saying which part is malformed (never echoing the signature).
    public init(parsing token: String) throws(AuthTokenError) {
        let parts = token.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4 else { throw .malformed("expected 4 parts separated by ':', got \(parts.count)") }
        guard let deadline = Int64(parts[0]) else { throw .malformed("deadline is not an integer") }
        guard let account = Int64(parts[1]) else { throw .malformed("account index is not an integer") }
        guard let apiKey = UInt8(parts[2]) else { throw .malformed("API key index is not 0…255") }
        guard parts[3].utf8.count == 160, !parts[3].hasPrefix("0x"), let signature = SchnorrSignature(hex: String(parts[3]))
        else { throw .malformed("signature is not 160 hex characters of a valid signature") }
        self.init(deadline: deadline, accountIndex: account, apiKeyIndex: apiKey, signature: signature)
    }

    /// The signed text, `"<deadline>:<account>:<apiKey>"`.
    public var message: String {
        Self.message(deadline: deadline, accountIndex: accountIndex, apiKeyIndex: apiKeyIndex)
    }

    /// The hash that is signed.
    public var messageHash: GFp5 {
        Self.messageHash(message)
    }

    /// The token to send: ``message`` + `":"` + lowercase hex of the 80-byte signature.
    public var token: String {
        message + ":" + signature.hex
    }

    /// Whether the signature is valid for `publicKey`.
    public func isValid(for publicKey: PublicKey) -> Bool {
        publicKey.isValidSignature(signature, for: messageHash)
    }

    /// `AuthToken(account: …, apiKey: …, deadline: …, signature: <redacted>)`.
    public var description: String {
        "AuthToken(account: \(accountIndex), apiKey: \(apiKeyIndex), deadline: \(deadline), signature: <redacted>)"
    }

    /// The message `"<deadline>:<account>:<apiKey>"` in decimal.
    public static func message(deadline: Int64, accountIndex: Int64, apiKeyIndex: UInt8) -> String {
        "\(deadline):\(accountIndex):\(apiKeyIndex)"
    }

    /// The message's ASCII bytes in 8-byte chunks (last one zero-padded), each read as a little-endian
    /// `UInt64` element.
    public static func messageElements(_ message: String) -> [Goldilocks] {
        let bytes = Array(message.utf8)
        var elements: [Goldilocks] = []
        elements.reserveCapacity((bytes.count + 7) / 8)
        var start = 0
        while start < bytes.count {
            var word: UInt64 = 0
            for offset in 0..<min(8, bytes.count - start) {
                word |= UInt64(bytes[start + offset]) << (8 * UInt64(offset))
            }
            elements.append(Goldilocks(word))
            start += 8
        }
        return elements
    }

    /// `HashToQuinticExtension` of ``messageElements(_:)``.
    public static func messageHash(_ message: String) -> GFp5 {
        Poseidon2.hashToQuinticExtension(messageElements(message))
    }

    /// The hash of the message for these fields.
    public static func messageHash(deadline: Int64, accountIndex: Int64, apiKeyIndex: UInt8) -> GFp5 {
        messageHash(message(deadline: deadline, accountIndex: accountIndex, apiKeyIndex: apiKeyIndex))
    }
}

/// A malformed auth token string. The message never contains the signature.
public enum AuthTokenError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The token does not have the `deadline:account:apiKey:signature` shape.
    case malformed(String)

    /// What is wrong with the token.
    public var description: String {
        switch self {
        case .malformed(let reason): "malformed auth token: \(reason)"
        }
    }
}
