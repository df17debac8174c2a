"""Reads envelopes the browser page sends and decodes their Arrow payloads
(`arrowtable` and `table`) with pyarrow alone, whatever the IPC format, direct
or by link. Prints one JSON line per envelope, for the browser tests.

    python tests/pyarrow_decode.py NATS_URL SUBJECT
"""

import asyncio
import base64
import json
import sys
import urllib.request

import nats
import pyarrow as pa
import pyarrow.ipc as ipc


def decode(payload):
    if payload["transport"] == "direct":
        data = base64.b64decode(payload["data"])
    else:
        with urllib.request.urlopen(payload["data"], timeout=30) as response:
            data = response.read()
    is_file = data[:6] == b"ARROW1"
    reader = ipc.open_file(pa.BufferReader(data)) if is_file else ipc.open_stream(pa.BufferReader(data))
    table = reader.read_all()
    return {
        "dataname": payload["dataname"],
        "payload_type": payload["payload_type"],
        "transport": payload["transport"],
        "ipc_format": "file" if is_file else "stream",
        "bytes": len(data),
        "num_rows": table.num_rows,
        "schema": {field.name: str(field.type) for field in table.schema},
        "first_rows": table.slice(0, 3).to_pylist(),
        "last_row": table.slice(table.num_rows - 1).to_pylist()[0] if table.num_rows else None,
    }


async def main(url, subject):
    nc = await nats.connect(url)

    async def on_message(msg):
        try:
            env = json.loads(msg.data)
            tables = [decode(p) for p in env["payloads"] if p["payload_type"] in ("arrowtable", "table")]
            out = {"ok": True, "correlation_id": env.get("correlation_id"), "tables": tables}
        except Exception as e:  # every failure is reported, never fatal
            out = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)

    await nc.subscribe(subject, cb=on_message)
    await nc.flush()
    print(json.dumps({"ready": True, "pyarrow": pa.__version__}), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1], sys.argv[2]))
    except KeyboardInterrupt:
        pass
