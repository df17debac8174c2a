"""`nats-obj://<bucket>/<name>` links: blobs in a JetStream Object Store bucket,
as @natsbridge/objstore writes them, read and written with nats-py's object
store. The NATSBridge references cannot read such links (they only GET
http(s) URLs); this is what a Python service adds to do so, keeping the
references' handler contracts so smartsend and smartreceive use them as they
are:

* ``nats_obj_download(nc)``: a download handler ``(url, max_retries,
  base_delay, max_delay, correlation_id) -> bytes`` that reads ``nats-obj://``
  links through ``nc`` and hands any other URL to the reference's HTTP GET;
* ``nats_obj_upload(nc, bucket)``: an upload handler ``(fileserver_url,
  dataname, data) -> {status, url, ...}`` that puts the payload into the bucket.

Object names are ASCII (``<uuid>/<percent-encoded dataname>``): nats.js encodes
non-ASCII names differently from nats-py and Go, so neither side writes them.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, Optional, Tuple
from urllib.parse import quote, unquote

from nats.js.errors import BucketNotFoundError, NotFoundError, ObjectNotFoundError

from .reference import DownloadHandler, UploadHandler, fetch_with_backoff

SCHEME = "nats-obj://"


def parse_object_url(url: str) -> Optional[Tuple[str, str]]:
    """(bucket, object name) of a ``nats-obj://bucket/name`` URL, or None."""
    if not url.startswith(SCHEME):
        return None
    bucket, _, encoded = url[len(SCHEME):].partition("/")
    if not bucket or not encoded or any(c in url for c in "?#"):
        return None
    return bucket, "/".join(unquote(segment) for segment in encoded.split("/"))


def format_object_url(bucket: str, name: str) -> str:
    return SCHEME + bucket + "/" + "/".join(quote(segment, safe="") for segment in name.split("/"))


def nats_obj_download(nc: Any, fallback: DownloadHandler = fetch_with_backoff) -> DownloadHandler:
    async def download(url: str, max_retries: int, base_delay: int, max_delay: int, correlation_id: str) -> bytes:
        location = parse_object_url(url)
        if location is None:
            return await fallback(url, max_retries, base_delay, max_delay, correlation_id)
        bucket, name = location
        try:
            store = await nc.jetstream().object_store(bucket)
            result = await store.get(name)  # nats-py checks the object's SHA-256 digest
        except (BucketNotFoundError, ObjectNotFoundError, NotFoundError) as e:
            raise Exception(f"no object {name!r} in bucket {bucket} ({type(e).__name__})") from e
        return bytes(result.data)

    return download


def nats_obj_upload(nc: Any, bucket: str) -> UploadHandler:
    async def upload(fileserver_url: str, dataname: str, data: bytes) -> Dict[str, Any]:
        js = nc.jetstream()
        try:
            store = await js.object_store(bucket)
        except (BucketNotFoundError, NotFoundError):
            store = await js.create_object_store(bucket)
        key = str(uuid.uuid4())
        name = f"{key}/{quote(dataname, safe='')}"
        await store.put(name, data)
        return {"status": 200, "uploadid": key, "fileid": key, "url": format_object_url(bucket, name)}

    return upload
