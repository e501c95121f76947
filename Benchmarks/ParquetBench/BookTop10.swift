import Foundation
import Parquet

/// Synthetic `book_top10` rows: a 10-level order book snapshot after each update, with realistic
/// structure (prices on a 0.01 tick grid around a random-walk mid, sizes with 4 decimals that
/// persist between updates, 1–3 levels changing per update, timestamps 0.1–5 ms apart).
///
/// The data is a pure function of the row count and seed, and `writeRaw` stores it so that the
/// pyarrow baseline (`scripts/parquet_bench_pyarrow.py`) writes exactly the same values.
struct BookTop10 {
    static let levels = 10
    /// Column names in file order: ts_ns, bid_px_0…9, bid_sz_0…9, ask_px_0…9, ask_sz_0…9, mid, spread.
    static let doubleColumnNames: [String] =
        (0..<levels).map { "bid_px_\($0)" } + (0..<levels).map { "bid_sz_\($0)" }
        + (0..<levels).map { "ask_px_\($0)" } + (0..<levels).map { "ask_sz_\($0)" } + ["mid", "spread"]

    var timestamps: [Int64]
    /// The double columns row by row (`rowCount × 42`, in `doubleColumnNames` order), as a
    /// recorder receives them: one book snapshot at a time.
    var rowValues: [Double]
    static var doubleColumnCount: Int { doubleColumnNames.count }

    var rowCount: Int { self.timestamps.count }

    static func schema(timestampEncoding: ParquetColumnEncoding = .automatic) -> ParquetSchema {
        ParquetSchema([.timestamp("ts_ns", unit: .nanoseconds, encoding: timestampEncoding)] + doubleColumnNames.map { .double($0) })
    }

    init(rows: Int, seed: UInt64 = 20_251_121) {
        let levels = Self.levels
        let doubleColumnNames = Self.doubleColumnNames
        var state = seed
        func next() -> UInt64 {  // SplitMix64
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func size() -> Double { Double(next() % 500_000 + 10) / 10_000 }  // 0.0010 … 50.0009

        self.timestamps = []
        self.timestamps.reserveCapacity(rows)
        self.rowValues = []
        self.rowValues.reserveCapacity(rows * doubleColumnNames.count)
        var row = [Double](repeating: 0, count: doubleColumnNames.count)

        var bestBidTicks: Int64 = 300_000  // 3000.00
        var spreadTicks: Int64 = 1
        var bidSizes = (0..<levels).map { _ in size() }
        var askSizes = (0..<levels).map { _ in size() }
        var ts: Int64 = 1_763_683_200_000_000_000
        for _ in 0..<rows {
            ts += Int64(100_000 + next() % 4_900_000)
            let r = next() % 100
            if r < 8 {  // the touch moves
                let step = Int64(next() % 3) + 1
                if next() % 2 == 0 {
                    bestBidTicks += step
                    bidSizes.insert(size(), at: 0); bidSizes.removeLast()
                } else {
                    bestBidTicks -= step
                    bidSizes.removeFirst(); bidSizes.append(size())
                }
                spreadTicks = Int64(next() % 4) + 1
            }
            for _ in 0..<Int(next() % 3 + 1) {  // 1–3 level sizes change
                let level = Int(next() % UInt64(levels))
                if next() % 2 == 0 { bidSizes[level] = size() } else { askSizes[level] = size() }
            }
            self.timestamps.append(ts)
            let bestAskTicks = bestBidTicks + spreadTicks
            for i in 0..<levels {
                row[i] = Double(bestBidTicks - Int64(i)) / 100
                row[levels + i] = bidSizes[i]
                row[2 * levels + i] = Double(bestAskTicks + Int64(i)) / 100
                row[3 * levels + i] = askSizes[i]
            }
            let bid = Double(bestBidTicks) / 100
            let ask = Double(bestAskTicks) / 100
            row[4 * levels] = (bid + ask) / 2
            row[4 * levels + 1] = ask - bid
            self.rowValues.append(contentsOf: row)
        }
    }

    /// Writes the rows to `path` with our writer, appending row by row as a recorder would.
    @discardableResult
    func write(to path: String, options: ParquetWriter.Options, schema: ParquetSchema = BookTop10.schema()) throws -> ParquetWriter.Summary {
        let writer = try ParquetWriter(path: path, schema: schema, keyValueMetadata: [("table", "book_top10")], options: options)
        let ts = try writer.column(0, as: Int64.self)
        let width = Self.doubleColumnCount
        var handles: [ParquetColumnWriter<Double>] = []
        for c in 0..<width { handles.append(try writer.column(c + 1, as: Double.self)) }
        try self.rowValues.withUnsafeBufferPointer { values in
            for row in 0..<self.rowCount {
                ts.append(self.timestamps[row])
                let base = row * width
                for c in 0..<width { handles[c].append(values[base + c]) }
                try writer.endRow()
            }
        }
        return try writer.close()
    }

    /// Stores the rows column by column as little-endian raw bytes: the Int64 timestamps, then
    /// each double column (42 of them), `rowCount` values each.
    func writeRaw(to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.write(contentsOf: self.timestamps.withUnsafeBytes { Data($0) })
        let width = Self.doubleColumnCount
        var column = [Double](repeating: 0, count: self.rowCount)
        for c in 0..<width {
            for row in 0..<self.rowCount { column[row] = self.rowValues[row * width + c] }
            try handle.write(contentsOf: column.withUnsafeBytes { Data($0) })
        }
    }
}
