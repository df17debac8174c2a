"""The Python side of table-python.ts: a grading service.

It receives a `table` payload (a pandas DataFrame, as the NATSBridge Python
reference decodes it), adds a `grade` column, and replies with the table on
the request's reply_to, keeping its correlation_id.

The NATSBridge functions come from the repository's Python reference peer
(apps/interop-python/natsbridge_peer), which behaves as the Python reference
does; with the Python NATSBridge package the calls are the same.

    PYTHONPATH=apps/interop-python .tools/venv/bin/python examples/python/table_service.py [subject] [--count N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal

import nats

from natsbridge_peer.reference import smartreceive, smartsend


def grade(score: float) -> str:
    return "A" if score >= 90 else "B" if score >= 80 else "C" if score >= 70 else "D"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("subject", nargs="?", default="analysis.grades")
    parser.add_argument("--count", type=int, default=0, help="stop after N requests (0: run until stopped)")
    args = parser.parse_args()

    nc = await nats.connect(os.environ.get("NATS_URL", "nats://localhost:4222"))
    stop = asyncio.Event()
    handled = 0

    async def on_request(msg):
        nonlocal handled
        env = await smartreceive(msg)
        replies = []
        for dataname, value, payload_type in env["payloads"]:
            if payload_type == "table":
                df = value
                df["grade"] = df["score"].map(grade)
                replies.append((f"{dataname}_graded", df, "table"))
        replies.append(("summary", {"tables": len(replies), "by": "pandas"}, "dictionary"))
        if env["reply_to"]:
            await smartsend(
                env["reply_to"],
                replies,
                nats_connection=nc,
                correlation_id=env["correlation_id"],
                reply_to_msg_id=env["msg_id"],
                msg_purpose="reply",
                sender_name="python-grader",
            )
        handled += 1
        if args.count and handled >= args.count:
            stop.set()

    await nc.subscribe(args.subject, cb=on_request)
    await nc.flush()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"ready: grading tables on {args.subject}", flush=True)
    await stop.wait()
    await nc.drain()


if __name__ == "__main__":
    asyncio.run(main())
