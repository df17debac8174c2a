// CPU time per message of each side, in one process, without a network: the
// envelope work a send and a receive cost, for the reference path and for
// natsbridge. Process CPU time (not wall time) is measured, so a busy,
// shared machine disturbs the figures much less than it disturbs throughput.
// The publish goes to a stub connection that only keeps the bytes, so the
// NATS client's own cost is left out of both paths alike.
//
//   pnpm --filter @natsbridge/bench run bench:cpu
//   BENCH_CPU_MS=300 BENCH_ROUNDS=7 tsx src/cpu.ts
//   BENCH_SIZES=100,10000 tsx src/cpu.ts          # some sizes only

import { createBridge } from "@natsbridge/core";
import { median } from "./median.js";
import { referenceReceive, referenceSend } from "./reference-path.js";
import { asMsg, stubConnection } from "./stub-connection.js";

const SIZES = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(",").map(Number) : [100, 10_000, 500_000, 900_000];
const ROUND_MS = Number(process.env.BENCH_CPU_MS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

// What publish leaves on the wire is kept for the receive measurements.
const { connection: stub, lastPublished } = stubConnection();

// BENCH_CHECKSUM=true|false|link sets smartsend's `checksum` (the receive verifies what the send put in).
const checksumEnv = process.env.BENCH_CHECKSUM;
const checksum = checksumEnv === undefined ? {} : { checksum: checksumEnv === "link" ? "link" : checksumEnv !== "false" };
const bridge = createBridge({ connection: stub, sizeThreshold: 1_000_000, ...(checksum as object) });

/** CPU µs per call of `fn`, run for about ROUND_MS of CPU. */
async function measure(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await fn();
  let n = 0;
  const start = process.cpuUsage();
  let used = 0;
  while (used < ROUND_MS * 1000) {
    for (let i = 0; i < 20; i++) await fn();
    n += 20;
    const d = process.cpuUsage(start);
    used = d.user + d.system;
  }
  return used / n;
}

const f = (us: number) => (us < 100 ? us.toFixed(1) : us.toFixed(0));

console.log(
  `node ${process.version}; CPU µs per message, median of ${ROUNDS} rounds of ${ROUND_MS} ms${checksumEnv ? `; checksum: ${checksumEnv}` : ""}`,
);
console.log("");
console.log("| payload | reference send | natsbridge send | ratio | reference receive | natsbridge receive | ratio |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const size of SIZES) {
  const payload = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff);
  await referenceSend(stub, "cpu", "blob", payload);
  const refWire = asMsg(lastPublished(), "cpu");
  await bridge.smartsend("cpu", [["blob", payload, "binary"]]);
  const nbWire = asMsg(lastPublished(), "cpu");
  const paths = {
    refSend: () => referenceSend(stub, "cpu", "blob", payload),
    nbSend: () => bridge.smartsend("cpu", [["blob", payload, "binary"]]),
    refReceive: () => referenceReceive(refWire),
    nbReceive: () => bridge.smartreceive(nbWire),
  };
  const results: Record<keyof typeof paths, number[]> = { refSend: [], nbSend: [], refReceive: [], nbReceive: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const key of Object.keys(paths) as (keyof typeof paths)[]) results[key].push(await measure(paths[key]));
  }
  const [rs, ns, rr, nr] = [results.refSend, results.nbSend, results.refReceive, results.nbReceive].map(median) as [
    number,
    number,
    number,
    number,
  ];
  const label = size >= 1000 ? `${size / 1000} KB` : `${size} B`;
  console.log(`| ${label} | ${f(rs)} | ${f(ns)} | ${(rs / ns).toFixed(2)}× | ${f(rr)} | ${f(nr)} | ${(rr / nr).toFixed(2)}× |`);
}
console.log("");
console.log("ratio = reference CPU / natsbridge CPU: above 1 means natsbridge does the same work with less CPU.");
