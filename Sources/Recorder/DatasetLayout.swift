import Foundation
import MarketCore
import Parquet

/// The tables of a recorded dataset.
public enum RecordedTable: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Every level change as received, with snapshots and resync markers: the replay source.
    case bookEvents = "book_events"
    /// The top 10 levels of each side after every book message (analysis convenience).
    case bookTop10 = "book_top10"
    /// Public trades.
    case trades = "trades"

    /// The directory name, e.g. `book_events`.
    public var description: String { rawValue }
}

/// What a `book_events` row is (its `kind` column).
public enum BookEventKind: String, Sendable, Hashable, CaseIterable {
    /// One level of an exchange snapshot; the rows of one snapshot share `ts_ns` and `seq` and
    /// together replace the book. A snapshot of an empty book is one row with null side/price/size.
    case snapshot
    /// One level of the book as the recorder held it when a new part file began (each part
    /// starts with one, so a part can be replayed on its own); replaces the book like a snapshot.
    case checkpoint
    /// One level change of an update: the size at `price` on `side` is now `size` (0 removes it).
    case delta
    /// An update that changed no level (kept so the sequence chain stays visible).
    case empty
    /// The book was discarded (sequence gap, reconnect, lost rows): it is unknown until the next
    /// `snapshot` or `checkpoint`. `reason` says why.
    case resync
}

/// The identity of a recorded market: venue, symbol and decimals (written to every file's
/// key-value metadata).
public struct RecordedMarketInfo: Sendable, Hashable {
    /// `lighter` or `binance`.
    public var venue: String
    /// The symbol used in the `market=` partition, e.g. `ETH` or `ETHUSDT`.
    public var symbol: String
    /// The venue's market index (Lighter), or `nil`.
    public var marketID: Int?
    /// Decimals of prices (a price in ticks is `price × 10^priceDecimals`).
    public var priceDecimals: Int
    /// Decimals of sizes.
    public var sizeDecimals: Int

    /// A market.
    public init(venue: String, symbol: String, marketID: Int?, priceDecimals: Int, sizeDecimals: Int) {
        self.venue = venue
        self.symbol = symbol
        self.marketID = marketID
        self.priceDecimals = priceDecimals
        self.sizeDecimals = sizeDecimals
    }

    /// A Lighter market from its spec.
    public init(lighter spec: MarketSpec) {
        self.init(
            venue: "lighter", symbol: spec.symbol, marketID: spec.marketID, priceDecimals: spec.priceDecimals,
            sizeDecimals: spec.sizeDecimals)
    }
}

/// Paths, schemas and metadata of the recorded dataset (``schema(_:)`` lists the columns;
/// `recv_seq` in `book_events` and `trades` numbers the messages of one market in the order they
/// were received, across both tables, so a replay can order rows with equal `ts_ns`):
/// `<root>/<venue>/<table>/market=<SYMBOL>/date=<YYYY-MM-DD>/part-<start-ts>.parquet`.
///
/// A part file is written as `.part-<start-ts>.parquet.inprogress` and renamed when its footer
/// is written, so readers only ever see complete files: globs of `**/*.parquet` (DuckDB, polars)
/// do not match the suffix, and directory readers (pyarrow datasets, Spark) skip names starting
/// with `.`. `<start-ts>` is the receive time (ns since the epoch, UTC) of the file's first row.
public enum DatasetLayout {
    /// Version of the table schemas, in every file's `schema_version` metadata.
    public static let schemaVersion = 1
    /// Suffix of a part file being written.
    public static let inProgressSuffix = ".inprogress"
    /// Suffix given by `collect repair` to an unrecoverable in-progress file.
    public static let discardedSuffix = ".discarded"

    /// The directory of one market's partition of a table on one UTC day.
    public static func partitionDirectory(root: String, venue: String, table: RecordedTable, symbol: String, day: Timestamp)
        -> String
    {
        "\(marketDirectory(root: root, venue: venue, table: table, symbol: symbol))/date=\(dateString(day))"
    }

    /// `<root>/<venue>/<table>/market=<SYMBOL>`.
    public static func marketDirectory(root: String, venue: String, table: RecordedTable, symbol: String) -> String {
        "\(root)/\(venue)/\(table.rawValue)/market=\(symbol)"
    }

    /// `part-<start-ns>.parquet`.
    public static func partFileName(start: Timestamp) -> String {
        "part-\(start.nanoseconds).parquet"
    }

    /// `.part-<start-ns>.parquet.inprogress`: the name of a part file while it is written.
    public static func inProgressName(of partFileName: String) -> String {
        "." + partFileName + inProgressSuffix
    }

    /// The final name of an in-progress (or discarded) file name, or nil if it is not one.
    public static func finalName(ofInProgress name: String) -> String? {
        guard name.hasPrefix("."), name.hasSuffix(".parquet" + inProgressSuffix) else { return nil }
        return String(name.dropFirst().dropLast(inProgressSuffix.count))
    }

    /// `YYYY-MM-DD` of the UTC day containing `time`.
    public static func dateString(_ time: Timestamp) -> String {
        let days = time.nanoseconds.dividedRoundingDown(by: 86_400_000_000_000)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
    static func civilDate(daysSinceEpoch days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The schema of `table`. Prices and sizes are float64 decimal values (ticks / 10^decimals);
    /// times are UTC timestamps.
    ///
    /// - `book_events`: `ts_ns` (receive time, ns), `exchange_ts_ms`, `kind` (``BookEventKind``),
    ///   `seq` (Lighter offset; Binance `u`, or `lastUpdateId` for a snapshot), `nonce` and
    ///   `begin_nonce` (Lighter), `first_update_id` (`U`) and `prev_update_id` (`pu`) (Binance),
    ///   `side` (`bid`/`ask`), `price`, `size` (the new total at the price; 0 removes the level),
    ///   `is_snapshot`, `reason` (of a resync), `recv_seq`.
    /// - `book_top10`: `ts_ns`, `seq`, `bid_px_0…9`, `bid_sz_0…9`, `ask_px_0…9`, `ask_sz_0…9`
    ///   (null past the book's depth), `mid`, `spread` (null unless both sides exist); one row after
    ///   every snapshot and every update applied to a valid book.
    /// - `trades`: `ts_ns`, `exchange_ts_ms`, `trade_id`, `price`, `size`, `taker_side`
    ///   (`buy`/`sell`), `is_liquidation`, `recv_seq`.
    public static func schema(_ table: RecordedTable) -> ParquetSchema {
        switch table {
        case .bookEvents:
            ParquetSchema([
                .timestamp("ts_ns", unit: .nanoseconds, encoding: .deltaBinaryPacked),
                .timestamp("exchange_ts_ms", unit: .milliseconds, optional: true),
                .string("kind", encoding: .dictionary),
                .int64("seq", optional: true),
                .int64("nonce", optional: true),
                .int64("begin_nonce", optional: true),
                .int64("first_update_id", optional: true),
                .int64("prev_update_id", optional: true),
                .string("side", optional: true, encoding: .dictionary),
                .double("price", optional: true),
                .double("size", optional: true),
                .boolean("is_snapshot"),
                .string("reason", optional: true),
                .int64("recv_seq", encoding: .deltaBinaryPacked),
            ])
        case .bookTop10:
            ParquetSchema(
                [.timestamp("ts_ns", unit: .nanoseconds, encoding: .deltaBinaryPacked), .int64("seq", optional: true)]
                    + (0..<10).map { ParquetColumn.double("bid_px_\($0)", optional: true) }
                    + (0..<10).map { ParquetColumn.double("bid_sz_\($0)", optional: true) }
                    + (0..<10).map { ParquetColumn.double("ask_px_\($0)", optional: true) }
                    + (0..<10).map { ParquetColumn.double("ask_sz_\($0)", optional: true) }
                    + [.double("mid", optional: true), .double("spread", optional: true)])
        case .trades:
            ParquetSchema([
                .timestamp("ts_ns", unit: .nanoseconds, encoding: .deltaBinaryPacked),
                .timestamp("exchange_ts_ms", unit: .milliseconds, optional: true),
                .int64("trade_id"),
                .double("price"),
                .double("size"),
                .string("taker_side", encoding: .dictionary),
                .boolean("is_liquidation", optional: true),
                .int64("recv_seq", encoding: .deltaBinaryPacked),
            ])
        }
    }

    /// The key-value metadata of a part file of `table` for `market`.
    public static func metadata(_ table: RecordedTable, market: RecordedMarketInfo) -> [(key: String, value: String)] {
        var entries: [(key: String, value: String)] = [
            ("schema_version", String(schemaVersion)),
            ("venue", market.venue),
            ("table", table.rawValue),
            ("symbol", market.symbol),
            ("price_decimals", String(market.priceDecimals)),
            ("size_decimals", String(market.sizeDecimals)),
        ]
        if let id = market.marketID { entries.append(("market_id", String(id))) }
        return entries
    }

    /// Reads the market identity back from a file's metadata; nil if a key is missing.
    public static func marketInfo(fromMetadata metadata: [(key: String, value: String)]) -> RecordedMarketInfo? {
        func value(_ key: String) -> String? { metadata.first { $0.key == key }?.value }
        guard let venue = value("venue"), let symbol = value("symbol"),
            let priceDecimals = value("price_decimals").flatMap({ Int($0) }),
            let sizeDecimals = value("size_decimals").flatMap({ Int($0) })
        else { return nil }
        return RecordedMarketInfo(
            venue: venue, symbol: symbol, marketID: value("market_id").flatMap { Int($0) }, priceDecimals: priceDecimals,
            sizeDecimals: sizeDecimals)
    }

    /// The complete part files (`*.parquet`) under a market directory of a table, sorted by
    /// start time (file name), with their start times.
    public static func partFiles(root: String, venue: String, table: RecordedTable, symbol: String) -> [(path: String, start: Int64)] {
        let directory = marketDirectory(root: root, venue: venue, table: table, symbol: symbol)
        var files: [(String, Int64)] = []
        let manager = FileManager.default
        guard let days = try? manager.contentsOfDirectory(atPath: directory) else { return [] }
        for day in days where day.hasPrefix("date=") {
            guard let names = try? manager.contentsOfDirectory(atPath: "\(directory)/\(day)") else { continue }
            for name in names where name.hasPrefix("part-") && name.hasSuffix(".parquet") {
                guard let start = Int64(name.dropFirst(5).dropLast(8)) else { continue }
                files.append(("\(directory)/\(day)/\(name)", start))
            }
        }
        return files.sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
    }
}
