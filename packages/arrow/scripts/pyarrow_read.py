"""Reads Arrow IPC files the way the Python reference reads `table` payloads.

    .tools/venv/bin/python packages/arrow/scripts/pyarrow_read.py FILE [FILE...]

For each file: `ipc.open_file(...).read_all().to_pandas()` — open_file rejects
the stream format, so this fails if we ever emit it — then prints one JSON
array with, per file, the table as expected.py describes it plus the pandas
dtypes. Used by the TypeScript tests to prove pyarrow reads what we write.
"""

import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from expected import describe_table  # noqa: E402


def read(path):
    try:
        reader = ipc.open_file(pa.BufferReader(Path(path).read_bytes()))
        table = reader.read_all()
        df = table.to_pandas()
    except Exception as error:  # reported to the test, which fails with the message
        return {"file": path, "error": f"{type(error).__name__}: {error}"}
    out = describe_table(table, reader.num_record_batches)
    out["file"] = path
    out["pandas_dtypes"] = {str(k): str(v) for k, v in df.dtypes.items()}
    out["pandas_rows"] = len(df)
    out["schema_metadata"] = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    return out


if __name__ == "__main__":
    print(json.dumps([read(p) for p in sys.argv[1:]], ensure_ascii=False))
