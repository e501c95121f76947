/// A Schnorr signature over ECgFp5 as Lighter uses it: 80 bytes, s ‖ e, each a little-endian 40-byte scalar.
public struct SchnorrSignature: Hashable, Sendable, CustomStringConvertible {
    /// The 80 bytes s ‖ e.
    public let bytes: [UInt8]

    /// Wraps 80 bytes; `nil` for any other length. Whether s and e are below n is checked by verification.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 80 else { return nil }
        self.bytes = Array(bytes)
    }

    /// Parses standard (padded) base64, as found in a transaction's `Sig` field; `nil` unless it decodes to 80 bytes.
    public init?(base64: String) {
        guard let decoded = Base64.decode(base64) else { return nil }
        self.init(bytes: decoded)
    }

    /// Parses 160 hexadecimal characters (optional `0x`), as in an auth token; `nil` unless 80 bytes.
    public init?(hex: String) {
        guard let decoded = Hex.decode(hex) else { return nil }
        self.init(bytes: decoded)
    }

    init(s: Scalar, e: Scalar) {
        bytes = s.littleEndianBytes + e.littleEndianBytes
    }

    /// Standard base64 with padding (the `Sig` field of a transaction).
    public var base64: String { Base64.encode(bytes) }

    /// 160 lowercase hexadecimal characters without `0x` (the signature part of an auth token).
    public var hex: String { Hex.encode(bytes) }

    /// The hexadecimal form (signatures are public).
    public var description: String { "SchnorrSignature(\(hex))" }

    /// s, if its 40 bytes encode an integer below n.
    var s: Scalar? { Schnorr.canonicalScalar(bytes[0 ..< 40]) }
    /// e, if its 40 bytes encode an integer below n.
    var e: Scalar? { Schnorr.canonicalScalar(bytes[40 ..< 80]) }
}

/// The scheme itself (poseidon_crypto `signature/schnorr/schnorr.go`).
enum Schnorr {
    /// s = k − e·sk with e = H5(encode(k·G) ‖ m) mod n.
    static func sign(message m: GFp5, secret sk: Scalar, nonce k: Scalar) -> SchnorrSignature {
        let r = ECPoint.generatorMultiple(k).encode()
        let e = Scalar(Poseidon2.hashToQuinticExtension(r, m))
        return SchnorrSignature(s: k - e * sk, e: e)
    }

    /// Accepts iff s < n, e < n and H5(encode(s·G + e·PK) ‖ m) mod n = e.
    static func verify(message m: GFp5, signature: SchnorrSignature, publicKey: ECPoint) -> Bool {
        guard let s = signature.s, let e = signature.e else { return false }
        let r = ECPoint.generatorMultiple(s, plus: e, times: publicKey).encode()
        return Scalar(Poseidon2.hashToQuinticExtension(r, m)) == e
    }

    static func canonicalScalar(_ bytes: ArraySlice<UInt8>) -> Scalar? {
        guard Scalar.isCanonical(littleEndianBytes: bytes) else { return nil }
        return Scalar(littleEndianBytes: bytes)
    }
}

/// Standard base64 (RFC 4648, with padding), without Foundation.
enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let v = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(i + 1 < bytes.count ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(v & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes padded standard base64; nil on any malformed input.
    static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 4 * 3)
        var i = 0
        while i < chars.count {
            var v: UInt32 = 0
            var padding = 0
            for j in 0 ..< 4 {
                let c = chars[i + j]
                let isLastGroup = i + 4 == chars.count
                if c == UInt8(ascii: "="), isLastGroup, j >= 2 {
                    padding += 1
                    v <<= 6
                    continue
                }
                guard padding == 0, let d = value(of: c) else { return nil }
                v = v << 6 | UInt32(d)
            }
            out.append(UInt8(v >> 16 & 0xFF))
            if padding < 2 { out.append(UInt8(v >> 8 & 0xFF)) }
            if padding < 1 { out.append(UInt8(v & 0xFF)) }
            i += 4
        }
        return out
    }

    static func value(of c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A") ... UInt8(ascii: "Z"): c - UInt8(ascii: "A")
        case UInt8(ascii: "a") ... UInt8(ascii: "z"): c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
