// The conformance cases (fixtures/v1/cases.json) in the browser: value specs
// turned into the values smartsend takes, and decoded values into the
// canonical description receipts carry (docs/conformance.md, "Value specs and
// receipts"; the same rules as apps/conformance/src/canonical.ts).

import type { PayloadTuple, PayloadType } from "@natsbridge/core";

export interface BytesSpec {
  prefix_hex?: string;
  length: number;
  seed?: number;
}
export interface TableSpec {
  columns: string[];
  types: string[];
  rows: unknown[][];
}
export type ValueSpec = { text: string } | { json: unknown } | { rows: Record<string, unknown>[] } | { table: TableSpec } | { bytes: BytesSpec };
export interface CaseSpec {
  name: string;
  payloads: { dataname: string; payload_type: string; value: ValueSpec }[];
}
export interface DecodedPayload {
  dataname: string;
  payload_type: string;
  value: unknown;
}

/** The prefix, then byte i = (i*seed + 11) & 0xff up to `length`. */
export function patternBytes(spec: BytesSpec): Uint8Array {
  const hex = spec.prefix_hex ?? "";
  const prefix = Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  const seed = spec.seed ?? 1;
  const out = new Uint8Array(spec.length);
  for (let i = 0; i < spec.length; i++) out[i] = i < prefix.length ? prefix[i]! : (i * seed + 11) & 0xff;
  return out;
}

function nativeValue(spec: ValueSpec): unknown {
  if ("text" in spec) return spec.text;
  if ("json" in spec) return spec.json;
  if ("rows" in spec) return spec.rows;
  if ("table" in spec) return spec.table.rows.map((row) => Object.fromEntries(spec.table.columns.map((c, i) => [c, row[i]])));
  return patternBytes(spec.bytes);
}

export function caseTuples(c: CaseSpec): PayloadTuple[] {
  return c.payloads.map((p) => [p.dataname, nativeValue(p.value), p.payload_type as PayloadType]);
}

interface ArrowLikeTable {
  schema: { fields: { name: string }[] };
  numRows: number;
}

function isArrowTable(value: unknown): value is ArrowLikeTable {
  return typeof value === "object" && value !== null && "schema" in value && "numRows" in value && "toArray" in value;
}

/** A JSON-comparable cell: bigint as number (or string beyond 2^53), Date as ISO text, NaN as null. */
function plainCell(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (typeof value === "number" && Number.isNaN(value)) return null;
  if (value instanceof Date) return value.toISOString();
  return value;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function canonicalPayloads(
  payloads: readonly PayloadTuple[],
  toRows: (table: never) => Record<string, unknown>[],
): Promise<DecodedPayload[]> {
  return Promise.all(
    payloads.map(async ([dataname, value, payload_type]) => {
      let canonical: unknown = value;
      if (value instanceof Uint8Array) canonical = { length: value.byteLength, sha256: await sha256Hex(value) };
      else if (isArrowTable(value)) {
        // pandas' index columns are not data.
        const columns = value.schema.fields.map((f) => f.name).filter((n) => !/^__index_level_\d+__$/.test(n));
        canonical = { columns, rows: toRows(value as never).map((r) => columns.map((c) => plainCell(r[c]))) };
      }
      return { dataname, payload_type, value: canonical };
    }),
  );
}
