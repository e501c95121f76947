import Foundation
import LighterCrypto
import Testing

/// The 400 vectors produced by the official signer (lighter-sdk 1.1.8), `../shared/vectors/lighter-signer.jsonl`.
@Suite struct OfficialSignerVectorTests {
    struct Vector {
        let line: Int
        let kind: String
        let privateKeyHex: String
        let publicKeyHex: String
        let message: GFp5
        let signature: SchnorrSignature
    }

    /// The package root: walk up from this file (symlinks resolved) to a directory with Package.swift and Sources/.
    static func packageRoot() throws -> URL {
        var directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        let fileManager = FileManager.default
        while directory.path != "/" {
            if fileManager.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
               fileManager.fileExists(atPath: directory.appendingPathComponent("Sources").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        throw VectorError("could not find the package root above \(#filePath)")
    }

    struct VectorError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Hash of an auth-token message: ASCII in 8-byte little-endian chunks, last one zero-padded (protocol D.8).
    static func authMessageHash(_ message: String) -> GFp5 {
        let bytes = Array(message.utf8)
        var elements = [Goldilocks]()
        var index = 0
        while index < bytes.count {
            var word: UInt64 = 0
            for j in 0 ..< 8 where index + j < bytes.count {
                word |= UInt64(bytes[index + j]) << (8 * UInt64(j))
            }
            elements.append(Goldilocks(word))
            index += 8
        }
        return Poseidon2.hashToQuinticExtension(elements)
    }

    static func loadVectors() throws -> [Vector] {
        let url = try packageRoot().deletingLastPathComponent().appendingPathComponent("shared/vectors/lighter-signer.jsonl")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw VectorError("reference vectors missing: \(url.path) (expected ../shared/vectors/lighter-signer.jsonl from the package root)")
        }
        var vectors = [Vector]()
        for (number, line) in text.split(separator: "\n").enumerated() {
            let lineNumber = number + 1
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let kind = object["kind"] as? String,
                  let privateKey = object["private_key"] as? String,
                  let publicKey = object["public_key"] as? String
            else { throw VectorError("line \(lineNumber): missing kind/private_key/public_key") }
            let message: GFp5
            let signature: SchnorrSignature
            if let token = object["auth_token"] as? String {
                let parts = token.split(separator: ":")
                guard parts.count == 4, let sig = SchnorrSignature(hex: String(parts[3])) else {
                    throw VectorError("line \(lineNumber): malformed auth_token")
                }
                message = authMessageHash(parts[0 ..< 3].joined(separator: ":"))
                signature = sig
            } else {
                guard let txInfo = object["tx_info"] as? [String: Any],
                      let sigText = txInfo["Sig"] as? String,
                      let sig = SchnorrSignature(base64: sigText),
                      let hashHex = object["tx_hash"] as? String,
                      let hash = GFp5(hex: hashHex)
                else { throw VectorError("line \(lineNumber): missing or malformed tx_info.Sig / tx_hash") }
                message = hash
                signature = sig
            }
            vectors.append(Vector(line: lineNumber, kind: kind, privateKeyHex: privateKey, publicKeyHex: publicKey,
                                  message: message, signature: signature))
        }
        return vectors
    }

    @Test func allVectorsAreChecked() throws {
        let vectors = try Self.loadVectors()
        #expect(vectors.count == 400)
        #expect(Set(vectors.map(\.kind)).count == 8)
    }

    @Test func publicKeysDeriveFromPrivateKeys() throws {
        for vector in try Self.loadVectors() {
            let key = try PrivateKey(hex: vector.privateKeyHex)
            #expect("0x" + key.publicKey.hex == vector.publicKeyHex, "line \(vector.line)")
        }
    }

    @Test func officialSignaturesVerify() throws {
        for vector in try Self.loadVectors() {
            let publicKey = try PublicKey(hex: vector.publicKeyHex)
            #expect(publicKey.isValidSignature(vector.signature, for: vector.message), "line \(vector.line) (\(vector.kind))")
        }
    }

    @Test func ourSignaturesOfTheSameHashesVerify() throws {
        for vector in try Self.loadVectors() {
            let key = try PrivateKey(hex: vector.privateKeyHex)
            let signature = key.signature(for: vector.message)
            #expect(key.publicKey.isValidSignature(signature, for: vector.message), "line \(vector.line)")
            #expect(signature != vector.signature)
        }
    }

    @Test func tamperedOfficialSignaturesAreRejected() throws {
        // Every 10th vector: flip a bit of the hash, of s, of e, and use the next vector's key.
        let vectors = try Self.loadVectors()
        for index in stride(from: 0, to: vectors.count, by: 10) {
            let vector = vectors[index]
            let publicKey = try PublicKey(hex: vector.publicKeyHex)
            var hashBytes = vector.message.bytes
            hashBytes[5] ^= 0x01
            let tamperedHash = try #require(GFp5(bytes: hashBytes))
            #expect(!publicKey.isValidSignature(vector.signature, for: tamperedHash), "line \(vector.line)")
            for byteIndex in [2, 45] {
                var sigBytes = vector.signature.bytes
                sigBytes[byteIndex] ^= 0x80
                let tampered = try #require(SchnorrSignature(bytes: sigBytes))
                #expect(!publicKey.isValidSignature(tampered, for: vector.message), "line \(vector.line) byte \(byteIndex)")
            }
            let otherKey = try PublicKey(hex: vectors[(index + 1) % vectors.count].publicKeyHex)
            #expect(!otherKey.isValidSignature(vector.signature, for: vector.message), "line \(vector.line)")
        }
    }
}
