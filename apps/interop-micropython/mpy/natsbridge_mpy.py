# NATSBridge for MicroPython: the MicroPython reference's documented wire
# behaviour (NATSBridge docs/implementation.md, "MicroPython Implementation"),
# written for this project. It runs in a real MicroPython VM (the official
# WebAssembly build) and uses only modules MicroPython has.
#
#   - direct transport only: every payload under DEFAULT_SIZE_THRESHOLD
#     (100 KB) goes inline as base64; the file server paths raise
#     NotImplementedError, as the reference's placeholders do;
#   - MAX_PAYLOAD_SIZE (50 KB) is a hard limit: a larger payload raises
#     MemoryError before anything is sent;
#   - ids come from _generate_uuid ("mp-" + hex slices of time.time_ns());
#   - payloads carry no "metadata";
#   - types text, dictionary, image, audio, video, binary; no table types;
#   - timestamp: time.strftime('%Y-%m-%dT%H:%M:%SZ', time.localtime()).
#
# Publishing is the caller's: the reference's _publish is a placeholder, so
# this class takes a `publish(subject, data_bytes)` function.

import json
import time

try:
    import base64
except ImportError:  # a bare board build may lack micropython-lib's base64
    base64 = None
import binascii

DEFAULT_SIZE_THRESHOLD = 100000  # 100KB for MicroPython
DEFAULT_BROKER_URL = "nats://localhost:4222"
DEFAULT_FILESERVER_URL = "http://localhost:8080"
MAX_PAYLOAD_SIZE = 50000  # hard limit, lower than the threshold for safety

SUPPORTED_TYPES = ("text", "dictionary", "image", "audio", "video", "binary")


def b64encode(data):
    if base64 is not None:
        return base64.b64encode(data).decode("ascii")
    # binascii.b2a_base64 ends its output with a newline.
    return binascii.b2a_base64(data).decode("ascii").rstrip("\n")


def b64decode(text):
    if base64 is not None:
        return base64.b64decode(text)
    return binascii.a2b_base64(text)


class NATSBridge:
    def __init__(self, broker_url=None, fileserver_url=None, publish=None):
        self.broker_url = broker_url or DEFAULT_BROKER_URL
        self.fileserver_url = fileserver_url or DEFAULT_FILESERVER_URL
        self._publisher = publish

    def smartsend(self, subject, data, **kwargs):
        """Builds the envelope, publishes it, returns (env, env_json_str).

        `size_threshold` (default DEFAULT_SIZE_THRESHOLD) is the one keyword
        the reference does not have: the conformance peer sets it to 0 to ask
        for the link path, which the reference cannot take."""
        threshold = kwargs.get("size_threshold", DEFAULT_SIZE_THRESHOLD)
        correlation_id = self._generate_uuid()
        msg_id = self._generate_uuid()
        sender_id = self._generate_uuid()

        payloads = []
        for dataname, payload_data, payload_type in data:
            payload_bytes = self._serialize_data(payload_data, payload_type)
            payload_size = len(payload_bytes)
            if payload_size > MAX_PAYLOAD_SIZE:
                raise MemoryError("Payload %s exceeds max size %d" % (dataname, MAX_PAYLOAD_SIZE))
            if payload_size < threshold:
                payloads.append({
                    "id": self._generate_uuid(),
                    "dataname": dataname,
                    "payload_type": payload_type,
                    "transport": "direct",
                    "encoding": "base64",
                    "size": payload_size,
                    "data": b64encode(payload_bytes),
                })
            else:
                response = self._sync_fileserver_upload(self.fileserver_url, dataname, payload_bytes)
                payloads.append({
                    "id": self._generate_uuid(),
                    "dataname": dataname,
                    "payload_type": payload_type,
                    "transport": "link",
                    "encoding": "none",
                    "size": payload_size,
                    "data": response["url"],
                })

        env = {
            "correlation_id": correlation_id,
            "msg_id": msg_id,
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.localtime()),
            "send_to": subject,
            "msg_purpose": kwargs.get("msg_purpose", "chat"),
            "sender_name": kwargs.get("sender_name", "NATSBridge"),
            "sender_id": sender_id,
            "receiver_name": kwargs.get("receiver_name", ""),
            "receiver_id": kwargs.get("receiver_id", ""),
            "reply_to": kwargs.get("reply_to", ""),
            "reply_to_msg_id": kwargs.get("reply_to_msg_id", ""),
            "broker_url": self.broker_url,
            "metadata": {},
            "payloads": payloads,
        }
        env_json_str = json.dumps(env)
        if kwargs.get("is_publish", True):
            self._publish(subject, env_json_str, correlation_id)
        return env, env_json_str

    def smartreceive(self, msg_payload, **kwargs):
        """Decodes an envelope (bytes or str): the env dict with `payloads` as
        (dataname, value, payload_type) tuples."""
        env_json_obj = json.loads(msg_payload)
        correlation_id = env_json_obj["correlation_id"]
        payloads_list = []
        for payload in env_json_obj["payloads"]:
            transport = payload["transport"]
            dataname = payload["dataname"]
            if transport == "direct":
                payload_bytes = b64decode(payload["data"])
                data_type = payload["payload_type"]
                payloads_list.append((dataname, self._deserialize_data(payload_bytes, data_type), data_type))
            elif transport == "link":
                downloaded = self._sync_fileserver_download(
                    payload["data"],
                    kwargs.get("max_retries", 3),
                    kwargs.get("base_delay", 100),
                    kwargs.get("max_delay", 1000),
                    correlation_id,
                )
                data_type = payload["payload_type"]
                payloads_list.append((dataname, self._deserialize_data(downloaded, data_type), data_type))
        env_json_obj["payloads"] = payloads_list
        return env_json_obj

    def _serialize_data(self, data, payload_type):
        if payload_type == "text":
            if isinstance(data, str):
                return data.encode("utf-8")
            raise ValueError("Text data must be a string")
        if payload_type == "dictionary":
            return json.dumps(data).encode("utf-8")
        if payload_type in ("image", "audio", "video", "binary"):
            if isinstance(data, (bytes, bytearray, memoryview)):
                return bytes(data)
            raise ValueError("%s data must be bytes" % payload_type)
        raise ValueError("Unknown payload_type: %s" % payload_type)

    def _deserialize_data(self, data, payload_type):
        if payload_type == "text":
            return data.decode("utf-8")
        if payload_type == "dictionary":
            return json.loads(data.decode("utf-8"))
        if payload_type in ("image", "audio", "video", "binary"):
            return data
        raise ValueError("Unknown payload_type: %s" % payload_type)

    def _generate_uuid(self):
        return "mp-%04x%04x-%04x-%04x-%04x-%04x%04x%04x" % (
            time.time_ns() // (10**6) % 0xFFFFFFFF,
            time.time_ns() % 0xFFFFFFFF,
            time.time_ns() >> 32 & 0xFFFF,
            time.time_ns() >> 48 & 0xFFFF,
            time.time_ns() >> 64 & 0xFFFF,
            time.time_ns() >> 80 & 0xFFFF,
            time.time_ns() >> 96 & 0xFFFF,
            time.time_ns() >> 112 & 0xFFFF,
        )

    def _sync_fileserver_upload(self, url, dataname, data):
        raise NotImplementedError("File upload not implemented in MicroPython")

    def _sync_fileserver_download(self, url, max_retries, base_delay, max_delay, correlation_id):
        raise NotImplementedError("File download not implemented in MicroPython")

    def _publish(self, subject, message, correlation_id):
        if self._publisher is None:
            raise NotImplementedError("NATS publishing not implemented in MicroPython")
        self._publisher(subject, message.encode("utf-8"))
