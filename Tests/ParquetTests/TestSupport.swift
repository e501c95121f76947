import Foundation
import Parquet
import Testing

/// Helpers shared by the Parquet tests: locating the package, running the Python reference
/// script, temporary files.
enum TestSupport {
    /// The package root: the nearest ancestor of this file (symlinks resolved) that holds both
    /// `Package.swift` and `Sources/`.
    static func packageRoot(filePath: String = #filePath) throws -> URL {
        var url = URL(fileURLWithPath: filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        let fm = FileManager.default
        while url.path != "/" {
            if fm.fileExists(atPath: url.appendingPathComponent("Package.swift").path),
               fm.fileExists(atPath: url.appendingPathComponent("Sources").path) {
                return url
            }
            url = url.deletingLastPathComponent()
        }
        throw TestFailure("Could not find the package root above \(filePath)")
    }

    /// The Python interpreter with pyarrow, polars and duckdb: `$LIGHTER_TEST_PYTHON` or
    /// `<root>/.venv-ci/bin/python`.
    static func python() throws -> String {
        if let override = ProcessInfo.processInfo.environment["LIGHTER_TEST_PYTHON"], !override.isEmpty { return override }
        let path = try packageRoot().appendingPathComponent(".venv-ci/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestFailure("Python reference interpreter missing at \(path): run scripts/test (it creates .venv-ci from .ci/requirements.txt)")
        }
        return path
    }

    /// Runs `scripts/parquet_reference.py` with `arguments` and returns its parsed JSON output.
    static func runReference(_ arguments: [String]) throws -> Any {
        let script = try packageRoot().appendingPathComponent("scripts/parquet_reference.py").path
        guard FileManager.default.fileExists(atPath: script) else { throw TestFailure("Missing reference script \(script)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try python())
        process.arguments = ["-W", "ignore", script] + arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("parquet_reference.py \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(String(decoding: errors, as: UTF8.self))")
        }
        return try JSONSerialization.jsonObject(with: output)
    }

    /// A fresh empty directory for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("parquet-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The file's size in bytes.
    static func fileSize(_ path: String) throws -> Int64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.int64Value ?? -1
    }
}

/// A test-infrastructure failure with a readable message.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Reads a JSON dictionary field or fails.
func field(_ object: Any?, _ key: String) throws -> Any {
    guard let dictionary = object as? [String: Any], let value = dictionary[key] else {
        throw TestFailure("JSON has no field '\(key)'")
    }
    return value
}

/// The reference's value strings for a column (nil entries are nulls).
func referenceStrings(_ object: Any?, _ column: String) throws -> [String?] {
    guard let list = try field(object, column) as? [Any] else { throw TestFailure("column \(column) is not a list") }
    return list.map { $0 as? String }
}

/// Compares a reference string with a Swift value exactly (doubles by bit pattern, NaN = "nan").
func sameValue(_ reference: String?, _ value: Any?) -> Bool {
    switch (reference, value) {
    case (nil, nil): return true
    case (nil, _), (_, nil): return false
    case (let r?, let v?):
        switch v {
        case let d as Double: return r == "nan" ? d.isNaN : Double(r).map { $0.bitPattern == d.bitPattern || ($0 == 0 && d == 0) } ?? false
        case let f as Float: return r == "nan" ? f.isNaN : Double(r).map { $0 == Double(f) } ?? false
        case let i as Int64: return Int64(r) == i
        case let i as Int32: return Int32(r) == i
        case let b as Bool: return r == (b ? "true" : "false")
        case let s as String: return r == s
        default: return false
        }
    }
}

/// Column data as one `Any?` per row (nil for nulls), for comparison with reference strings.
func anyRows(_ data: ParquetColumnData) throws -> [Any?] {
    switch data.values {
    case .boolean: return try data.optionalValues(as: Bool.self).map { $0 }
    case .int32: return try data.optionalValues(as: Int32.self).map { $0 }
    case .int64: return try data.optionalValues(as: Int64.self).map { $0 }
    case .float: return try data.optionalValues(as: Float.self).map { $0 }
    case .double: return try data.optionalValues(as: Double.self).map { $0 }
    case .string: return try data.optionalValues(as: String.self).map { $0 }
    }
}

/// The index of the first row where `actual` differs from `reference`, or nil if they agree.
func firstMismatch(_ reference: [String?], _ actual: [Any?]) -> Int? {
    if reference.count != actual.count { return min(reference.count, actual.count) }
    for i in 0..<reference.count where !sameValue(reference[i], actual[i]) { return i }
    return nil
}
