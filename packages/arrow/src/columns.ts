// One Arrow column (Data) from plain JavaScript values and a target type. The
// common types are written straight into typed arrays (no per-value builder
// calls, no BigInt allocation for int64 numbers); everything else goes through
// apache-arrow's builders after the values are normalized for them.

import { InvalidDataError } from "@natsbridge/envelope";
import {
  type Bool,
  type Data,
  type DataType,
  type Field,
  type Float64,
  type Int64,
  makeBuilder,
  makeData,
  type Struct,
  type Timestamp,
  TimeUnit,
  Type,
  type Utf8,
} from "apache-arrow";
import { describe, isIntegerNumber, isPlainObject } from "./infer.js";

const TWO_32 = 2 ** 32;

/** Builds the column `name` of type `type` from `values` (null and undefined are nulls). */
export function buildColumn(name: string, type: DataType, values: ArrayLike<unknown>, nullable = true): Data {
  const data = buildData(name, type, values);
  if (!nullable && data.nullCount > 0 && type.typeId !== Type.Null) {
    throw new InvalidDataError(`column "${name}" is not nullable in the schema but has ${data.nullCount} null value(s)`, {
      details: { column: name },
    });
  }
  return data;
}

function buildData(name: string, type: DataType, values: ArrayLike<unknown>): Data {
  switch (type.typeId) {
    case Type.Null:
      return makeData({ type, length: values.length, nullCount: values.length });
    case Type.Bool:
      return buildBool(name, type, values);
    case Type.Int:
      if ((type as Int64).bitWidth === 64) return buildInt64(name, type as Int64, values);
      break;
    case Type.Float:
      if (type.ArrayType === Float64Array) return buildFloat64(name, type, values);
      break;
    case Type.Utf8:
      return buildUtf8(name, type as Utf8, values);
    case Type.Timestamp:
      return buildTimestamp(name, type as Timestamp, values);
  }
  return buildWithBuilder(name, type, values);
}

interface Validity {
  bitmap: Uint8Array;
  nullCount: number;
}

/** The validity bitmap, or undefined-equivalent (empty, nullCount 0) when nothing is null. */
function validity(values: ArrayLike<unknown>): Validity {
  const n = values.length;
  let nullCount = 0;
  for (let i = 0; i < n; i++) if (values[i] == null) nullCount++;
  if (nullCount === 0) return { bitmap: new Uint8Array(0), nullCount };
  const bitmap = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (values[i] != null) bitmap[i >> 3]! |= 1 << (i & 7);
  return { bitmap, nullCount };
}

function wrongValue(name: string, row: number, value: unknown, type: DataType): never {
  throw new InvalidDataError(`column "${name}" (${String(type)}) cannot hold ${describe(value)} ${preview(value)} at row ${row}`, {
    details: { column: name, row, type: String(type) },
  });
}

function preview(value: unknown): string {
  const text = typeof value === "bigint" ? `${value}n` : typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function buildBool(name: string, type: DataType, values: ArrayLike<unknown>): Data {
  const { bitmap, nullCount } = validity(values);
  const bits = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null) continue;
    if (typeof v !== "boolean") wrongValue(name, i, v, type);
    if (v) bits[i >> 3]! |= 1 << (i & 7);
  }
  return makeData({ type: type as Bool, length: values.length, nullCount, nullBitmap: bitmap, data: bits });
}

function buildFloat64(name: string, type: DataType, values: ArrayLike<unknown>): Data {
  const { bitmap, nullCount } = validity(values);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null) continue;
    if (typeof v !== "number") wrongValue(name, i, v, type);
    out[i] = v;
  }
  return makeData({ type: type as Float64, length: values.length, nullCount, nullBitmap: bitmap, data: out });
}

/**
 * int64/uint64 from numbers and bigints. Integer numbers — including those
 * beyond 2^53, which are still exact integers as doubles — are split into two
 * 32-bit halves, so no BigInt is allocated per value.
 */
function buildInt64(name: string, type: Int64, values: ArrayLike<unknown>): Data {
  const { bitmap, nullCount } = validity(values);
  const n = values.length;
  const out = type.isSigned ? new BigInt64Array(n) : new BigUint64Array(n);
  const words = new Uint32Array(out.buffer);
  const min = type.isSigned ? -(2n ** 63n) : 0n;
  const max = type.isSigned ? 2n ** 63n - 1n : 2n ** 64n - 1n;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v == null) continue;
    if (typeof v === "number") {
      if (!isIntegerNumber(v) || (!type.isSigned && v < 0)) wrongValue(name, i, v, type);
      const hi = Math.floor(v / TWO_32);
      words[2 * i] = v - hi * TWO_32;
      words[2 * i + 1] = hi >>> 0;
    } else if (typeof v === "bigint") {
      if (v < min || v > max) wrongValue(name, i, v, type);
      (out as unknown as bigint[])[i] = v;
    } else {
      wrongValue(name, i, v, type);
    }
  }
  return makeData({ type, length: n, nullCount, nullBitmap: bitmap, data: out as BigInt64Array });
}

const UNIT_PER_MS: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 0n, // handled by division
  [TimeUnit.MILLISECOND]: 1n,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1_000_000n,
};

/**
 * Timestamps from Date objects, numbers (milliseconds since the epoch, as
 * apache-arrow takes them) or bigints (raw values in the column's unit).
 */
function buildTimestamp(name: string, type: Timestamp, values: ArrayLike<unknown>): Data {
  const { bitmap, nullCount } = validity(values);
  const n = values.length;
  const out = new BigInt64Array(n);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v == null) continue;
    if (typeof v === "bigint") {
      out[i] = v;
      continue;
    }
    const ms = v instanceof Date ? v.getTime() : typeof v === "number" ? v : NaN;
    if (!Number.isFinite(ms)) wrongValue(name, i, v, type);
    if (type.unit === TimeUnit.MILLISECOND && Number.isInteger(ms)) {
      const hi = Math.floor(ms / TWO_32);
      words[2 * i] = ms - hi * TWO_32;
      words[2 * i + 1] = hi >>> 0;
    } else if (type.unit === TimeUnit.SECOND) {
      out[i] = BigInt(Math.floor(ms / 1000));
    } else {
      // Exact in BigInt: ms × 10^6 passes 2^53 for any date after 1970-04.
      const whole = Math.floor(ms);
      const frac = BigInt(Math.round((ms - whole) * 1e6)) / (1_000_000n / UNIT_PER_MS[type.unit]);
      out[i] = BigInt(whole) * UNIT_PER_MS[type.unit] + frac;
    }
  }
  return makeData({ type, length: n, nullCount, nullBitmap: bitmap, data: out });
}

const encoder = new TextEncoder();

/** Utf8 (not dictionary-encoded) with an ASCII fast path. */
function buildUtf8(name: string, type: Utf8, values: ArrayLike<unknown>): Data {
  const { bitmap, nullCount } = validity(values);
  const n = values.length;
  let capacity = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v == null) continue;
    if (typeof v !== "string") wrongValue(name, i, v, type);
    capacity += v.length;
  }
  // UTF-16 code units → at most 3 UTF-8 bytes each; grown on demand, starting at the ASCII size.
  let bytes = new Uint8Array(Math.max(capacity, 8));
  const offsets = new Int32Array(n + 1);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const s = values[i] as string | null | undefined;
    if (s != null) {
      if (pos + s.length * 3 > bytes.length) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, pos + s.length * 3));
        grown.set(bytes.subarray(0, pos));
        bytes = grown;
      }
      let j = 0;
      for (; j < s.length; j++) {
        const c = s.charCodeAt(j);
        if (c >= 0x80) break;
        bytes[pos++] = c;
      }
      if (j < s.length) pos += encoder.encodeInto(s.slice(j), bytes.subarray(pos)).written;
      if (pos > 0x7fffffff) {
        throw new InvalidDataError(`column "${name}" has more than 2 GiB of text; give it the LargeUtf8 type in the schema`, {
          details: { column: name },
        });
      }
    }
    offsets[i + 1] = pos;
  }
  return makeData({ type, length: n, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data: bytes.subarray(0, pos) });
}

/** Any other type: apache-arrow's builder, with values shaped the way it wants them. */
function buildWithBuilder(name: string, type: DataType, values: ArrayLike<unknown>): Data {
  const builder = makeBuilder({ type, nullValues: [null, undefined] });
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    try {
      builder.append(normalize(v, type));
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new InvalidDataError(`column "${name}" (${String(type)}) cannot hold ${describe(v)} ${preview(v)} at row ${i}: ${why}`, {
        cause,
        details: { column: name, row: i, type: String(type) },
      });
    }
  }
  return builder.finish().flush();
}

/**
 * Values in the form apache-arrow's builders take (BigInt for 64-bit integers,
 * recursively), checked first: the builders would silently store 0 for a
 * string in an Int32 column or truncate 1.5.
 */
function normalize(value: unknown, type: DataType): unknown {
  if (value == null) return value;
  const bad = (): never => {
    throw new InvalidDataError(`${describe(value)} ${preview(value)} is not a ${String(type)} value`);
  };
  switch (type.typeId) {
    case Type.Int: {
      const { bitWidth, isSigned } = type as Int64 as { bitWidth: number; isSigned: boolean };
      if (typeof value === "bigint" && bitWidth === 64) return value;
      if (typeof value !== "number" || !isIntegerNumber(value)) return bad();
      const limit = 2 ** (isSigned ? bitWidth - 1 : bitWidth);
      if (value >= limit || value < (isSigned ? -limit : 0)) return bad();
      return bitWidth === 64 ? BigInt(value) : value;
    }
    case Type.Float:
      return typeof value === "number" ? value : bad();
    case Type.Utf8:
    case Type.LargeUtf8:
      return typeof value === "string" ? value : bad();
    case Type.Bool:
      return typeof value === "boolean" ? value : bad();
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return value instanceof Uint8Array ? value : bad();
    case Type.Date:
    case Type.Timestamp:
      return value instanceof Date || typeof value === "number" ? value : bad();
    case Type.List:
    case Type.FixedSizeList: {
      if (!Array.isArray(value)) return bad();
      const child = (type.children[0] as Field).type;
      return value.map((v) => normalize(v, child));
    }
    case Type.Struct: {
      if (!isPlainObject(value)) return bad();
      const out: Record<string, unknown> = {};
      for (const field of (type as Struct).children) out[field.name] = normalize(value[field.name], field.type);
      return out;
    }
  }
  return value;
}
