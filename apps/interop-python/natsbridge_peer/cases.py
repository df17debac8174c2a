"""The scripted test vectors (fixtures/v1/cases.json), turned into the native
values the Python reference sends, and the canonical JSON description of a
decoded value that the conformance runner compares (docs/conformance.md)."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[3]
CASES_FILE = REPO_ROOT / "fixtures" / "v1" / "cases.json"

# The payload types the Python reference can send and read.
PYTHON_TYPES = ("text", "dictionary", "table", "image", "audio", "video", "binary")


def load_cases(path: Path = CASES_FILE) -> Dict[str, Dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    return {case["name"]: case for case in doc["cases"]}


def pattern_bytes(spec: Dict[str, Any]) -> bytes:
    """`{"prefix_hex", "length", "seed"}`: the prefix, then byte i = (i*seed + 11) & 0xff up to `length`."""
    prefix = bytes.fromhex(spec.get("prefix_hex", ""))
    length, seed = spec["length"], spec.get("seed", 1)
    body = bytes(((i * seed + 11) & 0xFF) for i in range(len(prefix), length))
    return (prefix + body)[:length]


_PANDAS_DTYPES = {"int64": "int64", "float64": "float64", "utf8": "object", "bool": "bool"}


def table_frame(spec: Dict[str, Any]) -> pd.DataFrame:
    columns = spec["columns"]
    frame = pd.DataFrame([dict(zip(columns, row)) for row in spec["rows"]], columns=columns)
    return frame.astype({c: _PANDAS_DTYPES[t] for c, t in zip(columns, spec["types"])})


def native_value(value: Dict[str, Any]) -> Any:
    """The Python value a reference user would pass to smartsend for this spec."""
    if "text" in value:
        return value["text"]
    if "json" in value:
        return value["json"]
    if "rows" in value:
        return value["rows"]
    if "table" in value:
        return table_frame(value["table"])
    if "bytes" in value:
        return pattern_bytes(value["bytes"])
    raise ValueError(f"unknown value spec {sorted(value)}")


def case_payloads(case: Dict[str, Any]) -> List[Tuple[str, Any, str]]:
    return [(p["dataname"], native_value(p["value"]), p["payload_type"]) for p in case["payloads"]]


def _plain(v: Any) -> Any:
    """numpy/pandas scalars to plain JSON values; NaN to null."""
    if hasattr(v, "item") and not isinstance(v, (bytes, str)):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return v


def canonical(value: Any) -> Any:
    """The canonical JSON description of a decoded value (same rules as the TS runner)."""
    if isinstance(value, (bytes, bytearray)):
        return {"length": len(value), "sha256": hashlib.sha256(bytes(value)).hexdigest()}
    if isinstance(value, pd.DataFrame):
        return {
            "columns": [str(c) for c in value.columns],
            "rows": [[_plain(v) for v in row] for row in value.itertuples(index=False, name=None)],
        }
    return value


def expected_value(value: Dict[str, Any]) -> Any:
    """The canonical description a receiver must produce for this spec."""
    if "bytes" in value:
        return canonical(pattern_bytes(value["bytes"]))
    if "table" in value:
        return {"columns": value["table"]["columns"], "rows": value["table"]["rows"]}
    return native_value(value)
