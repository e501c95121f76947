import Foundation
import Parquet
import Testing

/// Crash recovery: footer-less and torn files are repaired to exactly their complete row groups,
/// checked with our reader and with pyarrow/polars/DuckDB.
@Suite struct RecoveryTests {
    static let schema = ParquetSchema([
        .timestamp("ts_ns", unit: .nanoseconds),
        .double("px"),
        .string("side", optional: true),
        .int64("qty", optional: true, encoding: .deltaBinaryPacked),
    ])

    /// Writes `groups` row groups of `rowsPerGroup` rows, then leaves `trailingRows` buffered and
    /// abandons the writer without closing it (as a crash would). Returns the file offsets where
    /// each row group record ends.
    static func writeUnclosed(path: String, groups: Int, rowsPerGroup: Int, compression: ParquetWriter.Compression = .zstd(level: 3)) throws -> [Int64] {
        var options = ParquetWriter.Options()
        options.compression = compression
        options.rowGroupRowLimit = rowsPerGroup
        options.dataPageByteLimit = 512
        var ends: [Int64] = []
        let writer = try ParquetWriter(path: path, schema: Self.schema, keyValueMetadata: [("market", "BTC")], options: options)
        let ts = try writer.column(0, as: Int64.self)
        let px = try writer.column(1, as: Double.self)
        let side = try writer.column(2, as: String.self)
        let qty = try writer.column(3, as: Int64.self)
        for i in 0..<(groups * rowsPerGroup + rowsPerGroup / 2) {
            ts.append(1_700_000_000_000_000_000 + Int64(i) * 1000)
            px.append(100 + Double(i % 17) * 0.5)
            side.append(i % 3 == 0 ? nil : (i % 2 == 0 ? "bid" : "ask"))
            qty.append(i % 5 == 0 ? nil : Int64(i * 3))
            let before = writer.rowGroupCount
            try writer.endRow()
            if writer.rowGroupCount > before { ends.append(try TestSupport.fileSize(path)) }
        }
        // The writer goes away without close(): no footer; the buffered half group is lost.
        return ends
    }

    static func expectRows(_ path: String, rows: Int, groups: Int) throws {
        let reader = try ParquetReader(path: path)
        #expect(reader.rowGroupCount == groups)
        #expect(reader.rowCount == Int64(rows))
        #expect(reader.metadataValue(forKey: "market") == "BTC")
        var ts: [Int64] = []
        var side: [String?] = []
        for g in 0..<reader.rowGroupCount {
            ts += try reader.readColumn(0, rowGroup: g).values(as: Int64.self)
            side += try reader.readColumn(2, rowGroup: g).optionalValues(as: String.self)
        }
        #expect(ts == (0..<rows).map { 1_700_000_000_000_000_000 + Int64($0) * 1000 })
        #expect(side == (0..<rows).map { $0 % 3 == 0 ? nil : ($0 % 2 == 0 ? "bid" : "ask") })

        let report = try TestSupport.runReference(["inspect", path])
        #expect(try field(report, "num_rows") as? Int == rows)
        #expect(try field(report, "num_row_groups") as? Int == groups)
        for library in ["pyarrow", "polars", "duckdb"] {
            let got = try referenceStrings(try field(report, library), "ts_ns")
            #expect(got == ts.map { "\($0)" }, "\(library)")
            let qty = try referenceStrings(try field(report, library), "qty")
            #expect(qty == (0..<rows).map { $0 % 5 == 0 ? nil : "\($0 * 3)" }, "\(library)")
        }
    }

    @Test func footerlessFileKeepsEveryCompleteRowGroup() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("crash.parquet").path
        let ends = try Self.writeUnclosed(path: path, groups: 3, rowsPerGroup: 400)
        #expect(ends.count == 3)
        #expect(throws: ParquetError.self) { try ParquetReader(path: path) }

        let report = try ParquetRecovery.repair(path: path)
        #expect(!report.wasAlreadyValid)
        #expect(report.rowGroupCount == 3)
        #expect(report.rowCount == 1200)
        #expect(report.discardedBytes == 0)
        try Self.expectRows(path, rows: 1200, groups: 3)

        // Repairing again changes nothing.
        let again = try ParquetRecovery.repair(path: path)
        #expect(again.wasAlreadyValid)
        #expect(again.rowCount == 1200)
    }

    static func truncate(_ path: String, to length: Int64) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(length))
        try handle.close()
    }

    @Test(arguments: [1, 100, -1])
    func truncatedInsideARowGroupDropsOnlyThatGroup(cutIntoLastGroup: Int) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("torn.parquet").path
        let ends = try Self.writeUnclosed(path: path, groups: 3, rowsPerGroup: 300, compression: .uncompressed)
        // Cut the third row group a few bytes in, well inside, or one byte short of complete.
        let cut = cutIntoLastGroup > 0 ? ends[1] + Int64(cutIntoLastGroup) : ends[2] + Int64(cutIntoLastGroup)
        try Self.truncate(path, to: cut)

        let report = try ParquetRecovery.repair(path: path)
        #expect(report.rowGroupCount == 2)
        #expect(report.rowCount == 600)
        #expect(report.discardedBytes == cut - ends[1])
        try Self.expectRows(path, rows: 600, groups: 2)
    }

    /// A torn write that left zeros inside the last row group (the length is all there, the
    /// content is not) is detected by decoding the pages.
    @Test func zeroFilledTailIsDiscarded() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("zeros.parquet").path
        let ends = try Self.writeUnclosed(path: path, groups: 2, rowsPerGroup: 500)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let middle = ends[0] + (ends[1] - ends[0]) / 2
        try handle.seek(toOffset: UInt64(middle))
        handle.write(Data(count: Int(ends[1] - middle)))
        try handle.close()

        let report = try ParquetRecovery.repair(path: path)
        #expect(report.rowGroupCount == 1)
        try Self.expectRows(path, rows: 500, groups: 1)
    }

    /// Cutting the footer off a closed file and repairing it restores the same metadata.
    @Test func repairedFooterEqualsTheWritersFooter() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("closed.parquet").path
        var options = ParquetWriter.Options()
        options.rowGroupRowLimit = 250
        options.dataPageByteLimit = 256
        let writer = try ParquetWriter(path: path, schema: Self.schema, keyValueMetadata: [("market", "BTC")], options: options)
        let ts = try writer.column(0, as: Int64.self)
        let px = try writer.column(1, as: Double.self)
        let side = try writer.column(2, as: String.self)
        let qty = try writer.column(3, as: Int64.self)
        for i in 0..<1000 {
            ts.append(Int64(i))
            px.append(i % 10 == 0 ? -0.0 : Double(i % 50) - 20.5)
            side.append(i % 4 == 0 ? nil : "s\(i % 7)")
            qty.append(i % 9 == 0 ? nil : Int64(1000 - i))
            try writer.endRow()
        }
        try writer.close()
        let original = try ParquetReader(path: path).metadata
        let size = try TestSupport.fileSize(path)
        let footerLength = try Self.footerLength(path)
        try Self.truncate(path, to: size - 8 - footerLength)

        let report = try ParquetRecovery.repair(path: path)
        #expect(report.rowGroupCount == 4)
        #expect(report.fileSize == size)
        #expect(try ParquetReader(path: path).metadata == original)
    }

    static func footerLength(_ path: String) throws -> Int64 {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let n = bytes.count
        return Int64(bytes[n - 8]) | Int64(bytes[n - 7]) << 8 | Int64(bytes[n - 6]) << 16 | Int64(bytes[n - 5]) << 24
    }

    @Test func garbageAndForeignFilesGiveClearErrors() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let garbage = directory.appendingPathComponent("garbage.bin").path
        try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: garbage))
        do {
            try ParquetRecovery.repair(path: garbage)
            Issue.record("repairing garbage should fail")
        } catch let error as ParquetError {
            #expect(error.kind == .corruptFile)
            #expect(error.description.contains("does not start with PAR1"))
            #expect(error.description.contains(garbage))
        }
        do {
            _ = try ParquetReader(path: garbage)
            Issue.record("reading garbage should fail")
        } catch let error as ParquetError {
            #expect(error.kind == .corruptFile)
            #expect(error.description.contains(garbage))
        }

        // A pyarrow file with its footer cut off has no prologue: recovery refuses, naming why.
        let foreign = directory.appendingPathComponent("pyarrow.parquet").path
        _ = try TestSupport.runReference(["write", foreign, "1", "1.0", "zstd"])
        try Self.truncate(foreign, to: try TestSupport.fileSize(foreign) - 100)
        do {
            try ParquetRecovery.repair(path: foreign)
            Issue.record("repairing a foreign file should fail")
        } catch let error as ParquetError {
            #expect(error.kind == .corruptFile)
            #expect(error.description.contains("no ParquetWriter recovery prologue"))
        }

        // An empty file.
        let empty = directory.appendingPathComponent("empty.parquet").path
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(throws: ParquetError.self) { try ParquetRecovery.repair(path: empty) }
    }
}

@Suite struct RowGroupPolicyTests {
    /// The byte threshold starts a new row group (checked every 1,024 rows), and an explicit
    /// flush writes whatever is buffered.
    @Test func byteLimitAndExplicitFlush() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("policy.parquet").path
        var options = ParquetWriter.Options()
        options.rowGroupByteLimit = 16 * 1024  // two 8-byte columns: 1,024 rows = 16 KiB
        options.syncEachRowGroup = false
        let writer = try ParquetWriter(path: path, schema: ParquetSchema([.int64("a"), .double("b")]), options: options)
        let a = try writer.column(0, as: Int64.self)
        let b = try writer.column(1, as: Double.self)
        for i in 0..<3000 {
            a.append(Int64(i))
            b.append(Double(i) / 4)
            try writer.endRow()
        }
        #expect(writer.rowGroupCount == 2)  // at rows 1,024 and 2,048
        #expect(writer.bufferedRowCount == 952)
        try writer.flushRowGroup()
        try writer.flushRowGroup()  // nothing buffered: no empty row group
        #expect(writer.rowGroupCount == 3)
        try writer.close()
        let reader = try ParquetReader(path: path)
        #expect(try (0..<reader.rowGroupCount).map { try reader.rowCount(ofRowGroup: $0) } == [1024, 1024, 952])
        var all: [Int64] = []
        for g in 0..<reader.rowGroupCount { all += try reader.readColumn(0, rowGroup: g).values(as: Int64.self) }
        #expect(all == (0..<3000).map { Int64($0) })
    }

    /// A file abandoned before its first row group is repaired to a valid empty file with the schema.
    @Test func abandonedBeforeAnyRowGroup() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("empty.parquet").path
        do {
            let writer = try ParquetWriter(path: path, schema: RecoveryTests.schema, keyValueMetadata: [("market", "BTC")])
            try writer.column(0, as: Int64.self).append(1)
        }
        let report = try ParquetRecovery.repair(path: path)
        #expect(report.rowGroupCount == 0)
        let reader = try ParquetReader(path: path)
        #expect(reader.rowCount == 0)
        #expect(reader.schema == RecoveryTests.schema.withAutomaticEncodings)
        #expect(reader.metadataValue(forKey: "market") == "BTC")
        let external = try TestSupport.runReference(["inspect", path])
        #expect(try field(external, "num_rows") as? Int == 0)
        let columns = try #require(try field(external, "schema") as? [[String: Any]])
        #expect(columns.compactMap { $0["name"] as? String } == ["ts_ns", "px", "side", "qty"])
    }
}

extension ParquetSchema {
    /// The schema as a reader reports it (encodings are a writer preference, not stored).
    var withAutomaticEncodings: ParquetSchema {
        ParquetSchema(self.columns.map { ParquetColumn($0.name, $0.kind, optional: $0.isOptional, encoding: .automatic) })
    }
}
