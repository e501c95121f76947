/// Why a key could not be parsed. Never contains key material.
public struct KeyError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was wrong.
    public enum Reason: Equatable, Sendable {
        /// The text is not hexadecimal (a non-hex character, or an odd number of digits).
        case notHexadecimal
        /// The key does not have 40 bytes (80 hexadecimal characters).
        case wrongLength(bytes: Int)
        /// A public key limb is not below the Goldilocks prime.
        case nonCanonicalEncoding
        /// The public key does not encode a point of the group.
        case notOnCurve
        /// The public key encodes the neutral element, against which signatures can be forged.
        case neutralElement
        /// The private key is zero modulo the group order.
        case zeroPrivateKey
    }

    /// Which kind of key was being parsed.
    public enum KeyKind: String, Equatable, Sendable {
        /// A private (API) key.
        case privateKey = "private key"
        /// A public key.
        case publicKey = "public key"
    }

    /// What was wrong.
    public let reason: Reason
    /// Which kind of key was being parsed.
    public let keyKind: KeyKind

    /// Creates an error.
    public init(_ reason: Reason, keyKind: KeyKind) {
        self.reason = reason
        self.keyKind = keyKind
    }

    /// A sentence naming the key kind and the problem, e.g. "invalid private key: expected 40 bytes (80 hex characters), got 39 bytes".
    public var description: String {
        let problem = switch reason {
        case .notHexadecimal: "not hexadecimal (expected 80 hex characters, optionally prefixed with 0x)"
        case let .wrongLength(bytes): "expected 40 bytes (80 hex characters), got \(bytes) bytes"
        case .nonCanonicalEncoding: "a 64-bit limb is not below the Goldilocks prime"
        case .notOnCurve: "does not encode a point of the ECgFp5 group"
        case .neutralElement: "encodes the neutral element (all zeros), which is not a usable key"
        case .zeroPrivateKey: "is zero modulo the group order"
        }
        return "invalid \(keyKind.rawValue): \(problem)"
    }
}

/// An ECgFp5 public key: the 40-byte encoding w of sk·G (five little-endian Goldilocks limbs).
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The encoding w as a field element (the 5 elements a ChangePubKey transaction hashes).
    public let element: GFp5
    /// The decoded group element, kept so verification does not decode again.
    let point: ECPoint

    /// Parses 40 bytes; `nil` unless they are canonical limbs encoding a non-neutral group element.
    public init?(bytes: some Collection<UInt8>) {
        guard let key = try? PublicKey(parsing: Array(bytes)) else { return nil }
        self = key
    }

    /// Parses 80 hexadecimal characters (optionally `0x`-prefixed), as returned by `/api/v1/apikeys`.
    public init(hex: String) throws(KeyError) {
        guard let bytes = Hex.decode(hex) else { throw KeyError(.notHexadecimal, keyKind: .publicKey) }
        try self.init(parsing: bytes)
    }

    init(parsing bytes: [UInt8]) throws(KeyError) {
        guard bytes.count == 40 else { throw KeyError(.wrongLength(bytes: bytes.count), keyKind: .publicKey) }
        guard let w = GFp5(bytes: bytes) else { throw KeyError(.nonCanonicalEncoding, keyKind: .publicKey) }
        guard !w.isZero else { throw KeyError(.neutralElement, keyKind: .publicKey) }
        guard let point = ECPoint(decoding: w) else { throw KeyError(.notOnCurve, keyKind: .publicKey) }
        self.element = w
        self.point = point
    }

    init(point: ECPoint) {
        self.point = point
        self.element = point.encode()
    }

    /// The 40-byte encoding.
    public var bytes: [UInt8] { element.bytes }

    /// 80 lowercase hexadecimal characters, without `0x`.
    public var hex: String { element.hex }

    /// `PublicKey(<hex>)`.
    public var description: String { "PublicKey(\(hex))" }

    /// Whether `signature` is a valid Schnorr signature of the hashed message `message` under this key
    /// (s and e must both be below n).
    public func isValidSignature(_ signature: SchnorrSignature, for message: GFp5) -> Bool {
        Schnorr.verify(message: message, signature: signature, publicKey: point)
    }

    /// Equality of the encodings.
    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.element == rhs.element }

    /// Hashes the encoding.
    public func hash(into hasher: inout Hasher) { hasher.combine(element) }
}

/// An ECgFp5 private (API) key: a scalar in [1, n), serialized as 40 little-endian bytes.
///
/// Its `description`, `debugDescription` and reflection never show the secret; `hexForExport` is the only way out.
public struct PrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let scalar: Scalar
    /// The public key sk·G (computed once, at creation).
    public let publicKey: PublicKey

    /// Parses 80 hexadecimal characters (40 bytes, little-endian), with or without `0x`; a value ≥ n is reduced mod n.
    public init(hex: String) throws(KeyError) {
        guard let bytes = Hex.decode(hex) else { throw KeyError(.notHexadecimal, keyKind: .privateKey) }
        try self.init(bytes: bytes)
    }

    /// Reads 40 little-endian bytes; a value ≥ n is reduced mod n (as the official signer does).
    public init(bytes: some Collection<UInt8>) throws(KeyError) {
        guard bytes.count == 40 else { throw KeyError(.wrongLength(bytes: bytes.count), keyKind: .privateKey) }
        let scalar = Scalar(littleEndianBytes: bytes)
        guard !scalar.isZero else { throw KeyError(.zeroPrivateKey, keyKind: .privateKey) }
        self.init(scalar: scalar)
    }

    init(scalar: Scalar) {
        self.scalar = scalar
        self.publicKey = PublicKey(point: ECPoint.generatorMultiple(scalar))
    }

    /// A fresh key, uniform in [1, n), from the operating system's cryptographically secure generator.
    public static func generate() -> PrivateKey {
        var generator = SecureRandomGenerator()
        return PrivateKey(scalar: Scalar.randomNonZero(using: &generator))
    }

    /// Signs a hashed message with a fresh random nonce from the system's secure generator.
    public func signature(for message: GFp5) -> SchnorrSignature {
        var generator = SecureRandomGenerator()
        return signature(for: message, nonce: Scalar.randomNonZero(using: &generator))
    }

    /// Signs with a caller-chosen nonce k. Deterministic; only for known-answer tests — reusing k leaks the key.
    public func signature(for message: GFp5, nonce k: Scalar) -> SchnorrSignature {
        Schnorr.sign(message: message, secret: scalar, nonce: k)
    }

    /// `"0x"` followed by the 80 hexadecimal characters of the key: the only way to get the secret out (for keygen).
    public var hexForExport: String { "0x" + Hex.encode(scalar.littleEndianBytes) }

    /// Always `PrivateKey(<redacted>)`.
    public var description: String { "PrivateKey(<redacted>)" }
    /// Always `PrivateKey(<redacted>)`.
    public var debugDescription: String { description }
    /// No children, so `dump` and string interpolation of containers do not reveal the key.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
