// The scripted test vectors (fixtures/v1/cases.json): loaded from disk, and
// turned into the canonical description a consumer's decoded value must
// equal. The value specs themselves are in case-specs.ts (browser-safe).

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type CaseSpec, type DecodedPayload, nativeValue, patternBytes, type ValueSpec } from "./case-specs.js";

export * from "./case-specs.js";

export const FIXTURES_DIR = fileURLToPath(new URL("../../../fixtures/v1/", import.meta.url));
export const CASES_FILE = `${FIXTURES_DIR}cases.json`;

export function loadCases(file = CASES_FILE): Map<string, CaseSpec> {
  const doc = JSON.parse(readFileSync(file, "utf8")) as { cases: CaseSpec[] };
  return new Map(doc.cases.map((c) => [c.name, c]));
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
