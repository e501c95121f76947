import ArgumentParser
import Binance
import Foundation
import Lighter
import Logging
import MarketCore
import Recorder

/// `lighter-mm collect`: records order books and trades to a Parquet dataset; `collect repair`
/// finishes the part files a killed collector left open.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Record order books and trades to a Hive-partitioned Parquet dataset.",
        discussion: """
            Layout: <out>/<venue>/<table>/market=<SYMBOL>/date=<YYYY-MM-DD>/part-<start-ns>.parquet with the \
            tables book_events (every level change, snapshots, resync markers), book_top10 and trades. \
            Open files are named *.parquet.inprogress and renamed when closed (rotation, SIGINT/SIGTERM); \
            after a crash run `lighter-mm collect repair <out>`.
            """,
        subcommands: [CollectRunCommand.self, CollectRepairCommand.self],
        defaultSubcommand: CollectRunCommand.self
    )
}

/// Venues accepted by --venue.
enum CollectVenue: String, ExpressibleByArgument, CaseIterable {
    case lighter, binance
}

/// `lighter-mm collect [run] --markets ETH,BTC`.
struct CollectRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Record markets until SIGINT/SIGTERM (the default subcommand of collect)."
    )

    @Option(help: "Comma-separated market symbols, e.g. ETH,BTC (Binance: the Lighter symbol's USDⓈ-M twin, e.g. ETH → ETHUSDT).")
    var markets: String

    @Option(help: "Dataset root directory.")
    var out: String = "data"

    @Option(help: "Venue: lighter or binance.")
    var venue: CollectVenue = .lighter

    @Option(name: .customLong("lighter-url"), help: "Lighter REST base URL (market ids and decimals).")
    var lighterURL: String = "https://mainnet.zklighter.elliot.ai"

    @Option(name: .customLong("stream-url"), help: "Lighter WebSocket URL (default: the REST URL with ws(s):// and /stream).")
    var streamURL: String?

    @Option(name: .customLong("binance-rest-url"), help: "Binance USDⓈ-M futures REST base URL.")
    var binanceRESTURL: String = "https://fapi.binance.com"

    @Option(name: .customLong("binance-ws-url"), help: "Binance USDⓈ-M futures WebSocket base URL.")
    var binanceWebSocketURL: String = "wss://fstream.binance.com"

    @Option(name: .customLong("flush-seconds"), help: "Write buffered rows as a complete row group at least this often.")
    var flushSeconds: Double = 10

    @Option(name: .customLong("max-file-mb"), help: "Start a new part file when the open one reaches about this many MiB.")
    var maxFileMegabytes: Double = 256

    @Option(name: .customLong("max-file-minutes"), help: "Start a new part file after this many minutes (and always at a UTC date change).")
    var maxFileMinutes: Double = 60

    @Option(name: .customLong("retry-seconds"), help: "After a write error (disk full, permissions), try again after this many seconds.")
    var retrySeconds: Double = 5

    @Option(name: .customLong("status-seconds"), help: "Seconds between status lines (0: none).")
    var statusSeconds: Double = 10

    func validate() throws {
        guard !symbols.isEmpty else { throw ValidationError("--markets: give at least one symbol, e.g. ETH,BTC") }
        guard flushSeconds > 0, flushSeconds.isFinite else { throw ValidationError("--flush-seconds must be positive") }
        guard maxFileMegabytes > 0, maxFileMinutes > 0 else {
            throw ValidationError("--max-file-mb and --max-file-minutes must be positive")
        }
        guard retrySeconds > 0 else { throw ValidationError("--retry-seconds must be positive") }
        guard statusSeconds >= 0 else { throw ValidationError("--status-seconds must not be negative") }
    }

    var symbols: [String] {
        markets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
    }

    func run() async throws {
        var options = RecorderOptions(root: out)
        options.flushInterval = Int64(flushSeconds * 1e9)
        options.maxFileBytes = Int64(maxFileMegabytes * 1_048_576)
        options.maxFileDuration = Int64(maxFileMinutes * 60e9)
        options.retryInterval = Int64(retrySeconds * 1e9)
        let logger = Logger(label: "collect")

        for outcome in DatasetRepair.repair(root: out) { printError("collect: left by an earlier run: \(outcome)") }

        let status: @Sendable (String) -> Void = { line in printOutput(line) }
        let work: Task<Void, Never>
        switch venue {
        case .lighter:
            let specs = try await lighterSpecs()
            let stream = LighterStreamClient.Configuration(url: streamURL ?? Self.defaultStreamURL(lighterURL))
            printOutput("collect: recording \(specs.map(\.symbol).joined(separator: ", ")) from \(stream.url) to \(out)")
            work = Task {
                await Collector.runLighter(
                    specs: specs, stream: stream, options: options, statusInterval: statusSeconds, logger: logger,
                    status: status)
            }
        case .binance:
            var binanceSymbols: [BinanceSymbol] = []
            for symbol in symbols {
                guard let twin = BinanceSymbolMap.default.binanceSymbol(forLighter: symbol) else {
                    throw ValidationError(
                        "--markets: no Binance symbol known for '\(symbol)' (known: \(BinanceSymbolMap.default.entries.keys.sorted().joined(separator: ", ")))"
                    )
                }
                binanceSymbols.append(twin)
            }
            let feed = BinanceFeedConfiguration(restBaseURL: binanceRESTURL, webSocketBaseURL: binanceWebSocketURL)
            printOutput("collect: recording \(binanceSymbols.map(\.symbol).joined(separator: ", ")) from Binance to \(out)")
            work = Task {
                await Collector.runBinance(
                    symbols: binanceSymbols, feed: feed, options: options, statusInterval: statusSeconds, logger: logger,
                    status: status)
            }
        }
        let signals = Self.cancelOnTermination(work)
        await work.value
        _ = signals
        printOutput("collect: stopped; all part files closed")
    }

    /// Market specs of the requested symbols from Lighter's REST API.
    private func lighterSpecs() async throws -> [MarketSpec] {
        let rest = LighterRESTClient(configuration: .init(baseURL: lighterURL))
        let all: [MarketSpec]
        do {
            all = try await rest.marketSpecs()
        } catch {
            throw ValidationError("--lighter-url: cannot read the markets from \(lighterURL)/api/v1/orderBookDetails: \(error)")
        }
        var specs: [MarketSpec] = []
        for symbol in symbols {
            guard let spec = all.first(where: { $0.symbol.uppercased() == symbol }) else {
                throw ValidationError(
                    "--markets: Lighter has no market '\(symbol)' (known: \(all.map(\.symbol).sorted().prefix(40).joined(separator: ", ")))")
            }
            specs.append(spec)
        }
        return specs
    }

    /// `https://host` → `wss://host/stream`, `http://host` → `ws://host/stream`.
    static func defaultStreamURL(_ restURL: String) -> String {
        var url = restURL
        while url.hasSuffix("/") { url.removeLast() }
        if url.hasPrefix("https://") { url = "wss://" + url.dropFirst(8) } else if url.hasPrefix("http://") {
            url = "ws://" + url.dropFirst(7)
        }
        return url + "/stream"
    }

    /// Cancels `task` on SIGINT or SIGTERM (the collector then closes its files and returns).
    static func cancelOnTermination(_ task: Task<Void, Never>) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                printError("collect: signal \(number) received; closing part files")
                task.cancel()
            }
            source.resume()
            return source
        }
    }
}

/// `lighter-mm collect repair DIR`.
struct CollectRepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Finish the part files a killed collector left open (*.parquet.inprogress).",
        discussion: """
            Each in-progress file keeps its complete row groups, gets a footer and is renamed to *.parquet; \
            a file with no complete row group is renamed to *.parquet.discarded. Do not run it while a \
            collector writes to the directory.
            """
    )

    @Argument(help: "The dataset root directory.")
    var directory: String

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("'\(directory)' is not a directory")
        }
        let outcomes = DatasetRepair.repair(root: directory)
        if outcomes.isEmpty { print("repair: no in-progress files under \(directory)") }
        var failed = 0
        for outcome in outcomes {
            print("repair: \(outcome)")
            if case .failed = outcome.action { failed += 1 }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Writes a line to standard output at once (unbuffered, so a supervising process sees it).
private func printOutput(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Prints a line to standard error.
private func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
