import Foundation
import Parquet
import Testing

/// Errors name the file and what failed.
@Suite struct WriterErrorTests {
    static let schema = ParquetSchema([.int64("a"), .string("b", optional: true)])

    @Test func unwritableDirectoryNamesThePath() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("no-such-dir/x.parquet").path
        do {
            _ = try ParquetWriter(path: missing, schema: Self.schema)
            Issue.record("creating a file in a missing directory should fail")
        } catch let error as ParquetError {
            #expect(error.kind == .io)
            #expect(error.errorNumber == ENOENT)
            #expect(error.description == "No such file or directory (ENOENT) creating \(missing)")
        }

        // A read-only directory (root ignores permissions, so use a path under a regular file).
        let file = directory.appendingPathComponent("plain-file").path
        _ = FileManager.default.createFile(atPath: file, contents: Data([1]))
        let underFile = file + "/x.parquet"
        do {
            _ = try ParquetWriter(path: underFile, schema: Self.schema)
            Issue.record("creating a file under a regular file should fail")
        } catch let error as ParquetError {
            #expect(error.kind == .io)
            #expect(error.description == "Not a directory (ENOTDIR) creating \(underFile)")
        }
    }

    @Test func existingFileIsNotOverwrittenByDefault() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("exists.parquet").path
        _ = FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3]))
        #expect(throws: ParquetError.self) { try ParquetWriter(path: path, schema: Self.schema) }
        #expect(try TestSupport.fileSize(path) == 3)
        var options = ParquetWriter.Options()
        options.overwriteExisting = true
        let writer = try ParquetWriter(path: path, schema: Self.schema, options: options)
        try writer.close()
        #expect(try ParquetReader(path: path).rowCount == 0)
    }

    @Test func fullDiskReportsENOSPC() throws {
        // /dev/full fails every write with ENOSPC.
        guard FileManager.default.fileExists(atPath: "/dev/full") else {
            Issue.record("/dev/full is missing on this machine")
            return
        }
        var options = ParquetWriter.Options()
        options.overwriteExisting = true
        do {
            _ = try ParquetWriter(path: "/dev/full", schema: Self.schema, options: options)
            Issue.record("writing to /dev/full should fail")
        } catch let error as ParquetError {
            #expect(error.kind == .io)
            #expect(error.errorNumber == ENOSPC)
            #expect(error.description == "No space left on device (ENOSPC) writing /dev/full")
        }
    }

    @Test func misuseIsReportedClearly() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("misuse.parquet").path
        var options = ParquetWriter.Options()
        options.syncEachRowGroup = false
        let writer = try ParquetWriter(path: path, schema: Self.schema, options: options)
        #expect(throws: ParquetError.self) { try writer.column(named: "a", as: Double.self) }
        #expect(throws: ParquetError.self) { try writer.column(named: "zzz", as: Int64.self) }
        #expect(throws: ParquetError.self) { try writer.column(5, as: Int64.self) }
        let a = try writer.column(named: "a", as: Int64.self)
        let b = try writer.column(named: "b", as: String.self)

        // Uneven columns: the row group is refused and dropped.
        a.append(1)
        a.append(2)
        b.append("x")
        do {
            try writer.flushRowGroup()
            Issue.record("uneven columns should be refused")
        } catch let error as ParquetError {
            #expect(error.kind == .invalidArgument)
            #expect(error.description.contains("Column 'b' has 1 values but column 'a' has 2"))
        }
        // A null in a REQUIRED column.
        a.appendNull()
        b.append(nil)
        do {
            try writer.flushRowGroup()
            Issue.record("a null in a REQUIRED column should be refused")
        } catch let error as ParquetError {
            #expect(error.description.contains("Column 'a' is REQUIRED but 1 null(s) were appended"))
        }
        a.append(7)
        b.append(nil)
        try writer.endRow()
        try writer.close()
        #expect(throws: ParquetError.self) { try writer.flushRowGroup() }
        let reader = try ParquetReader(path: path)
        #expect(try reader.readColumn(0, rowGroup: 0).values(as: Int64.self) == [7])
        #expect(try reader.readColumn(1, rowGroup: 0).optionalValues(as: String.self) == [nil])
        #expect(throws: ParquetError.self) { try reader.readColumn(1, rowGroup: 0).values(as: String.self) }
        #expect(throws: ParquetError.self) { try reader.readColumn(0, rowGroup: 0).values(as: Double.self) }
    }

    @Test func invalidSchemasAreRejected() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bad.parquet").path
        #expect(throws: ParquetError.self) { try ParquetWriter(path: path, schema: ParquetSchema([])) }
        #expect(throws: ParquetError.self) { try ParquetWriter(path: path, schema: ParquetSchema([.int64("a"), .double("a")])) }
        #expect(throws: ParquetError.self) { try ParquetWriter(path: path, schema: ParquetSchema([.string("s", encoding: .byteStreamSplit)])) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
