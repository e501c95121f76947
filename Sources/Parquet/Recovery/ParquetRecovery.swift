/// Turns a Parquet file whose writer stopped before ``ParquetWriter/close()`` (crash, kill, full
/// disk) into a valid Parquet file holding every complete row group.
///
/// ## On-disk layout written by ``ParquetWriter``
///
/// ```
/// "PAR1"
/// prologue:   "LMPQHDR1" | u32 length | Thrift FileMetaData (schema, key-value metadata, no row groups)
/// row group:  "LMPQRG01" | u64 body length | u32 row count | u32 codec | column chunks ...  (repeated)
/// footer:     Thrift FileMetaData | u32 length | "PAR1"                                    (at close)
/// ```
///
/// Readers locate pages through the footer's offsets, so the prologue and the 24-byte record
/// headers are bytes no reader looks at; the file is a standard Parquet file.
///
/// ## Repair
///
/// ``repair(path:)`` reads the schema from the prologue, then walks the row group records. A
/// record counts as complete when its whole body is on disk and every column chunk in it parses:
/// page headers chain correctly, the data pages hold exactly the record's row count, and every
/// page decompresses and decodes. Column chunk metadata (offsets, sizes, encodings, statistics)
/// is rebuilt from the page headers; chunk statistics are the merge of the page statistics. The
/// file is then truncated after the last complete row group and a footer is appended. Anything
/// after the last complete record (a torn row group, garbage) is discarded.
public enum ParquetRecovery {
    /// What ``repair(path:)`` did.
    public struct Report: Sendable, Hashable {
        /// True when the file already had a valid footer and was left unchanged.
        public var wasAlreadyValid: Bool
        /// Complete row groups kept.
        public var rowGroupCount: Int
        /// Rows in the kept row groups.
        public var rowCount: Int64
        /// Bytes cut from the end of the file (partial row group or old footer).
        public var discardedBytes: Int64
        /// The file size after repair.
        public var fileSize: Int64
    }

    /// Repairs a footer-less (or torn) file written by ``ParquetWriter``, in place.
    ///
    /// - Parameter path: the file.
    /// - Returns: what was kept and discarded.
    /// - Throws: ``ParquetError/Kind/corruptFile`` if the file does not start with `PAR1` and a
    ///   ``ParquetWriter`` prologue (e.g. a random or pyarrow-written file);
    ///   ``ParquetError/Kind/io`` on I/O failures.
    @discardableResult
    public static func repair(path: String) throws -> Report {
        let file = try PosixFile.openForUpdate(path)
        let size = try file.size()

        if let valid = try? ParquetReader(path: path), valid.metadata.numRows >= 0 {
            return Report(wasAlreadyValid: true, rowGroupCount: valid.rowGroupCount, rowCount: valid.rowCount,
                          discardedBytes: 0, fileSize: size)
        }

        let markerLength = ParquetFileLayout.prologueMarker.count
        guard size >= Int64(4 + markerLength + 4) else {
            throw ParquetError.corrupt("file is \(size) bytes, too short to hold a ParquetWriter header", path: path)
        }
        let head = try file.read(count: 4 + markerLength + 4, at: 0)
        guard Array(head[0..<4]) == ParquetFileLayout.magic else {
            throw ParquetError.corrupt("file does not start with PAR1; it is not a Parquet file", path: path)
        }
        guard Array(head[4..<(4 + markerLength)]) == ParquetFileLayout.prologueMarker else {
            throw ParquetError.corrupt("file has no ParquetWriter recovery prologue, so its schema is unknown and it cannot be repaired", path: path)
        }
        let prologueLength = Int64(ParquetFileLayout.readUInt32(head, at: 4 + markerLength))
        let prologueStart = Int64(4 + markerLength + 4)
        guard prologueStart + prologueLength <= size else {
            throw ParquetError.corrupt("recovery prologue of \(prologueLength) bytes runs past the end of the file", path: path)
        }
        let prologue: ParquetFormat.FileMetaData
        let schema: ParquetSchema
        do {
            prologue = try ParquetFormat.FileMetaData.decode(from: try file.read(count: Int(prologueLength), at: prologueStart)).value
            schema = try ParquetReader.flatSchema(prologue.schema)
        } catch let error as ParquetError {
            throw error.naming(path)
        }

        var offset = prologueStart + prologueLength
        var rowGroups: [ParquetFormat.RowGroup] = []
        var rows: Int64 = 0
        let headerSize = Int64(ParquetFileLayout.rowGroupHeaderSize)
        while offset + headerSize <= size {
            let recordHeader = try file.read(count: Int(headerSize), at: offset)
            guard Array(recordHeader[0..<8]) == ParquetFileLayout.rowGroupMarker else { break }
            let bodyLength = ParquetFileLayout.readUInt64(recordHeader, at: 8)
            let rowCount = ParquetFileLayout.readUInt32(recordHeader, at: 16)
            let codec = ParquetFormat.CompressionCodec(rawValue: Int32(bitPattern: ParquetFileLayout.readUInt32(recordHeader, at: 20)))
            guard bodyLength <= UInt64(size - offset - headerSize), rowCount > 0, rowCount <= UInt32(Int32.max) else { break }
            let bodyStart = offset + headerSize
            let body = try file.read(count: Int(bodyLength), at: bodyStart)
            guard let group = try? self.rebuildRowGroup(
                body: body, fileOffset: bodyStart, rowCount: Int(rowCount), codec: codec, schema: schema, ordinal: rowGroups.count)
            else { break }
            rowGroups.append(group)
            rows += Int64(rowCount)
            offset = bodyStart + Int64(bodyLength)
        }

        let footerMetadata = ParquetFormat.FileMetaData(
            version: prologue.version, schema: prologue.schema, numRows: rows, rowGroups: rowGroups,
            keyValueMetadata: prologue.keyValueMetadata, createdBy: prologue.createdBy,
            typeDefinedColumnOrders: prologue.typeDefinedColumnOrders)
        var tail = footerMetadata.thriftCompactBytes()
        ParquetFileLayout.appendUInt32(&tail, UInt32(tail.count))
        tail += ParquetFileLayout.magic
        try file.truncate(to: offset)
        try file.writeAll(tail, at: offset)
        try file.sync()
        try file.close()
        return Report(wasAlreadyValid: false, rowGroupCount: rowGroups.count, rowCount: rows,
                      discardedBytes: size - offset, fileSize: offset + Int64(tail.count))
    }

    /// Rebuilds a row group's metadata from its pages, validating every page by decoding it.
    static func rebuildRowGroup(
        body: [UInt8], fileOffset: Int64, rowCount: Int, codec: ParquetFormat.CompressionCodec, schema: ParquetSchema, ordinal: Int
    ) throws -> ParquetFormat.RowGroup {
        var position = 0
        var chunks: [ParquetFormat.ColumnChunk] = []
        var totalUncompressed: Int64 = 0
        for column in schema.columns {
            let chunkStart = position
            var values = 0
            var dictionaryPageOffset: Int64?
            var dataPageOffset: Int64?
            var pageCounts: [ParquetFormat.PageEncodingStats] = []
            var compressed = 0
            var uncompressed = 0
            var pageStatistics: [ParquetFormat.Statistics] = []
            while values < rowCount {
                let page = try ColumnChunkDecoder.nextPage(body, at: &position)
                let headerLength = page.body.lowerBound - page.headerOffset
                compressed += headerLength + page.body.count
                uncompressed += headerLength + Int(page.header.uncompressedPageSize)
                let pageEncoding: ParquetFormat.Encoding
                switch page.header.type {
                case .dictionaryPage:
                    guard dataPageOffset == nil, let header = page.header.dictionaryPageHeader else {
                        throw ParquetError.corrupt("unexpected dictionary page")
                    }
                    dictionaryPageOffset = fileOffset + Int64(page.headerOffset)
                    pageEncoding = header.encoding
                case .dataPage:
                    guard let header = page.header.dataPageHeader else { throw ParquetError.corrupt("data page without header") }
                    if dataPageOffset == nil { dataPageOffset = fileOffset + Int64(page.headerOffset) }
                    values += Int(header.numValues)
                    pageEncoding = header.encoding
                    if let statistics = header.statistics { pageStatistics.append(statistics) } else { throw ParquetError.corrupt("page without statistics") }
                default:
                    throw ParquetError.corrupt("unexpected page type \(page.header.type)")
                }
                if let i = pageCounts.firstIndex(where: { $0.pageType == page.header.type && $0.encoding == pageEncoding }) {
                    pageCounts[i].count += 1
                } else {
                    pageCounts.append(ParquetFormat.PageEncodingStats(pageType: page.header.type, encoding: pageEncoding, count: 1))
                }
            }
            guard values == rowCount, let dataPageOffset else {
                throw ParquetError.corrupt("column '\(column.name)' holds \(values) values, record says \(rowCount)")
            }
            // Validate by decoding the chunk.
            let chunkBytes = Array(body[chunkStart..<position])
            _ = try ColumnChunkDecoder.decode(
                bytes: chunkBytes, column: column, physicalType: column.kind.physicalType, codec: codec, valueCount: rowCount)

            let dataEncoding = pageCounts.first { $0.pageType == .dataPage }?.encoding ?? .plain
            let listed = chunkEncodings(dataEncoding, dictionary: dictionaryPageOffset != nil, optional: column.isOptional)
            let statistics = self.merge(pageStatistics, type: column.kind.physicalType)
            let meta = ParquetFormat.ColumnMetaData(
                type: column.kind.physicalType, encodings: listed, pathInSchema: [column.name], codec: codec,
                numValues: Int64(rowCount), totalUncompressedSize: Int64(uncompressed), totalCompressedSize: Int64(compressed),
                dataPageOffset: dataPageOffset, dictionaryPageOffset: dictionaryPageOffset, statistics: statistics,
                encodingStats: pageCounts)
            chunks.append(ParquetFormat.ColumnChunk(fileOffset: dictionaryPageOffset ?? dataPageOffset, metaData: meta))
            totalUncompressed += Int64(uncompressed)
        }
        guard position == body.count else {
            throw ParquetError.corrupt("row group record has \(body.count - position) bytes after its last column chunk")
        }
        return ParquetFormat.RowGroup(
            columns: chunks, totalByteSize: totalUncompressed, numRows: Int64(rowCount), fileOffset: fileOffset,
            totalCompressedSize: Int64(body.count), ordinal: Int16(truncatingIfNeeded: ordinal))
    }

    /// Merges page statistics into chunk statistics under the type's order.
    static func merge(_ pages: [ParquetFormat.Statistics], type: ParquetFormat.PhysicalType) -> ParquetFormat.Statistics {
        var nulls: Int64 = 0
        var minimum: (ParquetScalar, [UInt8])?
        var maximum: (ParquetScalar, [UInt8])?
        for page in pages {
            nulls += page.nullCount ?? 0
            if let bytes = page.minValue, let value = ParquetScalar(statisticsBytes: bytes, type: type) {
                if let current = minimum, !value.precedes(current.0) {} else { minimum = (value, bytes) }
            }
            if let bytes = page.maxValue, let value = ParquetScalar(statisticsBytes: bytes, type: type) {
                if let current = maximum, !current.0.precedes(value) {} else { maximum = (value, bytes) }
            }
        }
        return makeStatistics(min: minimum?.1, max: maximum?.1, nullCount: Int(nulls))
    }
}

extension ParquetScalar {
    /// The Parquet sort order for statistics: numeric for numbers, false < true, unsigned
    /// byte-wise for strings. Values of different types do not compare.
    func precedes(_ other: ParquetScalar) -> Bool {
        switch (self, other) {
        case (.boolean(let a), .boolean(let b)): !a && b
        case (.int32(let a), .int32(let b)): a < b
        case (.int64(let a), .int64(let b)): a < b
        case (.float(let a), .float(let b)): a < b
        case (.double(let a), .double(let b)): a < b
        case (.string(let a), .string(let b)): a.utf8.lexicographicallyPrecedes(b.utf8)
        default: false
        }
    }
}
