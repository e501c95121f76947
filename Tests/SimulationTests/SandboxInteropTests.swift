import Foundation
import Lighter
import LighterCrypto
import MarketCore
import Simulation
import Testing

/// The official Lighter Python SDK (lighter-sdk==1.1.8, unchanged) against the sandbox:
/// `scripts/sdk_interop.py` signs with the SDK's own compiled signer, so a transaction the sandbox
/// accepts proves its hashing, signature and nonce checks agree with the real signer.
@Suite(.serialized) struct SandboxInteropTests {
    @Test func officialSDKTradesAgainstTheSandbox() async throws {
        let root = try #require(Self.packageRoot(), "cannot find the package root above \(#filePath)")
        let python = ProcessInfo.processInfo.environment["LIGHTER_TEST_PYTHON"] ?? root + "/.venv-ci/bin/python"
        try #require(
            FileManager.default.isExecutableFile(atPath: python),
            "no Python at \(python): run scripts/test (it creates .venv-ci from .ci/requirements.txt with lighter-sdk==1.1.8) or set LIGHTER_TEST_PYTHON")
        let script = root + "/scripts/sdk_interop.py"
        try #require(FileManager.default.fileExists(atPath: script), "missing \(script)")

        let sandbox = try await SandboxHarness.start(seed: 5)
        defer { Task { await sandbox.stop() } }
        let account = sandbox.first

        let output = try await Self.run(
            python, arguments: [
                script, "--base-url", sandbox.server.baseURL, "--account-index", String(account.accountIndex),
                "--api-key-index", String(account.apiKeyIndex),
            ], environment: ["LIGHTER_SANDBOX_API_KEY": account.privateKey.hexForExport], timeoutSeconds: 90)
        let data = try #require(output.stdout.split(separator: "\n").last.map { Data($0.utf8) }, "no output; stderr: \(output.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "not JSON: \(output.stdout)")

        #expect((result["errors"] as? [String]) == [], "script errors: \(result["errors"] ?? "?"); stderr: \(output.stderr.suffix(2000))")
        #expect(result["check_client"] is NSNull, "check_client: \(result["check_client"] ?? "?")")

        // The SDK's signed create is accepted and the order rests where it was placed.
        let create = try #require(result["create"] as? [String: Any])
        #expect(create["code"] as? Int == 200)
        #expect((create["tx_hash"] as? String)?.count == 80)
        let bid = try #require(result["ws_best_bid"] as? Double)
        let expectedPrice = FixedPoint.format(Int64(((bid - 50) * 100).rounded()), decimals: 2)
        let created = try #require((result["active_after_create"] as? [[String: Any]])?.first)
        #expect(created["client_order_index"] as? Int == 1001)
        #expect(created["price"] as? String == expectedPrice)
        #expect(created["remaining_base_amount"] as? String == "0.0100")
        #expect(created["status"] as? String == "open")

        let modify = try #require(result["modify"] as? [String: Any])
        #expect(modify["code"] as? Int == 200)
        let modified = try #require((result["active_after_modify"] as? [[String: Any]])?.first)
        #expect(modified["price"] as? String == FixedPoint.format(Int64(((bid - 60) * 100).rounded()), decimals: 2))
        #expect(modified["remaining_base_amount"] as? String == "0.0200")

        #expect((result["cancel"] as? [String: Any])?["code"] as? Int == 200)
        #expect(result["active_after_cancel"] as? Int == 0)

        // The refusal reaches the SDK with Lighter's code for a below-minimum order.
        let belowMinimum = try #require(result["below_minimum"] as? [String: Any])
        #expect((belowMinimum["error"] as? String)?.contains("21706") == true, "below minimum: \(belowMinimum)")

        // Three txs so far used nonces 0…2; the batch continues from 3.
        #expect(result["nonce_before_batch"] as? Int == 3)
        let batch = try #require(result["batch"] as? [String: Any])
        #expect(batch["code"] as? Int == 200)
        #expect(batch["hashes"] as? Int == 2)
        #expect(result["active_after_batch"] as? [Int] == [2001, 2002])
        #expect((result["cancel_all"] as? [String: Any])?["code"] as? Int == 200)
        #expect(result["active_after_cancel_all"] as? Int == 0)

        #expect(result["account_collateral"] as? String == "100000.000000")
        #expect(result["account_positions"] as? Int == 2)

        // WsClient followed the book and saw the account's orders open and close.
        #expect((result["ws_book_messages"] as? Int ?? 0) >= 3)
        let statuses = (result["ws_account_order_statuses"] as? [[Any]]) ?? []
        let pairs = statuses.compactMap { pair -> String? in
            guard pair.count == 2, let index = pair[0] as? Int, let status = pair[1] as? String else { return nil }
            return "\(index):\(status)"
        }
        #expect(pairs.contains("1001:open"))
        #expect(pairs.contains("1001:canceled"))
        #expect(pairs.contains("2002:canceled"))
    }

    /// The directory holding `Package.swift` and `Sources/`, found from this file's real path.
    static func packageRoot() -> String? {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            let manifest = url.appendingPathComponent("Package.swift").path
            let sources = url.appendingPathComponent("Sources").path
            if FileManager.default.fileExists(atPath: manifest) && FileManager.default.fileExists(atPath: sources) {
                return url.path
            }
            url.deleteLastPathComponent()
        }
        return nil
    }

    /// Runs a program to completion (killed after `timeoutSeconds`) and returns its output.
    static func run(_ program: String, arguments: [String], environment: [String: String], timeoutSeconds: Double)
        async throws -> (stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdoutURL = directory.appendingPathComponent("stdout")
        let stderrURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let stdout = try FileHandle(forWritingTo: stdoutURL)
        let stderr = try FileHandle(forWritingTo: stderrURL)
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline {
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try stdout.close()
        try stderr.close()
        let out = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        return (out, err)
    }
}
