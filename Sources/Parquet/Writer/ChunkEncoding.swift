/// Shared state for encoding the column chunks of one row group into one contiguous buffer.
struct ChunkEncodingContext {
    /// The row group's bytes (record header + column chunks).
    var output: [UInt8] = []
    /// The file offset at which `output[0]` will be written.
    var baseOffset: Int64 = 0
    let compressor: ZstdCompressor?
    let codec: ParquetFormat.CompressionCodec
    let dataPageByteLimit: Int
    let dictionaryByteLimit: Int
    let writePageStatistics: Bool
    let byteStreamSplitFallback: Bool
    /// Scratch buffers reused for every page and chunk.
    var pageBody: [UInt8] = []
    var indices: [UInt32] = []
    var dictionary = FixedWidthDictionary()

    /// The file offset of the next byte appended to `output`.
    var currentOffset: Int64 { self.baseOffset + Int64(self.output.count) }

    /// Appends a page: its header (with sizes filled in) and its body, compressed by the codec.
    ///
    /// - Returns: bytes appended, and the same count as if uncompressed (header included in both).
    mutating func appendPage(_ header: inout ParquetFormat.PageHeader, body: [UInt8]) throws -> (compressed: Int, uncompressed: Int) {
        guard body.count <= Int(Int32.max) else {
            throw ParquetError(.invalidArgument, "A page of \(body.count) bytes exceeds the 2 GiB Parquet page limit")
        }
        header.uncompressedPageSize = Int32(body.count)
        if let compressor {
            let n = try body.withUnsafeBytes { try compressor.compress($0) }
            header.compressedPageSize = Int32(n)
            let headerBytes = header.thriftCompactBytes()
            self.output.append(contentsOf: headerBytes)
            compressor.buffer.withUnsafeBufferPointer { self.output.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<n])) }
            return (headerBytes.count + n, headerBytes.count + body.count)
        } else {
            header.compressedPageSize = Int32(body.count)
            let headerBytes = header.thriftCompactBytes()
            self.output.append(contentsOf: headerBytes)
            self.output.append(contentsOf: body)
            return (headerBytes.count + body.count, headerBytes.count + body.count)
        }
    }

    /// Writes version-1 data pages for `rowCount` rows, `rowsPerPage` at a time.
    ///
    /// - Parameters:
    ///   - levels: definition levels of an OPTIONAL column (nil for REQUIRED).
    ///   - encodeValues: appends the encoding of the non-null values with the given indices.
    ///   - statistics: page statistics for non-null values in a range and a null count.
    /// - Returns: page count and byte totals.
    mutating func writeDataPages(
        rowCount: Int, levels: UnsafeBufferPointer<UInt8>?, rowsPerPage: Int, encoding: ParquetFormat.Encoding,
        encodeValues: (Range<Int>, inout [UInt8]) throws -> Void,
        statistics: (Range<Int>, Int) -> ParquetFormat.Statistics?
    ) throws -> (pages: Int, compressed: Int, uncompressed: Int) {
        var pages = 0, compressed = 0, uncompressed = 0
        var rowStart = 0
        var valueStart = 0
        var levelScratch: [UInt8] = []
        repeat {
            let rowEnd = min(rowCount, rowStart + max(1, rowsPerPage))
            var body = self.pageBody
            body.removeAll(keepingCapacity: true)
            var valueEnd = valueStart + (rowEnd - rowStart)
            if let levels {
                var present = 0
                for i in rowStart..<rowEnd { present &+= Int(levels[i]) }
                levelScratch.removeAll(keepingCapacity: true)
                RLEHybrid.encode(UnsafeBufferPointer(rebasing: levels[rowStart..<rowEnd]), bitWidth: 1, into: &levelScratch)
                let n = UInt32(levelScratch.count)
                body.append(contentsOf: [UInt8(truncatingIfNeeded: n), UInt8(truncatingIfNeeded: n >> 8),
                                         UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 24)])
                body.append(contentsOf: levelScratch)
                valueEnd = valueStart + present
            }
            try encodeValues(valueStart..<valueEnd, &body)
            let nulls = (rowEnd - rowStart) - (valueEnd - valueStart)
            // Always computed: callers merge page statistics into chunk statistics.
            let computed = statistics(valueStart..<valueEnd, nulls)
            let pageStats = self.writePageStatistics ? computed : nil
            var header = ParquetFormat.PageHeader(
                type: .dataPage, uncompressedPageSize: 0, compressedPageSize: 0,
                dataPageHeader: ParquetFormat.DataPageHeader(
                    numValues: Int32(rowEnd - rowStart), encoding: encoding, statistics: pageStats))
            let sizes = try self.appendPage(&header, body: body)
            self.pageBody = body
            pages += 1
            compressed += sizes.compressed
            uncompressed += sizes.uncompressed
            rowStart = rowEnd
            valueStart = valueEnd
        } while rowStart < rowCount
        return (pages, compressed, uncompressed)
    }
}

/// An open-addressing hash table that maps fixed-width values (by bit pattern) to dictionary
/// indices, reused across column chunks.
struct FixedWidthDictionary {
    private var slots: [Int32] = []
    private var shift: UInt64 = 64
    private(set) var entries: [UInt64] = []

    /// Builds the dictionary of `values`, writing each value's index to `indices`.
    ///
    /// - Returns: false as soon as more than `maxEntries` distinct values are seen.
    mutating func build<V: FixedWidthValue>(_ values: UnsafeBufferPointer<V>, maxEntries: Int, indices: inout [UInt32]) -> Bool {
        var capacity = 16
        var log2 = 4
        while capacity < maxEntries * 2 {
            capacity <<= 1
            log2 += 1
        }
        if self.slots.count != capacity {
            self.slots = [Int32](repeating: -1, count: capacity)
        } else {
            self.slots.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
        }
        self.shift = UInt64(64 - log2)
        self.entries.removeAll(keepingCapacity: true)
        self.entries.reserveCapacity(min(maxEntries, values.count))
        if indices.count < values.count { indices = [UInt32](repeating: 0, count: values.count) }
        let mask = capacity - 1
        let shift = self.shift
        var ok = true
        var entries = self.entries
        self.slots.withUnsafeMutableBufferPointer { slots in
            indices.withUnsafeMutableBufferPointer { out in
                var lastKey: UInt64 = 0
                var lastIndex: UInt32 = 0
                var haveLast = false
                for i in 0..<values.count {
                    let key = values[i].hashBits
                    if haveLast && key == lastKey {
                        out[i] = lastIndex
                        continue
                    }
                    var h = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
                    var index: UInt32
                    while true {
                        let s = slots[h]
                        if s < 0 {
                            if entries.count >= maxEntries {
                                ok = false
                                return
                            }
                            index = UInt32(entries.count)
                            slots[h] = Int32(entries.count)
                            entries.append(key)
                            break
                        }
                        if entries[Int(s)] == key {
                            index = UInt32(s)
                            break
                        }
                        h = (h + 1) & mask
                    }
                    out[i] = index
                    lastKey = key
                    lastIndex = index
                    haveLast = true
                }
            }
        }
        self.entries = entries
        return ok
    }
}

/// Encodes one column's buffered values as a column chunk.
protocol ColumnChunkEncoder: AnyObject {
    /// The schema column.
    var column: ParquetColumn { get }
    /// Rows buffered.
    var rowCount: Int { get }
    /// Nulls appended to a REQUIRED column.
    var rejectedNulls: Int { get }
    /// Approximate bytes buffered.
    var bufferedBytes: Int { get }
    /// Reserves room for a row group.
    func reserve(rows: Int)
    /// Appends the chunk's pages to `context.output` and returns its metadata.
    func encodeChunk(_ context: inout ChunkEncodingContext) throws -> ParquetFormat.ColumnMetaData
    /// Drops the buffered values, keeping capacity.
    func reset()
}

/// Builds chunk statistics for Parquet: nil min/max when there are no ordered values.
func makeStatistics(min: [UInt8]?, max: [UInt8]?, nullCount: Int) -> ParquetFormat.Statistics {
    ParquetFormat.Statistics(minValue: min, maxValue: max, nullCount: Int64(nullCount))
}

/// The list of encodings for ColumnMetaData.encodings.
func chunkEncodings(_ dataEncoding: ParquetFormat.Encoding, dictionary: Bool, optional: Bool) -> [ParquetFormat.Encoding] {
    var list: [ParquetFormat.Encoding] = []
    if dictionary { list.append(.plain) }
    if optional || dictionary { list.append(.rle) }
    if !list.contains(dataEncoding) { list.append(dataEncoding) }
    return list
}

/// Encoder for INT32, INT64 and DOUBLE columns (timestamps are INT64).
final class FixedWidthColumnEncoder<V: FixedWidthValue>: ColumnChunkEncoder {
    let column: ParquetColumn
    let storage: ColumnStorage<V>
    /// DELTA_BINARY_PACKED encoder, for integer types only.
    let deltaEncode: ((UnsafeBufferPointer<V>, inout [UInt8]) -> Void)?

    init(column: ParquetColumn, storage: ColumnStorage<V>, deltaEncode: ((UnsafeBufferPointer<V>, inout [UInt8]) -> Void)?) {
        self.column = column
        self.storage = storage
        self.deltaEncode = deltaEncode
    }

    var rowCount: Int { self.storage.rowCount }
    var rejectedNulls: Int { self.storage.rejectedNulls }
    var bufferedBytes: Int { self.storage.valueCount * MemoryLayout<V>.size + (self.storage.levels?.count ?? 0) }
    func reserve(rows: Int) { self.storage.reserve(rows: rows) }
    func reset() { self.storage.reset() }

    /// Min and max of the ordered (non-NaN) values in `range`.
    private func minMax(_ values: UnsafeBufferPointer<V>, _ range: Range<Int>) -> (V, V)? {
        var i = range.lowerBound
        while i < range.upperBound && values[i].isUnordered { i += 1 }
        guard i < range.upperBound else { return nil }
        var lo = values[i]
        var hi = values[i]
        while i < range.upperBound {
            let v = values[i]
            if V.precedes(v, lo) { lo = v }
            if V.precedes(hi, v) { hi = v }
            i += 1
        }
        return (lo, hi)
    }

    private func statistics(_ extremes: (V, V)?, nulls: Int) -> ParquetFormat.Statistics {
        guard let (lo, hi) = extremes else { return makeStatistics(min: nil, max: nil, nullCount: nulls) }
        var minBytes = PlainEncoding.bytes(of: lo)
        var maxBytes = PlainEncoding.bytes(of: hi)
        // Floating-point zeros: the minimum is written as -0.0 and the maximum as +0.0 (parquet.thrift).
        if let d = lo as? Double, d == 0 { minBytes = PlainEncoding.bytes(of: -0.0 as Double) }
        if let d = hi as? Double, d == 0 { maxBytes = PlainEncoding.bytes(of: 0.0 as Double) }
        if let f = lo as? Float, f == 0 { minBytes = PlainEncoding.bytes(of: -0.0 as Float) }
        if let f = hi as? Float, f == 0 { maxBytes = PlainEncoding.bytes(of: 0.0 as Float) }
        return makeStatistics(min: minBytes, max: maxBytes, nullCount: nulls)
    }

    // Calls arrive through the `ColumnChunkEncoder` existential; these pre-specialisations keep
    // the per-value loops (statistics, dictionary, encoding) free of generic dispatch.
    @_specialize(where V == Double)
    @_specialize(where V == Int64)
    @_specialize(where V == Int32)
    @_specialize(where V == Float)
    func encodeChunk(_ context: inout ChunkEncodingContext) throws -> ParquetFormat.ColumnMetaData {
        let rows = self.storage.rowCount
        let levels = self.storage.levels
        let values = self.storage.values
        let width = MemoryLayout<V>.size
        let rowsPerPage = max(1, context.dataPageByteLimit / width)
        let chunkStart = context.currentOffset
        var dictionaryPageOffset: Int64?
        var compressed = 0
        var uncompressed = 0
        var encodingStats: [ParquetFormat.PageEncodingStats] = []
        let valueCount = values.count

        do {
            var chunkMin: V?
            var chunkMax: V?

            // Choose the encoding.
            var useDictionary = false
            switch self.column.encoding {
            case .automatic, .dictionary:
                let maxEntries = max(1, context.dictionaryByteLimit / width)
                if valueCount > 0 && context.dictionary.build(values, maxEntries: maxEntries, indices: &context.indices) {
                    let entries = context.dictionary.entries.count
                    let bits = RLEHybrid.bitWidth(forMaximum: UInt32(max(0, entries - 1)))
                    let dictionarySize = entries * width + (valueCount * bits + 7) / 8
                    useDictionary = self.column.encoding == .dictionary || dictionarySize < valueCount * width
                }
            default:
                break
            }
            var fallback = ParquetFormat.Encoding.plain
            switch self.column.encoding {
            case .byteStreamSplit: fallback = .byteStreamSplit
            case .deltaBinaryPacked: fallback = .deltaBinaryPacked
            case .automatic where V.self == Double.self && context.byteStreamSplitFallback: fallback = .byteStreamSplit
            default: break
            }

            let dataEncoding: ParquetFormat.Encoding
            if useDictionary {
                // Dictionary page: PLAIN entries.
                dictionaryPageOffset = context.currentOffset
                let entries = context.dictionary.entries.map { V(hashBits: $0) }
                var body: [UInt8] = []
                body.reserveCapacity(entries.count * width)
                entries.withUnsafeBufferPointer { PlainEncoding.encode($0, into: &body) }
                var header = ParquetFormat.PageHeader(
                    type: .dictionaryPage, uncompressedPageSize: 0, compressedPageSize: 0,
                    dictionaryPageHeader: ParquetFormat.DictionaryPageHeader(numValues: Int32(entries.count), encoding: .plain))
                let sizes = try context.appendPage(&header, body: body)
                compressed += sizes.compressed
                uncompressed += sizes.uncompressed
                encodingStats.append(ParquetFormat.PageEncodingStats(pageType: .dictionaryPage, encoding: .plain, count: 1))
                dataEncoding = .rleDictionary
            } else {
                dataEncoding = fallback
            }

            let dataPageOffset = context.currentOffset
            let indices = context.indices
            let bitWidth = useDictionary ? RLEHybrid.bitWidth(forMaximum: UInt32(max(0, context.dictionary.entries.count - 1))) : 0
            let deltaEncode = self.deltaEncode
            let result = try context.writeDataPages(
                rowCount: rows, levels: levels, rowsPerPage: rowsPerPage, encoding: dataEncoding,
                encodeValues: { range, body in
                    let slice = UnsafeBufferPointer(rebasing: values[range])
                    switch dataEncoding {
                    case .rleDictionary:
                        body.append(UInt8(bitWidth))
                        indices.withUnsafeBufferPointer {
                            RLEHybrid.encode(UnsafeBufferPointer(rebasing: $0[range]), bitWidth: bitWidth, into: &body)
                        }
                    case .byteStreamSplit:
                        ByteStreamSplit.encode(slice, into: &body)
                    case .deltaBinaryPacked:
                        if let deltaEncode { deltaEncode(slice, &body) } else { PlainEncoding.encode(slice, into: &body) }
                    default:
                        PlainEncoding.encode(slice, into: &body)
                    }
                },
                statistics: { range, nulls in
                    // One pass per page; the chunk's min/max are merged from the pages'.
                    let extremes = self.minMax(values, range)
                    if let (lo, hi) = extremes {
                        if chunkMin.map({ V.precedes(lo, $0) }) ?? true { chunkMin = lo }
                        if chunkMax.map({ V.precedes($0, hi) }) ?? true { chunkMax = hi }
                    }
                    return self.statistics(extremes, nulls: nulls)
                })
            let chunkStats = self.statistics(chunkMin.flatMap { lo in chunkMax.map { (lo, $0) } }, nulls: rows - valueCount)
            compressed += result.compressed
            uncompressed += result.uncompressed
            encodingStats.append(ParquetFormat.PageEncodingStats(pageType: .dataPage, encoding: dataEncoding, count: Int32(result.pages)))

            return ParquetFormat.ColumnMetaData(
                type: V.physicalType,
                encodings: chunkEncodings(dataEncoding, dictionary: useDictionary, optional: self.storage.isOptional),
                pathInSchema: [self.column.name], codec: context.codec, numValues: Int64(rows),
                totalUncompressedSize: Int64(uncompressed), totalCompressedSize: Int64(compressed),
                dataPageOffset: dataPageOffset, dictionaryPageOffset: dictionaryPageOffset,
                statistics: chunkStats, encodingStats: encodingStats)
                .withChunkStart(chunkStart)
        }
    }
}

extension ParquetFormat.ColumnMetaData {
    /// Identity helper that documents where the chunk starts (the dictionary page if any).
    fileprivate func withChunkStart(_ start: Int64) -> ParquetFormat.ColumnMetaData {
        assert(start == (self.dictionaryPageOffset ?? self.dataPageOffset))
        return self
    }
}

/// Encoder for UTF-8 string (BYTE_ARRAY) columns.
final class StringColumnEncoder: ColumnChunkEncoder {
    let column: ParquetColumn
    let storage: ColumnStorage<String>

    init(column: ParquetColumn, storage: ColumnStorage<String>) {
        self.column = column
        self.storage = storage
    }

    var rowCount: Int { self.storage.rowCount }
    var rejectedNulls: Int { self.storage.rejectedNulls }
    var bufferedBytes: Int { self.storage.variableBytes + 4 * self.storage.valueCount + (self.storage.levels?.count ?? 0) }
    func reserve(rows: Int) { self.storage.reserve(rows: rows) }
    func reset() { self.storage.reset() }

    private static func statistics(_ values: Slice<UnsafeBufferPointer<String>>, nulls: Int) -> ParquetFormat.Statistics {
        guard var lo = values.first, var hi = values.first else { return makeStatistics(min: nil, max: nil, nullCount: nulls) }
        for v in values.dropFirst() {
            if v.utf8.lexicographicallyPrecedes(lo.utf8) { lo = v }
            if hi.utf8.lexicographicallyPrecedes(v.utf8) { hi = v }
        }
        return makeStatistics(min: Array(lo.utf8), max: Array(hi.utf8), nullCount: nulls)
    }

    func encodeChunk(_ context: inout ChunkEncodingContext) throws -> ParquetFormat.ColumnMetaData {
        let values = self.storage.values
        let rows = self.storage.rowCount
        let levels = self.storage.levels
        let averageBytes = values.isEmpty ? 8 : 4 + self.storage.variableBytes / values.count
        let rowsPerPage = max(1, context.dataPageByteLimit / max(1, averageBytes))
        var compressed = 0
        var uncompressed = 0
        var encodingStats: [ParquetFormat.PageEncodingStats] = []

        var useDictionary = false
        var dictionary: [String: UInt32] = [:]
        var entries: [String] = []
        var indices: [UInt32] = []
        if self.column.encoding == .automatic || self.column.encoding == .dictionary, !values.isEmpty {
            useDictionary = true
            var dictionaryBytes = 0
            indices.reserveCapacity(values.count)
            for v in values {
                if let index = dictionary[v] {
                    indices.append(index)
                } else {
                    dictionaryBytes += 4 + v.utf8.count
                    if dictionaryBytes > context.dictionaryByteLimit {
                        useDictionary = false
                        break
                    }
                    let index = UInt32(entries.count)
                    dictionary[v] = index
                    entries.append(v)
                    indices.append(index)
                }
            }
            if useDictionary && self.column.encoding == .automatic {
                let bits = RLEHybrid.bitWidth(forMaximum: UInt32(max(0, entries.count - 1)))
                useDictionary = dictionaryBytes + (values.count * bits + 7) / 8 < self.storage.variableBytes + 4 * values.count
            }
        }

        var dictionaryPageOffset: Int64?
        if useDictionary {
            dictionaryPageOffset = context.currentOffset
            var body: [UInt8] = []
            PlainEncoding.encodeStrings(entries, into: &body)
            var header = ParquetFormat.PageHeader(
                type: .dictionaryPage, uncompressedPageSize: 0, compressedPageSize: 0,
                dictionaryPageHeader: ParquetFormat.DictionaryPageHeader(numValues: Int32(entries.count), encoding: .plain))
            let sizes = try context.appendPage(&header, body: body)
            compressed += sizes.compressed
            uncompressed += sizes.uncompressed
            encodingStats.append(ParquetFormat.PageEncodingStats(pageType: .dictionaryPage, encoding: .plain, count: 1))
        }
        let dataEncoding: ParquetFormat.Encoding = useDictionary ? .rleDictionary : .plain
        let bitWidth = RLEHybrid.bitWidth(forMaximum: UInt32(max(0, entries.count - 1)))
        let dataPageOffset = context.currentOffset
        let result = try context.writeDataPages(
            rowCount: rows, levels: levels, rowsPerPage: rowsPerPage, encoding: dataEncoding,
            encodeValues: { range, body in
                if useDictionary {
                    body.append(UInt8(bitWidth))
                    indices.withUnsafeBufferPointer {
                        RLEHybrid.encode(UnsafeBufferPointer(rebasing: $0[range]), bitWidth: bitWidth, into: &body)
                    }
                } else {
                    PlainEncoding.encodeStrings(values[range], into: &body)
                }
            },
            statistics: { range, nulls in Self.statistics(values[range], nulls: nulls) })
        compressed += result.compressed
        uncompressed += result.uncompressed
        encodingStats.append(ParquetFormat.PageEncodingStats(pageType: .dataPage, encoding: dataEncoding, count: Int32(result.pages)))
        return ParquetFormat.ColumnMetaData(
            type: .byteArray, encodings: chunkEncodings(dataEncoding, dictionary: useDictionary, optional: self.storage.isOptional),
            pathInSchema: [self.column.name], codec: context.codec, numValues: Int64(rows),
            totalUncompressedSize: Int64(uncompressed), totalCompressedSize: Int64(compressed),
            dataPageOffset: dataPageOffset, dictionaryPageOffset: dictionaryPageOffset,
            statistics: Self.statistics(values[...], nulls: rows - values.count), encodingStats: encodingStats)
    }
}

/// Encoder for BOOLEAN columns (PLAIN, bit-packed).
final class BooleanColumnEncoder: ColumnChunkEncoder {
    let column: ParquetColumn
    let storage: ColumnStorage<Bool>

    init(column: ParquetColumn, storage: ColumnStorage<Bool>) {
        self.column = column
        self.storage = storage
    }

    var rowCount: Int { self.storage.rowCount }
    var rejectedNulls: Int { self.storage.rejectedNulls }
    var bufferedBytes: Int { self.storage.valueCount + (self.storage.levels?.count ?? 0) }
    func reserve(rows: Int) { self.storage.reserve(rows: rows) }
    func reset() { self.storage.reset() }

    private static func statistics(_ values: Slice<UnsafeBufferPointer<Bool>>, nulls: Int) -> ParquetFormat.Statistics {
        guard !values.isEmpty else { return makeStatistics(min: nil, max: nil, nullCount: nulls) }
        let hasFalse = values.contains(false)
        let hasTrue = values.contains(true)
        return makeStatistics(min: [hasFalse ? 0 : 1], max: [hasTrue ? 1 : 0], nullCount: nulls)
    }

    func encodeChunk(_ context: inout ChunkEncodingContext) throws -> ParquetFormat.ColumnMetaData {
        let values = self.storage.values
        let rows = self.storage.rowCount
        let levels = self.storage.levels
        let dataPageOffset = context.currentOffset
        let result = try context.writeDataPages(
            rowCount: rows, levels: levels, rowsPerPage: context.dataPageByteLimit * 8, encoding: .plain,
            encodeValues: { range, body in
                PlainEncoding.encodeBooleans(UnsafeBufferPointer(rebasing: values[range]), into: &body)
            },
            statistics: { range, nulls in Self.statistics(values[range], nulls: nulls) })
        return ParquetFormat.ColumnMetaData(
            type: .boolean, encodings: chunkEncodings(.plain, dictionary: false, optional: self.storage.isOptional),
            pathInSchema: [self.column.name], codec: context.codec, numValues: Int64(rows),
            totalUncompressedSize: Int64(result.uncompressed), totalCompressedSize: Int64(result.compressed),
            dataPageOffset: dataPageOffset, statistics: Self.statistics(values[...], nulls: rows - values.count),
            encodingStats: [ParquetFormat.PageEncodingStats(pageType: .dataPage, encoding: .plain, count: Int32(result.pages))])
    }
}
