import Foundation
import Lighter
import Testing

/// Cross-check against the official signer at test time: `scripts/official_signer.py` loads the Go
/// signer compiled into `lighter-sdk==1.1.8` (installed in `<root>/.venv-ci`) and signs fresh random
/// transactions of every kind with fresh random keys; every line must pass ``SignerVectorCheck``,
/// including byte equality of our `tx_info` with the signer's raw output.
@Suite struct TxOfficialSignerTests {
    /// Transactions (and auth tokens) per kind.
    static let perKind = 25

    @Test func freshOfficialSignaturesOfEveryKindPass() throws {
        let output = try Self.runOracle(arguments: ["--per-kind", String(Self.perKind)])
        let report = SignerVectorCheck.check(jsonLines: output)
        let expectedKinds = Set(SignerVectorCheck.transactionKinds.keys).union(["auth_token"])
        #expect(report.results.count == expectedKinds.count * Self.perKind, "the oracle printed \(report.results.count) lines")
        #expect(Set(report.results.map(\.kind)) == expectedKinds)
        for result in report.failedLines {
            Issue.record("oracle line \(result.lineNumber) (\(result.kind)): \(result.failures.map(\.description).joined(separator: "; "))")
        }
        #expect(report.failedCount == 0)

        // The raw signer bytes were compared (not a re-serialisation): every transaction line carries them.
        let transactionLines = output.split(separator: "\n").filter { !$0.contains("\"kind\": \"auth_token\"") }
        #expect(transactionLines.allSatisfy { $0.contains("\"tx_info_raw\"") })
        // Attribute coverage: integrator fees, self-trade settings, skip-nonce and order version all occur.
        for attribute in ["\\\"1\\\":", "\\\"2\\\":", "\\\"4\\\":1", "\\\"6\\\":", "\\\"7\\\":1", "\\\"8\\\":"] {
            #expect(output.contains(attribute), "no oracle transaction had attribute \(attribute)")
        }
    }

    /// Runs the oracle script with the project's Python and returns its standard output.
    static func runOracle(arguments: [String]) throws -> String {
        let root = try #require(TxTestPaths.packageRoot, "package root not found from \(#filePath)")
        let python = ProcessInfo.processInfo.environment["LIGHTER_TEST_PYTHON"]
            ?? root.appendingPathComponent(".venv-ci/bin/python").path
        let script = root.appendingPathComponent("scripts/official_signer.py").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("Python not found at \(python): run scripts/test (it creates .venv-ci from .ci/requirements.txt) or set LIGHTER_TEST_PYTHON")
            throw OracleError.pythonMissing
        }
        #expect(FileManager.default.fileExists(atPath: script), "oracle script missing at \(script)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
        let errorData = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorText = String(decoding: errorData, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            Issue.record("official_signer.py exited with \(process.terminationStatus): \(errorText) (is lighter-sdk==1.1.8 installed? run scripts/test)")
            throw OracleError.failed(status: process.terminationStatus)
        }
        return String(decoding: outputData, as: UTF8.self)
    }

    enum OracleError: Error {
        case pythonMissing
        case failed(status: Int32)
    }
}
