import Foundation
import Parquet
import Testing

/// Files written by pyarrow (by `scripts/parquet_reference.py write`) read with our reader.
@Suite struct PyarrowFileTests {
    struct Variant: Sendable, CustomStringConvertible {
        var dictionary: Bool
        var pageVersion: String
        var compression: String
        var description: String { "dictionary=\(self.dictionary) pages=v\(self.pageVersion) \(self.compression)" }
    }

    static let variants: [Variant] = [
        Variant(dictionary: true, pageVersion: "1.0", compression: "zstd"),
        Variant(dictionary: false, pageVersion: "1.0", compression: "zstd"),
        Variant(dictionary: true, pageVersion: "2.0", compression: "zstd"),
        Variant(dictionary: false, pageVersion: "2.0", compression: "none"),
    ]

    static let expectedKinds: [String: ParquetColumn.Kind] = [
        "ts_ns": .timestamp(.nanoseconds), "ts_ms": .timestamp(.milliseconds), "i32": .int32, "i64_opt": .int64,
        "dbl": .double, "dbl_opt": .double, "f32": .float, "s": .string, "s_opt": .string, "b": .boolean, "b_opt": .boolean,
    ]

    @Test(arguments: variants)
    func readsEveryValue(variant: Variant) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("pyarrow.parquet").path
        let written = try TestSupport.runReference(
            ["write", path, variant.dictionary ? "1" : "0", variant.pageVersion, variant.compression])

        let reader = try ParquetReader(path: path)
        #expect(reader.rowCount == 5000)
        #expect(reader.rowGroupCount == 3)
        #expect(reader.metadataValue(forKey: "market") == "ETH")
        #expect(reader.metadataValue(forKey: "source") == "pyarrow-test")
        #expect(reader.metadata.createdBy?.hasPrefix("parquet-cpp-arrow") == true)
        for column in reader.schema.columns {
            #expect(Self.expectedKinds[column.name] == column.kind, "\(column.name)")
            #expect(column.isOptional == !["ts_ns", "i32", "dbl", "s", "b"].contains(column.name), "\(column.name)")
        }

        // The data pages really are of the requested version and encoding.
        let firstChunk = try reader.columnChunkMetadata(rowGroup: 0, column: 0)
        #expect(firstChunk.codec == (variant.compression == "zstd" ? .zstd : .uncompressed))
        #expect(firstChunk.encodings.contains(.rleDictionary) == variant.dictionary)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let (pageHeader, _) = try ParquetFormat.PageHeader.decode(from: bytes, range: Int(firstChunk.dataPageOffset)..<bytes.count)
        #expect(pageHeader.type == (variant.pageVersion == "2.0" ? .dataPageV2 : .dataPage))

        for (index, column) in reader.schema.columns.enumerated() {
            var all: [Any?] = []
            for group in 0..<reader.rowGroupCount {
                let data = try reader.readColumn(index, rowGroup: group)
                #expect(Int64(data.rowCount) == (try reader.rowCount(ofRowGroup: group)))
                all += try anyRows(data)
            }
            let reference = try referenceStrings(written, column.name)
            let mismatch = firstMismatch(reference, all)
            #expect(mismatch == nil, "\(column.name) differs at row \(mismatch ?? -1): \(mismatch.map { "\(reference[$0] ?? "null") vs \(all[$0] ?? "null")" } ?? "")")
        }

        // Statistics of the middle row group, checked against the written values.
        let dbl = try referenceStrings(written, "dbl")[2000..<4000].compactMap { $0.flatMap(Double.init) }
        let dblIndex = try #require(reader.schema.index(of: "dbl"))
        let stats = try #require(try reader.statistics(rowGroup: 1, column: dblIndex))
        let dblMin = try #require(dbl.min())
        let dblMax = try #require(dbl.max())
        #expect(stats.min == .double(dblMin))
        #expect(stats.max == .double(dblMax))
        #expect(stats.nullCount == 0)
        let i64 = try referenceStrings(written, "i64_opt")[2000..<4000]
        let i64Index = try #require(reader.schema.index(of: "i64_opt"))
        let i64Stats = try #require(try reader.statistics(rowGroup: 1, column: i64Index))
        #expect(i64Stats.nullCount == Int64(i64.filter { $0 == nil }.count))
        let i64Min = try #require(i64.compactMap { $0.flatMap { Int64($0) } }.min())
        #expect(i64Stats.min == .int64(i64Min))
    }
}
