import Foundation
import Logging
import MarketCore
import Parquet

/// How the recorder writes part files.
public struct RecorderOptions: Sendable, Hashable {
    /// The dataset root directory.
    public var root: String
    /// Buffered rows are written as a complete row group at least this often (ns); a crash loses
    /// at most this much data. Default 10 s.
    public var flushInterval: Int64 = 10_000_000_000
    /// A part file is closed and a new one started when it reaches about this many bytes.
    public var maxFileBytes: Int64 = 256 << 20
    /// A part file is closed and a new one started after this long (ns). Default 1 h.
    public var maxFileDuration: Int64 = 3_600_000_000_000
    /// After a write error (disk full, unwritable directory) the writer tries again after this long (ns).
    public var retryInterval: Int64 = 5_000_000_000
    /// ZSTD level of the pages.
    public var zstdLevel: Int32 = 3

    /// Options writing under `root`.
    public init(root: String) {
        self.root = root
    }
}

/// Counters of one table writer.
public struct TableWriterStatistics: Sendable, Hashable {
    /// Rows accepted into part files (flushed or buffered).
    public var rows: Int64 = 0
    /// Rows dropped because no file could be written (disk full, permissions).
    public var droppedRows: Int64 = 0
    /// Part files closed with a footer.
    public var filesClosed = 0
    /// Bytes of the closed part files.
    public var bytesClosed: Int64 = 0
    /// Bytes of the open part file (at its last row group).
    public var openFileBytes: Int64 = 0
    /// Write failures seen.
    public var writeErrors = 0
    /// The last write error, if any.
    public var lastError: String?

    /// Zero counters.
    public init() {}
}

/// Writes one table of one market as a sequence of part files: opens a file at the first row,
/// flushes row groups on time, rotates on size, age and UTC date, closes with a footer and renames
/// `.….parquet.inprogress` to `….parquet`. Write errors close the broken file (it is left as
/// `.inprogress` for `collect repair`), drop rows and retry after ``RecorderOptions/retryInterval``.
final class PartFileWriter {
    let table: RecordedTable
    let market: RecordedMarketInfo
    let options: RecorderOptions
    let logger: Logger
    let schema: ParquetSchema

    private(set) var writer: ParquetWriter?
    private var inProgressPath = ""
    private var finalPath = ""
    private var fileStart = Timestamp.epoch
    private var fileDay: Int64 = 0
    private var lastFlush = Timestamp.epoch
    private var retryAfter: Timestamp?
    /// Rows were dropped since the last open file: the next file must say so.
    private(set) var lostRowsSinceOpen = false
    private(set) var statistics = TableWriterStatistics()
    /// Failures since the last successful open (the first and every 60th are logged as errors).
    private var consecutiveFailures = 0

    init(table: RecordedTable, market: RecordedMarketInfo, options: RecorderOptions, logger: Logger) {
        self.table = table
        self.market = market
        self.options = options
        self.logger = logger
        self.schema = DatasetLayout.schema(table)
    }

    /// What ``prepare(at:)`` found.
    enum Readiness {
        /// A file is open and was already open.
        case ready(ParquetWriter)
        /// A new file was just opened; `afterLoss` when rows were dropped before it.
        case opened(ParquetWriter, afterLoss: Bool)
        /// No file can be written now; drop the row(s).
        case unavailable
    }

    /// Makes sure a file that may take rows received at `time` is open (rotating first if the
    /// open file is too old, too big or of another UTC day).
    func prepare(at time: Timestamp) -> Readiness {
        if let writer {
            if Self.day(time) != fileDay || time - fileStart >= options.maxFileDuration
                || statistics.openFileBytes + Int64(writer.bufferedBytes) / 4 >= options.maxFileBytes
            {
                close(reason: "rotation")
            } else {
                return .ready(writer)
            }
        }
        if let retryAfter, time < retryAfter { return .unavailable }
        retryAfter = nil
        let directory = DatasetLayout.partitionDirectory(
            root: options.root, venue: market.venue, table: table, symbol: market.symbol, day: time)
        let name = DatasetLayout.partFileName(start: time)
        let path = "\(directory)/\(DatasetLayout.inProgressName(of: name))"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            fail("cannot create directory \(directory): \(Self.reason(creating: directory, error))", at: time)
            return .unavailable
        }
        var writerOptions = ParquetWriter.Options()
        writerOptions.compression = .zstd(level: options.zstdLevel)
        do {
            let writer = try ParquetWriter(
                path: path, schema: schema, keyValueMetadata: DatasetLayout.metadata(table, market: market),
                options: writerOptions)
            self.writer = writer
            inProgressPath = path
            finalPath = "\(directory)/\(name)"
            fileStart = time
            fileDay = Self.day(time)
            lastFlush = time
            statistics.openFileBytes = 0
            let afterLoss = lostRowsSinceOpen
            lostRowsSinceOpen = false
            if afterLoss {
                logger.notice(
                    "recorder: \(market.symbol) \(table): writing again to \(path) after \(consecutiveFailures) failed attempt(s); \(statistics.droppedRows) row(s) dropped so far"
                )
            }
            consecutiveFailures = 0
            return .opened(writer, afterLoss: afterLoss)
        } catch {
            // A failed create (e.g. the header did not fit on a full disk) must not leave a file
            // behind for every retry; the name is this attempt's own unless it existed already.
            if (error as? ParquetError)?.errorNumber != EEXIST { try? FileManager.default.removeItem(atPath: path) }
            fail("cannot create \(path): \(error)", at: time)
            return .unavailable
        }
    }

    /// Counts rows that could not be written.
    func drop(_ rows: Int) {
        statistics.droppedRows += Int64(rows)
        lostRowsSinceOpen = true
    }

    /// Ends a row of the open file.
    func endRow(at time: Timestamp) {
        guard let writer else { return }
        do {
            try writer.endRow()
            statistics.rows += 1
        } catch {
            statistics.droppedRows += 1
            fail("writing \(inProgressPath): \(error)", at: time)
        }
    }

    /// Writes the buffered rows as a row group when the flush interval has passed.
    func flushIfDue(at time: Timestamp) {
        guard let writer else { return }
        if Self.day(time) != fileDay || time - fileStart >= options.maxFileDuration {
            close(reason: "rotation")
            return
        }
        guard writer.bufferedRowCount > 0, time - lastFlush >= options.flushInterval else { return }
        flush(at: time)
    }

    private func flush(at time: Timestamp) {
        guard let writer else { return }
        do {
            try writer.flushRowGroup()
            lastFlush = time
            if let attributes = try? FileManager.default.attributesOfItem(atPath: inProgressPath),
                let size = attributes[.size] as? NSNumber
            {
                statistics.openFileBytes = size.int64Value
            }
        } catch {
            fail("writing a row group to \(inProgressPath): \(error)", at: time)
        }
    }

    /// Closes the open file with a footer and gives it its final name.
    func close(reason: String) {
        guard let writer else { return }
        self.writer = nil
        do {
            let summary = try writer.close()
            try FileManager.default.moveItem(atPath: inProgressPath, toPath: finalPath)
            statistics.filesClosed += 1
            statistics.bytesClosed += summary.fileSize
            statistics.openFileBytes = 0
            logger.debug("recorder: closed \(finalPath) (\(summary.rowCount) rows, \(reason))")
        } catch {
            statistics.writeErrors += 1
            statistics.lastError = "closing \(inProgressPath): \(error)"
            statistics.openFileBytes = 0
            lostRowsSinceOpen = true
            logger.error(
                "recorder: cannot close \(inProgressPath): \(error); it stays in progress (`lighter-mm collect repair` recovers its complete row groups)"
            )
        }
    }

    private func fail(_ message: String, at time: Timestamp) {
        statistics.writeErrors += 1
        statistics.lastError = message
        lostRowsSinceOpen = true
        retryAfter = time + options.retryInterval
        if let writer {
            // The writer refuses further writes after an I/O error; its file keeps its complete row
            // groups and stays `.inprogress` for `collect repair`.
            _ = writer
            self.writer = nil
            statistics.openFileBytes = 0
        }
        consecutiveFailures += 1
        let text =
            "recorder: \(market.symbol) \(table): \(message); rows are dropped until writing works again (retry every \(Double(options.retryInterval) / 1e9) s)"
        if consecutiveFailures == 1 || consecutiveFailures % 60 == 0 {
            logger.error("\(text)")
        } else {
            logger.debug("\(text)")
        }
    }

    /// Why `directory` could not be created, in words: a path component that is a file, or the
    /// system's error text (e.g. `Permission denied`, `No space left on device`).
    static func reason(creating directory: String, _ error: any Error) -> String {
        let manager = FileManager.default
        var ancestor = directory
        while !ancestor.isEmpty, ancestor != "/" {
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: ancestor, isDirectory: &isDirectory) {
                if !isDirectory.boolValue { return "\(ancestor) exists and is not a directory" }
                break
            }
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        return nsError.localizedDescription
    }

    /// The UTC day number of `time`.
    static func day(_ time: Timestamp) -> Int64 { time.nanoseconds.dividedRoundingDown(by: 86_400_000_000_000) }
}
