"""The Python peer's command line.

  python -m natsbridge_peer serve  --nats URL --prefix P [--fileserver-url URL] [--upload http-put|plik|nats-obj]
  python -m natsbridge_peer send   --nats URL --subject S --case NAME [--transport direct|link] [--upload nats-obj --obj-bucket B]
  python -m natsbridge_peer listen --nats URL --subject S [--verify] [--echo SUBJECT] [--count N]
  python -m natsbridge_peer write-fixtures --out DIR

`serve` is the conformance peer protocol (docs/conformance.md): requests on
P.hello and P.send, envelopes received on P.in.> answered with receipts on
P.receipts. Bad input never stops the process: it becomes a receipt with
"ok": false.

Besides the reference's http(s) links, the peer reads `nats-obj://` links
(JetStream Object Store, as @natsbridge/objstore writes them) through its own
NATS connection, and `--upload nats-obj` writes them (objstore.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Any, Dict

import nats

from . import cases as vectors
from .objstore import nats_obj_download, nats_obj_upload
from .reference import DEFAULT_SIZE_THRESHOLD, UploadHandler, plik_oneshot_upload, smartreceive, smartsend
from .uploads import capture_upload, http_put_upload

PEER_NAME = "python-reference"
UPLOADS = {"plik": plik_oneshot_upload, "http-put": http_put_upload}
# Uploads that need the peer's NATS connection: the handler is made per connection.
CONNECTED_UPLOADS = {"nats-obj": lambda nc, args: nats_obj_upload(nc, args.obj_bucket)}


def upload_handler(name: str, nc: Any, args: argparse.Namespace) -> UploadHandler:
    return CONNECTED_UPLOADS[name](nc, args) if name in CONNECTED_UPLOADS else UPLOADS[name]


def capabilities() -> Dict[str, Any]:
    return {
        "name": PEER_NAME,
        "implementation": "natsbridge_peer: the NATSBridge Python reference's wire behaviour (pyarrow, nats-py, aiohttp)",
        "produces": list(vectors.PYTHON_TYPES),
        "consumes": list(vectors.PYTHON_TYPES),
        "transports": ["direct", "link"],
        "uploads": sorted([*UPLOADS, *CONNECTED_UPLOADS]),
    }


def describe_error(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"


async def receipt_for(msg: Any, nc: Any, verify_cases: Dict[str, Any] | None = None) -> Dict[str, Any]:
    return (await decode(msg, nc, verify_cases))[0]


async def decode(msg: Any, nc: Any, verify_cases: Dict[str, Any] | None = None):
    """Decode one envelope the way the reference does (nats-obj:// links read
    through `nc`); the receipt describing what came out, and the decoded
    envelope (None when decoding failed)."""
    receipt: Dict[str, Any] = {"subject": getattr(msg, "subject", ""), "peer": PEER_NAME}
    try:
        env = await smartreceive(msg, fileserver_download_handler=nats_obj_download(nc), max_retries=5, base_delay=100, max_delay=5000)
    except Exception as e:  # noqa: BLE001 - every failure becomes a receipt
        receipt.update(ok=False, error=describe_error(e))
        return receipt, None
    receipt.update(
        ok=True,
        msg_id=env.get("msg_id"),
        correlation_id=env.get("correlation_id"),
        timestamp=env.get("timestamp"),
        payloads=[{"dataname": d, "payload_type": t, "value": vectors.canonical(v)} for d, v, t in env["payloads"]],
    )
    if verify_cases is not None:
        receipt["verified"] = verify(receipt["payloads"], verify_cases)
    return receipt, env


def verify(payloads: list, all_cases: Dict[str, Any]) -> str:
    """For `listen --verify`: the case whose payloads these are, or why none matches."""
    for name, case in all_cases.items():
        want = [
            {"dataname": p["dataname"], "payload_type": p["payload_type"], "value": vectors.expected_value(p["value"])}
            for p in case["payloads"]
        ]
        if want == payloads:
            return f"matches case {name}"
    return "matches no case"


async def send_case(
    nc: Any, args: argparse.Namespace, case_name: str, subject: str, transport: str, upload: str, fileserver_url: str | None = None
):
    case = vectors.load_cases()[case_name]
    return await smartsend(
        subject,
        vectors.case_payloads(case),
        broker_url=args.nats,
        fileserver_url=fileserver_url or args.fileserver_url,
        fileserver_upload_handler=upload_handler(upload, nc, args),
        # The reference sends `size < size_threshold` directly; 0 sends everything by link.
        size_threshold=0 if transport == "link" else DEFAULT_SIZE_THRESHOLD,
        nats_connection=nc,
        sender_name=PEER_NAME,
    )


async def serve(args: argparse.Namespace) -> None:
    nc = await nats.connect(args.nats)
    stop = asyncio.Event()
    prefix = args.prefix

    async def on_hello(msg):
        await msg.respond(json.dumps(capabilities()).encode())

    async def on_send(msg):
        try:
            cmd = json.loads(msg.data)
            env, _ = await send_case(
                nc,
                args,
                cmd["case"],
                cmd["subject"],
                cmd.get("transport", "direct"),
                cmd.get("upload", args.upload),
                # A request may name its own file server (the conformance matrix's Plik row does).
                cmd.get("fileserver_url"),
            )
            reply = {"ok": True, "msg_id": env["msg_id"], "correlation_id": env["correlation_id"]}
        except Exception as e:  # noqa: BLE001
            reply = {"ok": False, "error": describe_error(e)}
        await msg.respond(json.dumps(reply).encode())

    async def on_envelope(msg):
        receipt = await receipt_for(msg, nc)
        await nc.publish(f"{prefix}.receipts", json.dumps(receipt).encode())

    async def on_stop(msg):
        await msg.respond(b"{}")
        stop.set()

    await nc.subscribe(f"{prefix}.hello", cb=on_hello)
    await nc.subscribe(f"{prefix}.send", cb=on_send)
    await nc.subscribe(f"{prefix}.in.>", cb=on_envelope)
    await nc.subscribe(f"{prefix}.stop", cb=on_stop)
    await nc.flush()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(json.dumps({"ready": True, **capabilities()}), flush=True)
    await stop.wait()
    await nc.drain()


async def send(args: argparse.Namespace) -> None:
    nc = await nats.connect(args.nats)
    try:
        _, env_json = await send_case(nc, args, args.case, args.subject, args.transport, args.upload)
    finally:
        await nc.drain()
    print(env_json, flush=True)


async def listen(args: argparse.Namespace) -> None:
    nc = await nats.connect(args.nats)
    done = asyncio.Event()
    seen = 0
    all_cases = vectors.load_cases() if args.verify else None

    async def on_envelope(msg):
        nonlocal seen
        receipt, env = await decode(msg, nc, all_cases)
        print(json.dumps(receipt, ensure_ascii=False), flush=True)
        if args.echo and env is not None:
            # Send on what arrived, as the reference would: decoded values re-encoded by smartsend.
            try:
                await smartsend(args.echo, env["payloads"], broker_url=args.nats, nats_connection=nc, sender_name=PEER_NAME)
            except Exception as e:  # noqa: BLE001 - e.g. a type the reference cannot send
                print(json.dumps({"echo": args.echo, "ok": False, "error": describe_error(e)}), flush=True)
        seen += 1
        if args.count and seen >= args.count:
            done.set()

    await nc.subscribe(args.subject, cb=on_envelope)
    # "ready" promises the server has the subscription: a sender may publish at once.
    await nc.flush()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    print(json.dumps({"ready": True, "subject": args.subject}), file=sys.stderr, flush=True)
    await done.wait()
    await nc.drain()


async def write_fixtures(args: argparse.Namespace) -> None:
    """Golden fixtures from the real reference behaviour: every case the Python
    reference can send, direct and by link, built with is_publish=False."""
    out = Path(args.out)
    written = 0
    for name, case in vectors.load_cases().items():
        if any(p["payload_type"] not in vectors.PYTHON_TYPES for p in case["payloads"]):
            continue
        for transport in ("direct", "link"):
            fixture = out / f"{name}.{transport}"
            fixture.mkdir(parents=True, exist_ok=True)
            _, env_json = await smartsend(
                f"/natsbridge/conformance/{name}",
                vectors.case_payloads(case),
                fileserver_url="{{FILESERVER_URL}}",
                fileserver_upload_handler=capture_upload(fixture / "blobs"),
                size_threshold=0 if transport == "link" else DEFAULT_SIZE_THRESHOLD,
                is_publish=False,
            )
            (fixture / "envelope.json").write_text(env_json + "\n", encoding="utf-8")
            write_expected(fixture, case)
            meta = {
                "producer": "python",
                "case": name,
                "transport": transport,
                "provenance": "generated by apps/interop-python (Python reference behaviour, real pyarrow "
                + __import__("pyarrow").__version__
                + ")",
            }
            (fixture / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
            written += 1
    print(f"wrote {written} fixtures to {out}", file=sys.stderr)


def write_expected(fixture: Path, case: Dict[str, Any]) -> None:
    expected = {
        "payloads": [
            {"dataname": p["dataname"], "payload_type": p["payload_type"], "value": vectors.expected_value(p["value"])}
            for p in case["payloads"]
        ]
    }
    (fixture / "expected.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="natsbridge_peer", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, subject=True):
        p.add_argument("--nats", default="nats://localhost:4222")
        p.add_argument("--fileserver-url", default="http://localhost:8080")
        p.add_argument(
            "--upload",
            choices=sorted([*UPLOADS, *CONNECTED_UPLOADS]),
            default="plik",
            help="link upload: Plik one-shot (reference), plain HTTP PUT, or a JetStream Object Store bucket",
        )
        p.add_argument("--obj-bucket", default="natsbridge", help="the object store bucket for --upload nats-obj")
        if subject:
            p.add_argument("--subject", required=True)

    p = sub.add_parser("serve", help="the conformance peer protocol")
    common(p, subject=False)
    p.add_argument("--prefix", required=True)
    p = sub.add_parser("send", help="send one scripted case")
    common(p)
    p.add_argument("--case", required=True)
    p.add_argument("--transport", choices=["direct", "link"], default="direct")
    p = sub.add_parser("listen", help="print a receipt (JSON line) for every envelope received")
    common(p)
    p.add_argument("--verify", action="store_true", help="say which scripted case each envelope matches")
    p.add_argument("--echo", metavar="SUBJECT", help="send every received envelope's payloads on to SUBJECT")
    p.add_argument("--count", type=int, default=0, help="stop after N envelopes")
    p = sub.add_parser("write-fixtures", help="write golden fixtures")
    p.add_argument("--out", required=True)

    args = parser.parse_args(argv)
    runner = {"serve": serve, "send": send, "listen": listen, "write-fixtures": write_fixtures}[args.command]
    try:
        asyncio.run(runner(args))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
