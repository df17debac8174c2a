"""Reads Arrow IPC files the way the Python reference reads `table` payloads.

    .tools/venv/bin/python packages/arrow/scripts/pyarrow_read.py FILE [FILE...]

For each file: `ipc.open_file(...).read_all().to_pandas()` — open_file rejects
the stream format, so this fails if we ever emit it — then prints one JSON
array with, per file, the table as expected.py describes it plus the pandas
dtypes. Used by the TypeScript tests to prove pyarrow reads what we write.

It also reads each file the way Arrow.jl does: skip the 8 magic bytes and read
the messages that follow as a stream, ignoring the footer. That needs the
schema message right after the magic, which apache-arrow's own file writer
leaves out.
"""

import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from expected import describe_table  # noqa: E402


def read_sequentially(data):
    """Arrow.jl's way to read the file format: the messages after the magic, in order."""
    try:
        reader = ipc.open_stream(pa.BufferReader(data[8:]))
        table = reader.read_all()
        return {"num_rows": table.num_rows, "num_columns": table.num_columns}
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"}


def read(path):
    data = Path(path).read_bytes()
    try:
        reader = ipc.open_file(pa.BufferReader(data))
        table = reader.read_all()
        df = table.to_pandas()
    except Exception as error:  # reported to the test, which fails with the message
        return {"file": path, "error": f"{type(error).__name__}: {error}"}
    out = describe_table(table, reader.num_record_batches)
    out["file"] = path
    out["pandas_dtypes"] = {str(k): str(v) for k, v in df.dtypes.items()}
    out["pandas_rows"] = len(df)
    out["schema_metadata"] = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    out["sequential"] = read_sequentially(data)
    return out


if __name__ == "__main__":
    print(json.dumps([read(p) for p in sys.argv[1:]], ensure_ascii=False))
