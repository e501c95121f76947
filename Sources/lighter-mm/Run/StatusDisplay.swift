import Foundation
import Logging
import Synchronization

/// What the status line of one market shows (already formatted numbers, so the formatting of
/// the line itself is a pure function).
struct MarketStatus: Hashable, Sendable {
    /// Market symbol.
    var symbol: String
    /// Mid price, or nil without a two-sided book.
    var mid: String?
    /// Our best bid and ask (level 0), nil when that side has no order.
    var bid: String?
    var ask: String?
    /// Signed position, base units.
    var position: String
    /// Net PnL in USDC.
    var pnlUSD: Double
    /// Our executions.
    var fills: Int
    /// Rejected actions.
    var rejects: Int
    /// Transactions sent.
    var transactions: Int
    /// Volume quota remaining (transactions), nil when the venue does not report it.
    var quotaRemaining: Int64?
    /// Median send→acknowledgement latency over recent actions, milliseconds; nil before any.
    var ackLatencyMs: Double?
    /// Where the alpha comes from right now: `binance` or `lighter`.
    var alphaSource: String
}

/// Formats status lines and draws them on the terminal.
enum StatusDisplay {
    /// One market's status line:
    /// `ETH mid 3000.12 bid 2999.50 ask 3000.70 pos 0.0100 pnl 1.2300 fills 4 rejects 0 txs 12 quota 940 ack 35.2ms alpha lighter`.
    ///
    /// `quota` and `ack` are left out when unknown.
    static func line(_ status: MarketStatus) -> String {
        var text = "\(status.symbol) mid \(status.mid ?? "-") bid \(status.bid ?? "-") ask \(status.ask ?? "-")"
        text += " pos \(status.position) pnl \(String(format: "%.4f", status.pnlUSD))"
        text += " fills \(status.fills) rejects \(status.rejects) txs \(status.transactions)"
        if let quota = status.quotaRemaining { text += " quota \(quota)" }
        if let latency = status.ackLatencyMs { text += " ack \(String(format: "%.1f", latency))ms" }
        text += " alpha \(status.alphaSource)"
        return text
    }

    /// The bytes that show `lines` as the status block.
    ///
    /// On a terminal the block replaces the previous one in place: the cursor moves up
    /// `previousLineCount` lines (`ESC[nA`), and each line is cleared (`ESC[2K`) before it is
    /// written. Elsewhere the lines are simply printed (one plain line per market each time).
    static func frame(_ lines: [String], previousLineCount: Int, terminal: Bool) -> String {
        var text = ""
        if terminal, previousLineCount > 0 { text += "\u{1B}[\(previousLineCount)A" }
        for line in lines {
            if terminal { text += "\r\u{1B}[2K" }
            text += line + "\n"
        }
        return text
    }

    /// The bytes that erase a status block of `lineCount` lines on a terminal (cursor left at its
    /// first line), so a log line can be printed where it was; empty when not a terminal.
    static func erase(lineCount: Int, terminal: Bool) -> String {
        guard terminal, lineCount > 0 else { return "" }
        return "\u{1B}[\(lineCount)A\r\u{1B}[J"
    }
}

/// Standard output of `run`: log lines and the status block, kept apart on a terminal (a log
/// line is printed above the status block, which is then drawn again below it).
final class RunOutput: Sendable {
    private struct State {
        var statusLines: [String] = []
        var shownLineCount = 0
    }

    /// Whether standard output is a terminal (`isatty(1)`).
    let isTerminal: Bool
    private let state = Mutex(State())

    /// Output to standard output; `terminal` defaults to `isatty(1)`.
    init(terminal: Bool = isatty(1) == 1) {
        isTerminal = terminal
    }

    /// Prints one log line (above the status block on a terminal).
    func log(_ line: String) {
        state.withLock { state in
            var text = StatusDisplay.erase(lineCount: state.shownLineCount, terminal: isTerminal)
            text += line + "\n"
            if isTerminal, !state.statusLines.isEmpty {
                text += StatusDisplay.frame(state.statusLines, previousLineCount: 0, terminal: true)
                state.shownLineCount = state.statusLines.count
            } else {
                state.shownLineCount = 0
            }
            write(text)
        }
    }

    /// Shows the status lines: in place on a terminal, as plain lines otherwise.
    func showStatus(_ lines: [String]) {
        state.withLock { state in
            write(StatusDisplay.frame(lines, previousLineCount: state.shownLineCount, terminal: isTerminal))
            state.statusLines = lines
            state.shownLineCount = isTerminal ? lines.count : 0
        }
    }

    /// Stops drawing in place: the last status block stays on screen, later output goes below it.
    func releaseStatus() {
        state.withLock { state in
            state.statusLines = []
            state.shownLineCount = 0
        }
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// A swift-log handler that prints `level: message` through ``RunOutput`` (info lines without the
/// level prefix).
struct RunLogHandler: LogHandler {
    /// Where the lines go.
    let output: RunOutput
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let prefix = event.level == .info ? "" : "\(event.level): "
        output.log(prefix + event.message.description)
    }
}
