/// Reads flat Parquet files: schema, key-value metadata, row groups, statistics and column values.
///
/// Supports what ``ParquetWriter`` writes and what pyarrow writes for the same kinds of columns:
/// BOOLEAN, INT32, INT64 (and timestamps), FLOAT, DOUBLE and UTF-8 BYTE_ARRAY columns, REQUIRED or
/// OPTIONAL; PLAIN, PLAIN_DICTIONARY/RLE_DICTIONARY, RLE (booleans), BYTE_STREAM_SPLIT and
/// DELTA_BINARY_PACKED encodings; data pages v1 and v2; UNCOMPRESSED and ZSTD codecs. Other codecs
/// (e.g. SNAPPY) and nested schemas are reported as ``ParquetError/Kind/unsupported``.
///
/// ```swift
/// let reader = try ParquetReader(path: "/data/book.parquet")
/// for group in 0..<reader.rowGroupCount {
///     let ts = try reader.readColumn(named: "ts_ns", rowGroup: group).values(as: Int64.self)
/// }
/// ```
///
/// The footer is read at init; column chunks are read on demand with `pread`.
public final class ParquetReader {
    /// The file being read.
    public let path: String
    /// The decoded footer.
    public let metadata: ParquetFormat.FileMetaData
    /// The leaf columns.
    public let schema: ParquetSchema
    private let file: PosixFile

    /// Opens a file and reads its footer.
    ///
    /// - Throws: ``ParquetError`` if the file cannot be opened, is not Parquet (bad magic, bad
    ///   footer length), or its schema is nested or uses unsupported types.
    public init(path: String) throws {
        self.path = path
        self.file = try PosixFile.openForReading(path)
        let size = try self.file.size()
        guard size >= 12 else {
            throw ParquetError.corrupt("file is \(size) bytes, too small for a Parquet file (needs at least 12)", path: path)
        }
        let tail = try self.file.read(count: 8, at: size - 8)
        guard Array(tail[4..<8]) == ParquetFileLayout.magic else {
            throw ParquetError.corrupt("no PAR1 magic at the end of the file (not Parquet, or the writer never closed it; try ParquetRecovery.repair)", path: path)
        }
        let footerLength = Int64(ParquetFileLayout.readUInt32(tail, at: 0))
        guard footerLength + 12 <= size else {
            throw ParquetError.corrupt("footer length \(footerLength) exceeds the file size \(size)", path: path)
        }
        let head = try self.file.read(count: 4, at: 0)
        guard head == ParquetFileLayout.magic else {
            throw ParquetError.corrupt("no PAR1 magic at the start of the file", path: path)
        }
        let footer = try self.file.read(count: Int(footerLength), at: size - 8 - footerLength)
        do {
            self.metadata = try ParquetFormat.FileMetaData.decode(from: footer).value
            self.schema = try ParquetReader.flatSchema(self.metadata.schema)
        } catch let error as ParquetError {
            throw error.naming(path)
        }
    }

    static func flatSchema(_ elements: [ParquetFormat.SchemaElement]) throws -> ParquetSchema {
        guard let root = elements.first else { throw ParquetError.corrupt("the schema is empty") }
        let leaves = elements.dropFirst()
        guard Int(root.numChildren ?? 0) == leaves.count else {
            throw ParquetError(.unsupported, "Nested Parquet schemas are not supported (the root has \(root.numChildren ?? 0) children, the file lists \(leaves.count) elements)")
        }
        var columns: [ParquetColumn] = []
        for element in leaves {
            guard element.numChildren == nil || element.numChildren == 0, element.repetitionType != .repeated else {
                throw ParquetError(.unsupported, "Column '\(element.name)' is nested or repeated; only flat schemas are supported")
            }
            guard let column = ParquetColumn(schemaElement: element) else {
                throw ParquetError(.unsupported, "Column '\(element.name)' has unsupported type \(element.type.map { "\($0)" } ?? "none")")
            }
            columns.append(column)
        }
        return ParquetSchema(columns)
    }

    /// The number of rows in the file.
    public var rowCount: Int64 { self.metadata.numRows }

    /// The number of row groups.
    public var rowGroupCount: Int { self.metadata.rowGroups.count }

    /// The number of rows in a row group.
    public func rowCount(ofRowGroup index: Int) throws -> Int64 {
        try self.rowGroup(index).numRows
    }

    /// The file-level key-value metadata, in file order (entries without a value are omitted).
    public var keyValueMetadata: [(key: String, value: String)] {
        (self.metadata.keyValueMetadata ?? []).compactMap { kv in kv.value.map { (kv.key, $0) } }
    }

    /// The value for `key` in the file-level key-value metadata.
    public func metadataValue(forKey key: String) -> String? {
        self.metadata.keyValueMetadata?.first { $0.key == key }?.value
    }

    /// The footer metadata of one column chunk.
    public func columnChunkMetadata(rowGroup: Int, column: Int) throws -> ParquetFormat.ColumnMetaData {
        let group = try self.rowGroup(rowGroup)
        guard group.columns.indices.contains(column) else {
            throw ParquetError(.invalidArgument, "Column index \(column) is out of range (row group has \(group.columns.count))", path: self.path)
        }
        guard let meta = group.columns[column].metaData else {
            throw ParquetError(.unsupported, "Column chunk \(column) of row group \(rowGroup) has no inline metadata", path: self.path)
        }
        return meta
    }

    /// The typed statistics of one column chunk, or nil if the writer recorded none.
    public func statistics(rowGroup: Int, column: Int) throws -> ParquetColumnStatistics? {
        let meta = try self.columnChunkMetadata(rowGroup: rowGroup, column: column)
        guard let stats = meta.statistics else { return nil }
        // The legacy min/max fields are used only for non-string columns: old writers compared
        // strings as signed bytes, so their legacy string bounds are unreliable.
        let useLegacy = meta.type != .byteArray
        let minBytes = stats.minValue ?? (useLegacy ? stats.min : nil)
        let maxBytes = stats.maxValue ?? (useLegacy ? stats.max : nil)
        return ParquetColumnStatistics(
            min: minBytes.flatMap { ParquetScalar(statisticsBytes: $0, type: meta.type) },
            max: maxBytes.flatMap { ParquetScalar(statisticsBytes: $0, type: meta.type) },
            nullCount: stats.nullCount)
    }

    /// Reads all values of the column called `name` in a row group.
    public func readColumn(named name: String, rowGroup: Int) throws -> ParquetColumnData {
        guard let index = self.schema.index(of: name) else {
            throw ParquetError(.invalidArgument, "No column named '\(name)'", path: self.path)
        }
        return try self.readColumn(index, rowGroup: rowGroup)
    }

    /// Reads all values of a column in a row group.
    ///
    /// - Throws: ``ParquetError`` for I/O errors, corrupt pages, or unsupported codecs/encodings.
    public func readColumn(_ column: Int, rowGroup: Int) throws -> ParquetColumnData {
        let meta = try self.columnChunkMetadata(rowGroup: rowGroup, column: column)
        guard self.schema.columns.indices.contains(column) else {
            throw ParquetError(.invalidArgument, "Column index \(column) is out of range", path: self.path)
        }
        let descriptor = self.schema.columns[column]
        var start = meta.dataPageOffset
        if let dictionary = meta.dictionaryPageOffset, dictionary > 0, dictionary < start { start = dictionary }
        let length = meta.totalCompressedSize
        let size = try self.file.size()
        guard start >= 0, length >= 0, start + length <= size else {
            throw ParquetError.corrupt("column '\(descriptor.name)' chunk \(start)..<\(start + length) lies outside the file (\(size) bytes)", path: self.path)
        }
        let bytes = try self.file.read(count: Int(length), at: start)
        do {
            return try ColumnChunkDecoder.decode(
                bytes: bytes, column: descriptor, physicalType: meta.type, codec: meta.codec, valueCount: Int(meta.numValues))
        } catch let error as ParquetError {
            throw ParquetError(error.kind, "\(error.message) in column '\(descriptor.name)', row group \(rowGroup)", path: self.path, errorNumber: error.errorNumber)
        }
    }

    private func rowGroup(_ index: Int) throws -> ParquetFormat.RowGroup {
        guard self.metadata.rowGroups.indices.contains(index) else {
            throw ParquetError(.invalidArgument, "Row group \(index) is out of range (file has \(self.metadata.rowGroups.count))", path: self.path)
        }
        return self.metadata.rowGroups[index]
    }
}
