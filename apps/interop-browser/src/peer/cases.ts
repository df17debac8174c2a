// The conformance cases in the browser: value specs and the values smartsend
// takes come from the suite itself (apps/conformance/src/case-specs.ts, free of
// Node APIs); here decoded values become the canonical description receipts
// carry (docs/conformance.md, "Value specs and receipts"; the same rules as
// apps/conformance/src/canonical.ts, with Web Crypto for SHA-256).

import type { PayloadTuple } from "@natsbridge/core";
import type { DecodedPayload } from "../../../conformance/src/case-specs.js";

export { type CaseSpec, caseTuples } from "../../../conformance/src/case-specs.js";

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
