import Benchmark
import COfficialSigner
import Foundation
import LighterCrypto

/// The fixed test key of the protocol notes (section G); public test data, not a secret.
private let testKeyHex = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728"

/// A CreateOrder's 16 hashed elements: chain, type, nonce, expiredAt, account, apiKey, market, coi, base, price,
/// isAsk, type, tif, reduceOnly, trigger, orderExpiry (protocol D.7).
private let createOrderElements: [Goldilocks] = [304, 14, 5, 1_799_996_400_000, 1234, 3, 1, 7, 1000, 300_000, 0, 0, 1, 0, 0, 1_800_000_000_000]
    .map { Goldilocks($0) }

/// The official signer library inside the development venv (`scripts/test` creates it); override with LIGHTER_SIGNER_LIBRARY.
private func officialSignerPath() -> String {
    if let path = ProcessInfo.processInfo.environment["LIGHTER_SIGNER_LIBRARY"] { return path }
    var root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    for _ in 0 ..< 3 { root.deleteLastPathComponent() }  // …/Benchmarks/LighterCryptoBench/X.swift → repository root
    #if arch(arm64)
    let file = "lighter-signer-linux-arm64.so"
    #else
    let file = "lighter-signer-linux-amd64.so"
    #endif
    return root.appendingPathComponent(".venv-ci/lib/python3.11/site-packages/lighter/signers/\(file)").path
}

private func loadTestKey() -> PrivateKey {
    do {
        return try PrivateKey(hex: testKeyHex)
    } catch {
        fatalError("benchmark key does not parse: \(error)")
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 10,
        maxDuration: .seconds(3),
        maxIterations: 20000
    )

    let key = loadTestKey()
    let message = Poseidon2.hashToQuinticExtension(createOrderElements)
    let signature = key.signature(for: message)

    Benchmark("Poseidon2 permutation") { benchmark in
        var state = (0 ..< 12).map { Goldilocks(UInt64($0)) }
        for _ in benchmark.scaledIterations {
            Poseidon2.permute(&state)
        }
        blackHole(state)
    }

    Benchmark("H5 of a CreateOrder (16 elements)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(Poseidon2.hashToQuinticExtension(createOrderElements))
        }
    }

    Benchmark("Schnorr sign (hash given)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(key.signature(for: message))
        }
    }

    Benchmark("CreateOrder H5 + sign") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(key.signature(for: Poseidon2.hashToQuinticExtension(createOrderElements)))
        }
    }

    Benchmark("Schnorr verify") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(key.publicKey.isValidSignature(signature, for: message))
        }
    }

    Benchmark("Public key derivation (parse + sk·G + encode)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? PrivateKey(hex: testKeyHex))
        }
    }

    let openError = official_signer_open(officialSignerPath(), testKeyHex, 304, 3, 1234)
    if let openError {
        print("Official signer benchmark skipped: \(String(cString: openError)) [\(officialSignerPath())]")
    } else {
        Benchmark("Official Go signer SignCreateOrder (lighter-sdk 1.1.8, dlopen)") { benchmark in
            var nonce: Int64 = 1
            for _ in benchmark.scaledIterations {
                nonce += 1
                let status = official_signer_sign_create_order(nonce, nonce)
                precondition(status == 0, "official SignCreateOrder reported an error")
            }
        }
    }
}
