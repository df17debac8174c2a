"""A Python peer for natsbridge's conformance suite that behaves exactly as the
Python reference of NATSBridge (see reference.py and the README)."""

from .reference import (  # noqa: F401
    DEFAULT_SIZE_THRESHOLD,
    fetch_with_backoff,
    plik_oneshot_upload,
    smartreceive,
    smartsend,
)
