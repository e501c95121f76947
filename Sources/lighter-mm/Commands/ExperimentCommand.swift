import ArgumentParser
import Foundation
import Quant

/// `lighter-mm experiment`: reproductions of published experiments.
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Reproduce published market-making experiments.",
        subcommands: [AS2008Command.self]
    )
}

/// `lighter-mm experiment as2008`: the Monte-Carlo of Avellaneda & Stoikov (2008), section 3.3.
struct AS2008Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "as2008",
        abstract: "Monte-Carlo of Avellaneda & Stoikov (2008): inventory vs symmetric strategy.",
        discussion: """
            Simulates the paper's setting (s0=100, T=1, sigma=2, dt=0.005, q0=0, A=140, k=1.5) and prints, \
            per gamma, the paper's table columns (average spread, mean and std of profit and of final \
            inventory) with standard errors, next to the paper's published table when there is one \
            (gamma 0.1, 0.01 and 1). Deterministic: the same seed gives the same numbers.
            """
    )

    /// Output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @Option(name: .customLong("gamma"), help: "Risk aversion; repeat for several (default: 0.1, 0.01, 1, the paper's tables).")
    var gammas: [Double] = []

    @Option(help: "Number of simulated paths per strategy and gamma.")
    var paths: Int = 1000

    @Option(help: "Seed of the random number generator.")
    var seed: UInt64 = 2008

    @Option(help: "Output format: table or json.")
    var format: Format = .table

    func validate() throws {
        guard paths >= 2 else { throw ValidationError("--paths must be at least 2, got \(paths)") }
        for gamma in gammas where !(gamma > 0 && gamma.isFinite) {
            throw ValidationError("--gamma must be a positive number, got \(gamma)")
        }
    }

    func run() throws {
        let selected = gammas.isEmpty ? AS2008Experiment.publishedGammas : gammas
        var results: [AS2008Result] = []
        for gamma in selected {
            results.append(try AS2008Experiment.run(gamma: gamma, paths: paths, seed: seed))
        }
        switch format {
        case .table:
            print(AS2008Report.table(results))
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(results)
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
