import ArgumentParser
import Foundation
import Lighter

/// `lighter-mm vectors`: tools for the official signer's reference vectors.
struct VectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vectors",
        abstract: "Check reference vectors from the official Lighter signer.",
        subcommands: [VectorsCheckCommand.self]
    )
}

/// `lighter-mm vectors check FILE.jsonl`: one line per failure, then `N passed, M failed`;
/// exit code 1 if any line failed, 2 if the file cannot be read.
struct VectorsCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify a JSON-lines file of official signer vectors against this implementation.",
        discussion: """
            Each line: keys, account, API key, nonce, chain id and a signed transaction or auth token, \
            as in lighter-signer.jsonl. Checks the derived public key, the recomputed tx hash, the re-emitted \
            tx_info (byte for byte), the official signature and a fresh signature of ours.
            """
    )

    @Argument(help: "The vectors file (JSON lines).")
    var file: String

    func run() throws {
        let report: SignerVectorCheck.Report
        do {
            report = try SignerVectorCheck.check(fileAt: file)
        } catch {
            FileHandle.standardError.write(Data("error: cannot read \(file): \(error.localizedDescription)\n".utf8))
            throw ExitCode(2)
        }
        for result in report.failedLines {
            for failure in result.failures {
                print("line \(result.lineNumber) (\(result.kind)): \(failure)")
            }
        }
        print("\(report.passedCount) passed, \(report.failedCount) failed")
        if report.failedCount > 0 {
            throw ExitCode(1)
        }
    }
}
