"""Unit tests of the peer's reference behaviour (quirks included). The Plik and
backoff tests use a small in-process aiohttp server: they check the requests
the reference makes, not a Plik server (none can be had here)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import re
import sys
import time
import unittest
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from natsbridge_peer import cases as vectors  # noqa: E402
from natsbridge_peer.reference import (  # noqa: E402
    _deserialize_data,
    _serialize_data,
    fetch_with_backoff,
    plik_oneshot_upload,
    smartreceive,
    smartsend,
    utc_timestamp,
)
from natsbridge_peer.uploads import http_put_upload  # noqa: E402

ENVELOPE_ORDER = [
    "correlation_id", "msg_id", "timestamp", "send_to", "msg_purpose", "sender_name", "sender_id",
    "receiver_name", "receiver_id", "reply_to", "reply_to_msg_id", "broker_url", "metadata", "payloads",
]


def run(coro):
    return asyncio.run(coro)


async def no_upload(url, dataname, data):
    return {"status": 200, "url": f"http://files.test/{dataname}"}


class Envelope(unittest.TestCase):
    def test_timestamp_is_utcnow_isoformat_plus_z(self):
        self.assertRegex(utc_timestamp(), r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")

    def test_json_dumps_defaults_field_order_and_payload_fields(self):
        env, text = run(smartsend("/t", [("m", "สวัสดี 🎉", "text"), ("d", {"k": "日本"}, "dictionary")], is_publish=False))
        self.assertEqual(list(env), ENVELOPE_ORDER)
        self.assertTrue(text.startswith('{"correlation_id": "'))
        self.assertTrue(text.isascii())
        self.assertEqual(list(env["payloads"][0]), ["id", "dataname", "payload_type", "transport", "encoding", "size", "data", "metadata"])
        for p in env["payloads"]:
            self.assertEqual((p["transport"], p["encoding"]), ("direct", "base64"))
            self.assertEqual(p["metadata"], {"payload_bytes": p["size"]})
        # dictionary bytes are json.dumps output too: ASCII with \\u escapes
        self.assertEqual(base64.b64decode(env["payloads"][1]["data"]), b'{"k": "\\u65e5\\u672c"}')

    def test_size_at_threshold_goes_by_link_with_empty_metadata(self):
        env, _ = run(smartsend("/t", [("b", b"12345", "binary")], size_threshold=5, fileserver_upload_handler=no_upload, is_publish=False))
        self.assertEqual(env["payloads"][0]["transport"], "link")
        self.assertEqual(env["payloads"][0]["encoding"], "none")
        self.assertEqual(env["payloads"][0]["metadata"], {})
        self.assertEqual(env["payloads"][0]["data"], "http://files.test/b")

    def test_failed_upload_status_stops_the_send(self):
        async def refused(url, dataname, data):
            return {"status": 500, "url": ""}

        with self.assertRaisesRegex(Exception, "Failed to upload data to fileserver: 500"):
            run(smartsend("/t", [("b", b"x", "binary")], size_threshold=0, fileserver_upload_handler=refused, is_publish=False))


class Types(unittest.TestCase):
    def test_table_is_an_arrow_ipc_file_from_pandas(self):
        frame = vectors.table_frame({"columns": ["a", "b"], "types": ["int64", "utf8"], "rows": [[1, "x"], [2, "ไทย"]]})
        data = _serialize_data(frame, "table")
        self.assertEqual(data[:6], b"ARROW1")
        self.assertIn(b"pandas", data)  # from_pandas keeps its schema metadata
        back = _deserialize_data(data, "table", "c")
        self.assertEqual(vectors.canonical(back), {"columns": ["a", "b"], "rows": [[1, "x"], [2, "ไทย"]]})

    def test_an_arrow_stream_is_unreadable_to_the_reference(self):
        table = pa.table({"a": [1, 2]})
        buf = io.BytesIO()
        with ipc.new_stream(buf, table.schema) as w:
            w.write_table(table)
        with self.assertRaises(pa.ArrowInvalid):
            _deserialize_data(buf.getvalue(), "table", "c")

    def test_only_the_python_types_exist(self):
        for t in ("arrowtable", "jsontable", "nope"):
            with self.assertRaisesRegex(ValueError, f"Unknown payload_type: {t}"):
                _serialize_data([], t)
            with self.assertRaisesRegex(ValueError, f"Unknown payload_type: {t}"):
                _deserialize_data(b"[]", t, "c")

    def test_binary_family_takes_bytes_only(self):
        self.assertEqual(_serialize_data(bytearray(b"ab"), "image"), b"ab")
        with self.assertRaisesRegex(ValueError, "audio data must be bytes"):
            _serialize_data("ab", "audio")
        with self.assertRaisesRegex(ValueError, "Text data must be a string"):
            _serialize_data(b"ab", "text")

    def test_receive_ignores_encoding_and_missing_metadata(self):
        env = {
            "correlation_id": "mp-1", "payloads": [
                {"id": "mp-2", "dataname": "d", "payload_type": "dictionary", "transport": "direct",
                 "encoding": "json", "size": 8, "data": base64.b64encode(b'{"a": 1}').decode()},
            ],
        }
        got = run(smartreceive(json.dumps(env).encode()))
        self.assertEqual(got["payloads"], [("d", {"a": 1}, "dictionary")])

    def test_unknown_transport_raises(self):
        env = {"correlation_id": "c", "payloads": [{"dataname": "x", "payload_type": "text", "transport": "carrier-pigeon", "data": ""}]}
        with self.assertRaisesRegex(Exception, "Unknown transport type for payload 'x': carrier-pigeon"):
            run(smartreceive(json.dumps(env)))

    def test_pattern_bytes_match_the_ts_runner(self):
        self.assertEqual(list(vectors.pattern_bytes({"prefix_hex": "ff00", "length": 5, "seed": 2})), [0xFF, 0x00, 15, 17, 19])


class Http(unittest.IsolatedAsyncioTestCase):
    async def serve(self, routes):
        app = web.Application()
        app.add_routes(routes)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.addAsyncCleanup(runner.cleanup)
        port = site._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def test_fetch_retries_with_doubling_delays(self):
        hits = []

        async def flaky(request):
            hits.append(time.monotonic())
            return web.Response(status=503) if len(hits) < 3 else web.Response(body=b"ok")

        base = await self.serve([web.get("/blob", flaky)])
        self.assertEqual(await fetch_with_backoff(f"{base}/blob", 5, 50, 5000, "c"), b"ok")
        self.assertEqual(len(hits), 3)
        self.assertGreaterEqual(hits[1] - hits[0], 0.045)
        self.assertGreaterEqual(hits[2] - hits[1], 0.095)

    async def test_fetch_gives_up_after_max_retries(self):
        async def gone(request):
            return web.Response(status=404)

        base = await self.serve([web.get("/blob", gone)])
        with self.assertRaisesRegex(Exception, "Failed to fetch data after 2 attempts"):
            await fetch_with_backoff(f"{base}/blob", 2, 1, 5, "c")

    async def test_plik_one_shot_request_sequence(self):
        seen = {}

        async def create(request):
            seen["create"] = await request.json()
            return web.json_response({"id": "UPLOAD", "uploadToken": "TOKEN"})

        async def upload(request):
            seen["token"] = request.headers.get("X-UploadToken")
            form = await request.post()
            seen["file"] = (form["file"].filename, form["file"].file.read())
            return web.json_response({"id": "FILE"})

        base = await self.serve([web.post("/upload", create), web.post("/file/UPLOAD", upload)])
        result = await plik_oneshot_upload(base, "data.bin", b"\x00\x01")
        self.assertEqual(seen, {"create": {"OneShot": True}, "token": "TOKEN", "file": ("data.bin", b"\x00\x01")})
        self.assertEqual(result, {"status": 200, "uploadid": "UPLOAD", "fileid": "FILE", "url": f"{base}/file/UPLOAD/FILE/data.bin"})

    async def test_http_put_upload(self):
        stored = {}

        async def put(request):
            stored[request.path] = await request.read()
            return web.Response(status=201)

        base = await self.serve([web.put("/{key}/{name}", put)])
        result = await http_put_upload(base, "a b", b"xyz")
        self.assertEqual(result["status"], 200)
        self.assertRegex(result["url"], re.escape(base) + r"/[0-9a-f-]{36}/a%20b$")
        self.assertEqual(list(stored.values()), [b"xyz"])


if __name__ == "__main__":
    unittest.main()
