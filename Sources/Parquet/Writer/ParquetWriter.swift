/// Writes a flat Parquet file, one row group at a time, so that a crash loses at most the row
/// group being written.
///
/// Rows are buffered column-wise in typed arrays. A row group is encoded (dictionary or PLAIN,
/// ZSTD-compressed pages with statistics) and written with one sequence of `write` calls when
/// ``flushRowGroup()`` is called or a row/byte threshold is reached at ``endRow()``.
/// ``close()`` writes the footer. A file whose writer never closed can be turned back into a
/// valid Parquet file with ``ParquetRecovery/repair(path:)``; see there for the on-disk layout.
///
/// ```swift
/// let schema = ParquetSchema([.timestamp("ts_ns", unit: .nanoseconds), .double("mid")])
/// let writer = try ParquetWriter(path: "/data/book.parquet", schema: schema,
///                                keyValueMetadata: [("price_decimals", "2")])
/// let ts = try writer.column(named: "ts_ns", as: Int64.self)
/// let mid = try writer.column(named: "mid", as: Double.self)
/// for (t, m) in rows {
///     ts.append(t)
///     mid.append(m)
///     try writer.endRow()
/// }
/// try writer.close()
/// ```
///
/// A writer is not thread-safe; use it (and its column handles) from one thread or actor.
public final class ParquetWriter {
    /// The page compression.
    public enum Compression: Sendable, Hashable {
        /// No compression (codec UNCOMPRESSED).
        case uncompressed
        /// Zstandard (codec ZSTD) at the given level (1…22; 3 is the usual default).
        case zstd(level: Int32)
    }

    /// Writer settings.
    public struct Options: Sendable, Hashable {
        /// Page compression; default ZSTD level 3.
        public var compression: Compression = .zstd(level: 3)
        /// A row group is written when this many rows are buffered (at ``ParquetWriter/endRow()``).
        public var rowGroupRowLimit = 1_048_576
        /// A row group is written when about this many bytes are buffered (checked every 1,024 rows).
        public var rowGroupByteLimit = 128 << 20
        /// Target uncompressed size of a data page.
        public var dataPageByteLimit = 1 << 20
        /// Largest dictionary (PLAIN bytes) per column chunk before falling back to PLAIN.
        public var dictionaryByteLimit = 1 << 20
        /// Use BYTE_STREAM_SPLIT instead of PLAIN when a DOUBLE column with
        /// ``ParquetColumnEncoding/automatic`` encoding does not dictionary-encode.
        public var byteStreamSplitFallback = false
        /// Write min/max/null-count statistics in every data page header (needed by recovery to
        /// rebuild chunk statistics).
        public var writePageStatistics = true
        /// `fsync` the file after its header, after every row group and at close (and its directory
        /// once after creating it), so that a complete row group survives a power loss.
        public var syncEachRowGroup = true
        /// Replace an existing file instead of failing with `EEXIST`.
        public var overwriteExisting = false
        /// The footer's `created_by`.
        public var createdBy = "lighter-mm parquet version 1.0.0"

        /// Default settings.
        public init() {}
    }

    /// What a closed writer produced.
    public struct Summary: Sendable, Hashable {
        /// Rows written.
        public var rowCount: Int64
        /// Row groups written.
        public var rowGroupCount: Int
        /// Final file size in bytes.
        public var fileSize: Int64
    }

    /// The file being written.
    public let path: String
    /// The schema.
    public let schema: ParquetSchema
    /// The file-level key-value metadata (written to the footer and to the recovery prologue).
    public let keyValueMetadata: [(key: String, value: String)]
    /// The settings.
    public let options: Options

    private let file: PosixFile
    private let encoders: [any ColumnChunkEncoder]
    private let storages: [AnyObject]
    private var context: ChunkEncodingContext
    private var rowGroups: [ParquetFormat.RowGroup] = []
    private var fileOffset: Int64 = 0
    private var pendingRows = 0
    private var rowsWritten: Int64 = 0
    private var failure: ParquetError?
    private var closed = false

    /// Creates the file and writes its header (magic and recovery prologue).
    ///
    /// - Parameters:
    ///   - path: the file to create; it must not exist unless ``Options/overwriteExisting`` is set.
    ///   - schema: the columns.
    ///   - keyValueMetadata: file-level metadata, in order.
    ///   - options: settings.
    /// - Throws: ``ParquetError`` if the schema is invalid or the file cannot be created
    ///   (e.g. `Permission denied (EACCES) creating /data/x.parquet`).
    public init(
        path: String, schema: ParquetSchema, keyValueMetadata: [(key: String, value: String)] = [], options: Options = Options()
    ) throws {
        try schema.validate()
        guard options.rowGroupRowLimit > 0, options.dataPageByteLimit > 0, options.dictionaryByteLimit >= 0 else {
            throw ParquetError(.invalidArgument, "Parquet writer limits must be positive")
        }
        var codec = ParquetFormat.CompressionCodec.uncompressed
        var compressor: ZstdCompressor?
        if case .zstd(let level) = options.compression {
            codec = .zstd
            compressor = try ZstdCompressor(level: level)
        }
        self.path = path
        self.schema = schema
        self.keyValueMetadata = keyValueMetadata
        self.options = options
        self.context = ChunkEncodingContext(
            compressor: compressor, codec: codec, dataPageByteLimit: options.dataPageByteLimit,
            dictionaryByteLimit: options.dictionaryByteLimit, writePageStatistics: options.writePageStatistics,
            byteStreamSplitFallback: options.byteStreamSplitFallback)

        var encoders: [any ColumnChunkEncoder] = []
        var storages: [AnyObject] = []
        let reserve = min(options.rowGroupRowLimit, 1 << 20)
        for column in schema.columns {
            switch column.kind {
            case .boolean:
                let s = ColumnStorage<Bool>(isOptional: column.isOptional)
                encoders.append(BooleanColumnEncoder(column: column, storage: s))
                storages.append(s)
            case .int32:
                let s = ColumnStorage<Int32>(isOptional: column.isOptional)
                encoders.append(FixedWidthColumnEncoder(column: column, storage: s, deltaEncode: { DeltaBinaryPacked.encode($0, into: &$1) }))
                storages.append(s)
            case .int64, .timestamp:
                let s = ColumnStorage<Int64>(isOptional: column.isOptional)
                encoders.append(FixedWidthColumnEncoder(column: column, storage: s, deltaEncode: { DeltaBinaryPacked.encode($0, into: &$1) }))
                storages.append(s)
            case .double:
                let s = ColumnStorage<Double>(isOptional: column.isOptional)
                encoders.append(FixedWidthColumnEncoder(column: column, storage: s, deltaEncode: nil))
                storages.append(s)
            case .float:
                let s = ColumnStorage<Float>(isOptional: column.isOptional)
                encoders.append(FixedWidthColumnEncoder(column: column, storage: s, deltaEncode: nil))
                storages.append(s)
            case .string:
                let s = ColumnStorage<String>(isOptional: column.isOptional)
                encoders.append(StringColumnEncoder(column: column, storage: s))
                storages.append(s)
            }
        }
        for encoder in encoders { encoder.reserve(rows: reserve) }
        self.encoders = encoders
        self.storages = storages

        self.file = try PosixFile.create(path, overwrite: options.overwriteExisting)
        var header = ParquetFileLayout.magic
        header += ParquetFileLayout.prologue(self.footerMetadata(rowGroups: [], numRows: 0))
        do {
            try header.withUnsafeBytes { try self.file.writeAll($0) }
            if options.syncEachRowGroup {
                try self.file.sync()
                try PosixFile.syncDirectory(of: path)
            }
        } catch let error as ParquetError {
            self.failure = error
            throw error
        }
        self.fileOffset = Int64(header.count)
    }

    deinit {
        // An unclosed writer leaves a footer-less file that ParquetRecovery can repair.
        try? self.file.close()
    }

    // MARK: Appending

    /// A typed handle for the column at `index`.
    ///
    /// - Parameters:
    ///   - index: the column's position in the schema.
    ///   - type: `Int64` (INT64 and timestamps), `Int32`, `Double`, `Float`, `Bool` or `String`.
    /// - Throws: ``ParquetError/Kind/invalidArgument`` if the index is out of range or the type
    ///   does not match the column.
    public func column<Value>(_ index: Int, as type: Value.Type) throws -> ParquetColumnWriter<Value> {
        guard self.schema.columns.indices.contains(index) else {
            throw ParquetError(.invalidArgument, "Column index \(index) is out of range (schema has \(self.schema.columns.count) columns)", path: self.path)
        }
        let column = self.schema.columns[index]
        guard let storage = self.storages[index] as? ColumnStorage<Value> else {
            throw ParquetError(.invalidArgument, "Column '\(column.name)' is \(column.kind), not \(Value.self)", path: self.path)
        }
        return ParquetColumnWriter(storage: storage, index: index)
    }

    /// A typed handle for the column called `name`.
    ///
    /// - Throws: ``ParquetError/Kind/invalidArgument`` if there is no such column or the type does not match.
    public func column<Value>(named name: String, as type: Value.Type) throws -> ParquetColumnWriter<Value> {
        guard let index = self.schema.index(of: name) else {
            throw ParquetError(.invalidArgument, "No column named '\(name)' in the schema", path: self.path)
        }
        return try self.column(index, as: type)
    }

    /// Marks the end of a row: call it after appending one value to every column.
    ///
    /// Writes a row group when ``Options/rowGroupRowLimit`` rows or about
    /// ``Options/rowGroupByteLimit`` bytes are buffered.
    ///
    /// - Throws: the errors of ``flushRowGroup()`` when a row group is written.
    @inlinable
    public func endRow() throws {
        if try self.countRow() { try self.flushRowGroup() }
    }

    /// Counts a row; returns whether a row group should be written now.
    @usableFromInline
    func countRow() throws -> Bool {
        self.pendingRows += 1
        if self.pendingRows >= self.options.rowGroupRowLimit { return true }
        if self.pendingRows & 1023 == 0 { return self.bufferedBytes >= self.options.rowGroupByteLimit }
        return false
    }

    /// Rows buffered for the next row group.
    public var bufferedRowCount: Int { self.encoders.first?.rowCount ?? 0 }

    /// Approximate bytes buffered for the next row group.
    public var bufferedBytes: Int { self.encoders.reduce(0) { $0 + $1.bufferedBytes } }

    /// Rows written to the file in complete row groups.
    public var writtenRowCount: Int64 { self.rowsWritten }

    /// Row groups written so far.
    public var rowGroupCount: Int { self.rowGroups.count }

    // MARK: Writing

    /// Encodes the buffered rows as one row group and writes it; does nothing when no rows are buffered.
    ///
    /// The row group (record header and all column chunks) is built in memory and written with one
    /// sequence of `write` calls, then synced if ``Options/syncEachRowGroup`` is set.
    ///
    /// - Throws: ``ParquetError/Kind/invalidArgument`` if columns hold different numbers of
    ///   values or a REQUIRED column got a null (the buffered rows are dropped);
    ///   ``ParquetError/Kind/io`` if writing fails, after which the writer refuses further writes
    ///   (the file is truncated back to its last complete row group when possible).
    public func flushRowGroup() throws {
        try self.checkUsable()
        let rows = self.bufferedRowCount
        defer { self.pendingRows = 0 }
        for encoder in self.encoders {
            if encoder.rejectedNulls > 0 {
                let error = ParquetError(.invalidArgument, "Column '\(encoder.column.name)' is REQUIRED but \(encoder.rejectedNulls) null(s) were appended; the row group was dropped", path: self.path)
                self.resetBuffers()
                throw error
            }
            if encoder.rowCount != rows {
                let error = ParquetError(.invalidArgument, "Column '\(encoder.column.name)' has \(encoder.rowCount) values but column '\(self.schema.columns[0].name)' has \(rows); every row needs one value per column (the row group was dropped)", path: self.path)
                self.resetBuffers()
                throw error
            }
        }
        guard rows > 0 else { return }
        guard rows <= Int(Int32.max) else {
            self.resetBuffers()
            throw ParquetError(.invalidArgument, "A row group of \(rows) rows exceeds the Parquet limit of 2^31 - 1", path: self.path)
        }

        // Record header, patched after encoding: marker, u64 body length, u32 row count, u32 codec.
        self.context.output.removeAll(keepingCapacity: true)
        self.context.output.append(contentsOf: ParquetFileLayout.rowGroupMarker)
        self.context.output.append(contentsOf: repeatElement(0, count: 16))
        self.context.baseOffset = self.fileOffset
        let bodyStart = self.context.output.count

        var chunks: [ParquetFormat.ColumnChunk] = []
        var totalUncompressed: Int64 = 0
        do {
            for encoder in self.encoders {
                let meta = try encoder.encodeChunk(&self.context)
                totalUncompressed += meta.totalUncompressedSize
                chunks.append(ParquetFormat.ColumnChunk(fileOffset: meta.dictionaryPageOffset ?? meta.dataPageOffset, metaData: meta))
            }
        } catch let error as ParquetError {
            self.resetBuffers()
            throw error.naming(self.path)
        }
        let bodyLength = UInt64(self.context.output.count - bodyStart)
        ParquetFileLayout.patch(&self.context.output, at: 8, bodyLength)
        ParquetFileLayout.patch(&self.context.output, at: 16, UInt64(rows) | UInt64(UInt32(bitPattern: self.context.codec.rawValue)) << 32)

        do {
            try self.context.output.withUnsafeBytes { try self.file.writeAll($0) }
            if self.options.syncEachRowGroup { try self.file.sync() }
        } catch let error as ParquetError {
            self.failure = error
            try? self.file.truncate(to: self.fileOffset)
            throw error
        }
        let firstPage = self.fileOffset + Int64(bodyStart)
        self.rowGroups.append(ParquetFormat.RowGroup(
            columns: chunks, totalByteSize: totalUncompressed, numRows: Int64(rows), fileOffset: firstPage,
            totalCompressedSize: Int64(bodyLength), ordinal: Int16(truncatingIfNeeded: self.rowGroups.count)))
        self.fileOffset += Int64(self.context.output.count)
        self.rowsWritten += Int64(rows)
        self.resetBuffers()
    }

    /// Writes the buffered rows and the footer, syncs and closes the file.
    ///
    /// - Returns: rows, row groups and file size.
    /// - Throws: the errors of ``flushRowGroup()``, or an I/O error writing the footer.
    @discardableResult
    public func close() throws -> Summary {
        try self.flushRowGroup()
        let footer = self.footerMetadata(rowGroups: self.rowGroups, numRows: self.rowsWritten).thriftCompactBytes()
        var tail = footer
        ParquetFileLayout.appendUInt32(&tail, UInt32(footer.count))
        tail += ParquetFileLayout.magic
        do {
            try tail.withUnsafeBytes { try self.file.writeAll($0) }
            if self.options.syncEachRowGroup { try self.file.sync() }
            self.closed = true
            try self.file.close()
        } catch let error as ParquetError {
            self.failure = error
            throw error
        }
        self.fileOffset += Int64(tail.count)
        return Summary(rowCount: self.rowsWritten, rowGroupCount: self.rowGroups.count, fileSize: self.fileOffset)
    }

    // MARK: Helpers

    private func checkUsable() throws {
        if self.closed { throw ParquetError(.invalidArgument, "The Parquet writer is already closed", path: self.path) }
        if let failure {
            throw ParquetError(.io, "The Parquet writer stopped after an earlier error (\(failure.message)):", path: self.path, errorNumber: failure.errorNumber)
        }
    }

    private func resetBuffers() {
        for encoder in self.encoders { encoder.reset() }
    }

    private func footerMetadata(rowGroups: [ParquetFormat.RowGroup], numRows: Int64) -> ParquetFormat.FileMetaData {
        ParquetFormat.FileMetaData(
            version: 2, schema: self.schema.schemaElements, numRows: numRows, rowGroups: rowGroups,
            keyValueMetadata: self.keyValueMetadata.isEmpty ? nil : self.keyValueMetadata.map { ParquetFormat.KeyValue(key: $0.key, value: $0.value) },
            createdBy: self.options.createdBy, typeDefinedColumnOrders: self.schema.columns.count)
    }
}

/// Byte layout shared by the writer and recovery.
enum ParquetFileLayout {
    /// `PAR1`, at the start and end of every Parquet file.
    static let magic: [UInt8] = Array("PAR1".utf8)
    /// Marks the recovery prologue written right after the leading magic.
    static let prologueMarker: [UInt8] = Array("LMPQHDR1".utf8)
    /// Marks the start of every row group record.
    static let rowGroupMarker: [UInt8] = Array("LMPQRG01".utf8)
    /// Bytes of a row group record header: marker, u64 body length, u32 row count, u32 codec.
    static let rowGroupHeaderSize = 24

    /// The prologue: marker, 4-byte length, Thrift FileMetaData with the schema and key-value
    /// metadata but no row groups.
    static func prologue(_ metadata: ParquetFormat.FileMetaData) -> [UInt8] {
        let thrift = metadata.thriftCompactBytes()
        var bytes = prologueMarker
        appendUInt32(&bytes, UInt32(thrift.count))
        return bytes + thrift
    }

    static func appendUInt32(_ bytes: inout [UInt8], _ value: UInt32) {
        for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(k)))) }
    }

    static func patch(_ bytes: inout [UInt8], at offset: Int, _ value: UInt64) {
        for k in 0..<8 { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 { v |= UInt32(bytes[offset + k]) << (8 * UInt32(k)) }
        return v
    }

    static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(bytes[offset + k]) << (8 * UInt64(k)) }
        return v
    }
}
