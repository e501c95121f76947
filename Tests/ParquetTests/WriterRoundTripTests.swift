import Foundation
import Parquet
import Testing

/// Deterministic test data (a small linear congruential generator, so no dependency on
/// platform random numbers).
struct TestRows {
    var tsNs: [Int64] = []
    var tsUs: [Int64?] = []
    var tsMs: [Int64] = []
    var i32: [Int32] = []
    var i64Opt: [Int64?] = []
    var px: [Double] = []
    var sz: [Double] = []
    var dblOpt: [Double?] = []
    var f32: [Float] = []
    var side: [String] = []
    var note: [String?] = []
    var flag: [Bool] = []
    var flagOpt: [Bool?] = []

    init(count: Int) {
        var state: UInt64 = 0x1234_5678
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        var price = 3000.0
        for i in 0..<count {
            let t = 1_700_000_000_000_000_000 + Int64(i) * 1_000_117 + Int64(next() % 1000)
            self.tsNs.append(t)
            self.tsUs.append(i % 11 == 4 ? nil : t / 1000)
            self.tsMs.append(t / 1_000_000)
            self.i32.append(Int32(Int64(next() % 200_001) - 100_000))
            self.i64Opt.append(i % 7 == 3 ? nil : Int64(bitPattern: next() << 31) / 3)
            price += Double(Int(next() % 3) - 1) * 0.01
            self.px.append((price * 100).rounded() / 100)
            self.sz.append(Double(next() % 1_000_000) / 10_000.0)
            switch i % 13 {
            case 0: self.dblOpt.append(nil)
            case 5: self.dblOpt.append(.nan)
            case 6: self.dblOpt.append(-0.0)
            default: self.dblOpt.append(Double(Int64(next() % 2001) - 1000) / 8.0)
            }
            self.f32.append(Float(next() % 1000) / 4)
            self.side.append(["bid", "ask", "β-side", ""][i % 4])
            self.note.append(i % 5 == 2 ? nil : "note \(next() % 100_000)")
            self.flag.append(next() % 2 == 0)
            self.flagOpt.append(i % 3 == 1 ? nil : i % 4 < 2)
        }
    }

    /// The reference columns as `[Any?]`, keyed by column name.
    var columns: [String: [Any?]] {
        [
            "ts_ns": self.tsNs.map { $0 }, "ts_us": self.tsUs.map { $0 }, "ts_ms": self.tsMs.map { $0 },
            "i32": self.i32.map { $0 }, "i64_opt": self.i64Opt.map { $0 }, "px": self.px.map { $0 }, "sz": self.sz.map { $0 },
            "dbl_opt": self.dblOpt.map { $0 }, "f32": self.f32.map { $0 }, "side": self.side.map { $0 },
            "note": self.note.map { $0 }, "flag": self.flag.map { $0 }, "flag_opt": self.flagOpt.map { $0 },
        ]
    }
}

/// How a test file is written.
struct WriteVariant: Sendable, CustomStringConvertible {
    var name: String
    var compression: ParquetWriter.Compression
    var numericEncoding: ParquetColumnEncoding
    var timestampEncoding: ParquetColumnEncoding
    var stringEncoding: ParquetColumnEncoding
    var byteStreamSplitFallback = false
    var description: String { self.name }

    static let all: [WriteVariant] = [
        WriteVariant(name: "automatic-zstd", compression: .zstd(level: 3), numericEncoding: .automatic,
                     timestampEncoding: .automatic, stringEncoding: .automatic),
        WriteVariant(name: "plain-uncompressed", compression: .uncompressed, numericEncoding: .plain,
                     timestampEncoding: .plain, stringEncoding: .plain),
        WriteVariant(name: "dictionary-zstd9", compression: .zstd(level: 9), numericEncoding: .dictionary,
                     timestampEncoding: .dictionary, stringEncoding: .dictionary),
        WriteVariant(name: "bss-delta-zstd", compression: .zstd(level: 1), numericEncoding: .automatic,
                     timestampEncoding: .deltaBinaryPacked, stringEncoding: .automatic, byteStreamSplitFallback: true),
    ]
}

@Suite struct WriterRoundTripTests {
    static let rowCount = 2500
    static let rowGroupSize = 1000
    static let keyValues: [(key: String, value: String)] = [("market", "ETH-PERP"), ("price_decimals", "2"), ("unicode", "µ-β")]

    static func schema(_ v: WriteVariant) -> ParquetSchema {
        ParquetSchema([
            .timestamp("ts_ns", unit: .nanoseconds, encoding: v.timestampEncoding),
            .timestamp("ts_us", unit: .microseconds, optional: true, encoding: v.timestampEncoding),
            .timestamp("ts_ms", unit: .milliseconds, encoding: v.timestampEncoding),
            .int32("i32", encoding: v.timestampEncoding == .deltaBinaryPacked ? .deltaBinaryPacked : v.numericEncoding),
            .int64("i64_opt", optional: true, encoding: v.numericEncoding),
            .double("px", encoding: v.numericEncoding),
            .double("sz", encoding: v.numericEncoding),
            .double("dbl_opt", optional: true, encoding: v.numericEncoding == .automatic && v.byteStreamSplitFallback ? .byteStreamSplit : v.numericEncoding),
            .float("f32", encoding: v.numericEncoding),
            .string("side", encoding: v.stringEncoding),
            .string("note", optional: true, encoding: v.stringEncoding),
            .boolean("flag"),
            .boolean("flag_opt", optional: true),
        ])
    }

    /// Writes the test rows; every row group but the last is written by the row limit at `endRow`.
    static func write(_ v: WriteVariant, to path: String, rows: TestRows) throws -> ParquetWriter.Summary {
        var options = ParquetWriter.Options()
        options.compression = v.compression
        options.rowGroupRowLimit = Self.rowGroupSize
        options.dataPageByteLimit = 1024
        options.byteStreamSplitFallback = v.byteStreamSplitFallback
        options.syncEachRowGroup = false
        let writer = try ParquetWriter(path: path, schema: Self.schema(v), keyValueMetadata: Self.keyValues, options: options)
        let tsNs = try writer.column(named: "ts_ns", as: Int64.self)
        let tsUs = try writer.column(named: "ts_us", as: Int64.self)
        let tsMs = try writer.column(named: "ts_ms", as: Int64.self)
        let i32 = try writer.column(named: "i32", as: Int32.self)
        let i64 = try writer.column(named: "i64_opt", as: Int64.self)
        let px = try writer.column(named: "px", as: Double.self)
        let sz = try writer.column(named: "sz", as: Double.self)
        let dblOpt = try writer.column(named: "dbl_opt", as: Double.self)
        let f32 = try writer.column(named: "f32", as: Float.self)
        let side = try writer.column(named: "side", as: String.self)
        let note = try writer.column(named: "note", as: String.self)
        let flag = try writer.column(named: "flag", as: Bool.self)
        let flagOpt = try writer.column(named: "flag_opt", as: Bool.self)
        for i in 0..<rows.tsNs.count {
            tsNs.append(rows.tsNs[i])
            tsUs.append(rows.tsUs[i])
            tsMs.append(rows.tsMs[i])
            i32.append(rows.i32[i])
            i64.append(rows.i64Opt[i])
            px.append(rows.px[i])
            sz.append(rows.sz[i])
            dblOpt.append(rows.dblOpt[i])
            f32.append(rows.f32[i])
            side.append(rows.side[i])
            note.append(rows.note[i])
            flag.append(rows.flag[i])
            flagOpt.append(rows.flagOpt[i])
            try writer.endRow()
        }
        return try writer.close()
    }

    /// Expected statistics computed directly from the input: (min, max, nullCount) as text.
    /// NaN is ignored, and a zero minimum is -0.0 and a zero maximum +0.0 (parquet.thrift).
    static func expectedStatistics(_ values: ArraySlice<Any?>) -> (min: String?, max: String?, nulls: Int) {
        let present = values.compactMap { $0 }
        let nulls = values.count - present.count
        func text(_ v: Any) -> String {
            switch v {
            case let b as Bool: return b ? "true" : "false"
            case let f as Float: return "\(Double(f))"
            default: return "\(v)"
            }
        }
        if let doubles = present as? [Double] {
            let ordered = doubles.filter { !$0.isNaN }
            guard let lo = ordered.min(), let hi = ordered.max() else { return (nil, nil, nulls) }
            return ("\(lo == 0 ? -0.0 : lo)", "\(hi == 0 ? 0.0 : hi)", nulls)
        }
        if let floats = present as? [Float], let lo = floats.min(), let hi = floats.max() {
            return (text(lo == 0 ? -Float(0) : lo), text(hi == 0 ? Float(0) : hi), nulls)
        }
        if let ints = present as? [Int64], let lo = ints.min(), let hi = ints.max() { return ("\(lo)", "\(hi)", nulls) }
        if let ints = present as? [Int32], let lo = ints.min(), let hi = ints.max() { return ("\(lo)", "\(hi)", nulls) }
        if let bools = present as? [Bool], !bools.isEmpty { return (bools.contains(false) ? "false" : "true", bools.contains(true) ? "true" : "false", nulls) }
        if let strings = present as? [String], var lo = strings.first, var hi = strings.first {
            for s in strings {
                if s.utf8.lexicographicallyPrecedes(lo.utf8) { lo = s }
                if hi.utf8.lexicographicallyPrecedes(s.utf8) { hi = s }
            }
            return (lo, hi, nulls)
        }
        return (nil, nil, nulls)
    }

    @Test(arguments: WriteVariant.all)
    func ourReaderReadsEveryValue(variant: WriteVariant) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("rt.parquet").path
        let rows = TestRows(count: Self.rowCount)
        let summary = try Self.write(variant, to: path, rows: rows)
        #expect(summary.rowCount == Int64(Self.rowCount))
        #expect(summary.rowGroupCount == 3)
        #expect(summary.fileSize == (try TestSupport.fileSize(path)))

        let reader = try ParquetReader(path: path)
        #expect(reader.rowCount == Int64(Self.rowCount))
        #expect(reader.rowGroupCount == 3)
        #expect(try (0..<3).map { try reader.rowCount(ofRowGroup: $0) } == [1000, 1000, 500])
        #expect(reader.keyValueMetadata.map(\.key) == Self.keyValues.map(\.key))
        #expect(reader.keyValueMetadata.map(\.value) == Self.keyValues.map(\.value))
        #expect(reader.schema.columns.map(\.name) == Self.schema(variant).columns.map(\.name))
        #expect(reader.schema.columns.map(\.kind) == Self.schema(variant).columns.map(\.kind))
        #expect(reader.schema.columns.map(\.isOptional) == Self.schema(variant).columns.map(\.isOptional))

        let expected = rows.columns
        for (index, column) in reader.schema.columns.enumerated() {
            var all: [Any?] = []
            for group in 0..<reader.rowGroupCount {
                all += try anyRows(reader.readColumn(index, rowGroup: group))
            }
            let reference = try #require(expected[column.name])
            #expect(all.count == reference.count, "\(column.name)")
            let mismatch = zip(all, reference).enumerated().first { !sameAny($0.element.0, $0.element.1) }?.offset
            #expect(mismatch == nil, "column \(column.name) differs at row \(mismatch ?? -1)")
        }
        // Typed statistics of our reader match the input.
        for (index, column) in reader.schema.columns.enumerated() {
            let reference = try #require(expected[column.name])
            let stats = try #require(try reader.statistics(rowGroup: 1, column: index))
            let want = Self.expectedStatistics(reference[1000..<2000])
            #expect(stats.nullCount == Int64(want.nulls), "\(column.name)")
            #expect(stats.min.map { scalarText($0) } == want.min, "\(column.name) min")
            #expect(stats.max.map { scalarText($0) } == want.max, "\(column.name) max")
        }
    }

    @Test(arguments: WriteVariant.all)
    func pyarrowPolarsAndDuckDBReadEveryValue(variant: WriteVariant) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ext.parquet").path
        let rows = TestRows(count: Self.rowCount)
        _ = try Self.write(variant, to: path, rows: rows)
        let report = try TestSupport.runReference(["inspect", path])

        #expect(try field(report, "num_rows") as? Int == Self.rowCount)
        #expect(try field(report, "num_row_groups") as? Int == 3)
        let kv = try #require(try field(report, "key_value") as? [String: String])
        #expect(kv == Dictionary(uniqueKeysWithValues: Self.keyValues.map { ($0.key, $0.value) }))

        let expected = rows.columns
        for library in ["pyarrow", "polars", "duckdb"] {
            let columns = try field(report, library)
            for column in Self.schema(variant).columns {
                let reference = try #require(expected[column.name])
                let got = try referenceStrings(columns, column.name)
                #expect(firstMismatch(got, reference) == nil, "\(library) column \(column.name) differs at row \(firstMismatch(got, reference) ?? -1)")
            }
        }

        // Schema as pyarrow sees it.
        let schema = try #require(try field(report, "schema") as? [[String: Any]])
        let logical = Dictionary(uniqueKeysWithValues: schema.map { ($0["name"] as? String ?? "", $0["logical_type"] as? String ?? "") })
        #expect(logical["ts_ns"]?.hasPrefix("Timestamp(isAdjustedToUTC=true, timeUnit=nanoseconds") == true)
        #expect(logical["ts_us"]?.hasPrefix("Timestamp(isAdjustedToUTC=true, timeUnit=microseconds") == true)
        #expect(logical["ts_ms"]?.hasPrefix("Timestamp(isAdjustedToUTC=true, timeUnit=milliseconds") == true)
        #expect(logical["side"] == "String")

        // Codec, encodings and statistics of every chunk.
        let groups = try #require(try field(report, "row_groups") as? [[String: Any]])
        #expect(groups.map { $0["num_rows"] as? Int } == [1000, 1000, 500])
        let codec = variant.compression == .uncompressed ? "UNCOMPRESSED" : "ZSTD"
        for (g, group) in groups.enumerated() {
            let chunks = try #require(group["columns"] as? [[String: Any]])
            for chunk in chunks {
                let name = try #require(chunk["name"] as? String)
                let encodings = Set(try #require(chunk["encodings"] as? [String]))
                #expect(chunk["compression"] as? String == codec, "\(name)")
                let reference = try #require(expected[name])
                let range = (g * 1000)..<min(Self.rowCount, (g + 1) * 1000)
                let want = Self.expectedStatistics(reference[range])
                let stats = try #require(chunk["statistics"] as? [String: Any], "\(name) has no statistics")
                #expect(stats["null_count"] as? Int == want.nulls, "\(name) null count")
                #expect(stats["has_min_max"] as? Bool == (want.min != nil), "\(name) has_min_max")
                if want.min != nil {
                    #expect(sameText(stats["min"] as? String, want.min), "\(name) min \(stats["min"] ?? "nil") vs \(want.min ?? "nil")")
                    #expect(sameText(stats["max"] as? String, want.max), "\(name) max \(stats["max"] ?? "nil") vs \(want.max ?? "nil")")
                }
                let dataEncoding = Self.expectedDataEncoding(variant, column: name)
                if let dataEncoding {
                    #expect(encodings.contains(dataEncoding), "\(name): \(encodings) should contain \(dataEncoding)")
                    #expect((chunk["has_dictionary_page"] as? Bool) == (dataEncoding == "RLE_DICTIONARY"), "\(name)")
                }
            }
        }
    }

    /// The data-page encoding a variant must produce for a column (nil: not pinned down).
    static func expectedDataEncoding(_ v: WriteVariant, column: String) -> String? {
        if column.hasPrefix("flag") { return "PLAIN" }
        switch v.name {
        case "plain-uncompressed": return "PLAIN"
        case "dictionary-zstd9": return "RLE_DICTIONARY"
        case "automatic-zstd":
            switch column {
            case "px", "side": return "RLE_DICTIONARY"  // few distinct values: the dictionary pays
            case "sz", "ts_ns", "i64_opt", "note": return "PLAIN"  // (nearly) all distinct: PLAIN is smaller
            default: return nil
            }
        case "bss-delta-zstd":
            switch column {
            case "ts_ns", "ts_us", "ts_ms", "i32": return "DELTA_BINARY_PACKED"
            case "sz", "dbl_opt": return "BYTE_STREAM_SPLIT"
            case "px": return "RLE_DICTIONARY"
            default: return nil
            }
        default: return nil
        }
    }
}

/// Equality of a decoded value and an input value (doubles by bits; NaN equals NaN).
func sameAny(_ a: Any?, _ b: Any?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (let x as Double, let y as Double): return x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN)
    case (let x as Float, let y as Float): return x.bitPattern == y.bitPattern
    case (let x as Int64, let y as Int64): return x == y
    case (let x as Int32, let y as Int32): return x == y
    case (let x as Bool, let y as Bool): return x == y
    case (let x as String, let y as String): return x == y
    default: return false
    }
}

/// Statistics text equality: numbers compare numerically (so "3000.0" equals "3000.0" and
/// "-0.0" equals "-0.0" but not "0.0"), anything else as text.
func sameText(_ a: String?, _ b: String?) -> Bool {
    guard let a, let b else { return a == b }
    if let x = Double(a), let y = Double(b) { return x.bitPattern == y.bitPattern }
    return a == b
}

/// A scalar as the text the expected statistics use.
func scalarText(_ s: ParquetScalar) -> String {
    switch s {
    case .float(let f): "\(Double(f))"
    case .double(let d): "\(d)"
    default: s.description
    }
}
