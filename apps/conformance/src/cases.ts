// The scripted test vectors (fixtures/v1/cases.json): what every producer
// sends, turned into the native TS values smartsend takes, and into the
// canonical description a consumer's decoded value must equal.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { PayloadTuple } from "@natsbridge/envelope";

export const FIXTURES_DIR = fileURLToPath(new URL("../../../fixtures/v1/", import.meta.url));
export const CASES_FILE = `${FIXTURES_DIR}cases.json`;

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

export function loadCases(file = CASES_FILE): Map<string, CaseSpec> {
  const doc = JSON.parse(readFileSync(file, "utf8")) as { cases: CaseSpec[] };
  return new Map(doc.cases.map((c) => [c.name, c]));
}

/** The prefix, then byte i = (i*seed + 11) & 0xff up to `length` (same rule as the Python peer). */
export function patternBytes(spec: BytesSpec): Uint8Array {
  const out = new Uint8Array(spec.length);
  const prefix = Buffer.from(spec.prefix_hex ?? "", "hex");
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
  return c.payloads.map((p) => [p.dataname, nativeValue(p.value), p.payload_type]);
}

export function bytesDescription(bytes: Uint8Array): { length: number; sha256: string } {
  return { length: bytes.byteLength, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** The canonical description a receiver must produce for this spec. */
export function expectedValue(spec: ValueSpec): unknown {
  if ("bytes" in spec) return bytesDescription(patternBytes(spec.bytes));
  if ("table" in spec) return { columns: spec.table.columns, rows: spec.table.rows };
  return nativeValue(spec);
}

export function expectedPayloads(c: CaseSpec): DecodedPayload[] {
  return c.payloads.map((p) => ({ dataname: p.dataname, payload_type: p.payload_type, value: expectedValue(p.value) }));
}
