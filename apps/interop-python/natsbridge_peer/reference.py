"""NATSBridge for Python, written to behave on the wire exactly as the Python
reference (NATSBridge docs/implementation.md, "Python Implementation") does.

Its quirks are kept on purpose, because they are what Python users really run
and what the TypeScript implementation must interoperate with:

* one ``table`` payload type (no ``arrowtable``/``jsontable``), serialized
  with ``pyarrow.Table.from_pandas`` into the Arrow IPC *file* format, and read
  back with ``ipc.open_file`` only (an Arrow *stream* is unreadable);
* ``encoding: "base64"`` on every direct payload, and ``encoding`` ignored on
  receipt (every direct ``data`` is base64-decoded);
* ``datetime.utcnow().isoformat() + "Z"`` timestamps (microseconds, and no
  fraction at all when the microseconds happen to be 0);
* ``metadata: {"payload_bytes": size}`` on direct payloads, ``{}`` on links;
* ``json.dumps`` defaults: ASCII-only output (``\\uXXXX`` escapes, surrogate
  pairs for emoji) and ``", "``/``": "`` separators, for the envelope and for
  ``dictionary`` payload bytes alike;
* size threshold 1 000 000 bytes, ``size < threshold`` goes direct;
* Plik one-shot uploads over aiohttp, downloads with exponential backoff
  (5 tries, 100 ms doubling to 5000 ms, a new HTTP session per attempt).

See the README next to this package for the full list.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import sys
import uuid
from datetime import datetime
from typing import Any, Awaitable, Callable, Dict, List, Tuple

import aiohttp
import nats
import pandas as pd
import pyarrow as arrow
import pyarrow.ipc as ipc

DEFAULT_SIZE_THRESHOLD = 1_000_000
DEFAULT_BROKER_URL = "nats://localhost:4222"
DEFAULT_FILESERVER_URL = "http://localhost:8080"

UploadHandler = Callable[[str, str, bytes], Awaitable[Dict[str, Any]]]
DownloadHandler = Callable[[str, int, int, int, str], Awaitable[bytes]]


def log_trace(correlation_id: str, message: str) -> None:
    # The reference prints to stdout; the peer keeps stdout for its own
    # machine-readable output, so the same lines go to stderr.
    print(f"[Correlation: {correlation_id}] {message}", file=sys.stderr, flush=True)


def utc_timestamp() -> str:
    """The reference's timestamp: naive UTC isoformat plus a literal "Z"."""
    return datetime.utcnow().isoformat() + "Z"


def _serialize_data(data: Any, payload_type: str) -> bytes:
    if payload_type == "text":
        if isinstance(data, str):
            return data.encode("utf-8")
        raise ValueError("Text data must be a string")
    if payload_type == "dictionary":
        return json.dumps(data).encode("utf-8")
    if payload_type == "table":
        buf = io.BytesIO()
        if isinstance(data, pd.DataFrame):
            table = arrow.Table.from_pandas(data)
        elif isinstance(data, arrow.Table):
            table = data
        else:
            raise ValueError("Table data must be a pandas DataFrame or pyarrow Table")
        sink = ipc.new_file(buf, table.schema)
        sink.write_table(table)
        sink.close()
        return buf.getvalue()
    if payload_type in ("image", "audio", "video", "binary"):
        if isinstance(data, (bytes, bytearray)):
            return bytes(data)
        raise ValueError(f"{payload_type} data must be bytes")
    raise ValueError(f"Unknown payload_type: {payload_type}")


def _deserialize_data(data: bytes, payload_type: str, correlation_id: str) -> Any:
    if payload_type == "text":
        return data.decode("utf-8")
    if payload_type == "dictionary":
        return json.loads(data.decode("utf-8"))
    if payload_type == "table":
        reader = ipc.open_file(io.BytesIO(data))
        return reader.read_all().to_pandas()
    if payload_type in ("image", "audio", "video", "binary"):
        return data
    raise ValueError(f"Unknown payload_type: {payload_type}")


async def fetch_with_backoff(url: str, max_retries: int, base_delay: int, max_delay: int, correlation_id: str) -> bytes:
    """GET with exponential backoff; anything but 200 counts as a failed attempt."""
    delay = base_delay
    for attempt in range(1, max_retries + 1):
        try:
            async with aiohttp.ClientSession() as session:
                async with session.get(url) as response:
                    if response.status == 200:
                        log_trace(correlation_id, f"Successfully fetched data from {url} on attempt {attempt}")
                        return await response.read()
                    raise Exception(f"Failed to fetch: {response.status}")
        except Exception as e:  # the reference retries on any failure
            log_trace(correlation_id, f"Attempt {attempt} failed: {type(e).__name__}")
            if attempt < max_retries:
                await asyncio.sleep(delay / 1000.0)
                delay = min(delay * 2, max_delay)
    raise Exception(f"Failed to fetch data after {max_retries} attempts")


async def plik_oneshot_upload(file_server_url: str, dataname: str, data: bytes) -> Dict[str, Any]:
    """Plik one-shot upload: create an upload, post the file as multipart, build the URL."""
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{file_server_url}/upload",
            headers={"Content-Type": "application/json"},
            data=json.dumps({"OneShot": True}),
        ) as response:
            created = await response.json(content_type=None)
            uploadid = created["id"]
            uploadtoken = created["uploadToken"]

        form = aiohttp.FormData()
        form.add_field("file", data, filename=dataname, content_type="application/octet-stream")
        async with session.post(
            f"{file_server_url}/file/{uploadid}", headers={"X-UploadToken": uploadtoken}, data=form
        ) as upload_response:
            fileid = (await upload_response.json(content_type=None))["id"]
            status = upload_response.status

    return {
        "status": status,
        "uploadid": uploadid,
        "fileid": fileid,
        "url": f"{file_server_url}/file/{uploadid}/{fileid}/{dataname}",
    }


async def publish_message(target: Any, subject: str, message: str, correlation_id: str) -> None:
    """With a URL: connect, publish, drain (a connection per send, as the reference).
    With a connection: publish and flush, leaving the caller's connection open."""
    if isinstance(target, str):
        nc = await nats.connect(target)
        try:
            await nc.publish(subject, message.encode("utf-8"))
            log_trace(correlation_id, f"Message published to {subject}")
        finally:
            await nc.drain()
    else:
        await target.publish(subject, message.encode("utf-8"))
        await target.flush()
        log_trace(correlation_id, f"Message published to {subject}")


async def smartsend(
    subject: str,
    data: List[Tuple[str, Any, str]],
    broker_url: str = DEFAULT_BROKER_URL,
    fileserver_url: str = DEFAULT_FILESERVER_URL,
    fileserver_upload_handler: UploadHandler = plik_oneshot_upload,
    size_threshold: int = DEFAULT_SIZE_THRESHOLD,
    correlation_id: str | None = None,
    msg_purpose: str = "chat",
    sender_name: str = "NATSBridge",
    receiver_name: str = "",
    receiver_id: str = "",
    reply_to: str = "",
    reply_to_msg_id: str = "",
    is_publish: bool = True,
    nats_connection: Any = None,
    msg_id: str | None = None,
    sender_id: str | None = None,
) -> Tuple[Dict[str, Any], str]:
    correlation_id = correlation_id or str(uuid.uuid4())
    msg_id = msg_id or str(uuid.uuid4())
    sender_id = sender_id or str(uuid.uuid4())
    log_trace(correlation_id, f"Starting smartsend for subject: {subject}")

    payloads = []
    for dataname, payload_data, payload_type in data:
        payload_bytes = _serialize_data(payload_data, payload_type)
        payload_size = len(payload_bytes)
        log_trace(correlation_id, f"Serialized payload '{dataname}' (type: {payload_type}) size: {payload_size} bytes")
        if payload_size < size_threshold:
            payloads.append(
                {
                    "id": str(uuid.uuid4()),
                    "dataname": dataname,
                    "payload_type": payload_type,
                    "transport": "direct",
                    "encoding": "base64",
                    "size": payload_size,
                    "data": base64.b64encode(payload_bytes).decode("utf-8"),
                    "metadata": {"payload_bytes": payload_size},
                }
            )
        else:
            log_trace(correlation_id, "Using link transport, uploading to fileserver")
            response = await fileserver_upload_handler(fileserver_url, dataname, payload_bytes)
            if response["status"] != 200:
                raise Exception(f"Failed to upload data to fileserver: {response['status']}")
            log_trace(correlation_id, f"Uploaded to URL: {response['url']}")
            payloads.append(
                {
                    "id": str(uuid.uuid4()),
                    "dataname": dataname,
                    "payload_type": payload_type,
                    "transport": "link",
                    "encoding": "none",
                    "size": payload_size,
                    "data": response["url"],
                    "metadata": {},
                }
            )

    env = {
        "correlation_id": correlation_id,
        "msg_id": msg_id,
        "timestamp": utc_timestamp(),
        "send_to": subject,
        "msg_purpose": msg_purpose,
        "sender_name": sender_name,
        "sender_id": sender_id,
        "receiver_name": receiver_name,
        "receiver_id": receiver_id,
        "reply_to": reply_to,
        "reply_to_msg_id": reply_to_msg_id,
        "broker_url": broker_url,
        "metadata": {},
        "payloads": payloads,
    }
    env_json_str = json.dumps(env)
    if is_publish:
        await publish_message(nats_connection or broker_url, subject, env_json_str, correlation_id)
    return env, env_json_str


async def smartreceive(
    msg: Any,
    fileserver_download_handler: DownloadHandler = fetch_with_backoff,
    max_retries: int = 5,
    base_delay: int = 100,
    max_delay: int = 5000,
) -> Dict[str, Any]:
    """Decode every payload of a received envelope into (dataname, value, type) tuples.
    `msg` is a nats-py Msg, or the raw bytes/str of the envelope."""
    raw = msg.data if hasattr(msg, "data") else msg
    env = json.loads(raw)
    correlation_id = env["correlation_id"]
    log_trace(correlation_id, "Processing received message")
    payloads_list = []
    for payload in env["payloads"]:
        transport = payload["transport"]
        dataname = payload["dataname"]
        if transport == "direct":
            payload_bytes = base64.b64decode(payload["data"])
        elif transport == "link":
            url = payload["data"]
            log_trace(correlation_id, f"Link transport - fetching '{dataname}' from URL: {url}")
            payload_bytes = await fileserver_download_handler(url, max_retries, base_delay, max_delay, correlation_id)
        else:
            raise Exception(f"Unknown transport type for payload '{dataname}': {transport}")
        data_type = payload["payload_type"]
        payloads_list.append((dataname, _deserialize_data(payload_bytes, data_type, correlation_id), data_type))
    env["payloads"] = payloads_list
    return env
