// The scripted test vectors' value specs (fixtures/v1/cases.json) and the
// native TS values smartsend takes for them. No Node API here: the browser
// peer (apps/interop-browser/src/peer) uses this module as it is.

import type { PayloadTuple } from "@natsbridge/envelope";

export interface BytesSpec {
  prefix_hex?: string;
  length: number;
  seed?: number;
}

export interface TableSpec {
  columns: string[];
  types: ("int64" | "float64" | "utf8" | "bool")[];
  rows: unknown[][];
}

export type ValueSpec =
  | { text: string }
  | { json: unknown }
  | { rows: Record<string, unknown>[] }
  | { table: TableSpec }
  | { bytes: BytesSpec };

export interface PayloadSpec {
  dataname: string;
  payload_type: string;
  value: ValueSpec;
}

export interface CaseSpec {
  name: string;
  payloads: PayloadSpec[];
}

/** What a receiver reports for one payload: the canonical description of its decoded value. */
export interface DecodedPayload {
  dataname: string;
  payload_type: string;
  value: unknown;
}

/** The prefix, then byte i = (i*seed + 11) & 0xff up to `length` (same rule as the Python peer). */
export function patternBytes(spec: BytesSpec): Uint8Array {
  const out = new Uint8Array(spec.length);
  const hex = spec.prefix_hex ?? "";
  const prefix = Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  const seed = spec.seed ?? 1;
  for (let i = 0; i < spec.length; i++) out[i] = i < prefix.length ? prefix[i]! : (i * seed + 11) & 0xff;
  return out;
}

/** Table rows as objects, the input the TS table codecs take. */
export function tableRows(spec: TableSpec): Record<string, unknown>[] {
  return spec.rows.map((row) => Object.fromEntries(spec.columns.map((c, i) => [c, row[i]])));
}

/** The TS value a natsbridge user passes to smartsend for this spec. */
export function nativeValue(spec: ValueSpec): unknown {
  if ("text" in spec) return spec.text;
  if ("json" in spec) return spec.json;
  if ("rows" in spec) return spec.rows;
  if ("table" in spec) return tableRows(spec.table);
  return patternBytes(spec.bytes);
}

export function caseTuples(c: CaseSpec): PayloadTuple[] {
  // Specs are data: each value was written for its payload_type.
  return c.payloads.map((p) => [p.dataname, nativeValue(p.value), p.payload_type] as PayloadTuple);
}
