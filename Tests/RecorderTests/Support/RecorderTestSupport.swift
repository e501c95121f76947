import Foundation
import MarketCore
import TestServers
import Testing

/// Paths of the package and its tools.
enum TestPaths {
    /// The package root: the first directory above this file (symlinks resolved) holding
    /// `Package.swift` and `Sources/`.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        let manager = FileManager.default
        while url.path != "/" {
            if manager.fileExists(atPath: url.appendingPathComponent("Package.swift").path),
                manager.fileExists(atPath: url.appendingPathComponent("Sources").path)
            {
                return url.path
            }
            url.deleteLastPathComponent()
        }
        return "."
    }()

    /// The Python with pyarrow, polars and duckdb (`LIGHTER_TEST_PYTHON` overrides).
    static var python: String {
        ProcessInfo.processInfo.environment["LIGHTER_TEST_PYTHON"] ?? "\(packageRoot)/.venv-ci/bin/python"
    }

    /// The built `lighter-mm` (`LIGHTER_MM_BINARY` overrides).
    static var binary: String {
        ProcessInfo.processInfo.environment["LIGHTER_MM_BINARY"] ?? "\(packageRoot)/.build/debug/lighter-mm"
    }
}

/// A fresh empty directory under the temporary directory.
func makeTemporaryDirectory(_ label: String) throws -> String {
    let path = NSTemporaryDirectory() + "recorder-tests-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Output of a finished process.
struct ProcessResult {
    var status: Int32
    var output: String
    var errorOutput: String
}

/// Runs a program to completion.
func runProcess(_ executable: String, _ arguments: [String], input: String? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = childEnvironment()
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    let inputPipe = Pipe()
    if input != nil { process.standardInput = inputPipe }
    try process.run()
    if let input {
        inputPipe.fileHandleForWriting.write(Data(input.utf8))
        try inputPipe.fileHandleForWriting.close()
    }
    // Read both pipes concurrently so a full pipe never blocks the child.
    let errorData = LockedData()
    let reader = Thread { errorData.set(errors.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errorData.isSet { usleep(1000) }
    return ProcessResult(
        status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
        errorOutput: String(decoding: errorData.value, as: UTF8.self))
}

/// This process's environment without the test-only `LIGHTER_MM_*` overrides (the CLI rejects
/// unknown `LIGHTER_MM_*` variables as configuration errors).
func childEnvironment() -> [String: String] {
    ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LIGHTER_MM_") }
}

/// Data written by one thread and read by another.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var done = false
    func set(_ value: Data) {
        lock.lock()
        data = value
        done = true
        lock.unlock()
    }
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return done
    }
    var value: Data {
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}

/// Runs a Python script (from the project venv) with arguments; returns its standard output
/// parsed as a JSON object. Fails the test if Python is missing or the script fails.
func runPython(_ script: String, _ arguments: [String]) throws -> [String: Any] {
    let python = TestPaths.python
    guard FileManager.default.isExecutableFile(atPath: python) else {
        Issue.record("Python with pyarrow/duckdb not found at \(python): run scripts/test (creates .venv-ci) or set LIGHTER_TEST_PYTHON")
        throw TestTimeout(what: "python")
    }
    let result = try runProcess(python, ["-c", script] + arguments)
    guard result.status == 0 else {
        Issue.record("python failed (\(result.status)): \(result.errorOutput)")
        throw TestTimeout(what: "python result")
    }
    guard let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] else {
        Issue.record("python printed no JSON object: \(result.output)")
        throw TestTimeout(what: "python JSON")
    }
    return object
}

/// Files under `root` whose name satisfies `predicate`.
func files(under root: String, where predicate: (String) -> Bool) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
    var result: [String] = []
    while let relative = enumerator.nextObject() as? String {
        if predicate((relative as NSString).lastPathComponent) { result.append("\(root)/\(relative)") }
    }
    return result.sorted()
}

/// Waits until `condition` holds (polling), up to `seconds`.
func eventually(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
    return condition()
}

/// A Lighter `order_book` message.
func lighterBookFrame(
    market: Int, type: String, offset: Int64, nonce: Int64, beginNonce: Int64?, bids: [(String, String)],
    asks: [(String, String)], timestampMs: Int64 = 1_766_434_222_600
) -> String {
    func levels(_ list: [(String, String)]) -> String {
        "[" + list.map { "{\"price\":\"\($0.0)\",\"size\":\"\($0.1)\"}" }.joined(separator: ",") + "]"
    }
    let begin = beginNonce.map { ",\"begin_nonce\":\($0)" } ?? ""
    return """
        {"channel":"order_book:\(market)","offset":\(offset),"order_book":{"code":0,"asks":\(levels(asks)),"bids":\(levels(bids)),\
        "offset":\(offset),"nonce":\(nonce)\(begin)},"timestamp":\(timestampMs),"type":"\(type)"}
        """
}

/// A Lighter `trade` message.
func lighterTradeFrame(market: Int, type: String, trades: [(id: Int64, price: String, size: String, makerAsk: Bool, ms: Int64)]) -> String {
    let list = trades.map {
        "{\"trade_id\":\($0.id),\"market_id\":\(market),\"size\":\"\($0.size)\",\"price\":\"\($0.price)\",\"is_maker_ask\":\($0.makerAsk),\"timestamp\":\($0.ms),\"ask_account_id\":1,\"bid_account_id\":2}"
    }
    return "{\"type\":\"\(type)\",\"channel\":\"trade:\(market)\",\"nonce\":5,\"liquidation_trades\":[],\"trades\":[\(list.joined(separator: ","))]}"
}

/// The Python check shared by the collect tests: reads the dataset of `venue` under `root` with
/// DuckDB as one table per kind, rebuilds every market's book from `book_events` and compares it
/// with `book_top10`, and reports counts.
let datasetCheckScript = #"""
import duckdb, json, sys, math
import pyarrow.parquet as pq
root, venue = sys.argv[1], sys.argv[2]
con = duckdb.connect()
out = {}
def glob(table):
    return f"{root}/{venue}/{table}/**/*.parquet"
for table in ["book_events", "book_top10", "trades"]:
    try:
        rows = con.execute(f"select market, count(*) from read_parquet('{glob(table)}', hive_partitioning=true) group by market order by market").fetchall()
        out[table] = {m: c for m, c in rows}
    except duckdb.Error as e:
        out[table] = {}
        out[table + "_error"] = str(e)
ev = con.execute(f"""select market, epoch_ns(ts_ns), kind, seq, nonce, side, price, size, filename, file_row_number
    from read_parquet('{glob("book_events")}', hive_partitioning=true, filename=true, file_row_number=true)
    order by market, filename, file_row_number""").fetchall()
cur = con.execute(f"""select * exclude (filename, file_row_number, date, ts_ns), epoch_ns(ts_ns) as ts
    from read_parquet('{glob("book_top10")}', hive_partitioning=true, filename=true, file_row_number=true)
    order by market, filename, file_row_number""")
cols = [d[0] for d in cur.description]
top = [dict(zip(cols, r)) for r in cur.fetchall()]
kinds = {}
first_kinds = {}
expected = {}
for market in sorted(set(r[0] for r in ev)):
    rows = [r for r in ev if r[0] == market]
    book = {"bid": {}, "ask": {}}
    valid = False
    snaps = []
    i = 0
    while i < len(rows):
        r = rows[i]
        key = (r[1], r[2], r[3], r[4], r[8])
        j = i
        while j < len(rows) and (rows[j][1], rows[j][2], rows[j][3], rows[j][4], rows[j][8]) == key:
            j += 1
        group = rows[i:j]
        kind = r[2]
        kinds.setdefault(market, {}).setdefault(kind, 0)
        kinds[market][kind] += 1
        if kind in ("snapshot", "checkpoint"):
            book = {"bid": {}, "ask": {}}
            for g in group:
                if g[5] is not None and g[7] != 0:
                    book[g[5]][g[6]] = g[7]
            valid = True
        elif kind == "delta":
            for g in group:
                if g[7] == 0:
                    book[g[5]].pop(g[6], None)
                else:
                    book[g[5]][g[6]] = g[7]
        elif kind == "resync":
            book = {"bid": {}, "ask": {}}
            valid = False
        if kind == "snapshot" or (kind in ("delta", "empty") and valid):
            bids = sorted(book["bid"].items(), reverse=True)[:10]
            asks = sorted(book["ask"].items())[:10]
            snaps.append((r[1], bids, asks))
        i = j
    expected[market] = snaps
for f in sorted(set(r[8] for r in ev)):
    first = next(r for r in ev if r[8] == f)
    first_kinds[first[2]] = first_kinds.get(first[2], 0) + 1
mismatches = 0
compared = 0
first_mismatch = None
for market, snaps in expected.items():
    t = [d for d in top if d["market"] == market]
    if len(t) != len(snaps):
        mismatches += abs(len(t) - len(snaps))
        first_mismatch = first_mismatch or f"{market}: {len(t)} top10 rows, {len(snaps)} rebuilt"
    for (d, (ts, bids, asks)) in zip(t, snaps):
        compared += 1
        ok = d["ts"] == ts
        for k in range(10):
            bp, bs = (bids[k] if k < len(bids) else (None, None))
            ap, asz = (asks[k] if k < len(asks) else (None, None))
            for name, want in ((f"bid_px_{k}", bp), (f"bid_sz_{k}", bs), (f"ask_px_{k}", ap), (f"ask_sz_{k}", asz)):
                got = d[name]
                got = None if got is None or (isinstance(got, float) and math.isnan(got)) else got
                if got != want:
                    ok = False
        if bids and asks:
            mid = (bids[0][0] + asks[0][0]) / 2
            ok = ok and abs(d["mid"] - mid) <= 1e-9 * mid and abs(d["spread"] - (asks[0][0] - bids[0][0])) <= 1e-9 * mid
        if not ok:
            mismatches += 1
            first_mismatch = first_mismatch or f"{market} row {compared}: {d} vs {bids[:2]} {asks[:2]}"
out["top10_compared"] = compared
out["top10_mismatches"] = mismatches
out["first_mismatch"] = first_mismatch
out["kinds"] = kinds
out["first_kinds"] = first_kinds
try:
    tr = con.execute(f"select market, count(*), count(distinct trade_id), list(trade_id order by trade_id), list(price order by trade_id) from read_parquet('{glob('trades')}', hive_partitioning=true) group by market").fetchall()
    out["trade_ids"] = {m: ids for m, c, d, ids, p in tr}
    out["trade_prices"] = {m: p for m, c, d, ids, p in tr}
    out["trade_distinct"] = {m: d for m, c, d, ids, p in tr}
except duckdb.Error as e:
    out["trade_ids"] = {}
seqcols = "nonce is null or begin_nonce is null" if venue == "lighter" else "first_update_id is null or prev_update_id is null"
out["delta_missing_sequence"] = con.execute(f"select count(*) from read_parquet('{glob('book_events')}', hive_partitioning=true) where kind = 'delta' and (seq is null or {seqcols})").fetchone()[0]
files = sorted(set(r[8] for r in ev))
out["files"] = len(files)
meta = pq.read_metadata(files[0]).metadata if files else {}
out["metadata"] = {k.decode(): v.decode() for k, v in (meta or {}).items()}
out["ts_type"] = str(pq.read_schema(files[0]).field("ts_ns").type) if files else ""
print(json.dumps(out, default=str))
"""#
