// Request/reply latency: natsbridge `request` → `reply` against raw nats.js
// `request` → `msg.respond`, on one nats-server in one run. The responder runs
// on its own thread and connection; the requester sends one request at a
// time and times each round trip. Rounds alternate the two paths; the
// percentiles are over all samples of a path.
//
//   pnpm bench                                      # throughput, then this
//   BENCH_LATENCY_SECONDS=1 BENCH_ROUNDS=7 tsx src/latency.ts
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { connect } from "@nats-io/transport-node";
import { createBridge } from "@natsbridge/core";
import { startNatsServer } from "@natsbridge/test-harness";

const SIZES = [
  { label: "100 B", bytes: 100 },
  { label: "10 KB", bytes: 10_000 },
];
const ROUND_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
// Round trips before timing starts in each round (JIT, connection buffers).
const WARMUP = Number(process.env.BENCH_LATENCY_WARMUP ?? 200);
type Mode = "raw" | "natsbridge" | "echo" | "callback";
/** BENCH_LATENCY_ONLY=natsbridge|raw runs one path (for profiling). */
const ONLY = process.env.BENCH_LATENCY_ONLY as Mode | undefined;
const SIZES_ONLY = process.env.BENCH_SIZES?.split(",").map(Number);

/** CPU µs of this process (both threads: requester and responder) per request, by path. */
const cpu: Record<string, { us: number; n: number }> = {};

async function round(mode: Mode, url: string, subject: string, call: () => Promise<unknown>): Promise<number[]> {
  const worker = new Worker(new URL("./responder-worker.mjs", import.meta.url), { workerData: { url, subject, mode } });
  await once(worker, "message");
  for (let i = 0; i < WARMUP; i++) await call();
  const samples: number[] = [];
  const deadline = performance.now() + ROUND_SECONDS * 1000;
  const before = process.cpuUsage();
  while (performance.now() < deadline) {
    const t0 = performance.now();
    await call();
    samples.push(performance.now() - t0);
  }
  const used = process.cpuUsage(before);
  const key = `${mode} ${subject.split(".").pop()}`;
  cpu[key] = { us: (cpu[key]?.us ?? 0) + used.user + used.system, n: (cpu[key]?.n ?? 0) + samples.length };
  worker.postMessage("stop");
  await once(worker, "message");
  await worker.terminate();
  return samples;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const server = await startNatsServer();
const nc = await connect({ servers: server.url });
const bridge = createBridge({ connection: nc });
const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

console.log(
  `node ${process.version}; nats-server ${server.url}; ${ROUNDS} rounds × ${ROUND_SECONDS}s per size and path, one request at a time`,
);
console.log("");
console.log("| payload | path | requests | p50 | p99 | p99.9 | p99 / raw p99 | CPU per request |");
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const size of SIZES_ONLY ? SIZES.filter((s) => SIZES_ONLY.includes(s.bytes)) : SIZES) {
  const payload = Uint8Array.from({ length: size.bytes }, (_, i) => (i * 7) & 0xff);
  const samples: Record<Mode, number[]> = { raw: [], natsbridge: [], echo: [], callback: [] };
  const calls: Record<Mode, () => Promise<unknown>> = {
    raw: () => nc.request(`lat.raw.${size.bytes}`, payload, { timeout: 5000 }),
    natsbridge: () => bridge.request(`lat.natsbridge.${size.bytes}`, [["blob", payload, "binary"]], { timeout: 5000 }),
    // Diagnosis only (BENCH_LATENCY_ONLY=echo): natsbridge request, a raw responder echoing the envelope.
    echo: () => bridge.request(`lat.echo.${size.bytes}`, [["blob", payload, "binary"]], { timeout: 5000 }),
    callback: () => bridge.request(`lat.callback.${size.bytes}`, [["blob", payload, "binary"]], { timeout: 5000 }),
  };
  for (let i = 0; i < ROUNDS; i++) {
    const order: Mode[] = ONLY ? [ONLY] : i % 2 === 0 ? ["raw", "natsbridge"] : ["natsbridge", "raw"];
    for (const mode of order) samples[mode].push(...(await round(mode, server.url, `lat.${mode}.${size.bytes}`, calls[mode])));
  }
  const rawSorted = samples.raw.sort((a, b) => a - b);
  for (const mode of ONLY ? [ONLY] : (["raw", "natsbridge"] as const)) {
    const sorted = samples[mode].sort((a, b) => a - b);
    const p99 = percentile(sorted, 99);
    const c = cpu[`${mode} ${size.bytes}`]!;
    console.log(
      `| ${size.label} | ${mode} | ${sorted.length} | ${us(percentile(sorted, 50))} | ${us(p99)} | ${us(percentile(sorted, 99.9))} | ${(p99 / percentile(rawSorted, 99)).toFixed(2)}× | ${(c.us / c.n).toFixed(0)} µs |`,
    );
  }
}
await nc.drain();
await server.dispose();
