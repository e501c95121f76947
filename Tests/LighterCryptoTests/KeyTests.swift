@testable import LighterCrypto
import Testing

@Suite struct KeyTests {
    static let docKeyHex = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728"
    static let docPublicKeyHex = "710c8cd2201061fa5570d20852d90ddabd6c496825b639d6c6486ecb1f859b63f237dee54f3f42b4"

    @Test func privateKeyHexWithAndWithoutPrefix() throws {
        let plain = try PrivateKey(hex: Self.docKeyHex)
        let prefixed = try PrivateKey(hex: "0x" + Self.docKeyHex)
        let upper = try PrivateKey(hex: "0X" + Self.docKeyHex.uppercased())
        #expect(plain.hexForExport == "0x" + Self.docKeyHex)
        #expect(prefixed.hexForExport == "0x" + Self.docKeyHex)
        #expect(upper.hexForExport == "0x" + Self.docKeyHex)
        #expect(plain.publicKey.hex == Self.docPublicKeyHex)
    }

    @Test func wrongLengthAndBadHexGiveClearErrorsWithoutKeyMaterial() {
        let short = String(Self.docKeyHex.dropLast(2))
        #expect(throws: KeyError(.wrongLength(bytes: 39), keyKind: .privateKey)) { try PrivateKey(hex: short) }
        #expect(throws: KeyError(.wrongLength(bytes: 41), keyKind: .privateKey)) { try PrivateKey(hex: Self.docKeyHex + "00") }
        #expect(throws: KeyError(.notHexadecimal, keyKind: .privateKey)) { try PrivateKey(hex: "zz" + Self.docKeyHex.dropFirst(2)) }
        #expect(throws: KeyError(.notHexadecimal, keyKind: .privateKey)) { try PrivateKey(hex: Self.docKeyHex + "0") }
        #expect(throws: KeyError(.zeroPrivateKey, keyKind: .privateKey)) { try PrivateKey(hex: String(repeating: "0", count: 80)) }
        do {
            _ = try PrivateKey(hex: short)
            Issue.record("a 39-byte key was accepted")
        } catch {
            #expect(error.description == "invalid private key: expected 40 bytes (80 hex characters), got 39 bytes")
            #expect(!error.description.contains("0102030405"))
        }
    }

    @Test func keysAtOrAboveTheOrderAreReduced() throws {
        // (2^320 − 1) mod n and n + 5, little-endian, computed with Python integers.
        let allOnes = try PrivateKey(hex: String(repeating: "ff", count: 40))
        #expect(allOnes.hexForExport == "0x3d00e8d6d24ce02fc6beb6518c47ef2e8cf38f6032000000d3ffffff1d000000f1ffffff04000000")
        let nPlusFive = try PrivateKey(hex: "e6ff8b9496d90fe89ca024d7395c88e83906b8cfe6ffff7f16000000f1ffff7f07000080fdffff7f")
        #expect(nPlusFive.hexForExport == "0x05" + String(repeating: "00", count: 39))
        #expect(nPlusFive.publicKey == (try PrivateKey(hex: "05" + String(repeating: "00", count: 39))).publicKey)
        // n itself reduces to zero, which is refused.
        #expect(throws: KeyError(.zeroPrivateKey, keyKind: .privateKey)) {
            try PrivateKey(hex: "e1ff8b9496d90fe89ca024d7395c88e83906b8cfe6ffff7f16000000f1ffff7f07000080fdffff7f")
        }
    }

    @Test func descriptionsNeverRevealThePrivateKey() throws {
        let key = try PrivateKey(hex: Self.docKeyHex)
        #expect(key.description == "PrivateKey(<redacted>)")
        #expect(String(describing: key) == "PrivateKey(<redacted>)")
        #expect(String(reflecting: key) == "PrivateKey(<redacted>)")
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains("0102030405") && !dumped.contains("578437695752307201"))
        #expect("\([key])" == "[PrivateKey(<redacted>)]")
    }

    @Test func publicKeyParsing() throws {
        let key = try PublicKey(hex: "0x" + Self.docPublicKeyHex)
        #expect(key.hex == Self.docPublicKeyHex)
        #expect(PublicKey(bytes: key.bytes) == key)
        #expect(throws: KeyError(.wrongLength(bytes: 39), keyKind: .publicKey)) { try PublicKey(hex: String(Self.docPublicKeyHex.dropLast(2))) }
        #expect(throws: KeyError(.notHexadecimal, keyKind: .publicKey)) { try PublicKey(hex: "g" + Self.docPublicKeyHex.dropFirst()) }
        #expect(throws: KeyError(.neutralElement, keyKind: .publicKey)) { try PublicKey(hex: String(repeating: "0", count: 80)) }
        // A limb ≥ p.
        #expect(throws: KeyError(.nonCanonicalEncoding, keyKind: .publicKey)) { try PublicKey(hex: String(repeating: "f", count: 80)) }
        // A canonical element that is not an encoding (from poseidon_crypto's TestBasicOps).
        let invalid = CurveTests.invalidEncodings[0]
        #expect(throws: KeyError(.notOnCurve, keyKind: .publicKey)) { try PublicKey(hex: invalid.hex) }
        #expect(PublicKey(bytes: invalid.bytes) == nil)
    }

    @Test func generatedKeysAreDistinctAndRoundTrip() throws {
        let a = PrivateKey.generate()
        let b = PrivateKey.generate()
        #expect(a.hexForExport != b.hexForExport)
        #expect(a.hexForExport.count == 82)
        let reparsed = try PrivateKey(hex: a.hexForExport)
        #expect(reparsed.publicKey == a.publicKey)
    }
}
