// One description of a decoded value that every consumer can produce, so that
// a TS receiver, the Python peer and a user's own peer are judged by the same
// comparison (docs/conformance.md, "Receipts"):
//   text → the string; dictionary, jsontable → the JSON value;
//   image/audio/video/binary → { length, sha256 };
//   arrowtable/table → { columns, rows } with rows as arrays in column order.

import { bytesDescription, type DecodedPayload } from "./cases.js";

/** Turns an Arrow table into plain rows; supplied by @natsbridge/arrow when it is there. */
export type TableToRows = (table: unknown) => Record<string, unknown>[];

interface ArrowLikeTable {
  schema: { fields: { name: string }[] };
  numRows: number;
  toArray(): { toJSON(): Record<string, unknown> }[];
}

function isArrowTable(value: unknown): value is ArrowLikeTable {
  return typeof value === "object" && value !== null && "schema" in value && "numRows" in value && "toArray" in value;
}

/** A JSON-comparable cell: bigint as number (or string beyond 2^53), Date as ISO text, NaN as null. */
export function plainCell(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (typeof value === "number" && Number.isNaN(value)) return null;
  if (value instanceof Date) return value.toISOString();
  return value;
}

export function canonicalTable(table: unknown, toRows?: TableToRows): { columns: string[]; rows: unknown[][] } {
  if (!isArrowTable(table)) throw new Error("not an Arrow table");
  // pandas' index columns are not data: pandas turns them back into the index, tableToRows drops them.
  const columns = table.schema.fields.map((f) => f.name).filter((name) => !/^__index_level_\d+__$/.test(name));
  const rows = toRows ? toRows(table) : table.toArray().map((r) => r.toJSON());
  return { columns, rows: rows.map((r) => columns.map((c) => plainCell(r[c]))) };
}

export function canonicalValue(value: unknown, toRows?: TableToRows): unknown {
  if (value instanceof Uint8Array) return bytesDescription(value);
  if (isArrowTable(value)) return canonicalTable(value, toRows);
  return value;
}

export function canonicalPayloads(payloads: readonly (readonly [string, unknown, string])[], toRows?: TableToRows): DecodedPayload[] {
  return payloads.map(([dataname, value, payload_type]) => ({ dataname, payload_type, value: canonicalValue(value, toRows) }));
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Where two JSON values first differ, or undefined when they are equal (object key order ignored). */
export function firstDifference(expected: unknown, actual: unknown, path = "$"): string | undefined {
  if (Object.is(expected, actual)) return undefined;
  if (typeof expected === "number" && typeof actual === "number") {
    return expected === actual ? undefined : `${path}: expected ${expected}, got ${actual}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${show(actual)}`;
    if (expected.length !== actual.length) return `${path}: expected ${expected.length} items, got ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const d = firstDifference(expected[i], actual[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return `${path}: expected an object, got ${show(actual)}`;
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const missing = Object.keys(e).filter((k) => !(k in a));
    if (missing.length) return `${path}: missing key(s) ${missing.join(", ")}`;
    const extra = Object.keys(a).filter((k) => !(k in e));
    if (extra.length) return `${path}: unexpected key(s) ${extra.join(", ")}`;
    for (const k of Object.keys(e)) {
      const d = firstDifference(e[k], a[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return `${path}: expected ${show(expected)}, got ${show(actual)}`;
}

/** Compares what a consumer decoded with what it should have: names, types, order and values. */
export function comparePayloads(expected: readonly DecodedPayload[], actual: readonly DecodedPayload[]): string | undefined {
  if (expected.length !== actual.length) return `expected ${expected.length} payload(s), got ${actual.length}`;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (e.dataname !== a.dataname) return `payload ${i}: expected dataname '${e.dataname}', got '${a.dataname}'`;
    if (e.payload_type !== a.payload_type) return `payload '${e.dataname}': expected type ${e.payload_type}, got ${a.payload_type}`;
    const d = firstDifference(e.value, a.value, `'${e.dataname}'`);
    if (d) return d;
  }
  return undefined;
}
