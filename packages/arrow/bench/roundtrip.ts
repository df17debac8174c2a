// `pnpm --filter @natsbridge/arrow bench`: encode + decode of a 1M-row ×
// 4-column table (id int64, value float64, name utf8, ts timestamp[ms, UTC])
// with @natsbridge/arrow, and the same round trip by pyarrow in the Python
// peer's venv, in one run. Medians of BENCH_REPEATS runs (default 5) after one
// warm-up; BENCH_ROWS changes the size.
//
//   arrow round trip: Table → IPC file bytes → Table (the codecs' own work)
//   rows round trip:  JS columns → Table → bytes → Table → row objects
//                     (compare: pandas DataFrame → from_pandas → bytes → to_pandas)

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { findPython } from "@natsbridge/test-harness";
import { decodeArrowTable, encodeArrowTable, tableFromColumns, tableToRows } from "../src/index.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function timed(fn: () => unknown): number {
  fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

function columns(n: number) {
  const id = new BigInt64Array(n);
  const value = new Float64Array(n);
  const name: string[] = new Array(n);
  const ts: Date[] = new Array(n);
  const names = Array.from({ length: 1000 }, (_, k) => `name-${k}`);
  for (let i = 0; i < n; i++) {
    id[i] = BigInt(i);
    value[i] = i * 0.5;
    name[i] = names[i % 1000]!;
    ts[i] = new Date(1_704_067_200_000 + i * 1000);
  }
  return { id, value, name, ts };
}

const cols = columns(ROWS);
const table = tableFromColumns(cols);
const bytes = encodeArrowTable(table);
const check = tableToRows(decodeArrowTable(bytes).slice(ROWS - 1));
if (check[0]?.name !== `name-${(ROWS - 1) % 1000}`) throw new Error(`round trip lost data: ${JSON.stringify(check[0])}`);

const js = {
  encode: timed(() => encodeArrowTable(table)),
  decode: timed(() => decodeArrowTable(bytes)),
  roundtrip: timed(() => decodeArrowTable(encodeArrowTable(table))),
  build: timed(() => tableFromColumns(cols)),
  rows: timed(() => tableToRows(decodeArrowTable(encodeArrowTable(tableFromColumns(cols))))),
};

const script = fileURLToPath(new URL("../scripts/bench_pyarrow.py", import.meta.url));
const run = spawnSync(findPython(), [script, String(ROWS), String(REPEATS)], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
if (run.status !== 0) throw new Error(`bench_pyarrow.py failed:\n${run.stderr}`);
const py = JSON.parse(run.stdout) as {
  pyarrow: string;
  pandas: string;
  bytes: number;
  arrow_encode_ms: number;
  arrow_decode_ms: number;
  arrow_roundtrip_ms: number;
  pandas_roundtrip_ms: number;
};

const ms = (v: number) => (v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(1)} ms`).padStart(12);
const ratio = (a: number, b: number) => (b > 0.05 ? `${(a / b).toFixed(1)}×` : "—").padStart(10);
console.log(
  `Arrow IPC file round trip, ${ROWS.toLocaleString("en")} rows × 4 columns (int64, float64, utf8, timestamp[ms, UTC]); medians of ${REPEATS} runs`,
);
console.log(`node ${process.version}; python peer: pyarrow ${py.pyarrow}, pandas ${py.pandas}`);
console.log(`IPC file size: natsbridge ${(bytes.byteLength / 1e6).toFixed(1)} MB, pyarrow ${(py.bytes / 1e6).toFixed(1)} MB`);
console.log("");
console.log(`${"".padEnd(46)}${"natsbridge".padStart(12)}${"pyarrow".padStart(12)}${"JS/Python".padStart(10)}`);
const line = (label: string, a: number, b: number) => console.log(`${label.padEnd(46)}${ms(a)}${ms(b)}${ratio(a, b)}`);
line("encode (Table → IPC file bytes)", js.encode, py.arrow_encode_ms);
line("decode (IPC file bytes → Table, zero-copy)", js.decode, py.arrow_decode_ms);
line("encode + decode", js.roundtrip, py.arrow_roundtrip_ms);
line("native → bytes → native (JS rows / pandas)", js.rows, py.pandas_roundtrip_ms);
console.log("");
console.log(
  `encode + decode throughput: natsbridge ${(ROWS / js.roundtrip / 1e3).toFixed(1)} M rows/s, pyarrow ${(ROWS / py.arrow_roundtrip_ms / 1e3).toFixed(1)} M rows/s`,
);
console.log(`JS columns → Table (tableFromColumns; Utf8 and timestamps built from JS values): ${js.build.toFixed(1)} ms`);
console.log("native → bytes → native: JS = columns → Table → bytes → Table → 1M row objects (tableToRows);");
console.log("                         Python = DataFrame → from_pandas → bytes → read_all → to_pandas.");
