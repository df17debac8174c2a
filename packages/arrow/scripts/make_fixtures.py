"""Writes the Arrow IPC golden fixtures and their expected values.

    .tools/venv/bin/python packages/arrow/scripts/make_fixtures.py fixtures/arrow

(`pnpm --filter @natsbridge/arrow fixtures` does exactly that.) The tests also run it
into a temporary directory, so every test run checks that our reader gets the
expected values from what the installed pyarrow writes *now*, not only from the
committed bytes.

Two groups, listed in OUTDIR/manifest.json:

* pyarrow/*.arrow: the IPC **file** format, as the Python reference writes
  `table` payloads (`ipc.new_file` + `write_table`), mostly through
  `pa.Table.from_pandas` so the pandas metadata and `__index_level_0__` are there.
* julia-like/*.arrows: the IPC **stream** format standing in for Arrow.jl's
  `Arrow.write(io, df)`. Julia cannot run here, so pyarrow writes streams that
  follow Arrow.jl's conventions (see fixtures/arrow/README.md): continuation
  markers, Julia types (Int64, Float64, String, Bool, DateTime -> timestamp[ms]
  without zone, Date -> date32, Missing -> nulls), `JuliaLang.*` extension
  metadata on fields, one batch per partition, optional lz4/zstd compression.

Every fixture gets NAME.expected.json (see expected.py for the JSON form).

* unsupported/*.arrow: valid Arrow files with types apache-arrow cannot
  represent (ListView, RunEndEncoded), which our reader must reject with
  UNSUPPORTED_ARROW_FEATURE rather than misread.
"""

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from expected import describe_table  # noqa: E402

UTC = dt.timezone.utc


def write_file(path, table, batch_rows=None, compression=None):
    options = ipc.IpcWriteOptions(compression=compression)
    with ipc.new_file(str(path), table.schema, options=options) as writer:
        writer.write_table(table, max_chunksize=batch_rows)


def write_stream(path, table, batch_rows=None, compression=None, legacy=False):
    options = ipc.IpcWriteOptions(compression=compression, use_legacy_format=legacy)
    with ipc.new_stream(str(path), table.schema, options=options) as writer:
        writer.write_table(table, max_chunksize=batch_rows)


def read_back(path):
    """Read with pyarrow itself: the expected values are what pyarrow sees."""
    data = path.read_bytes()
    if data[:6] == b"ARROW1":
        reader = ipc.open_file(pa.BufferReader(data))
        return reader.read_all(), reader.num_record_batches
    batches = list(ipc.open_stream(pa.BufferReader(data)))
    schema = ipc.open_stream(pa.BufferReader(data)).schema
    return pa.Table.from_batches(batches, schema=schema), len(batches)


# ---- the pyarrow (Python peer) fixtures: file format -------------------------


def pandas_mixed():
    """What a pandas user sends: mixed dtypes, nulls, tz-aware timestamps, a non-range index."""
    df = pd.DataFrame(
        {
            "id": np.array([1, 2, 3, 4, 5], dtype="int64"),
            "score": [95.5, np.nan, 88.0, -0.25, 1e300],
            "name": ["Alice", None, "Chloé", "李雷", ""],
            "active": [True, False, None, True, False],
            "seen": pd.to_datetime(
                ["2024-01-01T00:00:00Z", None, "2024-06-01T12:30:00.123456789Z", "1969-12-31T23:59:59.999Z", "2262-04-11T00:00:00Z"],
                format="ISO8601",
            ),
            "count": pd.array([2**62 + 1, None, -(2**63), 9_007_199_254_740_993, 7], dtype="Int64"),
        },
        index=pd.Index([10, 20, 30, 40, 50]),
    )
    return pa.Table.from_pandas(df)


def pandas_range_index():
    """A default RangeIndex: pandas metadata, but no __index_level_0__ column."""
    df = pd.DataFrame({"x": [1.5, 2.5, 3.5], "label": ["a", "b", "c"]})
    return pa.Table.from_pandas(df)


def types_table():
    """One column per Arrow type apache-arrow reads, with nulls in each."""
    n = 4
    struct_type = pa.struct([("lat", pa.float64()), ("tag", pa.string())])
    return pa.table(
        {
            "i8": pa.array([-128, 127, None, 0], pa.int8()),
            "i16": pa.array([-32768, 32767, None, 1], pa.int16()),
            "i32": pa.array([-(2**31), 2**31 - 1, None, 2], pa.int32()),
            "u32": pa.array([0, 2**32 - 1, None, 3], pa.uint32()),
            "u64": pa.array([0, 2**64 - 1, None, 2**53], pa.uint64()),
            "f32": pa.array([1.5, -2.25, None, float("inf")], pa.float32()),
            "date": pa.array([dt.date(2024, 2, 29), dt.date(1900, 1, 1), None, dt.date(1970, 1, 1)], pa.date32()),
            "ts_s": pa.array([0, 1_700_000_000, None, -1], pa.timestamp("s")),
            "ts_us_tz": pa.array([1, 1_700_000_000_123_456, None, -1], pa.timestamp("us", tz="Europe/Paris")),
            "time_us": pa.array([0, 86_399_999_999, None, 1], pa.time64("us")),
            "dec": pa.array([Decimal("12.50"), Decimal("-0.05"), None, Decimal("99999999.99")], pa.decimal128(10, 2)),
            "bin": pa.array([b"\x00\x01", b"", None, bytes(range(250, 256))], pa.binary()),
            "large_str": pa.array(["big", "ünïcödé", None, "x" * 100], pa.large_string()),
            "list_i64": pa.array([[1, 2], [], None, [2**60, None]], pa.list_(pa.int64())),
            "point": pa.array([{"lat": 1.0, "tag": "a"}, {"lat": None, "tag": None}, None, {"lat": -3.5, "tag": "z"}], struct_type),
            "dict_str": pa.array(["red", "green", None, "red"]).dictionary_encode(),
            "nothing": pa.nulls(n),
            "kv": pa.array([[("a", 1)], [], None, [("b", 2), ("c", None)]], pa.map_(pa.string(), pa.int64())),
        }
    )


def large_strings():
    """LargeUtf8 with multi-byte text, as pandas string[pyarrow_large] or pl.Utf8 would give."""
    words = ["naïve", "日本語テキスト", "emoji 🎉🚀", "", None, "a" * 1000]
    return pa.table({"text": pa.array(words * 20, pa.large_string()), "n": pa.array(range(120), pa.int64())})


def multi_batch():
    """Three record batches: a reader that stops at the first one loses rows."""
    return pa.table({"seq": pa.array(range(30), pa.int64()), "half": pa.array([i / 2 for i in range(30)])})


def empty_schema():
    return pa.table({"a": pa.array([], pa.int64()), "b": pa.array([], pa.string()), "t": pa.array([], pa.timestamp("ms"))})


def compressible():
    """Enough repetition for compression to matter, plus nulls."""
    n = 600
    return pa.table(
        {
            "id": pa.array(range(n), pa.int64()),
            "value": pa.array([None if i % 17 == 0 else i * 0.5 for i in range(n)], pa.float64()),
            "city": pa.array([["Paris", "Lagos", "Lima", "Oslo"][i % 4] for i in range(n)], pa.string()),
            "flag": pa.array([i % 3 == 0 for i in range(n)], pa.bool_()),
        }
    )


# ---- the Arrow.jl stand-ins: stream format ------------------------------------


def julia_field(name, typ, extension=None):
    metadata = None
    if extension:
        metadata = {b"ARROW:extension:name": extension.encode(), b"ARROW:extension:metadata": b""}
    return pa.field(name, typ, nullable=True, metadata=metadata)


def julia_dataframe():
    """A DataFrame as Arrow.jl writes it: Int64, Float64, String, Bool, Missing, DateTime, Date, Symbol, Char."""
    schema = pa.schema(
        [
            julia_field("id", pa.int64()),
            julia_field("x", pa.float64()),
            julia_field("name", pa.string()),
            julia_field("ok", pa.bool_()),
            julia_field("when", pa.timestamp("ms")),
            julia_field("day", pa.date32()),
            julia_field("kind", pa.string(), "JuliaLang.Symbol"),
            julia_field("initial", pa.uint32(), "JuliaLang.Char"),
            julia_field("maybe", pa.int64()),
        ]
    )
    when = [dt.datetime(2024, 3, 1, 8, 0, 0, 250_000), dt.datetime(1999, 12, 31, 23, 59, 59), None]
    return pa.table(
        [
            pa.array([1, 2, 3], pa.int64()),
            pa.array([0.5, float("nan"), -1.25]),
            pa.array(["Julia", "Arrow", None]),
            pa.array([True, None, False]),
            pa.array(when, pa.timestamp("ms")),
            pa.array([dt.date(2024, 3, 1), None, dt.date(2000, 1, 1)], pa.date32()),
            pa.array(["alpha", "beta", "alpha"]),
            pa.array([ord("J"), ord("é"), ord("🎉")], pa.uint32()),
            pa.array([None, None, 2**53 + 1], pa.int64()),
        ],
        schema=schema,
    )


def julia_pooled():
    """A PooledArray / CategoricalArray column: dictionary-encoded strings."""
    values = pa.array(["low", "high", "low", None, "mid", "high"]).dictionary_encode()
    return pa.table({"level": values, "v": pa.array([1, 2, 3, 4, 5, 6], pa.int64())})


def large_and_view_types():
    """The 64-bit-offset and view layouts apache-arrow reads since 21.2 (pyarrow writes them on request)."""
    long = "a string longer than twelve bytes, so its view points into a data buffer"
    return pa.table(
        {
            "large_list": pa.array([[1], None, [2, 3, 2**60]], pa.large_list(pa.int64())),
            "string_view": pa.array(["a", None, long + " — é 🎉"], pa.string_view()),
            "binary_view": pa.array([b"\x00\x01", long.encode(), None], pa.binary_view()),
        }
    )


def julia_empty():
    """A DataFrame with columns and no rows: Arrow.jl writes the schema and no batches."""
    return pa.table({"id": pa.array([], pa.int64()), "name": pa.array([], pa.string())})


def fixtures():
    """(group, name, format, table, writer options, description) for every fixture."""
    return [
        ("pyarrow", "pandas_mixed", "file", pandas_mixed(), {"batch_rows": 3}, "pa.Table.from_pandas(df) with an int64 index, NaN, None, NaT, tz-aware ns timestamps, nullable Int64 past 2^53; 2 batches"),
        ("pyarrow", "pandas_range_index", "file", pandas_range_index(), {}, "from_pandas with a RangeIndex (pandas metadata, no index column)"),
        ("pyarrow", "types", "file", types_table(), {}, "one column per type: int8..uint64, float32, date32, timestamp s / us+tz, time64, decimal128, binary, large_string, list, struct, dictionary, null, map"),
        ("pyarrow", "large_strings", "file", large_strings(), {}, "large_string (LargeUtf8) with multi-byte UTF-8 and nulls"),
        ("pyarrow", "large_and_view_types", "file", large_and_view_types(), {}, "large_list<int64>, string_view (Utf8View) and binary_view (BinaryView), short and long values, nulls"),
        ("pyarrow", "multi_batch", "file", multi_batch(), {"batch_rows": 10}, "3 record batches of 10 rows"),
        ("pyarrow", "empty_schema_only", "file", empty_schema(), {}, "a schema and no record batches"),
        ("pyarrow", "lz4", "file", compressible(), {"batch_rows": 300, "compression": "lz4"}, "LZ4_FRAME-compressed buffers, 2 batches"),
        ("pyarrow", "zstd", "file", compressible(), {"batch_rows": 300, "compression": "zstd"}, "ZSTD-compressed buffers, 2 batches"),
        ("julia-like", "julia_dataframe", "stream", julia_dataframe(), {}, "Arrow.write(io, df) stand-in: Julia column types, JuliaLang.Symbol / JuliaLang.Char extension metadata"),
        ("julia-like", "julia_partitioned", "stream", multi_batch(), {"batch_rows": 7}, "Arrow.write(io, Tables.partitioner(...)) stand-in: 5 record batches"),
        ("julia-like", "julia_pooled", "stream", julia_pooled(), {}, "PooledArray column stand-in: dictionary-encoded strings"),
        ("julia-like", "julia_empty", "stream", julia_empty(), {}, "empty DataFrame stand-in: schema, no batches"),
        ("julia-like", "julia_lz4", "stream", compressible(), {"batch_rows": 300, "compression": "lz4"}, "Arrow.write(io, df; compress=:lz4) stand-in"),
        ("julia-like", "julia_zstd", "stream", compressible(), {"batch_rows": 300, "compression": "zstd"}, "Arrow.write(io, df; compress=:zstd) stand-in"),
        ("julia-like", "legacy_stream", "stream", julia_pooled(), {"legacy": True}, "pre-0.15 stream framing (no 0xFFFFFFFF continuation marker), as old writers emit"),
    ]


def to_json(expected):
    """Compact, one row a line: small files whose diffs stay readable."""
    compact = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    head = {k: v for k, v in expected.items() if k != "rows"}
    lines = [compact(row) for row in expected["rows"]]
    body = ",\n  ".join(lines)
    return compact(head)[:-1] + ',\n "rows": [\n  ' + body + ("\n ]}\n" if lines else "]}\n")


def unsupported():
    """Valid Arrow that apache-arrow cannot represent: we must reject it with UNSUPPORTED_ARROW_FEATURE."""
    return [
        ("list_view", pa.table({"v": pa.array([[1], [2, 3]], pa.list_view(pa.int64()))}), "ListView column (Arrow 16+ view type)"),
        ("run_end_encoded", pa.table({"v": pc_run_end_encode(pa.array([1, 1, 2], pa.int64()))}), "RunEndEncoded column"),
    ]


def pc_run_end_encode(arr):
    import pyarrow.compute as pc

    return pc.run_end_encode(arr)


def main(out):
    out = Path(out)
    manifest = {"pyarrow": pa.__version__, "pandas": pd.__version__, "fixtures": [], "unsupported": []}
    (out / "unsupported").mkdir(parents=True, exist_ok=True)
    for name, table, description in unsupported():
        path = out / "unsupported" / (name + ".arrow")
        write_file(path, table)
        manifest["unsupported"].append({"file": str(path.relative_to(out)), "description": description})
    for group, name, fmt, table, opts, description in fixtures():
        (out / group).mkdir(parents=True, exist_ok=True)
        path = out / group / (name + (".arrow" if fmt == "file" else ".arrows"))
        if fmt == "file":
            write_file(path, table, opts.get("batch_rows"), opts.get("compression"))
        else:
            write_stream(path, table, opts.get("batch_rows"), opts.get("compression"), opts.get("legacy", False))
        read, num_batches = read_back(path)
        expected = describe_table(read, num_batches)
        expected_path = path.with_name(name + ".expected.json")
        expected_path.write_text(to_json(expected))
        manifest["fixtures"].append(
            {
                "file": str(path.relative_to(out)),
                "expected": str(expected_path.relative_to(out)),
                "format": fmt,
                "group": group,
                "compression": opts.get("compression"),
                "description": description,
            }
        )
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "fixtures/arrow")
