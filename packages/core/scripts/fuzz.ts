// The nightly-length fuzz run of the receive path (see fuzz-harness.ts):
//
//   pnpm --filter @natsbridge/core run fuzz -- --runs 1000000 [--seed 42]
//
// (node runs with --expose-gc, so the report can show the heap after full
// collections: the retained heap, which must stay flat.)
//
// Prints progress, then a JSON report (outcomes, error codes, peak heap and
// RSS, the first failing inputs). Exits 1 if any input crashed, hung, gave an
// untyped error or polluted Object.prototype.

import { parseArgs } from "node:util";
import { runFuzz } from "./fuzz-harness.js";

const { values } = parseArgs({
  // `pnpm run fuzz -- --runs N` passes the "--" along; it is not the end of the options here.
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: { runs: { type: "string", default: "100000" }, seed: { type: "string" }, quiet: { type: "boolean", default: false } },
  allowPositionals: true,
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isSafeInteger(runs) || runs <= 0 || !Number.isSafeInteger(seed)) {
  console.error("usage: fuzz --runs <n> [--seed <int>]");
  process.exit(2);
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
console.error(`fuzzing smartreceive + parseEnvelope: ${runs} inputs, seed ${seed}`);
const report = await runFuzz({
  runs,
  seed,
  sampleEvery: 1000,
  onProgress: (done, r) => {
    if (values.quiet || done % 10_000 !== 0) return;
    const bad = r.outcomes.crash + r.outcomes.untyped + r.outcomes.hang + r.outcomes.pollution;
    console.error(`  ${done}/${runs}  ok ${r.outcomes.ok}  typed ${r.outcomes.typed}  failures ${bad}  heap ${mib(r.peakHeapBytes)}`);
  },
});
console.log(
  JSON.stringify(
    { ...report, peakHeap: mib(report.peakHeapBytes), peakRss: mib(report.peakRssBytes), retainedHeap: report.retainedHeapBytes.map(mib) },
    null,
    2,
  ),
);
const failed = report.outcomes.crash + report.outcomes.untyped + report.outcomes.hang + report.outcomes.pollution;
process.exit(failed > 0 ? 1 : 0);
