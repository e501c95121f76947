import Testing

@testable import lighter_mm

/// The status line and its terminal drawing (pure functions; expected bytes written by hand).
@Suite struct RunCommandStatusDisplayTests {
    static let status = MarketStatus(
        symbol: "ETH", mid: "3000.12", bid: "2999.50", ask: "3000.70", position: "-0.0100", pnlUSD: 1.23456, fills: 4,
        rejects: 1, transactions: 12, quotaRemaining: 940, ackLatencyMs: 35.24, alphaSource: "binance")

    @Test func aStatusLineShowsEveryValueInAFixedOrder() {
        #expect(
            StatusDisplay.line(Self.status)
                == "ETH mid 3000.12 bid 2999.50 ask 3000.70 pos -0.0100 pnl 1.2346 fills 4 rejects 1 txs 12 quota 940 ack 35.2ms alpha binance"
        )
    }

    @Test func unknownValuesAreDashesOrLeftOut() {
        var status = Self.status
        status.mid = nil
        status.bid = nil
        status.quotaRemaining = nil
        status.ackLatencyMs = nil
        status.alphaSource = "lighter"
        #expect(
            StatusDisplay.line(status)
                == "ETH mid - bid - ask 3000.70 pos -0.0100 pnl 1.2346 fills 4 rejects 1 txs 12 alpha lighter")
    }

    @Test func onATerminalTheBlockIsRedrawnInPlace() {
        // First frame: each line cleared, then written; nothing to move over yet.
        #expect(
            StatusDisplay.frame(["ETH a", "BTC b"], previousLineCount: 0, terminal: true)
                == "\r\u{1B}[2KETH a\n\r\u{1B}[2KBTC b\n")
        // Next frame: up two lines first.
        #expect(
            StatusDisplay.frame(["ETH c", "BTC d"], previousLineCount: 2, terminal: true)
                == "\u{1B}[2A\r\u{1B}[2KETH c\n\r\u{1B}[2KBTC d\n")
        // Erasing before a log line: up two lines, to the start, clear to the end of the screen.
        #expect(StatusDisplay.erase(lineCount: 2, terminal: true) == "\u{1B}[2A\r\u{1B}[J")
        #expect(StatusDisplay.erase(lineCount: 0, terminal: true) == "")
    }

    @Test func elsewhereTheLinesArePlain() {
        #expect(StatusDisplay.frame(["ETH c", "BTC d"], previousLineCount: 2, terminal: false) == "ETH c\nBTC d\n")
        #expect(StatusDisplay.erase(lineCount: 2, terminal: false) == "")
    }
}
