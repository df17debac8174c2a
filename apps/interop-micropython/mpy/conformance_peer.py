# The conformance peer protocol (docs/conformance.md) inside the MicroPython
# VM. The Node host only moves bytes: it writes a request's bytes to
# /peer/in, calls handle(kind), and sends the messages this module wrote:
# /peer/out<i> (bytes) to the subject in /peer/out<i>.to ("" = the reply to the
# request). Every envelope is built and parsed here, by natsbridge_mpy.

import binascii
import hashlib
import json

import natsbridge_mpy
from natsbridge_mpy import NATSBridge

PEER_NAME = "micropython"
CASES_FILE = "/peer/cases.json"

_state = {"bridge": None, "prefix": "", "out": 0, "cases": None}


def _emit(subject, data):
    n = _state["out"]
    with open("/peer/out%d" % n, "wb") as f:
        f.write(data)
    with open("/peer/out%d.to" % n, "w") as f:
        f.write(subject)
    _state["out"] = n + 1


def _reply(value):
    _emit("", json.dumps(value).encode("utf-8"))


def _describe(e):
    return "%s: %s" % (type(e).__name__, e)


def setup(config_json):
    config = json.loads(config_json)
    _state["prefix"] = config["prefix"]
    _state["bridge"] = NATSBridge(
        broker_url=config["nats"], fileserver_url=config.get("fileserver_url"), publish=_emit
    )


def version():
    import sys

    return sys.version


def capabilities():
    import sys

    return {
        "name": PEER_NAME,
        "implementation": "natsbridge_mpy in %s %s (%s)"
        % (sys.implementation.name, ".".join(str(v) for v in sys.implementation.version[:3]), sys.version),
        "produces": list(natsbridge_mpy.SUPPORTED_TYPES),
        "consumes": list(natsbridge_mpy.SUPPORTED_TYPES),
        "transports": ["direct"],
        "uploads": [],
        # Asked to send what its reference cannot (table types, link transport,
        # a payload over MAX_PAYLOAD_SIZE), this peer tries and answers the
        # reference's exception: the conformance runner checks that refusal.
        "refuses_with_errors": True,
        "max_payload_bytes": natsbridge_mpy.MAX_PAYLOAD_SIZE,
    }


# ---- the test vectors (fixtures/v1/cases.json) ------------------------------


def _cases():
    if _state["cases"] is None:
        with open(CASES_FILE) as f:
            doc = json.load(f)
        _state["cases"] = {c["name"]: c for c in doc["cases"]}
    return _state["cases"]


def pattern_bytes(spec):
    """The prefix, then byte i = (i*seed + 11) & 0xff up to `length`."""
    prefix = binascii.unhexlify(spec.get("prefix_hex", ""))
    length = spec["length"]
    seed = spec.get("seed", 1)
    out = bytearray(length)
    for i in range(length):
        out[i] = prefix[i] if i < len(prefix) else (i * seed + 11) & 0xFF
    return bytes(out)


def native_value(value):
    if "text" in value:
        return value["text"]
    if "json" in value:
        return value["json"]
    if "rows" in value:
        return value["rows"]
    if "bytes" in value:
        return pattern_bytes(value["bytes"])
    # {table: ...}: MicroPython has no DataFrame; hand over the spec and let
    # _serialize_data refuse the payload type, as the reference would.
    return value["table"]


def canonical(value):
    """The canonical description of a decoded value: bytes as length + sha256."""
    if isinstance(value, (bytes, bytearray)):
        return {"length": len(value), "sha256": binascii.hexlify(hashlib.sha256(value).digest()).decode()}
    return value


# ---- requests ---------------------------------------------------------------


def _read_in():
    with open("/peer/in", "rb") as f:
        return f.read()


def on_hello():
    _reply(capabilities())


def on_send():
    try:
        cmd = json.loads(_read_in())
        case = _cases()[cmd["case"]]
        data = [(p["dataname"], native_value(p["value"]), p["payload_type"]) for p in case["payloads"]]
        kwargs = {}  # the reference's defaults (sender_name "NATSBridge"), as the fixtures have them
        if cmd.get("transport", "direct") == "link":
            kwargs["size_threshold"] = 0
        env, _ = _state["bridge"].smartsend(cmd["subject"], data, **kwargs)
        reply = {"ok": True, "msg_id": env["msg_id"], "correlation_id": env["correlation_id"]}
    except Exception as e:  # every failure is an answer, never a crash
        reply = {"ok": False, "error": _describe(e)}
    _reply(reply)


def on_envelope(subject):
    receipt = {"subject": subject, "peer": PEER_NAME}
    try:
        env = _state["bridge"].smartreceive(_read_in())
        receipt["ok"] = True
        receipt["msg_id"] = env.get("msg_id")
        receipt["correlation_id"] = env.get("correlation_id")
        receipt["timestamp"] = env.get("timestamp")
        receipt["payloads"] = [{"dataname": d, "payload_type": t, "value": canonical(v)} for d, v, t in env["payloads"]]
    except Exception as e:
        receipt = {"subject": subject, "peer": PEER_NAME, "ok": False, "error": _describe(e)}
    _emit(_state["prefix"] + ".receipts", json.dumps(receipt).encode("utf-8"))


def handle(kind, subject=""):
    """One request; returns how many messages were written to /peer/out<i>."""
    _state["out"] = 0
    if kind == "hello":
        on_hello()
    elif kind == "send":
        on_send()
    elif kind == "envelope":
        on_envelope(subject)
    else:
        _reply({"ok": False, "error": "unknown request %s" % kind})
    return _state["out"]
