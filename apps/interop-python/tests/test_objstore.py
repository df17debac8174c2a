"""nats-obj:// links (objstore.py) against a real nats-server with JetStream,
started on a free loopback port for this module ($NATS_SERVER_BIN, else
.tools/bin or PATH): URL parsing, a round trip through the upload and
download handlers, smartsend/smartreceive with them, the HTTP fallback, and
a missing object. A missing nats-server fails the tests loudly."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

import nats
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from natsbridge_peer.objstore import format_object_url, nats_obj_download, nats_obj_upload, parse_object_url  # noqa: E402
from natsbridge_peer.reference import smartreceive, smartsend  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[3]


def find_nats_server() -> str:
    configured = os.environ.get("NATS_SERVER_BIN")
    if configured:
        if not Path(configured).exists():
            raise FileNotFoundError(f"NATS_SERVER_BIN={configured} does not exist")
        return configured
    for candidate in [REPO_ROOT / ".tools" / "bin" / "nats-server", Path("/usr/sbin/nats-server")]:
        if candidate.exists():
            return str(candidate)
    found = shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: install it (bash scripts/setup.sh nats) or set NATS_SERVER_BIN")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NatsServer:
    def __enter__(self) -> "NatsServer":
        self.dir = tempfile.mkdtemp(prefix="natsbridge-py-nats-")
        self.port = free_port()
        conf = Path(self.dir) / "nats.conf"
        conf.write_text(f'listen: "127.0.0.1:{self.port}"\njetstream {{ store_dir: "{self.dir}/js" }}\n')
        self.proc = subprocess.Popen([find_nats_server(), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nats-server exited: {self.proc.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("nats-server did not start")

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


class Urls(unittest.TestCase):
    def test_parse_and_format(self):
        self.assertEqual(parse_object_url("nats-obj://claims/p-1/a%20b%2Fc"), ("claims", "p-1/a b/c"))
        name = "p-1/%C3%BC.bin"  # an ASCII object name, as the stores write them
        self.assertEqual(format_object_url("claims", name), "nats-obj://claims/p-1/%25C3%25BC.bin")
        self.assertEqual(parse_object_url(format_object_url("claims", name)), ("claims", name))
        for bad in ["http://x/y", "nats-obj://", "nats-obj://bucket", "nats-obj://bucket/", "nats-obj://b/x?y=1"]:
            self.assertIsNone(parse_object_url(bad), bad)


class ObjectStoreLinks(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = NatsServer().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    async def asyncSetUp(self):
        self.nc = await nats.connect(self.server.url)

    async def asyncTearDown(self):
        await self.nc.drain()

    async def test_round_trip_through_the_handlers(self):
        data = bytes(range(256)) * 4000
        result = await nats_obj_upload(self.nc, "py_roundtrip")("unused", "ünï côdé.bin", data)
        self.assertEqual(result["status"], 200)
        self.assertRegex(result["url"], r"^nats-obj://py_roundtrip/[0-9a-f-]+/%25C3%25BCn%25C3%25AF%2520c%25C3%25B4d%25C3%25A9\.bin$")
        self.assertEqual(await nats_obj_download(self.nc)(result["url"], 5, 100, 5000, "corr"), data)

    async def test_smartsend_and_smartreceive_by_nats_obj_link(self):
        payloads = [("note", "hello", "text"), ("blob", b"\x01\x02" * 700_000, "binary")]
        env, env_json = await smartsend(
            "py.objstore",
            payloads,
            fileserver_upload_handler=nats_obj_upload(self.nc, "py_send"),
            is_publish=False,
        )
        self.assertEqual([p["transport"] for p in env["payloads"]], ["direct", "link"])
        self.assertTrue(env["payloads"][1]["data"].startswith("nats-obj://py_send/"))
        received = await smartreceive(env_json.encode(), fileserver_download_handler=nats_obj_download(self.nc))
        self.assertEqual(received["payloads"], payloads)

    async def test_other_urls_go_to_the_http_fallback(self):
        async def handler(request):
            return web.Response(body=b"over http")

        app = web.Application()
        app.router.add_get("/blob", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            self.assertEqual(await nats_obj_download(self.nc)(f"http://127.0.0.1:{port}/blob", 1, 10, 10, "corr"), b"over http")
        finally:
            await runner.cleanup()

    async def test_a_missing_object_or_bucket_raises(self):
        await nats_obj_upload(self.nc, "py_missing")("unused", "x", b"x")
        for url in ["nats-obj://py_missing/no/such.bin", "nats-obj://no_such_bucket/x"]:
            with self.assertRaisesRegex(Exception, "no object"):
                await nats_obj_download(self.nc)(url, 1, 10, 10, "corr")


if __name__ == "__main__":
    unittest.main()
