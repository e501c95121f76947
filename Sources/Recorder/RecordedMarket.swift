import MarketCore
import Parquet

/// Replays a recorded market: the `book_events` and `trades` of one market of a dataset, in
/// receive-time order, as ``MarketCore/MarketEvent``s (a `MarketEventSource` for backtests).
///
/// - Snapshot and checkpoint rows of one message become one ``MarketCore/BookSnapshot``; delta
///   rows become ``MarketCore/BookDelta``s; a resync marker becomes an empty snapshot (the book is
///   unknown until the next snapshot); `empty` rows are skipped.
/// - Book and trade rows are merged by `ts_ns`, then `recv_seq` (the order the recorder received
///   the messages in); without `recv_seq`, trades come first on equal times. Rows of one table
///   keep their file order (stable).
/// - With `from`, the book rows before `from` are folded into one snapshot at `from` (reading
///   starts at the last part file that began at or before `from`; every part begins with a
///   checkpoint of the book). Rows after `to` are not read.
///
/// Files are read one row group at a time.
///
/// ```swift
/// var market = try RecordedMarket(root: "data", market: "ETH", from: start, to: end)
/// while let event = market.nextEvent() { … }
/// if let error = market.readError { print(error) }
/// ```
public struct RecordedMarket {
    /// The market (symbol, id and decimals from the files' metadata, or the spec given).
    public let spec: MarketSpec
    /// The recorded identity of the market.
    public let info: RecordedMarketInfo
    private let state: ReplayState

    /// Opens the recorded market `market` of `venue` under `root`.
    ///
    /// - Parameters:
    ///   - root: the dataset root.
    ///   - venue: `lighter` (default) or `binance`.
    ///   - market: the `market=` partition value, e.g. `ETH`.
    ///   - from: first receive time to replay (inclusive), or nil for the beginning.
    ///   - to: last receive time to replay (inclusive), or nil for the end.
    ///   - spec: the market's spec (minimums, tick); its decimals must match the recording. When nil,
    ///     a spec with the recorded decimals and no minimums is used.
    /// - Throws: ``RecordedDataError`` if there are no book files, the metadata lacks the decimals,
    ///   or `spec`'s decimals differ.
    public init(
        root: String, venue: String = "lighter", market: String, from: Timestamp? = nil, to: Timestamp? = nil,
        spec: MarketSpec? = nil
    ) throws {
        let bookFiles = DatasetLayout.partFiles(root: root, venue: venue, table: .bookEvents, symbol: market)
        guard let first = bookFiles.first else {
            throw RecordedDataError(
                "no book_events part files under \(DatasetLayout.marketDirectory(root: root, venue: venue, table: .bookEvents, symbol: market))"
            )
        }
        let reader: ParquetReader
        do { reader = try ParquetReader(path: first.path) } catch { throw RecordedDataError("\(first.path): \(error)") }
        guard let info = DatasetLayout.marketInfo(fromMetadata: reader.keyValueMetadata) else {
            throw RecordedDataError("\(first.path): key-value metadata lacks venue/symbol/price_decimals/size_decimals")
        }
        if let spec {
            guard spec.priceDecimals == info.priceDecimals, spec.sizeDecimals == info.sizeDecimals else {
                throw RecordedDataError(
                    "\(market): the spec has price/size decimals \(spec.priceDecimals)/\(spec.sizeDecimals), the recording \(info.priceDecimals)/\(info.sizeDecimals)"
                )
            }
            self.spec = spec
        } else {
            do {
                self.spec = try MarketSpec(
                    symbol: info.symbol, marketID: info.marketID ?? 0, priceDecimals: info.priceDecimals,
                    sizeDecimals: info.sizeDecimals)
            } catch {
                throw RecordedDataError("\(first.path): \(error)")
            }
        }
        self.info = info
        let tradeFiles = DatasetLayout.partFiles(root: root, venue: venue, table: .trades, symbol: market)
        state = ReplayState(
            bookFiles: Self.select(bookFiles, from: from, to: to), tradeFiles: Self.select(tradeFiles, from: from, to: to),
            from: from?.nanoseconds, to: to?.nanoseconds, priceDecimals: info.priceDecimals, sizeDecimals: info.sizeDecimals)
    }

    /// The files that can hold rows in [from, to]: from the last one starting at or before `from`.
    static func select(_ files: [(path: String, start: Int64)], from: Timestamp?, to: Timestamp?) -> [String] {
        var chosen = files
        if let to { chosen = chosen.filter { $0.start <= to.nanoseconds } }
        if let from, let last = chosen.lastIndex(where: { $0.start <= from.nanoseconds }) {
            chosen = Array(chosen[last...])
        }
        return chosen.map(\.path)
    }

    /// The next event, or nil at the end of the window (or after a read error, see ``readError``).
    public mutating func nextEvent() -> MarketEvent? {
        state.next()
    }

    /// Why the replay stopped early, if it did (a file could not be read).
    public var readError: RecordedDataError? { state.error }
}

/// The mutable replay state (a class so ``RecordedMarket`` stays a cheap value).
final class ReplayState {
    private var books: RowGroupCursor<BookEventRow>
    private var trades: RowGroupCursor<TradeRow>
    private let from: Int64?
    private let to: Int64?
    private let priceScale: Double
    private let sizeScale: Double
    private var pendingBook: (event: MarketEvent, order: Int64?)?
    private var pendingTrade: (event: MarketEvent, order: Int64?)?
    private var startSnapshot: MarketEvent?
    private var started = false
    private var booksDone = false
    private var tradesDone = false
    private(set) var error: RecordedDataError?

    init(bookFiles: [String], tradeFiles: [String], from: Int64?, to: Int64?, priceDecimals: Int, sizeDecimals: Int) {
        books = RowGroupCursor(files: bookFiles, decode: RowDecoding.bookEvents)
        trades = RowGroupCursor(files: tradeFiles, decode: RowDecoding.trades)
        self.from = from
        self.to = to
        priceScale = Double(FixedPoint.powersOfTen[priceDecimals])
        sizeScale = Double(FixedPoint.powersOfTen[sizeDecimals])
    }

    func next() -> MarketEvent? {
        do {
            if !started {
                started = true
                try foldBeforeStart()
                if let startSnapshot {
                    self.startSnapshot = nil
                    return startSnapshot
                }
            }
            if pendingBook == nil { pendingBook = try nextBook() }
            if pendingTrade == nil { pendingTrade = try nextTrade() }
            switch (pendingBook, pendingTrade) {
            case (nil, nil):
                return nil
            case (let book?, nil):
                pendingBook = nil
                return book.event
            case (nil, let trade?):
                pendingTrade = nil
                return trade.event
            case (let book?, let trade?):
                let bookTime = book.event.receivedAt
                let tradeTime = trade.event.receivedAt
                let bookFirst: Bool
                if bookTime != tradeTime {
                    bookFirst = bookTime < tradeTime
                } else if let bookOrder = book.order, let tradeOrder = trade.order {
                    bookFirst = bookOrder < tradeOrder
                } else {
                    bookFirst = false
                }
                if bookFirst {
                    pendingBook = nil
                    return book.event
                }
                pendingTrade = nil
                return trade.event
            }
        } catch let failure as RecordedDataError {
            error = failure
        } catch {
            self.error = RecordedDataError("\(error)")
        }
        return nil
    }

    /// Applies the book rows before `from` to a book and keeps it as the opening snapshot.
    private func foldBeforeStart() throws {
        guard let from else { return }
        var book = OrderBook()
        var sawBook = false
        var lastTs: Int64 = 0
        while let row = try books.peek(), row.ts < from {
            guard let event = try nextBook(ignoringWindow: true)?.event else { break }
            book.apply(event)
            sawBook = true
            lastTs = max(lastTs, row.ts)
        }
        while let row = try trades.peek(), row.ts < from { _ = try trades.next() }
        if sawBook {
            startSnapshot = .bookSnapshot(
                BookSnapshot(
                    receivedAt: Timestamp(nanoseconds: from), exchangeTimeMs: lastTs / 1_000_000, sequence: 0,
                    bids: book.bids.levels(), asks: book.asks.levels()))
        }
    }

    private func ticks(_ value: Double?) -> Price { Price(ticks: Int64(((value ?? 0) * priceScale).rounded())) }
    private func lots(_ value: Double?) -> Quantity { Quantity(lots: Int64(((value ?? 0) * sizeScale).rounded())) }

    /// The next book event of the window.
    private func nextBook(ignoringWindow: Bool = false) throws -> (event: MarketEvent, order: Int64?)? {
        guard !booksDone else { return nil }
        while let row = try books.next() {
            if !ignoringWindow, let to, row.ts > to {
                booksDone = true
                return nil
            }
            let receivedAt = Timestamp(nanoseconds: row.ts)
            switch row.kind {
            case .empty:
                continue
            case .resync:
                return (
                    .bookSnapshot(
                        BookSnapshot(
                            receivedAt: receivedAt, exchangeTimeMs: row.exchangeTs ?? 0, sequence: row.seq ?? 0, bids: [], asks: [])),
                    row.receiveSequence
                )
            case .delta:
                guard let side = row.side else { continue }
                return (
                    .bookDelta(
                        BookDelta(
                            receivedAt: receivedAt, exchangeTimeMs: row.exchangeTs ?? 0, sequence: row.seq ?? 0, side: side,
                            price: ticks(row.price), size: lots(row.size))),
                    row.receiveSequence
                )
            case .snapshot, .checkpoint:
                var bids: [BookLevel] = []
                var asks: [BookLevel] = []
                var current = row
                while true {
                    if let side = current.side {
                        let level = BookLevel(price: ticks(current.price), size: lots(current.size))
                        if side == .buy { bids.append(level) } else { asks.append(level) }
                    }
                    guard let following = try books.peek(), following.sameMessage(as: row) else { break }
                    current = following
                    _ = try books.next()
                }
                return (
                    .bookSnapshot(
                        BookSnapshot(
                            receivedAt: receivedAt, exchangeTimeMs: row.exchangeTs ?? 0, sequence: row.seq ?? 0, bids: bids,
                            asks: asks)),
                    row.receiveSequence
                )
            }
        }
        return nil
    }

    private func nextTrade() throws -> (event: MarketEvent, order: Int64?)? {
        guard !tradesDone, let row = try trades.next() else { return nil }
        if let to, row.ts > to {
            tradesDone = true
            return nil
        }
        return (
            .trade(
                Trade(
                    receivedAt: Timestamp(nanoseconds: row.ts), exchangeTimeMs: row.exchangeTs ?? 0, tradeID: row.tradeID,
                    price: ticks(row.price), size: lots(row.size), takerSide: row.takerSide)),
            row.receiveSequence
        )
    }
}
