// Parquet writer throughput and size on synthetic book_top10 rows, against pyarrow.
//
// Run (release, on demand, not in CI):
//   swift package --package-path Benchmarks benchmark --target ParquetBench
// Environment:
//   PARQUET_BENCH_ROWS       rows to write (default 1,000,000; the goal is stated for 10,000,000)
//   PARQUET_BENCH_ROW_GROUP  rows per row group (default 1,048,576 = pyarrow's default)
//   LIGHTER_MM_PYTHON        interpreter with pyarrow (default <root>/.venv-ci/bin/python)
//
// "pyarrow write_table" runs scripts/parquet_bench_pyarrow.py on the same rows (stored once as a
// raw file) and reports pyarrow's own timing of write_table and its file size as custom metrics.
import Benchmark
import Foundation
import Parquet

let rows = Int(ProcessInfo.processInfo.environment["PARQUET_BENCH_ROWS"] ?? "") ?? 1_000_000
let rowGroup = Int(ProcessInfo.processInfo.environment["PARQUET_BENCH_ROW_GROUP"] ?? "") ?? 1_048_576
let workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("parquet-bench").path

/// The package root (Benchmarks/..), from this file's location.
let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func writerOptions() -> ParquetWriter.Options {
    var options = ParquetWriter.Options()
    options.compression = .zstd(level: 3)
    options.rowGroupRowLimit = rowGroup
    options.rowGroupByteLimit = Int.max  // same row-group size as pyarrow: by rows only
    options.syncEachRowGroup = false  // pyarrow does not fsync either
    options.overwriteExisting = true
    return options
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds, warmupIterations: 0, maxDuration: .seconds(60), maxIterations: 5)

    let fileBytes = BenchmarkMetric.custom("file bytes", polarity: .prefersSmaller, useScalingFactor: false)

    for (name, timestampEncoding) in [("", ParquetColumnEncoding.automatic), (", ts_ns delta", .deltaBinaryPacked)] {
        Benchmark(
            "book_top10 write \(rows) rows zstd3\(name)",
            configuration: .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident, fileBytes])
        ) { (benchmark: Benchmark, data: BookTop10) throws in
            let path = workDirectory + "/ours.parquet"
            benchmark.startMeasurement()
            let summary = try data.write(to: path, options: writerOptions(), schema: BookTop10.schema(timestampEncoding: timestampEncoding))
            benchmark.stopMeasurement()
            benchmark.measurement(fileBytes, Int(summary.fileSize))
            print("ours\(name): \(summary.fileSize) bytes, \(summary.rowGroupCount) row groups")
        } setup: {
            try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
            return BookTop10(rows: rows)
        }
    }

    let pyarrowMilliseconds = BenchmarkMetric.custom("pyarrow write_table ms", polarity: .prefersSmaller, useScalingFactor: false)
    let pyarrowBytes = BenchmarkMetric.custom("pyarrow file bytes", polarity: .prefersSmaller, useScalingFactor: false)
    Benchmark(
        "pyarrow write_table \(rows) rows zstd3 (baseline)",
        configuration: .init(metrics: [pyarrowMilliseconds, pyarrowBytes], maxIterations: 1)
    ) { (benchmark: Benchmark, raw: String) throws in
        let python = ProcessInfo.processInfo.environment["LIGHTER_MM_PYTHON"]
            ?? packageRoot.appendingPathComponent(".venv-ci/bin/python").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            packageRoot.appendingPathComponent("scripts/parquet_bench_pyarrow.py").path,
            raw, "\(rows)", "\(rowGroup)", workDirectory + "/pyarrow.parquet", "3",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let seconds = json["median_seconds"] as? Double, let bytes = json["bytes"] as? Int
        else {
            print("pyarrow baseline failed (is \(python) set up? run scripts/test)")
            return
        }
        print("pyarrow: \(String(decoding: data, as: UTF8.self))")
        benchmark.measurement(pyarrowMilliseconds, Int((seconds * 1000).rounded()))
        benchmark.measurement(pyarrowBytes, bytes)
    } setup: {
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let raw = workDirectory + "/book_top10_\(rows).bin"
        if !FileManager.default.fileExists(atPath: raw) { try BookTop10(rows: rows).writeRaw(to: raw) }
        return raw
    }
}
