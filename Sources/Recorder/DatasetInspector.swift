import Foundation
import MarketCore
import Parquet

/// What `lighter-mm data inspect` reports: per venue, table and market, the files, rows, time
/// range and gaps of a dataset.
public enum DatasetInspector {
    /// One venue/table/market partition.
    public struct Entry: Sendable, Hashable {
        /// `lighter` or `binance`.
        public var venue: String
        /// The table.
        public var table: RecordedTable
        /// The `market=` value.
        public var market: String
        /// Complete part files.
        public var files = 0
        /// Files still `.inprogress` (being written, or left by a crash: run `collect repair`).
        public var inProgressFiles = 0
        /// Files `collect repair` discarded.
        public var discardedFiles = 0
        /// Bytes of the complete files.
        public var bytes: Int64 = 0
        /// Rows of the complete files.
        public var rows: Int64 = 0
        /// Row groups of the complete files.
        public var rowGroups = 0
        /// Smallest `ts_ns`.
        public var firstTs: Int64?
        /// Largest `ts_ns`.
        public var lastTs: Int64?
        /// UTC dates (partitions).
        public var dates: [String] = []
        /// `book_events`: resync markers (the venue or the recorder discarded the book).
        public var resyncMarkers = 0
        /// `book_events`: updates whose sequence does not continue the previous message's
        /// (Lighter `begin_nonce` ≠ previous `nonce`; Binance `pu` ≠ previous `u`) without a resync
        /// marker or snapshot between them.
        public var sequenceGaps = 0
        /// `book_events`: messages (snapshots, checkpoints, updates).
        public var messages: Int64 = 0
        /// `trades`: trade ids seen more than once.
        public var duplicateTradeIDs = 0
        /// Files that could not be read, with the reason.
        public var unreadable: [String] = []

        /// An empty entry.
        public init(venue: String, table: RecordedTable, market: String) {
            self.venue = venue
            self.table = table
            self.market = market
        }
    }

    /// Scans every venue/table/market under `root`.
    ///
    /// - Throws: ``RecordedDataError`` if `root` is not a readable directory.
    public static func inspect(root: String) throws -> [Entry] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RecordedDataError("\(root) is not a directory")
        }
        var entries: [Entry] = []
        for venue in ((try? manager.contentsOfDirectory(atPath: root)) ?? []).sorted() {
            for table in RecordedTable.allCases {
                let tableDirectory = "\(root)/\(venue)/\(table.rawValue)"
                guard let markets = try? manager.contentsOfDirectory(atPath: tableDirectory) else { continue }
                for marketDirectory in markets.sorted() where marketDirectory.hasPrefix("market=") {
                    let market = String(marketDirectory.dropFirst("market=".count))
                    entries.append(inspect(root: root, venue: venue, table: table, market: market))
                }
            }
        }
        return entries
    }

    /// Scans one partition.
    public static func inspect(root: String, venue: String, table: RecordedTable, market: String) -> Entry {
        var entry = Entry(venue: venue, table: table, market: market)
        let manager = FileManager.default
        let directory = DatasetLayout.marketDirectory(root: root, venue: venue, table: table, symbol: market)
        for day in ((try? manager.contentsOfDirectory(atPath: directory)) ?? []).sorted() where day.hasPrefix("date=") {
            entry.dates.append(String(day.dropFirst(5)))
            for name in (try? manager.contentsOfDirectory(atPath: "\(directory)/\(day)")) ?? [] {
                if name.hasSuffix(DatasetLayout.inProgressSuffix) { entry.inProgressFiles += 1 }
                if name.hasSuffix(DatasetLayout.discardedSuffix) { entry.discardedFiles += 1 }
            }
        }
        var gaps = GapTracker()
        var tradeIDs = Set<Int64>()
        for file in DatasetLayout.partFiles(root: root, venue: venue, table: table, symbol: market) {
            do {
                let reader = try ParquetReader(path: file.path)
                entry.files += 1
                entry.rows += reader.rowCount
                entry.rowGroups += reader.rowGroupCount
                if let size = (try? manager.attributesOfItem(atPath: file.path))?[.size] as? NSNumber {
                    entry.bytes += size.int64Value
                }
                for group in 0..<reader.rowGroupCount {
                    let ts = try reader.readColumn(named: "ts_ns", rowGroup: group).values(as: Int64.self)
                    if let low = ts.min() { entry.firstTs = min(entry.firstTs ?? low, low) }
                    if let high = ts.max() { entry.lastTs = max(entry.lastTs ?? high, high) }
                    switch table {
                    case .bookEvents:
                        for row in try RowDecoding.bookEvents(reader, group) { gaps.add(row, into: &entry) }
                    case .trades:
                        for id in try reader.readColumn(named: "trade_id", rowGroup: group).values(as: Int64.self)
                        where !tradeIDs.insert(id).inserted {
                            entry.duplicateTradeIDs += 1
                        }
                    case .bookTop10:
                        break
                    }
                }
            } catch {
                entry.unreadable.append("\(file.path): \(error)")
            }
        }
        return entry
    }

    /// Follows the sequence chain of `book_events` messages.
    struct GapTracker {
        var previous: BookEventRow?
        var lastNonce: Int64?
        var lastUpdateID: Int64?

        mutating func add(_ row: BookEventRow, into entry: inout Entry) {
            defer { previous = row }
            if let previous, row.sameMessage(as: previous) { return }
            switch row.kind {
            case .resync:
                entry.resyncMarkers += 1
                lastNonce = nil
                lastUpdateID = nil
            case .snapshot, .checkpoint:
                entry.messages += 1
                lastNonce = row.nonce
                lastUpdateID = nil
            case .delta, .empty:
                entry.messages += 1
                if let begin = row.beginNonce, let lastNonce, begin != lastNonce { entry.sequenceGaps += 1 }
                if let previousID = row.previousUpdateID, let lastUpdateID, previousID != lastUpdateID {
                    entry.sequenceGaps += 1
                }
                lastNonce = row.nonce ?? lastNonce
                lastUpdateID = row.seq ?? lastUpdateID
            }
        }
    }

    /// The report as text: one block per venue/table/market.
    public static func report(_ entries: [Entry]) -> String {
        guard !entries.isEmpty else { return "no recorded data found\n" }
        var text = ""
        for entry in entries {
            text += "\(entry.venue)/\(entry.table)/market=\(entry.market)\n"
            text += "  files: \(entry.files) (\(DatasetRecorder.formatBytes(entry.bytes)), \(entry.rowGroups) row groups)"
            if entry.inProgressFiles > 0 { text += ", \(entry.inProgressFiles) in progress" }
            if entry.discardedFiles > 0 { text += ", \(entry.discardedFiles) discarded" }
            text += "\n  rows: \(entry.rows)\n"
            if let first = entry.firstTs, let last = entry.lastTs {
                text += "  time: \(isoTime(first)) .. \(isoTime(last)) (\(String(format: "%.1f", Double(last - first) / 1e9)) s)\n"
            }
            if !entry.dates.isEmpty { text += "  dates: \(entry.dates.joined(separator: ", "))\n" }
            switch entry.table {
            case .bookEvents:
                text += "  messages: \(entry.messages), resync markers: \(entry.resyncMarkers), sequence gaps: \(entry.sequenceGaps)\n"
            case .trades:
                text += "  duplicate trade ids: \(entry.duplicateTradeIDs)\n"
            case .bookTop10:
                break
            }
            for problem in entry.unreadable { text += "  UNREADABLE \(problem)\n" }
        }
        return text
    }

    /// `2026-11-21T16:40:00.123Z`.
    static func isoTime(_ nanoseconds: Int64) -> String {
        let milliseconds = nanoseconds.dividedRoundingDown(by: 1_000_000)
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
