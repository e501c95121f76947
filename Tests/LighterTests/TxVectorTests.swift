import Foundation
import Lighter
import Testing

/// Locations of the package root and the shared reference files, found from this file's real path.
enum TxTestPaths {
    /// The package root: the first ancestor of this file (symlinks resolved) that has `Package.swift`
    /// and `Sources/`.
    static let packageRoot: URL? = {
        var directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        let fileManager = FileManager.default
        while directory.path != "/" {
            if fileManager.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
                fileManager.fileExists(atPath: directory.appendingPathComponent("Sources").path)
            {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    /// `<root>/../shared/vectors/lighter-signer.jsonl`, the 400 official signer vectors.
    static var signerVectors: URL? {
        packageRoot?.deletingLastPathComponent().appendingPathComponent("shared/vectors/lighter-signer.jsonl")
    }
}

@Suite struct TxVectorTests {
    @Test func allOfficialSignerVectorsPass() throws {
        let url = try #require(TxTestPaths.signerVectors, "package root not found from \(#filePath)")
        #expect(
            FileManager.default.fileExists(atPath: url.path),
            "reference vectors missing at \(url.path): they come from /work/shared/vectors/lighter-signer.jsonl"
        )
        let report = try SignerVectorCheck.check(fileAt: url.path)
        #expect(report.results.count == 400, "expected 400 vector lines, read \(report.results.count)")
        for result in report.failedLines {
            Issue.record("line \(result.lineNumber) (\(result.kind)): \(result.failures.map(\.description).joined(separator: "; "))")
        }
        #expect(report.passedCount == 400)
        // Every kind of the file is covered.
        let kinds = Set(report.results.map(\.kind))
        #expect(kinds == [
            "create_order", "cancel_order", "cancel_all_orders", "modify_order", "update_leverage",
            "update_margin", "create_grouped_orders", "auth_token",
        ])
    }

    @Test func aCorruptedVectorIsReportedWithNamedReasons() throws {
        let url = try #require(TxTestPaths.signerVectors)
        let text = try String(contentsOf: url, encoding: .utf8)
        let first = try #require(text.split(separator: "\n").first.map(String.init))
        // Change the price inside tx_info: the hash, the JSON and the official signature must all disagree.
        let tampered = first.replacingOccurrences(of: "\"Price\": 1630434967", with: "\"Price\": 1630434968")
        #expect(tampered != first, "the first vector line changed; update this test's price literal")
        let result = SignerVectorCheck.check(line: tampered, lineNumber: 1)
        #expect(!result.passed)
        #expect(result.failures.contains { if case .hashMismatch = $0 { true } else { false } })
        #expect(result.failures.contains(.officialSignatureInvalid))

        // Reordering two tx_info keys keeps the hash but is no longer the signer's byte string.
        let reordered = first.replacingOccurrences(of: "\"IsAsk\": 0, \"Type\": 0", with: "\"Type\": 0, \"IsAsk\": 0")
        #expect(reordered != first)
        let orderResult = SignerVectorCheck.check(line: reordered)
        #expect(orderResult.failures.count == 1)
        #expect(orderResult.failures.first.map { if case .txInfoMismatch = $0 { true } else { false } } == true)

        let wrongKey = first.replacingOccurrences(
            of: "\"public_key\": \"0x61c3979ae27c1500bd16ab6223cb28475b63027970de75268d4ea88efed1747cf1473fabb7a3f393\"",
            with: "\"public_key\": \"0x710c8cd2201061fa5570d20852d90ddabd6c496825b639d6c6486ecb1f859b63f237dee54f3f42b4\""
        )
        #expect(wrongKey != first)
        let keyResult = SignerVectorCheck.check(line: wrongKey)
        #expect(keyResult.failures.contains { if case .publicKeyMismatch = $0 { true } else { false } })

        let garbage = SignerVectorCheck.check(line: "{\"kind\": \"create_order\"")
        #expect(garbage.failures.count == 1)
        #expect(garbage.failures.first.map { if case .malformedLine = $0 { true } else { false } } == true)
    }
}
