#!/usr/bin/env python3
"""pyarrow baseline for Benchmarks/ParquetBench: time pyarrow.parquet.write_table on the same
book_top10 rows the Swift benchmark writes.

  parquet_bench_pyarrow.py RAW ROWS ROW_GROUP_SIZE OUT [REPEATS] [EXTRA_OPTIONS_JSON]

RAW holds ROWS Int64 timestamps followed by 42 Float64 columns of ROWS values each (little-endian),
as written by BookTop10.writeRaw. The table is built once (zero-copy); only write_table is timed.
Prints JSON: {"seconds": [...], "median_seconds": m, "cpu_seconds": [...], "median_cpu_seconds": c,
"bytes": size} (CPU time is the process's user + system time, all threads).
"""
import json
import os
import statistics
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq

LEVELS = 10
NAMES = ([f"bid_px_{i}" for i in range(LEVELS)] + [f"bid_sz_{i}" for i in range(LEVELS)]
         + [f"ask_px_{i}" for i in range(LEVELS)] + [f"ask_sz_{i}" for i in range(LEVELS)] + ["mid", "spread"])


def main():
    raw, rows, group, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    extra = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
    with open(raw, "rb") as f:
        buf = pa.py_buffer(f.read())
    width = rows * 8
    if buf.size != width * (1 + len(NAMES)):
        sys.exit(f"{raw} holds {buf.size} bytes, expected {width * (1 + len(NAMES))} for {rows} rows")
    arrays = [pa.Array.from_buffers(pa.timestamp("ns", tz="UTC"), rows, [None, buf.slice(0, width)])]
    for k in range(len(NAMES)):
        arrays.append(pa.Array.from_buffers(pa.float64(), rows, [None, buf.slice(width * (k + 1), width)]))
    schema = pa.schema([pa.field("ts_ns", pa.timestamp("ns", tz="UTC"), nullable=False)]
                       + [pa.field(n, pa.float64(), nullable=False) for n in NAMES])
    table = pa.Table.from_arrays(arrays, schema=schema)
    times = []
    cpu = []
    for _ in range(repeats):
        if os.path.exists(out):
            os.remove(out)
        start = time.perf_counter()
        cpu_start = time.process_time()
        pq.write_table(table, out, compression="zstd", compression_level=3, row_group_size=group, **extra)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    print(json.dumps({"seconds": times, "median_seconds": statistics.median(times),
                      "cpu_seconds": cpu, "median_cpu_seconds": statistics.median(cpu),
                      "bytes": os.path.getsize(out)}))


if __name__ == "__main__":
    main()
