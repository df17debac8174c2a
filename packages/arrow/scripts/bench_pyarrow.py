"""The Python peer's side of `pnpm --filter @natsbridge/arrow bench`.

    .tools/venv/bin/python packages/arrow/scripts/bench_pyarrow.py ROWS REPEATS

Times the same round trips as bench/roundtrip.ts on the same 4-column table
(id int64, value float64, name string, ts timestamp[ms, UTC]) and prints one
JSON object of medians in milliseconds:

* arrow: pa.Table -> IPC file bytes (ipc.new_file) -> pa.Table (ipc.open_file().read_all())
* pandas: DataFrame -> Table.from_pandas -> IPC file -> read_all().to_pandas(),
  i.e. what the Python reference does for `table` payloads.
"""

import io
import json
import statistics
import sys
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc


def make_table(n):
    i = np.arange(n, dtype=np.int64)
    names = np.array([f"name-{k}" for k in range(1000)], dtype=object)[i % 1000]
    ts = pd.to_datetime(1_704_067_200_000 + i * 1000, unit="ms", utc=True)
    return pa.table(
        {
            "id": pa.array(i),
            "value": pa.array(i * 0.5),
            "name": pa.array(names, pa.string()),
            "ts": pa.array(ts, pa.timestamp("ms", tz="UTC")),
        }
    )


def encode(table):
    sink = io.BytesIO()
    with ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def decode(data):
    return ipc.open_file(pa.BufferReader(data)).read_all()


def timed(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(rows, repeats):
    table = make_table(rows)
    df = table.to_pandas()
    data = encode(table)
    result = {
        "pyarrow": pa.__version__,
        "pandas": pd.__version__,
        "rows": rows,
        "bytes": len(data),
        "arrow_encode_ms": timed(lambda: encode(table), repeats),
        "arrow_decode_ms": timed(lambda: decode(data), repeats),
        "arrow_roundtrip_ms": timed(lambda: decode(encode(table)), repeats),
        "pandas_roundtrip_ms": timed(lambda: decode(encode(pa.Table.from_pandas(df))).to_pandas(), repeats),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
