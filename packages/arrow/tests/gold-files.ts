// The Apache Arrow integration gold files (../shared/arrow-testing/integration/
// from the repository root): each case `generated_<name>` of each producer
// folder comes as an IPC file (`.arrow_file`), an IPC stream (`.stream`) and
// the expected values in the integration JSON format (`.json.gz`: per batch,
// per column VALIDITY, DATA, OFFSET, children). `checkGoldFile` reads one file
// with our reader and compares every decoded column with the JSON, in the JSON
// form of helpers.ts `expectedForm` (int64 past 2^53 as {$bigint}, dates and
// timestamps as {$date_ms}, binary as {$base64}, decimals as strings).
// Intervals, unions and float16 are compared by validity only.
//
// Used by tests/arrow-testing.test.ts (part of the suite) and by
// scripts/check-arrow-testing.ts (the same check as a command).

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { isNatsBridgeError } from "@natsbridge/envelope";
import { REPO_ROOT } from "@natsbridge/test-harness";
import { arrow, decodeArrowTable, tableToRows } from "../src/index.js";
import { expectedForm } from "./helpers.js";

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
  /** BinaryView / Utf8View: inlined values, or a slice of one of the variadic buffers (hex). */
  VIEWS?: { SIZE: number; INLINED?: string; BUFFER_INDEX?: number; OFFSET?: number }[];
  VARIADIC_DATA_BUFFERS?: string[];
  children?: JsonColumn[];
}
export interface JsonFile {
  schema: { fields: JsonField[] };
  batches: { count: number; columns: JsonColumn[] }[];
  dictionaries?: { id: number; data: { count: number; columns: JsonColumn[] } }[];
}

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
    case "binaryview":
    case "utf8view": {
      // Inlined views hold hex (binary) or the text itself (utf8); the others point into a variadic buffer.
      const text = type.name === "utf8view";
      for (let i = 0; i < n; i++) {
        const view = col.VIEWS![i]!;
        if (!valid(i)) out[i] = null;
        else if (view.INLINED !== undefined) out[i] = text ? view.INLINED : hexToBase64(view.INLINED);
        else {
          const start = view.OFFSET! * 2;
          const bytes = Buffer.from(col.VARIADIC_DATA_BUFFERS![view.BUFFER_INDEX!]!.slice(start, start + view.SIZE * 2), "hex");
          out[i] = text ? bytes.toString("utf8") : { $base64: bytes.toString("base64") };
        }
      }
      return out;
    }
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

/**
 * The columns compared: normally one per field, by name. A table with duplicate
 * names (generated_duplicate_fieldnames) cannot be row objects, so its fields
 * are compared by position, and a struct whose children share a name is split
 * into its children (and its own validity), each compared by position too.
 */
interface ColumnPlan {
  key: string;
  /** Index of the top-level field, then of the struct child when split. */
  path: number[];
  field: JsonField;
  /** Compare only whether each value is valid (a split struct's own validity). */
  validityOnly?: boolean;
}

const hasDuplicates = (names: string[]) => new Set(names).size !== names.length;

function columnPlan(fields: JsonField[]): ColumnPlan[] {
  if (!hasDuplicates(fields.map((f) => f.name))) return fields.map((field, k) => ({ key: field.name, path: [k], field }));
  return fields.flatMap((field, k): ColumnPlan[] => {
    const key = `${k}:${field.name}`;
    if (field.type.name !== "struct" || !hasDuplicates(field.children.map((c) => c.name))) return [{ key, path: [k], field }];
    return [
      { key: `${key}?valid`, path: [k], field, validityOnly: true },
      ...field.children.map((child, j) => ({ key: `${key}.${j}:${child.name}`, path: [k, j], field: child })),
    ];
  });
}

function dictionaryValues(json: JsonFile): Map<number, unknown[]> {
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
  return dictionaries;
}

function expectedRows(json: JsonFile, plan: ColumnPlan[]): Record<string, unknown>[] {
  const dictionaries = dictionaryValues(json);
  const rows: Record<string, unknown>[] = [];
  for (const batch of json.batches) {
    const cols = plan.map((c) => {
      const [k, j] = c.path as [number, number | undefined];
      const col = j === undefined ? batch.columns[k]! : batch.columns[k]!.children![j]!;
      if (c.validityOnly) return Array.from({ length: col.count }, (_, i) => (col.VALIDITY ? col.VALIDITY[i] === 1 : true));
      return columnValues(c.field, col, dictionaries);
    });
    for (let i = 0; i < batch.count; i++) rows.push(Object.fromEntries(plan.map((c, n) => [c.key, cols[n]![i]])));
  }
  return rows;
}

/** Our reader's rows for the planned columns, in the same JSON form. */
function decodedRows(table: arrow.Table, plan: ColumnPlan[]): Record<string, unknown>[] {
  const vectorAt = (path: number[]) => {
    const top = table.getChildAt(path[0]!)!;
    return path.length === 1 ? top : top.getChildAt(path[1]!)!;
  };
  const values = plan.filter((c) => !c.validityOnly);
  const projected = new arrow.Table(Object.fromEntries(values.map((c) => [c.key, vectorAt(c.path)])));
  const rows = tableToRows(projected, { dropPandasIndex: false }).map((r) => expectedForm(r) as Record<string, unknown>);
  return rows.map((row, i) => Object.fromEntries(plan.map((c) => [c.key, c.validityOnly ? vectorAt(c.path).isValid(i) : row[c.key]])));
}

/** Where the gold files are: ARROW_TESTING_DIR (the `integration` folder), else ../shared/arrow-testing/integration/ from the repository root. */
export function goldFilesDir(): string {
  return resolve(process.env.ARROW_TESTING_DIR ?? join(REPO_ROOT, "..", "shared", "arrow-testing", "integration"));
}

export interface GoldCase {
  /** Producer folder, e.g. "cpp-21.0.0". */
  producer: string;
  /** e.g. "generated_primitive". */
  name: string;
  json: string;
  files: string[];
}

/** Every case of every producer folder, with the IPC file and stream that exist for it. */
export function listGoldCases(dir: string): GoldCase[] {
  if (!existsSync(dir)) {
    throw new Error(
      `the Arrow gold files are missing: ${dir} does not exist. They belong at ../shared/arrow-testing/integration/ ` +
        "from the repository root (or set ARROW_TESTING_DIR to that integration folder).",
    );
  }
  const cases: GoldCase[] = [];
  for (const producer of readdirSync(dir).sort()) {
    const path = join(dir, producer);
    if (producer.endsWith(".md")) continue;
    for (const jsonFile of readdirSync(path)
      .filter((f) => f.endsWith(".json.gz"))
      .sort()) {
      const name = jsonFile.replace(/\.json\.gz$/, "");
      const files = ["arrow_file", "stream"].map((ext) => join(path, `${name}.${ext}`)).filter((f) => existsSync(f));
      cases.push({ producer, name, json: join(path, jsonFile), files });
    }
  }
  return cases;
}

/** The files whose sha256 differs from the SHA256SUMS next to the integration folder (paths as listed there). */
export function checksumMismatches(dir: string): string[] {
  const root = dirname(dir);
  const sums = join(root, "SHA256SUMS");
  if (!existsSync(sums)) return [`${sums} is missing`];
  const bad: string[] = [];
  for (const line of readFileSync(sums, "utf8").split("\n").filter(Boolean)) {
    const [sum, file] = line.split(/\s+\*?/, 2) as [string, string];
    const path = join(root, file);
    if (!existsSync(path)) bad.push(`${file} missing`);
    else if (createHash("sha256").update(readFileSync(path)).digest("hex") !== sum) bad.push(`${file} differs`);
  }
  return bad;
}

export function readGoldJson(file: string): JsonFile {
  return JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as JsonFile;
}

export type GoldOutcome =
  | { outcome: "equal" }
  | { outcome: "refused"; code: string; message: string }
  | { outcome: "different"; why: string }
  | { outcome: "error"; why: string };

/** Reads one IPC file or stream with our reader and compares every column with the expected values. */
export function checkGoldFile(file: string, json: JsonFile): GoldOutcome {
  const plan = columnPlan(json.schema.fields);
  let rows: Record<string, unknown>[];
  try {
    const table = decodeArrowTable(new Uint8Array(readFileSync(file)));
    const names = table.schema.fields.map((f) => f.name);
    const want = json.schema.fields.map((f) => f.name);
    if (JSON.stringify(names) !== JSON.stringify(want))
      return { outcome: "different", why: `fields ${JSON.stringify(names)}, expected ${JSON.stringify(want)}` };
    rows = decodedRows(table, plan);
  } catch (error) {
    if (isNatsBridgeError(error)) return { outcome: "refused", code: error.code, message: error.message };
    return { outcome: "error", why: String((error as Error)?.stack ?? error) };
  }
  const expected = expectedRows(json, plan);
  const got = mask(expected, rows);
  if (JSON.stringify(got) === JSON.stringify(mask(expected, expected))) return { outcome: "equal" };
  if (rows.length !== expected.length) return { outcome: "different", why: `${rows.length} rows, expected ${expected.length}` };
  const at = (got as unknown[]).findIndex((r, i) => JSON.stringify(r) !== JSON.stringify(mask(expected[i], expected[i])));
  return {
    outcome: "different",
    why: `row ${at}: got ${JSON.stringify((got as unknown[])[at]).slice(0, 300)} want ${JSON.stringify(expected[at]).slice(0, 300)}`,
  };
}
