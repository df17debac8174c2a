"""Upload handlers besides the reference's Plik one-shot upload. They keep the
reference's handler contract, `(fileserver_url, dataname, data) -> {status,
url, ...}` with status 200 meaning success, so smartsend uses them unchanged."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Any, Dict
from urllib.parse import quote

import aiohttp

FIXTURE_ORIGIN = "{{FILESERVER_URL}}"


async def http_put_upload(fileserver_url: str, dataname: str, data: bytes) -> Dict[str, Any]:
    """A plain HTTP file server taking PUT (nginx WebDAV and the like): one PUT to
    `<fileserver_url>/<uuid>/<dataname>`, which is also the download URL. Used by
    the conformance suite because no Plik server can be had there."""
    key = str(uuid.uuid4())
    url = f"{fileserver_url.rstrip('/')}/{key}/{quote(dataname, safe='')}"
    async with aiohttp.ClientSession() as session:
        async with session.put(url, data=data, headers={"Content-Type": "application/octet-stream"}) as response:
            ok = 200 <= response.status < 300
            return {"status": 200 if ok else response.status, "uploadid": key, "fileid": key, "url": url}


def capture_upload(blob_dir: Path):
    """For writing fixtures: keep the bytes in `blob_dir/<dataname>` and hand out a
    Plik-shaped URL on the placeholder origin that the fixture server replaces."""

    async def upload(fileserver_url: str, dataname: str, data: bytes) -> Dict[str, Any]:
        blob_dir.mkdir(parents=True, exist_ok=True)
        (blob_dir / dataname).write_bytes(data)
        uploadid, fileid = secrets.token_hex(8), secrets.token_hex(4)
        return {
            "status": 200,
            "uploadid": uploadid,
            "fileid": fileid,
            "url": f"{FIXTURE_ORIGIN}/file/{uploadid}/{fileid}/{quote(dataname, safe='')}",
        }

    return upload
