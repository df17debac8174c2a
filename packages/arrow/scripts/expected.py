"""The values of an Arrow table as JSON, in the form the TypeScript tests compare.

Shared by make_fixtures.py (the expected values of each fixture) and
pyarrow_read.py (what pyarrow read from bytes we wrote). Everything JSON
cannot say exactly gets a one-key object:

  int outside +-(2^53-1)  -> {"$bigint": "123..."}
  timestamp / date        -> {"$date_ms": <ms since the epoch, floored>}
  bytes                   -> {"$base64": "..."}
  NaN / +-Infinity        -> {"$float": "NaN" | "Infinity" | "-Infinity"}
  decimal                 -> its exact string ("-12.50")
  map                     -> [[key, value], ...]

Column values come from the raw storage (timestamps as int64 in their unit),
not from pyarrow's Python conversion, so nanoseconds are floored to ms the same
way our reader does it.
"""

import base64
import math

import pyarrow as pa
import pyarrow.compute as pc

MAX_SAFE = 2**53 - 1
UNIT_PER_MS = {"s": None, "ms": 1, "us": 1_000, "ns": 1_000_000}


def integer(v):
    return v if -MAX_SAFE <= v <= MAX_SAFE else {"$bigint": str(v)}


def floating(v):
    if math.isnan(v):
        return {"$float": "NaN"}
    if math.isinf(v):
        return {"$float": "Infinity" if v > 0 else "-Infinity"}
    return v


def column_values(arr, typ):
    """The expected JSON values of one (chunked) array of type typ."""
    if isinstance(arr, pa.ChunkedArray):
        out = []
        for chunk in arr.chunks:
            out.extend(column_values(chunk, typ))
        return out
    if isinstance(typ, pa.ExtensionType) or isinstance(typ, pa.BaseExtensionType):
        return column_values(arr.storage, typ.storage_type)
    if pa.types.is_dictionary(typ):
        return column_values(arr.dictionary_decode(), typ.value_type)
    if pa.types.is_timestamp(typ):
        raw = pc.cast(arr, pa.int64()).to_pylist()
        per = UNIT_PER_MS[typ.unit]
        return [None if v is None else {"$date_ms": v * 1000 if per is None else v // per} for v in raw]
    if pa.types.is_date32(typ):
        return [None if v is None else {"$date_ms": v * 86_400_000} for v in pc.cast(arr, pa.int32()).to_pylist()]
    if pa.types.is_date64(typ):
        return [None if v is None else {"$date_ms": v} for v in pc.cast(arr, pa.int64()).to_pylist()]
    if pa.types.is_time(typ) or pa.types.is_duration(typ):
        width = pa.int64() if typ.bit_width == 64 else pa.int32()
        return [None if v is None else integer(v) for v in arr.view(width).to_pylist()]
    if pa.types.is_integer(typ):
        return [None if v is None else integer(v) for v in arr.to_pylist()]
    if pa.types.is_floating(typ):
        return [None if v is None else floating(float(v)) for v in arr.to_pylist()]
    if pa.types.is_decimal(typ):
        return [None if v is None else str(v) for v in arr.to_pylist()]
    if pa.types.is_binary(typ) or pa.types.is_large_binary(typ) or pa.types.is_binary_view(typ) or pa.types.is_fixed_size_binary(typ):
        return [None if v is None else {"$base64": base64.b64encode(v).decode()} for v in arr.to_pylist()]
    if pa.types.is_map(typ):
        keys = column_values(arr.keys, typ.key_type)
        items = column_values(arr.items, typ.item_type)
        offsets = arr.offsets.to_pylist()
        valid = arr.is_valid().to_pylist()
        base = offsets[0]
        return [
            [[keys[j - base], items[j - base]] for j in range(offsets[i], offsets[i + 1])] if valid[i] else None
            for i in range(len(arr))
        ]
    if pa.types.is_list(typ) or pa.types.is_large_list(typ) or pa.types.is_fixed_size_list(typ):
        valid = arr.is_valid().to_pylist()
        out = []
        for i in range(len(arr)):
            out.append(column_values(arr[i].values, typ.value_type) if valid[i] else None)
        return out
    if pa.types.is_struct(typ):
        fields = {typ.field(k).name: column_values(arr.field(k), typ.field(k).type) for k in range(typ.num_fields)}
        valid = arr.is_valid().to_pylist()
        return [{name: vals[i] for name, vals in fields.items()} if valid[i] else None for i in range(len(arr))]
    # null, bool, strings: Python's own values are JSON already.
    return arr.to_pylist()


def describe_table(table, num_batches):
    """Schema, counts and rows of a table, as the tests compare them."""
    columns = {name: column_values(table.column(name), table.schema.field(name).type) for name in table.column_names}
    rows = [{name: columns[name][i] for name in table.column_names} for i in range(table.num_rows)]
    return {
        "schema": [{"name": f.name, "type": str(f.type), "nullable": f.nullable} for f in table.schema],
        "metadata_keys": sorted(k.decode() for k in (table.schema.metadata or {}).keys()),
        "num_rows": table.num_rows,
        "num_batches": num_batches,
        "rows": rows,
    }
