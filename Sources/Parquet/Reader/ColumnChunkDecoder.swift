/// Collects the decoded values of one column chunk.
protocol ValueAccumulator {
    /// Reads a dictionary page body of `count` PLAIN entries.
    mutating func readDictionary(_ body: UnsafeRawBufferPointer, count: Int) throws
    /// Reads `count` non-null values starting at `body[offset]`.
    mutating func readValues(_ body: UnsafeRawBufferPointer, offset: Int, count: Int, encoding: ParquetFormat.Encoding) throws
    /// The values read so far.
    var result: ParquetValues { get }
}

/// Reads `count` dictionary indices (bit width byte + RLE hybrid) and maps them through `dictionary`.
private func readDictionaryIndices<T>(
    _ body: UnsafeRawBufferPointer, offset: Int, count: Int, dictionary: [T]?, into output: inout [T]
) throws {
    guard let dictionary else { throw ParquetError.corrupt("dictionary-encoded page without a dictionary page") }
    guard count > 0 else { return }
    guard offset < body.count else { throw ParquetError.corrupt("dictionary page data is empty") }
    let bitWidth = Int(body[offset])
    var indices: [UInt32] = []
    try RLEHybrid.decode(body, from: offset + 1, bitWidth: bitWidth, count: count, into: &indices)
    output.reserveCapacity(output.count + count)
    let limit = UInt32(dictionary.count)
    for index in indices {
        guard index < limit else { throw ParquetError.corrupt("dictionary index \(index) out of range (dictionary has \(limit) entries)") }
        output.append(dictionary[Int(index)])
    }
}

private func unsupportedEncoding(_ encoding: ParquetFormat.Encoding, _ type: String) -> ParquetError {
    ParquetError(.unsupported, "Encoding \(encoding) is not supported for \(type) columns")
}

struct FixedWidthAccumulator<V: FixedWidthValue>: ValueAccumulator {
    var values: [V] = []
    var dictionary: [V]?
    let wrap: ([V]) -> ParquetValues
    let deltaDecode: ((UnsafeRawBufferPointer, Int, Int, inout [V]) throws -> Void)?

    mutating func readDictionary(_ body: UnsafeRawBufferPointer, count: Int) throws {
        var entries: [V] = []
        try PlainEncoding.decode(body, from: 0, count: count, into: &entries)
        self.dictionary = entries
    }

    mutating func readValues(_ body: UnsafeRawBufferPointer, offset: Int, count: Int, encoding: ParquetFormat.Encoding) throws {
        switch encoding {
        case .plain:
            try PlainEncoding.decode(body, from: offset, count: count, into: &self.values)
        case .rleDictionary, .plainDictionary:
            try readDictionaryIndices(body, offset: offset, count: count, dictionary: self.dictionary, into: &self.values)
        case .byteStreamSplit:
            try ByteStreamSplit.decode(body, from: offset, count: count, into: &self.values)
        case .deltaBinaryPacked:
            guard let deltaDecode else { throw unsupportedEncoding(encoding, "\(V.physicalType)") }
            try deltaDecode(body, offset, count, &self.values)
        default:
            throw unsupportedEncoding(encoding, "\(V.physicalType)")
        }
    }

    var result: ParquetValues { self.wrap(self.values) }
}

struct StringAccumulator: ValueAccumulator {
    var values: [String] = []
    var dictionary: [String]?

    mutating func readDictionary(_ body: UnsafeRawBufferPointer, count: Int) throws {
        var entries: [String] = []
        try PlainEncoding.decodeStrings(body, from: 0, count: count, into: &entries)
        self.dictionary = entries
    }

    mutating func readValues(_ body: UnsafeRawBufferPointer, offset: Int, count: Int, encoding: ParquetFormat.Encoding) throws {
        switch encoding {
        case .plain:
            try PlainEncoding.decodeStrings(body, from: offset, count: count, into: &self.values)
        case .rleDictionary, .plainDictionary:
            try readDictionaryIndices(body, offset: offset, count: count, dictionary: self.dictionary, into: &self.values)
        default:
            throw unsupportedEncoding(encoding, "BYTE_ARRAY")
        }
    }

    var result: ParquetValues { .string(self.values) }
}

struct BooleanAccumulator: ValueAccumulator {
    var values: [Bool] = []

    mutating func readDictionary(_ body: UnsafeRawBufferPointer, count: Int) throws {
        throw ParquetError.corrupt("dictionary page in a BOOLEAN column")
    }

    mutating func readValues(_ body: UnsafeRawBufferPointer, offset: Int, count: Int, encoding: ParquetFormat.Encoding) throws {
        switch encoding {
        case .plain:
            try PlainEncoding.decodeBooleans(body, from: offset, count: count, into: &self.values)
        case .rle:
            // 4-byte length, then the RLE hybrid with bit width 1.
            guard body.count - offset >= 4 else { throw ParquetError.corrupt("RLE boolean length truncated") }
            let length = Int(body.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
            guard body.count - offset - 4 >= length else { throw ParquetError.corrupt("RLE boolean data truncated") }
            var bits: [UInt32] = []
            try RLEHybrid.decode(
                UnsafeRawBufferPointer(rebasing: body[(offset + 4)..<(offset + 4 + length)]), bitWidth: 1, count: count, into: &bits)
            self.values.append(contentsOf: bits.lazy.map { $0 != 0 })
        default:
            throw unsupportedEncoding(encoding, "BOOLEAN")
        }
    }

    var result: ParquetValues { .boolean(self.values) }
}

/// A page found while walking a column chunk.
struct ScannedPage {
    var header: ParquetFormat.PageHeader
    /// Offset of the header within the scanned bytes.
    var headerOffset: Int
    /// Range of the (possibly compressed) body within the scanned bytes.
    var body: Range<Int>
}

enum ColumnChunkDecoder {
    /// Reads the page header at `position` and returns the page; advances `position` past its body.
    static func nextPage(_ bytes: [UInt8], at position: inout Int, limit: Int? = nil) throws -> ScannedPage {
        let end = limit ?? bytes.count
        var decoder = ThriftCompactDecoder(bytes, range: position..<end)
        let header = try ParquetFormat.PageHeader(from: &decoder)
        let bodyStart = decoder.position
        let bodyLength = Int(header.compressedPageSize)
        guard end - bodyStart >= bodyLength else {
            throw ParquetError.corrupt("page at byte \(position) claims \(bodyLength) bytes but only \(end - bodyStart) remain")
        }
        let page = ScannedPage(header: header, headerOffset: position, body: bodyStart..<(bodyStart + bodyLength))
        position = bodyStart + bodyLength
        return page
    }

    static func decompress(_ bytes: UnsafeRawBufferPointer, codec: ParquetFormat.CompressionCodec, uncompressedSize: Int) throws -> [UInt8] {
        switch codec {
        case .uncompressed:
            guard bytes.count == uncompressedSize else {
                throw ParquetError.corrupt("uncompressed page holds \(bytes.count) bytes, header says \(uncompressedSize)")
            }
            return Array(bytes)
        case .zstd:
            return try zstdDecompress(bytes, expectedSize: uncompressedSize)
        default:
            throw ParquetError(.unsupported, "Compression codec \(codec) is not supported (only UNCOMPRESSED and ZSTD)")
        }
    }

    /// Decodes a whole column chunk.
    static func decode(
        bytes: [UInt8], column: ParquetColumn, physicalType: ParquetFormat.PhysicalType,
        codec: ParquetFormat.CompressionCodec, valueCount: Int
    ) throws -> ParquetColumnData {
        switch physicalType {
        case .boolean:
            var accumulator = BooleanAccumulator()
            return try self.decode(bytes: bytes, column: column, codec: codec, valueCount: valueCount, into: &accumulator)
        case .int32:
            var accumulator = FixedWidthAccumulator<Int32>(wrap: { .int32($0) }, deltaDecode: {
                try DeltaBinaryPacked.decode($0, from: $1, expectedCount: $2, into: &$3)
            })
            return try self.decode(bytes: bytes, column: column, codec: codec, valueCount: valueCount, into: &accumulator)
        case .int64:
            var accumulator = FixedWidthAccumulator<Int64>(wrap: { .int64($0) }, deltaDecode: {
                try DeltaBinaryPacked.decode($0, from: $1, expectedCount: $2, into: &$3)
            })
            return try self.decode(bytes: bytes, column: column, codec: codec, valueCount: valueCount, into: &accumulator)
        case .float:
            var accumulator = FixedWidthAccumulator<Float>(wrap: { .float($0) }, deltaDecode: nil)
            return try self.decode(bytes: bytes, column: column, codec: codec, valueCount: valueCount, into: &accumulator)
        case .double:
            var accumulator = FixedWidthAccumulator<Double>(wrap: { .double($0) }, deltaDecode: nil)
            return try self.decode(bytes: bytes, column: column, codec: codec, valueCount: valueCount, into: &accumulator)
        case .byteArray:
            var accumulator = StringAccumulator()
            return try self.decode(bytes: bytes, column: column, codec: codec, valueCount: valueCount, into: &accumulator)
        default:
            throw ParquetError(.unsupported, "Physical type \(physicalType) is not supported")
        }
    }

    private static func decode<A: ValueAccumulator>(
        bytes: [UInt8], column: ParquetColumn, codec: ParquetFormat.CompressionCodec, valueCount: Int, into accumulator: inout A
    ) throws -> ParquetColumnData {
        var position = 0
        var rows = 0
        var validity: [Bool] = []
        var levels: [UInt32] = []
        var sawNull = false
        if column.isOptional { validity.reserveCapacity(valueCount) }
        while rows < valueCount {
            guard position < bytes.count else {
                throw ParquetError.corrupt("column chunk ends after \(rows) of \(valueCount) values")
            }
            let page = try self.nextPage(bytes, at: &position)
            let header = page.header
            try bytes.withUnsafeBytes { raw in
                let body = UnsafeRawBufferPointer(rebasing: raw[page.body])
                switch header.type {
                case .dictionaryPage:
                    guard let dictionaryHeader = header.dictionaryPageHeader else { throw ParquetError.corrupt("dictionary page without its header") }
                    let plain = try self.decompress(body, codec: codec, uncompressedSize: Int(header.uncompressedPageSize))
                    try plain.withUnsafeBytes { try accumulator.readDictionary($0, count: Int(dictionaryHeader.numValues)) }

                case .dataPage:
                    guard let dataHeader = header.dataPageHeader else { throw ParquetError.corrupt("data page without its header") }
                    let n = Int(dataHeader.numValues)
                    guard n >= 0, n <= valueCount - rows else { throw ParquetError.corrupt("data page holds \(n) values, more than the chunk's remaining \(valueCount - rows)") }
                    let plain = try self.decompress(body, codec: codec, uncompressedSize: Int(header.uncompressedPageSize))
                    try plain.withUnsafeBytes { data in
                        var offset = 0
                        var present = n
                        if column.isOptional {
                            guard data.count >= 4 else { throw ParquetError.corrupt("definition levels length truncated") }
                            let length = Int(data.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian)
                            guard data.count - 4 >= length else { throw ParquetError.corrupt("definition levels truncated") }
                            levels.removeAll(keepingCapacity: true)
                            try RLEHybrid.decode(UnsafeRawBufferPointer(rebasing: data[4..<(4 + length)]), bitWidth: 1, count: n, into: &levels)
                            present = 0
                            for level in levels {
                                validity.append(level != 0)
                                present += Int(level)
                            }
                            if present < n { sawNull = true }
                            offset = 4 + length
                        }
                        try accumulator.readValues(data, offset: offset, count: present, encoding: dataHeader.encoding)
                    }
                    rows += n

                case .dataPageV2:
                    guard let v2 = header.dataPageHeaderV2 else { throw ParquetError.corrupt("data page v2 without its header") }
                    let n = Int(v2.numValues)
                    let repetitionLength = Int(v2.repetitionLevelsByteLength)
                    let definitionLength = Int(v2.definitionLevelsByteLength)
                    guard n >= 0, n <= valueCount - rows else { throw ParquetError.corrupt("data page holds \(n) values, more than the chunk's remaining \(valueCount - rows)") }
                    guard repetitionLength >= 0, definitionLength >= 0, repetitionLength + definitionLength <= body.count else {
                        throw ParquetError.corrupt("data page v2 level lengths exceed the page")
                    }
                    var present = n
                    if column.isOptional {
                        levels.removeAll(keepingCapacity: true)
                        let levelBytes = UnsafeRawBufferPointer(rebasing: body[repetitionLength..<(repetitionLength + definitionLength)])
                        try RLEHybrid.decode(levelBytes, bitWidth: 1, count: n, into: &levels)
                        present = 0
                        for level in levels {
                            validity.append(level != 0)
                            present += Int(level)
                        }
                        if present < n { sawNull = true }
                    }
                    let valuesPart = UnsafeRawBufferPointer(rebasing: body[(repetitionLength + definitionLength)...])
                    let uncompressedValues = Int(header.uncompressedPageSize) - repetitionLength - definitionLength
                    let plain = v2.isCompressed
                        ? try self.decompress(valuesPart, codec: codec, uncompressedSize: uncompressedValues)
                        : Array(valuesPart)
                    try plain.withUnsafeBytes { try accumulator.readValues($0, offset: 0, count: present, encoding: v2.encoding) }
                    rows += n

                default:
                    break  // index pages and unknown page types carry no values
                }
            }
        }
        let values = accumulator.result
        let expectedPresent = column.isOptional ? validity.lazy.filter { $0 }.count : rows
        guard values.count == expectedPresent else {
            throw ParquetError.corrupt("decoded \(values.count) values for \(expectedPresent) non-null rows")
        }
        return ParquetColumnData(values: values, validity: column.isOptional && sawNull ? validity : nil, rowCount: rows)
    }
}
