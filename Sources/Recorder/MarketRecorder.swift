import Logging
import MarketCore
import Parquet

/// Sequence fields of one book message (whichever the venue has).
public struct BookSequence: Sendable, Hashable {
    /// Lighter `offset`, or Binance final update id `u` (snapshot: `lastUpdateId`).
    public var seq: Int64?
    /// Lighter `nonce`.
    public var nonce: Int64?
    /// Lighter `begin_nonce` (the previous message's nonce).
    public var beginNonce: Int64?
    /// Binance first update id `U`.
    public var firstUpdateID: Int64?
    /// Binance previous final update id `pu`.
    public var previousUpdateID: Int64?

    /// Sequence fields.
    public init(
        seq: Int64? = nil, nonce: Int64? = nil, beginNonce: Int64? = nil, firstUpdateID: Int64? = nil,
        previousUpdateID: Int64? = nil
    ) {
        self.seq = seq
        self.nonce = nonce
        self.beginNonce = beginNonce
        self.firstUpdateID = firstUpdateID
        self.previousUpdateID = previousUpdateID
    }
}

/// Counters of one recorded market.
public struct MarketRecordingStatistics: Sendable, Hashable {
    /// Book messages recorded (snapshots and updates).
    public var bookMessages: Int64 = 0
    /// Trades recorded.
    public var trades: Int64 = 0
    /// Book messages skipped as repeats (sequence not after the last one).
    public var duplicateBookMessages: Int64 = 0
    /// Trades skipped as repeats (trade id already recorded).
    public var duplicateTrades: Int64 = 0
    /// Resync markers written (gaps, reconnects, lost rows).
    public var gaps: Int64 = 0
    /// Receive time minus exchange time of the last message, ns.
    public var lastLag: Int64?
    /// Per-table writer counters.
    public var tables: [RecordedTable: TableWriterStatistics] = [:]

    /// Zero counters.
    public init() {}
}

/// Records one market: applies book messages to its own book, writes `book_events`,
/// `book_top10` and `trades` rows, removes repeats, marks gaps.
///
/// Not thread-safe: ``DatasetRecorder`` serializes calls.
final class MarketRecorder {
    let info: RecordedMarketInfo
    let logger: Logger
    private let bookEvents: PartFileWriter
    private let top10: PartFileWriter
    private let tradeFile: PartFileWriter
    private var book = OrderBook()
    private var bookValid = false
    private var lastSeq: Int64?
    private var lastNonce: Int64?
    private var recentTradeIDs = Set<Int64>()
    private var recentTradeOrder: [Int64] = []
    private var recentTradeHead = 0
    private let tradeMemory = 200_000
    private(set) var statistics = MarketRecordingStatistics()
    /// Receive-order number of the current message (book or trade), written as `recv_seq`.
    private var receiveSequence: Int64 = 0
    private let priceScale: Double
    private let sizeScale: Double

    private var eventColumns: BookEventColumns?
    private var top10Columns: Top10Columns?
    private var tradeColumns: TradeColumns?

    init(info: RecordedMarketInfo, options: RecorderOptions, logger: Logger) {
        self.info = info
        self.logger = logger
        bookEvents = PartFileWriter(table: .bookEvents, market: info, options: options, logger: logger)
        top10 = PartFileWriter(table: .bookTop10, market: info, options: options, logger: logger)
        tradeFile = PartFileWriter(table: .trades, market: info, options: options, logger: logger)
        priceScale = Double(FixedPoint.powersOfTen[info.priceDecimals])
        sizeScale = Double(FixedPoint.powersOfTen[info.sizeDecimals])
    }

    /// Counters, with the writers' counters filled in.
    var currentStatistics: MarketRecordingStatistics {
        var result = statistics
        result.tables = [.bookEvents: bookEvents.statistics, .bookTop10: top10.statistics, .trades: tradeFile.statistics]
        return result
    }

    // MARK: Book

    /// A snapshot: the book is now exactly `bids` and `asks`.
    func recordSnapshot(receivedAt: Timestamp, exchangeTimeMs: Int64?, sequence: BookSequence, bids: [BookLevel], asks: [BookLevel]) {
        receiveSequence += 1
        book.replace(bids: bids.filter { !$0.size.isZero }, asks: asks.filter { !$0.size.isZero })
        bookValid = true
        lastSeq = sequence.seq
        lastNonce = sequence.nonce
        noteLag(receivedAt: receivedAt, exchangeTimeMs: exchangeTimeMs)
        statistics.bookMessages += 1
        if prepareBookEvents(at: receivedAt, writingSnapshot: true) {
            writeLevels(
                kind: .snapshot, receivedAt: receivedAt, exchangeTimeMs: exchangeTimeMs, sequence: sequence, bids: bids,
                asks: asks)
        }
        writeTop10(receivedAt: receivedAt, seq: sequence.seq)
    }

    /// An update: each level's size is now the given size (zero removes the level).
    ///
    /// Skipped (counted as a duplicate) when its `seq` (or, without one, its `nonce`) is not after
    /// the last recorded one.
    func recordUpdate(receivedAt: Timestamp, exchangeTimeMs: Int64?, sequence: BookSequence, bids: [BookLevel], asks: [BookLevel]) {
        if let seq = sequence.seq, let lastSeq, seq <= lastSeq {
            statistics.duplicateBookMessages += 1
            return
        }
        if sequence.seq == nil, let nonce = sequence.nonce, let lastNonce, nonce <= lastNonce {
            statistics.duplicateBookMessages += 1
            return
        }
        receiveSequence += 1
        var sequence = sequence
        if sequence.beginNonce == nil, sequence.nonce != nil { sequence.beginNonce = lastNonce }
        // A new part file starts with a checkpoint of the book before this message.
        let canWrite = prepareBookEvents(at: receivedAt, writingSnapshot: false)
        if let seq = sequence.seq { lastSeq = seq }
        if let nonce = sequence.nonce { lastNonce = nonce }
        for level in bids { book.apply(side: .buy, price: level.price, size: level.size) }
        for level in asks { book.apply(side: .sell, price: level.price, size: level.size) }
        noteLag(receivedAt: receivedAt, exchangeTimeMs: exchangeTimeMs)
        statistics.bookMessages += 1
        if canWrite {
            if bids.isEmpty && asks.isEmpty {
                writeEventRow(
                    kind: .empty, receivedAt: receivedAt, exchangeTimeMs: exchangeTimeMs, sequence: sequence, side: nil,
                    level: nil, isSnapshot: false, reason: nil)
            } else {
                writeLevels(
                    kind: .delta, receivedAt: receivedAt, exchangeTimeMs: exchangeTimeMs, sequence: sequence, bids: bids,
                    asks: asks)
            }
        }
        if bookValid { writeTop10(receivedAt: receivedAt, seq: sequence.seq) }
    }

    /// The venue discarded the book (gap, reconnect): writes a resync marker.
    func recordResync(receivedAt: Timestamp, reason: String) {
        receiveSequence += 1
        book.removeAll()
        bookValid = false
        lastSeq = nil
        lastNonce = nil
        statistics.gaps += 1
        logger.info("recorder: \(info.symbol): book resync (\(reason))")
        guard prepareBookEvents(at: receivedAt, writingSnapshot: true) else { return }
        writeEventRow(
            kind: .resync, receivedAt: receivedAt, exchangeTimeMs: nil, sequence: BookSequence(), side: nil, level: nil,
            isSnapshot: false, reason: reason)
    }

    /// Opens (or rotates) the `book_events` file for a message; writes the resync marker and
    /// checkpoint a new file needs. Returns whether rows can be written.
    private func prepareBookEvents(at time: Timestamp, writingSnapshot: Bool) -> Bool {
        switch bookEvents.prepare(at: time) {
        case .unavailable:
            bookEvents.drop(1)
            eventColumns = nil
            return false
        case .ready(let writer):
            if eventColumns?.writer !== writer { eventColumns = try? BookEventColumns(writer) }
            return eventColumns != nil
        case .opened(let writer, let afterLoss):
            eventColumns = try? BookEventColumns(writer)
            guard eventColumns != nil else { return false }
            if afterLoss {
                statistics.gaps += 1
                writeEventRow(
                    kind: .resync, receivedAt: time, exchangeTimeMs: nil, sequence: BookSequence(), side: nil, level: nil,
                    isSnapshot: false, reason: "rows lost while the file could not be written")
            }
            if bookValid && !writingSnapshot {
                // The book before this message, so the new part replays on its own.
                writeLevels(
                    kind: .checkpoint, receivedAt: time, exchangeTimeMs: nil, sequence: BookSequence(seq: lastSeq, nonce: lastNonce),
                    bids: book.bids.levels(), asks: book.asks.levels())
            }
            return eventColumns != nil
        }
    }

    private func writeLevels(
        kind: BookEventKind, receivedAt: Timestamp, exchangeTimeMs: Int64?, sequence: BookSequence, bids: [BookLevel],
        asks: [BookLevel]
    ) {
        let isSnapshot = kind == .snapshot || kind == .checkpoint
        if isSnapshot && bids.isEmpty && asks.isEmpty {
            writeEventRow(
                kind: kind, receivedAt: receivedAt, exchangeTimeMs: exchangeTimeMs, sequence: sequence, side: nil,
                level: nil, isSnapshot: true, reason: nil)
            return
        }
        for level in bids {
            writeEventRow(
                kind: kind, receivedAt: receivedAt, exchangeTimeMs: exchangeTimeMs, sequence: sequence, side: "bid",
                level: level, isSnapshot: isSnapshot, reason: nil)
        }
        for level in asks {
            writeEventRow(
                kind: kind, receivedAt: receivedAt, exchangeTimeMs: exchangeTimeMs, sequence: sequence, side: "ask",
                level: level, isSnapshot: isSnapshot, reason: nil)
        }
    }

    private func writeEventRow(
        kind: BookEventKind, receivedAt: Timestamp, exchangeTimeMs: Int64?, sequence: BookSequence, side: String?,
        level: BookLevel?, isSnapshot: Bool, reason: String?
    ) {
        guard let columns = eventColumns, bookEvents.writer === columns.writer else {
            eventColumns = nil
            bookEvents.drop(1)
            return
        }
        columns.ts.append(receivedAt.nanoseconds)
        columns.exchangeTs.append(exchangeTimeMs)
        columns.kind.append(kind.rawValue)
        columns.seq.append(sequence.seq)
        columns.nonce.append(sequence.nonce)
        columns.beginNonce.append(sequence.beginNonce)
        columns.firstUpdateID.append(sequence.firstUpdateID)
        columns.previousUpdateID.append(sequence.previousUpdateID)
        columns.side.append(side)
        columns.price.append(level.map { Double($0.price.ticks) / priceScale })
        columns.size.append(level.map { Double($0.size.lots) / sizeScale })
        columns.isSnapshot.append(isSnapshot)
        columns.reason.append(reason)
        columns.receiveSequence.append(receiveSequence)
        bookEvents.endRow(at: receivedAt)
    }

    private func writeTop10(receivedAt: Timestamp, seq: Int64?) {
        switch top10.prepare(at: receivedAt) {
        case .unavailable:
            top10.drop(1)
            top10Columns = nil
            return
        case .ready(let writer):
            if top10Columns?.writer !== writer { top10Columns = try? Top10Columns(writer) }
        case .opened(let writer, _):
            top10Columns = try? Top10Columns(writer)
        }
        guard let columns = top10Columns else { return }
        columns.ts.append(receivedAt.nanoseconds)
        columns.seq.append(seq)
        for depth in 0..<10 {
            let level = book.bids.level(at: depth)
            columns.bidPrice[depth].append(level.map { Double($0.price.ticks) / priceScale })
        }
        for depth in 0..<10 {
            columns.bidSize[depth].append(book.bids.level(at: depth).map { Double($0.size.lots) / sizeScale })
        }
        for depth in 0..<10 {
            columns.askPrice[depth].append(book.asks.level(at: depth).map { Double($0.price.ticks) / priceScale })
        }
        for depth in 0..<10 {
            columns.askSize[depth].append(book.asks.level(at: depth).map { Double($0.size.lots) / sizeScale })
        }
        if let bid = book.bestBid, let ask = book.bestAsk {
            columns.mid.append(Double(bid.price.ticks + ask.price.ticks) / 2 / priceScale)
            columns.spread.append(Double(ask.price.ticks - bid.price.ticks) / priceScale)
        } else {
            columns.mid.appendNull()
            columns.spread.appendNull()
        }
        top10.endRow(at: receivedAt)
    }

    // MARK: Trades

    /// A trade; skipped (counted) when its id was recorded already.
    func recordTrade(_ trade: Trade, isLiquidation: Bool?) {
        guard rememberTrade(trade.tradeID) else {
            statistics.duplicateTrades += 1
            return
        }
        statistics.trades += 1
        receiveSequence += 1
        noteLag(receivedAt: trade.receivedAt, exchangeTimeMs: trade.exchangeTimeMs)
        switch tradeFile.prepare(at: trade.receivedAt) {
        case .unavailable:
            tradeFile.drop(1)
            tradeColumns = nil
            return
        case .ready(let writer):
            if tradeColumns?.writer !== writer { tradeColumns = try? TradeColumns(writer) }
        case .opened(let writer, _):
            tradeColumns = try? TradeColumns(writer)
        }
        guard let columns = tradeColumns else { return }
        columns.ts.append(trade.receivedAt.nanoseconds)
        columns.exchangeTs.append(trade.exchangeTimeMs)
        columns.tradeID.append(trade.tradeID)
        columns.price.append(Double(trade.price.ticks) / priceScale)
        columns.size.append(Double(trade.size.lots) / sizeScale)
        columns.takerSide.append(trade.takerSide == .buy ? "buy" : "sell")
        columns.isLiquidation.append(isLiquidation)
        columns.receiveSequence.append(receiveSequence)
        tradeFile.endRow(at: trade.receivedAt)
    }

    /// Whether `id` is new (and remembers it; the oldest of the last ``tradeMemory`` ids are forgotten).
    func rememberTrade(_ id: Int64) -> Bool {
        guard recentTradeIDs.insert(id).inserted else { return false }
        if recentTradeOrder.count < tradeMemory {
            recentTradeOrder.append(id)
        } else {
            recentTradeIDs.remove(recentTradeOrder[recentTradeHead])
            recentTradeOrder[recentTradeHead] = id
            recentTradeHead = (recentTradeHead + 1) % tradeMemory
        }
        return true
    }

    /// Whether a trade id was recorded already.
    func hasRecordedTrade(_ id: Int64) -> Bool { recentTradeIDs.contains(id) }

    // MARK: Time

    /// Flushes row groups that are due and rotates files by age and date.
    func tick(at time: Timestamp) {
        bookEvents.flushIfDue(at: time)
        top10.flushIfDue(at: time)
        tradeFile.flushIfDue(at: time)
    }

    /// Closes every open file with a footer.
    func close() {
        bookEvents.close(reason: "stop")
        top10.close(reason: "stop")
        tradeFile.close(reason: "stop")
        eventColumns = nil
        top10Columns = nil
        tradeColumns = nil
    }

    private func noteLag(receivedAt: Timestamp, exchangeTimeMs: Int64?) {
        guard let exchangeTimeMs, exchangeTimeMs > 0 else { return }
        statistics.lastLag = receivedAt.nanoseconds - exchangeTimeMs * 1_000_000
    }
}

/// Column handles of an open `book_events` file.
private struct BookEventColumns {
    let writer: ParquetWriter
    let ts: ParquetColumnWriter<Int64>
    let exchangeTs: ParquetColumnWriter<Int64>
    let kind: ParquetColumnWriter<String>
    let seq: ParquetColumnWriter<Int64>
    let nonce: ParquetColumnWriter<Int64>
    let beginNonce: ParquetColumnWriter<Int64>
    let firstUpdateID: ParquetColumnWriter<Int64>
    let previousUpdateID: ParquetColumnWriter<Int64>
    let side: ParquetColumnWriter<String>
    let price: ParquetColumnWriter<Double>
    let size: ParquetColumnWriter<Double>
    let isSnapshot: ParquetColumnWriter<Bool>
    let reason: ParquetColumnWriter<String>
    let receiveSequence: ParquetColumnWriter<Int64>

    init(_ writer: ParquetWriter) throws {
        self.writer = writer
        ts = try writer.column(named: "ts_ns", as: Int64.self)
        exchangeTs = try writer.column(named: "exchange_ts_ms", as: Int64.self)
        kind = try writer.column(named: "kind", as: String.self)
        seq = try writer.column(named: "seq", as: Int64.self)
        nonce = try writer.column(named: "nonce", as: Int64.self)
        beginNonce = try writer.column(named: "begin_nonce", as: Int64.self)
        firstUpdateID = try writer.column(named: "first_update_id", as: Int64.self)
        previousUpdateID = try writer.column(named: "prev_update_id", as: Int64.self)
        side = try writer.column(named: "side", as: String.self)
        price = try writer.column(named: "price", as: Double.self)
        size = try writer.column(named: "size", as: Double.self)
        isSnapshot = try writer.column(named: "is_snapshot", as: Bool.self)
        reason = try writer.column(named: "reason", as: String.self)
        receiveSequence = try writer.column(named: "recv_seq", as: Int64.self)
    }
}

/// Column handles of an open `book_top10` file.
private struct Top10Columns {
    let writer: ParquetWriter
    let ts: ParquetColumnWriter<Int64>
    let seq: ParquetColumnWriter<Int64>
    let bidPrice: [ParquetColumnWriter<Double>]
    let bidSize: [ParquetColumnWriter<Double>]
    let askPrice: [ParquetColumnWriter<Double>]
    let askSize: [ParquetColumnWriter<Double>]
    let mid: ParquetColumnWriter<Double>
    let spread: ParquetColumnWriter<Double>

    init(_ writer: ParquetWriter) throws {
        self.writer = writer
        ts = try writer.column(named: "ts_ns", as: Int64.self)
        seq = try writer.column(named: "seq", as: Int64.self)
        bidPrice = try (0..<10).map { try writer.column(named: "bid_px_\($0)", as: Double.self) }
        bidSize = try (0..<10).map { try writer.column(named: "bid_sz_\($0)", as: Double.self) }
        askPrice = try (0..<10).map { try writer.column(named: "ask_px_\($0)", as: Double.self) }
        askSize = try (0..<10).map { try writer.column(named: "ask_sz_\($0)", as: Double.self) }
        mid = try writer.column(named: "mid", as: Double.self)
        spread = try writer.column(named: "spread", as: Double.self)
    }
}

/// Column handles of an open `trades` file.
private struct TradeColumns {
    let writer: ParquetWriter
    let ts: ParquetColumnWriter<Int64>
    let exchangeTs: ParquetColumnWriter<Int64>
    let tradeID: ParquetColumnWriter<Int64>
    let price: ParquetColumnWriter<Double>
    let size: ParquetColumnWriter<Double>
    let takerSide: ParquetColumnWriter<String>
    let isLiquidation: ParquetColumnWriter<Bool>
    let receiveSequence: ParquetColumnWriter<Int64>

    init(_ writer: ParquetWriter) throws {
        self.writer = writer
        ts = try writer.column(named: "ts_ns", as: Int64.self)
        exchangeTs = try writer.column(named: "exchange_ts_ms", as: Int64.self)
        tradeID = try writer.column(named: "trade_id", as: Int64.self)
        price = try writer.column(named: "price", as: Double.self)
        size = try writer.column(named: "size", as: Double.self)
        takerSide = try writer.column(named: "taker_side", as: String.self)
        isLiquidation = try writer.column(named: "is_liquidation", as: Bool.self)
        receiveSequence = try writer.column(named: "recv_seq", as: Int64.self)
    }
}
