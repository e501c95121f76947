import Binance
import Foundation
import Lighter
import Logging
import MarketCore
import Synchronization

/// Records the order books and trades of several markets of one venue into the dataset layout
/// of ``DatasetLayout``; one set of part-file writers per market.
///
/// Feed it venue events (``handle(_:)-(LighterStreamEvent)``, ``handle(_:symbol:)``) from the
/// feeds' tasks and call ``tick()`` about once a second (flushes row groups that are due,
/// rotates files by age and date). ``close()`` closes every part file with a footer. All methods
/// are thread-safe (one lock; the file I/O happens under it, in event order).
///
/// ```swift
/// let recorder = DatasetRecorder(options: RecorderOptions(root: "data"), markets: [.init(lighter: eth)])
/// let task = Task { await stream.run { recorder.handle($0) } }
/// // every second: recorder.tick(); on SIGTERM: task.cancel(); recorder.close()
/// ```
public final class DatasetRecorder: Sendable {
    /// The write settings.
    public let options: RecorderOptions
    /// The recorded markets.
    public let markets: [RecordedMarketInfo]
    private let clock: any TradingClock
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var byLighterID: [Int: MarketRecorder] = [:]
        var bySymbol: [String: MarketRecorder] = [:]
        var order: [MarketRecorder] = []
        var startedAt: Timestamp
        var lastStatus: (time: Timestamp, messages: [String: Int64])
        var closed = false
    }

    /// A recorder for `markets` (all of one venue).
    ///
    /// - Parameters:
    ///   - options: root directory, flush, rotation and retry settings.
    ///   - markets: the markets; Lighter markets are matched by market id, others by symbol.
    ///   - clock: the time used for flushing and rotation (events carry their own receive times).
    ///   - logger: where errors, gaps and file events are logged.
    public init(
        options: RecorderOptions, markets: [RecordedMarketInfo], clock: any TradingClock = LiveClock(),
        logger: Logger = Logger(label: "recorder")
    ) {
        self.options = options
        self.markets = markets
        self.clock = clock
        self.logger = logger
        let now = clock.now
        var state = State(startedAt: now, lastStatus: (now, [:]))
        for market in markets {
            let recorder = MarketRecorder(info: market, options: options, logger: logger)
            if let id = market.marketID { state.byLighterID[id] = recorder }
            state.bySymbol[market.symbol] = recorder
            state.order.append(recorder)
        }
        self.state = Mutex(state)
    }

    // MARK: Lighter

    /// Records one event of a ``LighterStreamClient`` (books, trades, resyncs; others are ignored).
    ///
    /// Trades of a `subscribed/trade` snapshot are recorded only if they happened after the
    /// recorder started and were not recorded yet (they fill a reconnect's hole; the first
    /// snapshot is history from before the recording).
    public func handle(_ event: LighterStreamEvent) {
        state.withLock { state in
            guard !state.closed else { return }
            switch event {
            case .book(let book):
                guard let recorder = state.byLighterID[book.marketID] else { return }
                let sequence = BookSequence(seq: book.offset, nonce: book.nonce)
                if book.isSnapshot {
                    recorder.recordSnapshot(
                        receivedAt: book.receivedAt, exchangeTimeMs: book.timestampMs, sequence: sequence, bids: book.bids,
                        asks: book.asks)
                } else {
                    recorder.recordUpdate(
                        receivedAt: book.receivedAt, exchangeTimeMs: book.timestampMs, sequence: sequence, bids: book.bids,
                        asks: book.asks)
                }
            case .trades(let marketID, let trades, let isSnapshot, let receivedAt):
                guard let recorder = state.byLighterID[marketID] else { return }
                let startMs = state.startedAt.milliseconds
                for trade in trades {
                    if isSnapshot && trade.timestampMs < startMs {
                        _ = recorder.rememberTrade(trade.tradeID)
                        continue
                    }
                    recorder.recordTrade(trade.marketTrade(receivedAt: receivedAt), isLiquidation: trade.isLiquidation)
                }
            case .resync(let marketID, let reason):
                state.byLighterID[marketID]?.recordResync(receivedAt: clock.now, reason: reason.description)
            case .connected, .disconnected, .message, .serverError, .decodeError:
                break
            }
        }
    }

    // MARK: Binance

    /// Records one event of the ``BinanceMarketDataFeed`` of `symbol` (snapshots, diff updates,
    /// partial depth, resyncs, aggregate trades into `trades`; others are ignored).
    public func handle(_ event: BinanceFeedEvent, symbol: String) {
        state.withLock { state in
            guard !state.closed, let recorder = state.bySymbol[symbol] else { return }
            switch event {
            case .snapshot(let received):
                let snapshot = received.payload
                recorder.recordSnapshot(
                    receivedAt: received.receivedAt, exchangeTimeMs: snapshot.eventTimeMs > 0 ? snapshot.eventTimeMs : nil,
                    sequence: BookSequence(seq: snapshot.lastUpdateID), bids: snapshot.bids, asks: snapshot.asks)
            case .depthUpdate(let received):
                let update = received.payload
                recorder.recordUpdate(
                    receivedAt: received.receivedAt, exchangeTimeMs: update.eventTimeMs,
                    sequence: BookSequence(
                        seq: update.finalUpdateID, firstUpdateID: update.firstUpdateID,
                        previousUpdateID: update.previousFinalUpdateID),
                    bids: update.bids, asks: update.asks)
            case .partialDepth(let received):
                let update = received.payload
                recorder.recordSnapshot(
                    receivedAt: received.receivedAt, exchangeTimeMs: update.eventTimeMs,
                    sequence: BookSequence(seq: update.finalUpdateID), bids: update.bids, asks: update.asks)
            case .resync(let reason):
                recorder.recordResync(receivedAt: clock.now, reason: reason.description)
            case .aggTrade(let received):
                // Deduplicated by aggregate trade id (a reconnect may repeat trades).
                recorder.recordTrade(received.payload.trade(receivedAt: received.receivedAt), isLiquidation: nil)
            case .connected, .disconnected, .bookTicker, .parseError, .snapshotFailed, .alphaSample:
                break
            }
        }
    }

    // MARK: Any venue

    /// Records a book snapshot of the market `symbol` (for sources other than the venue clients).
    public func recordSnapshot(
        symbol: String, receivedAt: Timestamp, exchangeTimeMs: Int64?, sequence: BookSequence, bids: [BookLevel],
        asks: [BookLevel]
    ) {
        state.withLock { state in
            guard !state.closed else { return }
            state.bySymbol[symbol]?.recordSnapshot(
                receivedAt: receivedAt, exchangeTimeMs: exchangeTimeMs, sequence: sequence, bids: bids, asks: asks)
        }
    }

    /// Records a book update of the market `symbol`: each level's size is now the given size.
    public func recordUpdate(
        symbol: String, receivedAt: Timestamp, exchangeTimeMs: Int64?, sequence: BookSequence, bids: [BookLevel],
        asks: [BookLevel]
    ) {
        state.withLock { state in
            guard !state.closed else { return }
            state.bySymbol[symbol]?.recordUpdate(
                receivedAt: receivedAt, exchangeTimeMs: exchangeTimeMs, sequence: sequence, bids: bids, asks: asks)
        }
    }

    /// Records that the book of `symbol` was discarded (a resync marker).
    public func recordResync(symbol: String, receivedAt: Timestamp, reason: String) {
        state.withLock { state in
            guard !state.closed else { return }
            state.bySymbol[symbol]?.recordResync(receivedAt: receivedAt, reason: reason)
        }
    }

    /// Records a trade of the market `symbol` (skipped if its id was recorded already).
    public func recordTrade(_ trade: Trade, symbol: String, isLiquidation: Bool? = nil) {
        state.withLock { state in
            guard !state.closed else { return }
            state.bySymbol[symbol]?.recordTrade(trade, isLiquidation: isLiquidation)
        }
    }

    /// Flushes the row groups that are due and closes files that are too old or of a past UTC day.
    public func tick() {
        let now = clock.now
        state.withLock { state in
            guard !state.closed else { return }
            for recorder in state.order { recorder.tick(at: now) }
        }
    }

    /// Closes every part file with a footer (renaming it to `.parquet`); later events are ignored.
    public func close() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            for recorder in state.order { recorder.close() }
        }
    }

    /// Counters per market symbol.
    public var statistics: [String: MarketRecordingStatistics] {
        state.withLock { state in
            var result: [String: MarketRecordingStatistics] = [:]
            for recorder in state.order { result[recorder.info.symbol] = recorder.currentStatistics }
            return result
        }
    }

    /// One status line per market: events/s since the previous call, rows written, file bytes,
    /// gaps, duplicates, lag, errors.
    public func statusLines() -> [String] {
        let now = clock.now
        return state.withLock { state in
            let seconds = max(Double(now - state.lastStatus.time) / 1e9, 1e-9)
            var lines: [String] = []
            var messages: [String: Int64] = [:]
            for recorder in state.order {
                let stats = recorder.currentStatistics
                let count = stats.bookMessages + stats.trades
                messages[recorder.info.symbol] = count
                let rate = Double(count - (state.lastStatus.messages[recorder.info.symbol] ?? 0)) / seconds
                func table(_ t: RecordedTable) -> TableWriterStatistics { stats.tables[t] ?? TableWriterStatistics() }
                let bytes = RecordedTable.allCases.reduce(Int64(0)) { $0 + table($1).bytesClosed + table($1).openFileBytes }
                let files = RecordedTable.allCases.reduce(0) { $0 + table($1).filesClosed }
                let dropped = RecordedTable.allCases.reduce(Int64(0)) { $0 + table($1).droppedRows }
                var line = "\(recorder.info.venue)/\(recorder.info.symbol): \(String(format: "%.1f", rate)) ev/s"
                line += ", rows book_events=\(table(.bookEvents).rows) book_top10=\(table(.bookTop10).rows) trades=\(table(.trades).rows)"
                line += ", files closed \(files), \(Self.formatBytes(bytes))"
                line += ", gaps \(stats.gaps), dup trades \(stats.duplicateTrades), dup books \(stats.duplicateBookMessages)"
                if let lag = stats.lastLag { line += ", lag \(lag / 1_000_000) ms" }
                if dropped > 0 { line += ", DROPPED \(dropped) rows" }
                if let error = RecordedTable.allCases.compactMap({ table($0).lastError }).last { line += ", last error: \(error)" }
                lines.append(line)
            }
            state.lastStatus = (now, messages)
            return lines
        }
    }

    static func formatBytes(_ bytes: Int64) -> String {
        if bytes >= 1 << 30 { return String(format: "%.2f GiB", Double(bytes) / Double(1 << 30)) }
        if bytes >= 1 << 20 { return String(format: "%.1f MiB", Double(bytes) / Double(1 << 20)) }
        return String(format: "%.1f KiB", Double(bytes) / 1024)
    }
}
