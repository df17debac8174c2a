// A Table as plain row objects, for code that wants JSON-like data rather
// than Arrow vectors. Common column types are read from their buffers
// (read-chunks.ts); every other column gets one converter chosen from its
// type, so the per-value work is a single function call.

import { type DataType, type Decimal, type Dictionary, type Field, type Map_, makeVector, type Table, Type } from "apache-arrow";
import { type ChunkOptions, chunkReader } from "./read-chunks.js";

export interface TableToRowsOptions {
  /**
   * int64/uint64 values (also time64, durations) outside ±(2^53 − 1), which a
   * number cannot hold exactly: `"bigint"` (default) or `"string"`
   * (JSON-safe). Values inside that range are always numbers.
   */
  unsafeIntegers?: "bigint" | "string";
  /** Timestamps and dates as `Date` objects (default) or as milliseconds since the epoch. */
  dates?: "date" | "number";
  /** Leave out pandas' `__index_level_N__` index columns (default true). */
  dropPandasIndex?: boolean;
}

type Convert = (value: unknown) => unknown;

const PANDAS_INDEX = /^__index_level_\d+__$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Plain row objects from a Table. int64 becomes a number when it fits
 * exactly, else a bigint (or a string with `unsafeIntegers: "string"`);
 * timestamps and dates become `Date`s; decimals become exact strings
 * ("-12.50"); lists become arrays, structs objects, maps arrays of
 * `[key, value]` pairs, binary a `Uint8Array` copy; dictionary columns are
 * decoded.
 */
export function tableToRows(table: Table, options: TableToRowsOptions = {}): Record<string, unknown>[] {
  const dropIndex = options.dropPandasIndex !== false;
  const values: ChunkOptions = {
    unsafe: options.unsafeIntegers === "string" ? (v) => v.toString() : (v) => v,
    date: options.dates === "number" ? (ms) => ms : (ms) => new Date(ms),
  };
  const columns: { name: string; values: unknown[] }[] = [];
  table.schema.fields.forEach((field, i) => {
    if (dropIndex && PANDAS_INDEX.test(field.name)) return;
    const convert = converterFor(field.type, values);
    const column: unknown[] = new Array(table.numRows);
    let base = 0;
    for (const data of table.getChildAt(i)?.data ?? []) {
      const fast = chunkReader(data, values);
      if (fast) fast(column, base);
      else {
        let row = base;
        for (const v of makeVector(data)) column[row++] = v == null ? null : convert(v);
      }
      base += data.length;
    }
    columns.push({ name: field.name, values: column });
  });
  const rows: Record<string, unknown>[] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, unknown> = {};
    for (const c of columns) row[c.name] = c.values[r];
    rows[r] = row;
  }
  return rows;
}

/** apache-arrow's getters give int64 as bigint and timestamps/dates as (fractional) ms numbers. */
function converterFor(type: DataType, options: ChunkOptions): Convert {
  const integer: Convert = (v) => (typeof v === "bigint" ? (v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : options.unsafe(v)) : v);
  const date: Convert = (ms) => options.date(Math.floor(ms as number));
  switch (type.typeId) {
    case Type.Int:
    case Type.Time:
    case Type.Duration:
      return integer;
    case Type.Timestamp:
    case Type.Date:
      return date;
    case Type.Decimal:
      return decimalConverter((type as Decimal).scale);
    case Type.Binary:
    case Type.LargeBinary:
    case Type.BinaryView:
    case Type.FixedSizeBinary:
      return (v) => (v as Uint8Array).slice();
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList: {
      const child = converterFor((type.children[0] as Field).type, options);
      return (v) => Array.from(v as Iterable<unknown>, (x) => (x == null ? null : child(x)));
    }
    case Type.Struct: {
      const fields = (type.children as Field[]).map((f) => [f.name, converterFor(f.type, options)] as const);
      return (v) => {
        const row = v as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const [name, convert] of fields) {
          const x = row[name];
          out[name] = x == null ? null : convert(x);
        }
        return out;
      };
    }
    case Type.Map: {
      const entry = (type as Map_).children[0]!.type.children as Field[];
      const key = converterFor(entry[0]!.type, options);
      const value = converterFor(entry[1]!.type, options);
      return (v) => Array.from(v as Iterable<[unknown, unknown]>, ([k, x]) => [key(k), x == null ? null : value(x)]);
    }
    case Type.Dictionary:
      return converterFor((type as Dictionary).dictionary, options);
    case Type.Union:
    case Type.Interval:
      return (v) => generic(v, integer);
    default:
      return identity;
  }
}

const identity: Convert = (v) => v;

/** Union members and intervals: convert what the value turns out to be. */
function generic(v: unknown, integer: Convert): unknown {
  if (typeof v === "bigint") return integer(v);
  if (v instanceof Int32Array) return Array.from(v);
  if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function") {
    return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? integer(x) : x)));
  }
  return v;
}

/**
 * apache-arrow hands a decimal as its little-endian 32-bit words; two's
 * complement over all of them is the unscaled value.
 */
function decimalConverter(scale: number): Convert {
  return (v) => {
    const words = v as Uint32Array;
    let unscaled = 0n;
    for (let i = words.length - 1; i >= 0; i--) unscaled = (unscaled << 32n) | BigInt(words[i]!);
    unscaled = BigInt.asIntN(32 * words.length, unscaled);
    const negative = unscaled < 0n;
    let digits = (negative ? -unscaled : unscaled).toString();
    if (scale > 0) {
      digits = digits.padStart(scale + 1, "0");
      digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    } else if (scale < 0) {
      digits = unscaled === 0n ? "0" : digits + "0".repeat(-scale);
    }
    return negative ? `-${digits}` : digits;
  };
}
