import ArgumentParser
import Foundation
import Recorder

/// `lighter-mm data`: tools for recorded datasets.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect recorded market data.",
        subcommands: [DataInspectCommand.self]
    )
}

/// `lighter-mm data inspect DIR`.
struct DataInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Markets, time ranges, row counts and gaps per venue/table/market of a dataset."
    )

    @Argument(help: "The dataset root directory.")
    var directory: String

    func run() throws {
        let entries: [DatasetInspector.Entry]
        do {
            entries = try DatasetInspector.inspect(root: directory)
        } catch {
            throw ValidationError("\(error)")
        }
        print(DatasetInspector.report(entries), terminator: "")
        if entries.contains(where: { !$0.unreadable.isEmpty }) { throw ExitCode(1) }
    }
}
