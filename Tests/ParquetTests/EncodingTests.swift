import Foundation
import Parquet
import Testing

/// Encodings checked byte for byte against Encodings.md and the Parquet spec, through files whose
/// pages we build with the public writer and then inspect with the public reader.
@Suite struct EncodingTests {
    /// Writes one INT32 column and returns the first data page's body (uncompressed writer).
    static func firstPageBody(values: [Int32?], encoding: ParquetColumnEncoding) throws -> (header: ParquetFormat.PageHeader, body: [UInt8], dictionary: [UInt8]?) {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("page.parquet").path
        var options = ParquetWriter.Options()
        options.compression = .uncompressed
        options.syncEachRowGroup = false
        options.writePageStatistics = false
        let optional = values.contains(nil)
        let writer = try ParquetWriter(path: path, schema: ParquetSchema([.int32("v", optional: optional, encoding: encoding)]), options: options)
        let column = try writer.column(0, as: Int32.self)
        for v in values {
            column.append(v)
            try writer.endRow()
        }
        try writer.close()
        let reader = try ParquetReader(path: path)
        let meta = try reader.columnChunkMetadata(rowGroup: 0, column: 0)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        var dictionary: [UInt8]?
        if let offset = meta.dictionaryPageOffset {
            let (header, length) = try ParquetFormat.PageHeader.decode(from: bytes, range: Int(offset)..<bytes.count)
            let start = Int(offset) + length
            dictionary = Array(bytes[start..<(start + Int(header.compressedPageSize))])
        }
        let (header, length) = try ParquetFormat.PageHeader.decode(from: bytes, range: Int(meta.dataPageOffset)..<bytes.count)
        let start = Int(meta.dataPageOffset) + length
        return (header, Array(bytes[start..<(start + Int(header.compressedPageSize))]), dictionary)
    }

    /// Encodings.md's bit-packing example: 0…7 at bit width 3 packs to 0x88 0xC6 0xFA. As
    /// dictionary indices (dictionary = the 8 distinct values) the page body is
    /// `bitWidth(3) | header (1 group << 1 | 1) | 0x88 0xC6 0xFA`.
    @Test func bitPackedDictionaryIndicesMatchSpecExample() throws {
        let (header, body, dictionary) = try Self.firstPageBody(values: (0..<8).map { Int32($0) * 10 }, encoding: .dictionary)
        #expect(header.dataPageHeader?.encoding == .rleDictionary)
        #expect(body == [0x03, 0x03, 0x88, 0xC6, 0xFA])
        // PLAIN dictionary: 0, 10, …, 70 as little-endian INT32.
        #expect(dictionary == (0..<8).flatMap { [UInt8($0 * 10), 0, 0, 0] })
    }

    /// A run of 10 equal values is an RLE run: header 10 << 1 = 0x14, value in 1 byte.
    /// Definition levels (OPTIONAL column) with 3 present, 1 null, 12 present:
    /// bit-packed 8 (0b1111_0111 = 0xF7) + … computed by hand below.
    @Test func rleRunsAndDefinitionLevels() throws {
        let (_, body, _) = try Self.firstPageBody(values: Array(repeating: 5, count: 10), encoding: .dictionary)
        // Bit width 0 (one dictionary entry): RLE run of 10 with a zero-byte value.
        #expect(body == [0x00, 0x14])

        let values: [Int32?] = [1, 2, 3, nil] + Array(repeating: 4, count: 12)
        let (_, optionalBody, _) = try Self.firstPageBody(values: values, encoding: .plain)
        // Levels 1,1,1,0,1,1,1,1 | 1×8: the first 8 are bit-packed (LSB first: 0b1111_0111),
        // then an RLE run of 8 ones.
        let levels: [UInt8] = [0x03, 0xF7, 0x10, 0x01]
        let length: [UInt8] = [UInt8(levels.count), 0, 0, 0]
        let presentValues: [Int] = [1, 2, 3] + Array(repeating: 4, count: 12)
        let plain: [UInt8] = presentValues.flatMap { [UInt8($0), 0, 0, 0] }
        #expect(optionalBody == length + levels + plain)
    }

    /// DELTA_BINARY_PACKED of 1, 2, 3, 4, 5 (Encodings.md example 1): header 128, 4, 5, zigzag(1) = 2;
    /// block: min delta zigzag(1) = 2, bit widths 0 0 0 0, no miniblock data.
    @Test func deltaBinaryPackedSpecExample() throws {
        let (header, body, _) = try Self.firstPageBody(values: [1, 2, 3, 4, 5], encoding: .deltaBinaryPacked)
        #expect(header.dataPageHeader?.encoding == .deltaBinaryPacked)
        #expect(body == [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00])
    }

    /// DELTA_BINARY_PACKED of 7, 5, 3, 1, 2, 3, 4, 5 (Encodings.md example 2): deltas −2 −2 −2 1 1 1 1,
    /// min delta −2 (zigzag 3), adjusted 0 0 0 3 3 3 3 at bit width 2, padded to 32 values (8 bytes).
    @Test func deltaBinaryPackedSecondSpecExample() throws {
        let (_, body, _) = try Self.firstPageBody(values: [7, 5, 3, 1, 2, 3, 4, 5], encoding: .deltaBinaryPacked)
        // adjusted 0,0,0,3 → bits 00 00 00 11 → 0xC0; 3,3,3,(pad 0) → 0x3F; rest zero.
        let expected: [UInt8] = [0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00, 0xC0, 0x3F, 0, 0, 0, 0, 0, 0]
        #expect(body == expected)
    }

    /// Large random INT64 round trip through every encoding, including wrap-around deltas.
    @Test(arguments: [ParquetColumnEncoding.plain, .dictionary, .deltaBinaryPacked, .automatic])
    func int64ExtremesRoundTrip(encoding: ParquetColumnEncoding) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("i64.parquet").path
        var values: [Int64] = [Int64.min, Int64.max, 0, -1, 1, Int64.max, Int64.min]
        var state: UInt64 = 42
        for _ in 0..<1000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            values.append(Int64(bitPattern: state))
        }
        var options = ParquetWriter.Options()
        options.syncEachRowGroup = false
        let writer = try ParquetWriter(path: path, schema: ParquetSchema([.int64("v", encoding: encoding)]), options: options)
        let column = try writer.column(0, as: Int64.self)
        column.append(contentsOf: values)
        try writer.close()
        let reader = try ParquetReader(path: path)
        #expect(try reader.readColumn(0, rowGroup: 0).values(as: Int64.self) == values)
        let stats = try #require(try reader.statistics(rowGroup: 0, column: 0))
        #expect(stats.min == .int64(.min))
        #expect(stats.max == .int64(.max))
    }
}
