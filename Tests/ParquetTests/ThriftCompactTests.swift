import Parquet
import Testing

/// Thrift compact protocol: byte sequences computed by hand from the Thrift compact protocol
/// specification (thrift/doc/specs/thrift-compact-protocol.md) and parquet.thrift field ids.
@Suite struct ThriftCompactTests {
    /// Zig-zag + ULEB128 table: (value, expected bytes of an i64 list element).
    static let varintTable: [(Int64, [UInt8])] = [
        (0, [0x00]),
        (-1, [0x01]),
        (1, [0x02]),
        (-2, [0x03]),
        (63, [0x7E]),
        (-64, [0x7F]),
        (64, [0x80, 0x01]),  // zigzag 128 -> 0x80 0x01
        (150, [0xAC, 0x02]),  // zigzag 300 -> 0xAC 0x02
        (2_147_483_647, [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]),  // zigzag 4294967294
        (-2_147_483_648, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),  // zigzag 4294967295
        (Int64.max, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test(arguments: 0..<12)
    func zigZagVarint(row: Int) throws {
        let (value, expected) = Self.varintTable[row]
        var encoder = ThriftCompactEncoder()
        encoder.writeI64(value)
        #expect(encoder.bytes == expected)
        var decoder = ThriftCompactDecoder(expected)
        #expect(try decoder.readI64() == value)
        #expect(decoder.isAtEnd)
    }

    @Test func unsignedVarints() {
        var encoder = ThriftCompactEncoder()
        encoder.writeVarint(1)
        encoder.writeVarint(127)
        encoder.writeVarint(128)
        encoder.writeVarint(300)
        #expect(encoder.bytes == [0x01, 0x7F, 0x80, 0x01, 0xAC, 0x02])
    }

    @Test func fieldHeadersShortAndLongForm() {
        var encoder = ThriftCompactEncoder()
        encoder.beginStruct()
        encoder.writeField(1, i32: 7)  // delta 1, type i32 (5): 0x15; zigzag(7) = 14
        encoder.writeField(2, bool: true)  // delta 1, type true (1): 0x11
        encoder.writeField(3, bool: false)  // delta 1, type false (2): 0x12
        encoder.writeField(5, binary: [0x61, 0x62])  // delta 2, type binary (8): 0x28, len 2
        encoder.writeField(21, i64: -1)  // delta 16 > 15: long form 0x06, zigzag(21) = 42 = 0x2A, zigzag(-1) = 1
        encoder.writeField(20, i32: 0)  // negative delta: long form 0x05, zigzag(20) = 40 = 0x28
        encoder.endStruct()
        #expect(encoder.bytes == [0x15, 0x0E, 0x11, 0x12, 0x28, 0x02, 0x61, 0x62, 0x06, 0x2A, 0x01, 0x05, 0x28, 0x00, 0x00])
    }

    @Test func listHeaders() {
        var encoder = ThriftCompactEncoder()
        encoder.beginStruct()
        encoder.beginListField(1, elementType: .i32, count: 3)  // 0x19, then 3 << 4 | 5 = 0x35
        for v: Int32 in [1, 2, 3] { encoder.writeI32(v) }
        encoder.beginListField(2, elementType: .i32, count: 15)  // 0x19, 0xF5, varint 15
        for _ in 0..<15 { encoder.writeI32(0) }
        encoder.endStruct()
        let expected: [UInt8] = [0x19, 0x35, 0x02, 0x04, 0x06, 0x19, 0xF5, 0x0F] + [UInt8](repeating: 0, count: 15) + [0x00]
        #expect(encoder.bytes == expected)
    }

    /// A PageHeader{DATA_PAGE, 10, 10, data_page_header: {2, PLAIN, RLE, RLE}} encoded by hand.
    @Test func pageHeaderKnownBytes() throws {
        let expected: [UInt8] = [
            0x15, 0x00,  // 1: type = 0
            0x15, 0x14,  // 2: uncompressed_page_size = 10 (zigzag 20)
            0x15, 0x14,  // 3: compressed_page_size = 10
            0x2C,  // 5: struct, delta 2
            0x15, 0x04,  // 1: num_values = 2
            0x15, 0x00,  // 2: encoding = PLAIN
            0x15, 0x06,  // 3: definition_level_encoding = RLE (3)
            0x15, 0x06,  // 4: repetition_level_encoding = RLE
            0x00,  // end DataPageHeader
            0x00,  // end PageHeader
        ]
        let header = ParquetFormat.PageHeader(
            type: .dataPage, uncompressedPageSize: 10, compressedPageSize: 10,
            dataPageHeader: ParquetFormat.DataPageHeader(numValues: 2, encoding: .plain))
        #expect(header.thriftCompactBytes() == expected)
        let (decoded, length) = try ParquetFormat.PageHeader.decode(from: expected)
        #expect(decoded == header)
        #expect(length == expected.count)
    }

    /// A timestamp logical type: union member 8 holding {1: true, 2: union TimeUnit {3: NANOS {}}}.
    @Test func timestampLogicalTypeKnownBytes() throws {
        let expected: [UInt8] = [0x8C, 0x11, 0x1C, 0x3C, 0x00, 0x00, 0x00, 0x00]
        let logical = ParquetFormat.LogicalType.timestamp(isAdjustedToUTC: true, unit: .nanoseconds)
        #expect(logical.thriftCompactBytes() == expected)
        #expect(try ParquetFormat.LogicalType.decode(from: expected).value == logical)
    }

    /// Unknown fields of every type are skipped: a KeyValue followed by unknown fields 3…12.
    @Test func skipsUnknownFieldsOfEveryType() throws {
        let full: [UInt8] = [
            0x18, 0x01, 0x6B,  // 1: key = "k"
            0x18, 0x01, 0x76,  // 2: value = "v"
            0x13, 0x7F,  // 3: byte
            0x14, 0x02,  // 4: i16 = 1
            0x17, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F,  // 5: double 1.0
            0x1B, 0x02, 0x83, 0x01, 0x61, 0x00, 0x01, 0x62, 0x04,  // 6: map<binary, byte> {"a": 0, "b": 4}
            0x1A, 0x11, 0x01,  // 7: set<bool> [true]
            0x19, 0x2C, 0x15, 0x02, 0x00, 0x00,  // 8: list<struct> [{1: i32 1}, {}]
            0x1C, 0x1C, 0x00, 0x11, 0x00,  // 9: struct { 1: struct {}, 2: bool true }
            0x19, 0x08,  // 10: empty list of binary
            0x1B, 0x00,  // 11: empty map
            0x11,  // 12: bool true
            0x00,
        ]
        let (decoded, length) = try ParquetFormat.KeyValue.decode(from: full)
        #expect(decoded == ParquetFormat.KeyValue(key: "k", value: "v"))
        #expect(length == full.count)
    }

    @Test func truncatedInputThrowsCorruptFile() {
        let header = ParquetFormat.PageHeader(
            type: .dataPage, uncompressedPageSize: 100, compressedPageSize: 50,
            dataPageHeader: ParquetFormat.DataPageHeader(numValues: 20, encoding: .rleDictionary))
        let bytes = header.thriftCompactBytes()
        for cut in [1, bytes.count / 2, bytes.count - 1] {
            #expect(throws: ParquetError.self) { try ParquetFormat.PageHeader.decode(from: Array(bytes[0..<cut])) }
            do {
                _ = try ParquetFormat.PageHeader.decode(from: Array(bytes[0..<cut]))
            } catch let error as ParquetError {
                #expect(error.kind == .corruptFile)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func fileMetaDataRoundTrip() throws {
        var stats = ParquetFormat.Statistics(minValue: [1, 0, 0, 0], maxValue: [9, 0, 0, 0], nullCount: 3)
        stats.isMinValueExact = true
        let meta = ParquetFormat.FileMetaData(
            version: 2,
            schema: [
                ParquetFormat.SchemaElement(name: "schema", numChildren: 2),
                ParquetFormat.SchemaElement(name: "ts", type: .int64, repetitionType: .required,
                                            logicalType: .timestamp(isAdjustedToUTC: true, unit: .microseconds)),
                ParquetFormat.SchemaElement(name: "s", type: .byteArray, repetitionType: .optional, convertedType: .utf8, logicalType: .string),
            ],
            numRows: 100,
            rowGroups: [ParquetFormat.RowGroup(
                columns: [ParquetFormat.ColumnChunk(fileOffset: 4, metaData: ParquetFormat.ColumnMetaData(
                    type: .int32, encodings: [.plain, .rle, .rleDictionary], pathInSchema: ["a"], codec: .zstd, numValues: 100,
                    totalUncompressedSize: 500, totalCompressedSize: 200, dataPageOffset: 40, dictionaryPageOffset: 4,
                    statistics: stats,
                    encodingStats: [ParquetFormat.PageEncodingStats(pageType: .dataPage, encoding: .rleDictionary, count: 2)]))],
                totalByteSize: 500, numRows: 100, fileOffset: 4, totalCompressedSize: 200, ordinal: 0)],
            keyValueMetadata: [ParquetFormat.KeyValue(key: "a", value: "b"), ParquetFormat.KeyValue(key: "novalue", value: nil)],
            createdBy: "test", typeDefinedColumnOrders: 2)
        let bytes = meta.thriftCompactBytes()
        let (decoded, length) = try ParquetFormat.FileMetaData.decode(from: bytes)
        #expect(decoded == meta)
        #expect(length == bytes.count)
    }
}
