// Reads every Arrow integration file of apache/arrow-testing with our reader
// and compares the values with the JSON golden file next to it.
//
//   pnpm --filter @natsbridge/arrow check:arrow-testing <arrow-testing checkout>
//   (or ARROW_TESTING_DIR=<checkout>)
//
// The data files are not in this repository (see fixtures/arrow/README.md), so
// this is a command, not part of `pnpm test`. It exits non-zero when a file
// that should be read is misread, or when a file we claim to reject is read.
//
// Each `generated_<name>.arrow_file` / `.stream` is checked against
// `generated_<name>.json.gz` (the integration JSON format: per batch, per
// column VALIDITY, DATA, OFFSET, children). Values are compared in the JSON form
// of tests/helpers.ts `expectedForm` (int64 past 2^53 as {$bigint}, dates and
// timestamps as {$date_ms}, binary as {$base64}, decimals as strings).
// Intervals, unions and float16 are compared by validity only.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { isNatsBridgeError } from "@natsbridge/envelope";
import { decodeArrowTable, tableToRows } from "../src/index.js";
import { expectedForm } from "../tests/helpers.js";

interface JsonType {
  name: string;
  bitWidth?: number;
  isSigned?: boolean;
  unit?: string;
  scale?: number;
  listSize?: number;
  byteWidth?: number;
  precision?: string;
}
interface JsonField {
  name: string;
  type: JsonType;
  children: JsonField[];
  dictionary?: { id: number };
}
interface JsonColumn {
  name: string;
  count: number;
  VALIDITY?: number[];
  DATA?: unknown[];
  OFFSET?: (number | string)[];
  children?: JsonColumn[];
}
interface JsonFile {
  schema: { fields: JsonField[] };
  batches: { count: number; columns: JsonColumn[] }[];
  dictionaries?: { id: number; data: { count: number; columns: JsonColumn[] } }[];
}

/** Types apache-arrow cannot represent; we must reject them with UNSUPPORTED_ARROW_FEATURE. */
const REJECTED = /^generated_(binary_view|list_view|run_end_encoded|nested_large_offsets)$/;
const MS_PER: Record<string, bigint> = { SECOND: 0n, MILLISECOND: 1n, MICROSECOND: 1_000n, NANOSECOND: 1_000_000n };

const hexToBase64 = (hex: string) => ({ $base64: Buffer.from(hex, "hex").toString("base64") });
const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

function scalar(type: JsonType, raw: unknown): unknown {
  switch (type.name) {
    case "int":
    case "time":
    case "duration":
      return expectedForm(BigInt(raw as string | number));
    case "floatingpoint":
      // The JSON holds decimal text: round it as the file's float32 holds it. Float16: validity only.
      if (type.precision === "HALF") return undefined;
      return expectedForm(type.precision === "SINGLE" ? Math.fround(Number(raw)) : Number(raw));
    case "bool":
    case "utf8":
    case "largeutf8":
      return raw;
    case "binary":
    case "largebinary":
    case "fixedsizebinary":
      return hexToBase64(raw as string);
    case "date":
      return { $date_ms: Number(type.unit === "DAY" ? BigInt(raw as number) * 86_400_000n : BigInt(raw as string)) };
    case "timestamp": {
      const v = BigInt(raw as string | number);
      const per = MS_PER[type.unit!]!;
      return { $date_ms: Number(per === 0n ? v * 1000n : floorDiv(v, per)) };
    }
    case "decimal": {
      const unscaled = BigInt(raw as string);
      const scale = type.scale ?? 0;
      let digits = (unscaled < 0n ? -unscaled : unscaled).toString();
      if (scale > 0) {
        digits = digits.padStart(scale + 1, "0");
        digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
      }
      return unscaled < 0n ? `-${digits}` : digits;
    }
  }
  throw new Error(`no scalar rule for ${type.name}`);
}

/** The expected values of one JSON column; `undefined` entries are not compared. */
function columnValues(field: JsonField, col: JsonColumn, dictionaries: Map<number, unknown[]>): unknown[] {
  const valid = (i: number) => (col.VALIDITY ? col.VALIDITY[i] === 1 : true);
  const n = col.count;
  const out: unknown[] = new Array(n);
  const type = field.type;
  if (field.dictionary) {
    const dict = dictionaries.get(field.dictionary.id)!;
    for (let i = 0; i < n; i++) out[i] = valid(i) ? dict[Number(col.DATA![i])] : null;
    return out;
  }
  const offsets = (col.OFFSET ?? []).map(Number);
  switch (type.name) {
    case "null":
      return out.fill(null);
    case "list":
    case "largelist": {
      const child = columnValues(field.children[0]!, col.children![0]!, dictionaries);
      for (let i = 0; i < n; i++) out[i] = valid(i) ? child.slice(offsets[i], offsets[i + 1]) : null;
      return out;
    }
    case "fixedsizelist": {
      const size = type.listSize!;
      const child = columnValues(field.children[0]!, col.children![0]!, dictionaries);
      for (let i = 0; i < n; i++) out[i] = valid(i) ? child.slice(i * size, (i + 1) * size) : null;
      return out;
    }
    case "struct": {
      const children = field.children.map((f, k) => [f.name, columnValues(f, col.children![k]!, dictionaries)] as const);
      for (let i = 0; i < n; i++) out[i] = valid(i) ? Object.fromEntries(children.map(([name, values]) => [name, values[i]])) : null;
      return out;
    }
    case "map": {
      const entries = columnValues(field.children[0]!, col.children![0]!, dictionaries) as Record<string, unknown>[];
      const [keyField, valueField] = field.children[0]!.children;
      for (let i = 0; i < n; i++) {
        out[i] = valid(i) ? entries.slice(offsets[i], offsets[i + 1]).map((e) => [e[keyField!.name], e[valueField!.name]]) : null;
      }
      return out;
    }
    case "interval":
    case "union":
      for (let i = 0; i < n; i++) out[i] = valid(i) ? undefined : null;
      return out;
  }
  for (let i = 0; i < n; i++) out[i] = valid(i) ? scalar(type, col.DATA![i]) : null;
  return out;
}

/** Replaces values we do not compare (undefined in expected) in `got` too. */
function mask(expected: unknown, got: unknown): unknown {
  if (expected === undefined) return undefined;
  if (Array.isArray(expected) && Array.isArray(got)) return got.map((g, i) => mask(expected[i], g));
  if (expected && got && typeof expected === "object" && typeof got === "object" && !Array.isArray(expected)) {
    return Object.fromEntries(
      Object.entries(got as Record<string, unknown>).map(([k, v]) => [k, mask((expected as Record<string, unknown>)[k], v)]),
    );
  }
  return got;
}

function expectedRows(json: JsonFile): Record<string, unknown>[] {
  const dictionaries = new Map<number, unknown[]>();
  const dictFields = new Map<number, JsonField>();
  const collect = (f: JsonField) => {
    if (f.dictionary) dictFields.set(f.dictionary.id, f);
    f.children.forEach(collect);
  };
  json.schema.fields.forEach(collect);
  for (const d of json.dictionaries ?? []) {
    const field = dictFields.get(d.id)!;
    const valueField = { ...field, dictionary: undefined } as JsonField;
    dictionaries.set(d.id, [...(dictionaries.get(d.id) ?? []), ...columnValues(valueField, d.data.columns[0]!, dictionaries)]);
  }
  const rows: Record<string, unknown>[] = [];
  for (const batch of json.batches) {
    const cols = json.schema.fields.map((f, k) => columnValues(f, batch.columns[k]!, dictionaries));
    for (let i = 0; i < batch.count; i++) {
      rows.push(Object.fromEntries(json.schema.fields.map((f, k) => [f.name, cols[k]![i]])));
    }
  }
  return rows;
}

type Outcome = "ok" | "rejected as expected" | "FAILED";

function check(file: string, json: JsonFile, bigEndian: boolean, name: string): { outcome: Outcome; why?: string } {
  const shouldReject = bigEndian || REJECTED.test(name) || (name === "generated_union" && file.includes("/0.17.1/"));
  let rows: Record<string, unknown>[];
  let fieldNames: string[];
  try {
    const table = decodeArrowTable(new Uint8Array(readFileSync(file)));
    rows = tableToRows(table, { dropPandasIndex: false }).map((r) => expectedForm(r) as Record<string, unknown>);
    fieldNames = table.schema.fields.map((f) => f.name);
  } catch (error) {
    if (shouldReject && isNatsBridgeError(error) && error.code === "UNSUPPORTED_ARROW_FEATURE") return { outcome: "rejected as expected" };
    return { outcome: "FAILED", why: String(error) };
  }
  if (shouldReject) return { outcome: "FAILED", why: "read, but should have been rejected as UNSUPPORTED_ARROW_FEATURE" };
  if (new Set(fieldNames).size !== fieldNames.length) {
    // Duplicate field names cannot be row objects; compare the row count only.
    return rows.length === json.batches.reduce((n, b) => n + b.count, 0) ? { outcome: "ok" } : { outcome: "FAILED", why: "row count" };
  }
  const expected = expectedRows(json);
  const got = mask(expected, rows);
  const want = JSON.stringify(mask(expected, expected));
  if (JSON.stringify(got) === want) return { outcome: "ok" };
  const at = (got as unknown[]).findIndex((r, i) => JSON.stringify(r) !== JSON.stringify(mask(expected[i], expected[i])));
  return {
    outcome: "FAILED",
    why: `row ${at}: got ${JSON.stringify((got as unknown[])[at]).slice(0, 300)} want ${JSON.stringify(expected[at]).slice(0, 300)}`,
  };
}

const root = process.argv[2] ?? process.env.ARROW_TESTING_DIR;
if (!root) {
  console.error("usage: check-arrow-testing <path to an apache/arrow-testing checkout> (or set ARROW_TESTING_DIR)");
  process.exit(2);
}
const integration = join(root, "data", "arrow-ipc-stream", "integration");
if (!existsSync(integration)) {
  console.error(`${integration} does not exist: point at a checkout of apache/arrow-testing`);
  process.exit(2);
}

const counts: Record<Outcome, number> = { ok: 0, "rejected as expected": 0, FAILED: 0 };
for (const dir of readdirSync(integration).sort()) {
  const path = join(integration, dir);
  if (!existsSync(path) || dir.endsWith(".md")) continue;
  for (const jsonFile of readdirSync(path)
    .filter((f) => f.endsWith(".json.gz"))
    .sort()) {
    const name = jsonFile.replace(/\.json\.gz$/, "");
    const json = JSON.parse(gunzipSync(readFileSync(join(path, jsonFile))).toString("utf8")) as JsonFile;
    for (const ext of ["arrow_file", "stream"]) {
      const file = join(path, `${name}.${ext}`);
      if (!existsSync(file)) continue;
      const { outcome, why } = check(file, json, dir.includes("bigendian"), name);
      counts[outcome]++;
      console.log(`${outcome.padEnd(21)} ${dir}/${name}.${ext}${why ? `  ${why}` : ""}`);
    }
  }
}
console.log(
  `\n${counts.ok} read correctly, ${counts["rejected as expected"]} rejected as expected (UNSUPPORTED_ARROW_FEATURE), ${counts.FAILED} failed`,
);
process.exit(counts.FAILED > 0 ? 1 : 0);
