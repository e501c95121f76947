#!/usr/bin/env python3
"""Reference reader/writer for the Parquet module's tests (pyarrow, polars, DuckDB).

  parquet_reference.py inspect FILE
      Print JSON: pyarrow's view of FILE's metadata (schema, key-value metadata, row groups,
      codecs, encodings, statistics) and the column values as read by pyarrow, polars and DuckDB.
  parquet_reference.py write FILE DICTIONARY(0|1) PAGE_VERSION(1.0|2.0) COMPRESSION(zstd|none)
      Write a deterministic table with pyarrow and print the values written as JSON.

Every value is printed as a string (None for null) so that 64-bit integers and doubles survive
JSON exactly: ints as decimal, floats as repr() (shortest round-trip), booleans as true/false,
timestamps as their integer count of the column's unit.
"""
import json
import math
import sys

import pyarrow as pa
import pyarrow.parquet as pq


def text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def arrow_columns(table, file_schema=None):
    """Columns as lists of strings; timestamps as integers in the file's own unit (DuckDB
    returns millisecond timestamps as microseconds, so they are cast back first)."""
    out = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_timestamp(col.type):
            if file_schema is not None:
                unit = file_schema.field(name).type.unit
                col = col.cast(pa.timestamp(unit, col.type.tz))
            col = col.cast(pa.int64())
        out[name] = [text(v) for v in col.to_pylist()]
    return out


def inspect(path):
    pf = pq.ParquetFile(path)
    md = pf.metadata
    kv = {}
    for k, v in (md.metadata or {}).items():
        if k == b"ARROW:schema":
            continue
        kv[k.decode()] = v.decode()
    schema = []
    for i in range(md.num_columns):
        c = pf.schema.column(i)
        schema.append({
            "name": c.name,
            "physical_type": c.physical_type,
            "logical_type": str(c.logical_type),
            "max_definition_level": c.max_definition_level,
        })
    groups = []
    for r in range(md.num_row_groups):
        rg = md.row_group(r)
        cols = []
        for i in range(rg.num_columns):
            cc = rg.column(i)
            st = cc.statistics
            stats = None
            if st is not None:
                stats = {"has_min_max": st.has_min_max, "null_count": st.null_count if st.has_null_count else None}
                if st.has_min_max:
                    if cc.physical_type == "BYTE_ARRAY":
                        stats["min"], stats["max"] = text(st.min), text(st.max)
                    else:
                        stats["min"], stats["max"] = text(st.min_raw), text(st.max_raw)
            cols.append({
                "name": cc.path_in_schema,
                "compression": cc.compression,
                "encodings": list(cc.encodings),
                "has_dictionary_page": cc.has_dictionary_page,
                "num_values": cc.num_values,
                "statistics": stats,
            })
        groups.append({"num_rows": rg.num_rows, "columns": cols})

    result = {
        "num_rows": md.num_rows,
        "num_row_groups": md.num_row_groups,
        "created_by": md.created_by,
        "key_value": kv,
        "schema": schema,
        "row_groups": groups,
        "pyarrow": arrow_columns(pq.read_table(path)),
    }

    import polars as pl
    df = pl.read_parquet(path)
    pcols = {}
    for name in df.columns:
        s = df[name]
        if s.dtype.is_temporal():
            s = s.cast(pl.Int64)
        pcols[name] = [text(v) for v in s.to_list()]
    result["polars"] = pcols

    import duckdb
    con = duckdb.connect()
    quoted = path.replace("'", "''")
    table = con.sql(f"SELECT * FROM read_parquet('{quoted}')").to_arrow_table()
    result["duckdb"] = arrow_columns(table, pq.read_schema(path))
    print(json.dumps(result))


def write(path, dictionary, page_version, compression):
    n = 5000
    ts0 = 1_700_000_000_123_456_789
    ts = [ts0 + i * 1_000_003 for i in range(n)]
    i32 = [(i * 7919) % 2001 - 1000 for i in range(n)]
    i64 = [None if i % 7 == 3 else (i * 104729) - 2**40 for i in range(n)]
    dbl = [3000.0 + ((i * 37) % 211) * 0.01 for i in range(n)]
    dbl_opt = [None if i % 5 == 0 else (i % 97) / 8.0 - 6.0 for i in range(n)]
    f32 = [float(i % 50) * 0.25 for i in range(n)]
    words = ["bid", "ask", "trade", "β-unicode", ""]
    s = [words[i % 5] for i in range(n)]
    s_opt = [None if i % 4 == 1 else f"order-{i % 300}" for i in range(n)]
    b = [(i % 3) == 0 for i in range(n)]
    b_opt = [None if i % 6 == 2 else (i % 4) < 2 for i in range(n)]
    # Columns without nulls are declared non-nullable so pyarrow writes them REQUIRED.
    schema = pa.schema([
        pa.field("ts_ns", pa.timestamp("ns", tz="UTC"), nullable=False),
        pa.field("ts_ms", pa.timestamp("ms", tz="UTC")),
        pa.field("i32", pa.int32(), nullable=False),
        pa.field("i64_opt", pa.int64()),
        pa.field("dbl", pa.float64(), nullable=False),
        pa.field("dbl_opt", pa.float64()),
        pa.field("f32", pa.float32()),
        pa.field("s", pa.string(), nullable=False),
        pa.field("s_opt", pa.string()),
        pa.field("b", pa.bool_(), nullable=False),
        pa.field("b_opt", pa.bool_()),
    ], metadata={"source": "pyarrow-test", "market": "ETH"})
    table = pa.table({
        "ts_ns": ts, "ts_ms": [t // 1_000_000 for t in ts], "i32": i32, "i64_opt": i64, "dbl": dbl,
        "dbl_opt": dbl_opt, "f32": f32, "s": s, "s_opt": s_opt, "b": b, "b_opt": b_opt,
    }, schema=schema)
    pq.write_table(
        table, path, row_group_size=2000, data_page_size=2048, use_dictionary=dictionary,
        data_page_version=page_version, compression=compression, write_statistics=True)
    print(json.dumps(arrow_columns(table)))


if __name__ == "__main__":
    if sys.argv[1] == "inspect":
        inspect(sys.argv[2])
    elif sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3] == "1", sys.argv[4], sys.argv[5])
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
