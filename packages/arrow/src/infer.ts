// Column type inference for plain JavaScript values. apache-arrow's own
// inference (`tableFromJSON`, `vectorFromArray`) dictionary-encodes strings and
// has no answer for all-null columns or integers past 2^53; ours picks the
// types the Python and Julia peers expect from the same data:
//
//   strings → Utf8            booleans → Bool             Date → Timestamp(ms, "UTC")
//   numbers → Int64 if all are integers, else Float64   bigint → Int64 (Uint64 past 2^63-1)
//   Uint8Array → Binary       arrays → List<…>            plain objects → Struct<…>
//   only null/undefined → Null
//
// Mixed kinds in one column are an InvalidDataError naming the column: pass a
// schema (or a type for that column) instead of guessing.

import { InvalidDataError } from "@natsbridge/envelope";
import { Binary, Bool, type DataType, Field, Float64, Int64, List, Null, Struct, TimestampMillisecond, Uint64, Utf8 } from "apache-arrow";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
/** Numbers in [-2^63, 2^63) are exactly representable as int64. */
const TWO_63 = 2 ** 63;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function isIntegerNumber(value: number): boolean {
  return Number.isInteger(value) && value >= -TWO_63 && value < TWO_63;
}

type Kind = "boolean" | "integer" | "float" | "bigint" | "string" | "date" | "binary" | "list" | "struct";

function kindOf(value: unknown, column: string): Kind {
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
      return isIntegerNumber(value) ? "integer" : "float";
    case "bigint":
      return "bigint";
    case "string":
      return "string";
  }
  if (value instanceof Date) return "date";
  if (value instanceof Uint8Array) return "binary";
  if (Array.isArray(value)) return "list";
  if (isPlainObject(value)) return "struct";
  throw new InvalidDataError(`column "${column}" has a value of unsupported kind (${describe(value)}); pass a schema`, {
    details: { column },
  });
}

/** The Arrow type for a column of plain values (nulls and undefined skipped). */
export function inferType(values: ArrayLike<unknown>, column: string): DataType {
  const kinds = new Set<Kind>();
  let minBig = 0n;
  let maxBig = 0n;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const kind = kindOf(v, column);
    kinds.add(kind);
    if (kind === "bigint") {
      const b = v as bigint;
      if (b < minBig) minBig = b;
      if (b > maxBig) maxBig = b;
    }
  }
  if (kinds.size === 0) return new Null();
  if (kinds.size === 1) {
    const [kind] = kinds as unknown as [Kind];
    switch (kind) {
      case "boolean":
        return new Bool();
      case "integer":
        return new Int64();
      case "float":
        return new Float64();
      case "string":
        return new Utf8();
      case "date":
        return new TimestampMillisecond("UTC");
      case "binary":
        return new Binary();
      case "bigint":
        return bigintType(minBig, maxBig, column);
      case "list":
        return new List(new Field("item", inferType(flatten(values), `${column}[]`), true));
      case "struct":
        return new Struct(structFields(values, column));
    }
  }
  // Numbers are float64 as soon as one is fractional; integer numbers may sit
  // beside bigints (one int64 column). Anything else is ambiguous.
  if (kinds.size === 2 && kinds.has("integer") && kinds.has("float")) return new Float64();
  if (kinds.size === 2 && kinds.has("integer") && kinds.has("bigint")) return bigintType(minBig, maxBig, column);
  throw new InvalidDataError(
    `column "${column}" mixes ${[...kinds].join(" and ")} values; pass a schema (or a type for this column) to say which Arrow type it is`,
    { details: { column, kinds: [...kinds] } },
  );
}

function bigintType(min: bigint, max: bigint, column: string): DataType {
  if (min >= INT64_MIN && max <= INT64_MAX) return new Int64();
  if (min >= 0n && max <= UINT64_MAX) return new Uint64();
  throw new InvalidDataError(
    `column "${column}" has integers outside the int64 and uint64 ranges; send them as strings or a Decimal type`,
    {
      details: { column },
    },
  );
}

function flatten(values: ArrayLike<unknown>): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Array.isArray(v)) for (const item of v) out.push(item);
  }
  return out;
}

function structFields(values: ArrayLike<unknown>, column: string): Field[] {
  const names = new Map<string, unknown[]>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!isPlainObject(v)) continue;
    for (const key of Object.keys(v)) if (!names.has(key)) names.set(key, []);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!isPlainObject(v)) continue;
    for (const [key, list] of names) list.push(v[key]);
  }
  return [...names].map(([key, list]) => new Field(key, inferType(list, `${column}.${key}`), true));
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return (value as object).constructor?.name ?? "an object";
  return typeof value;
}
