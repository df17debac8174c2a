// Shared by the Arrow tests: where the fixtures are, the JSON form the Python
// scripts write (scripts/expected.py), and running those scripts with the
// peer's real Python.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { findPython } from "@natsbridge/test-harness";

export const PACKAGE_DIR = fileURLToPath(new URL("../", import.meta.url));
export const FIXTURES_DIR = fileURLToPath(new URL("../../../fixtures/arrow/", import.meta.url));
export const SCRIPTS_DIR = fileURLToPath(new URL("../scripts/", import.meta.url));

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A value in the JSON form of scripts/expected.py, so both sides compare with toEqual. */
export function expectedForm(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : { $bigint: String(value) };
  if (typeof value === "number") {
    if (Number.isNaN(value)) return { $float: "NaN" };
    if (!Number.isFinite(value)) return { $float: value > 0 ? "Infinity" : "-Infinity" };
    return value;
  }
  if (value instanceof Date) return { $date_ms: value.getTime() };
  if (value instanceof Uint8Array) return { $base64: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return value.map(expectedForm);
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, expectedForm(v)]));
  }
  return value;
}

export interface ExpectedTable {
  schema: { name: string; type: string; nullable: boolean }[];
  metadata_keys: string[];
  num_rows: number;
  num_batches: number;
  rows: Record<string, unknown>[];
}

export interface PyarrowRead extends ExpectedTable {
  file: string;
  error?: string;
  pandas_dtypes: Record<string, string>;
  pandas_rows: number;
  schema_metadata: Record<string, string>;
  /** The same bytes read as Arrow.jl reads files: the messages after the magic, footer ignored. */
  sequential: { num_rows?: number; num_columns?: number; error?: string };
}

/** Runs one of scripts/*.py with the peer's Python (fails loudly when it is missing). */
export function runPython(script: string, args: string[], timeout = 120_000): string {
  const result = spawnSync(findPython(), [`${SCRIPTS_DIR}${script}`, ...args], { encoding: "utf8", timeout, maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${script} exited with ${result.status}:\n${result.stderr}`);
  return result.stdout;
}

/** pyarrow's view of each file, read as the Python reference reads `table` payloads. */
export function pyarrowRead(files: string[]): PyarrowRead[] {
  return JSON.parse(runPython("pyarrow_read.py", files)) as PyarrowRead[];
}
