// Throughput of three paths side by side on one nats-server in one run, so the
// ratios mean something on a shared, noisy machine:
//   raw         nats.js publish → subscribe of the bytes;
//   reference   the JavaScript reference's envelope code (reference-path.ts);
//   natsbridge  smartsend → smartreceive.
// Each round runs the three paths one after the other (alternating, so drift
// hits them alike); the report takes each path's median over the rounds. The
// receiver runs on its own thread with its own connection, as a separate
// process would, for every path alike.
//
//   pnpm bench                                   # all sizes
//   BENCH_SECONDS=0.5 BENCH_ROUNDS=7 pnpm bench  # shorter rounds
//   BENCH_SIZES=100,10000 pnpm bench             # some sizes only
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { connect } from "nats";
import { createBridge } from "@natsbridge/core";
import { startNatsServer } from "@natsbridge/test-harness";
import { referenceSend } from "./reference-path.js";

const ALL_SIZES = [
  { label: "100 B", bytes: 100 },
  { label: "10 KB", bytes: 10_000 },
  { label: "500 KB", bytes: 500_000 },
  { label: "900 KB", bytes: 900_000 },
];
const only = process.env.BENCH_SIZES?.split(",").map(Number);
const SIZES = only ? ALL_SIZES.filter((s) => only.includes(s.bytes)) : ALL_SIZES;
const ROUND_SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
type Mode = "raw" | "reference" | "natsbridge";
// At most this many messages in flight, so neither side measures a buffer filling up.
const WINDOW = 64;

interface Result {
  msgs: number;
  seconds: number;
}

/**
 * One round: a receiver thread subscribes; this thread sends for about
 * ROUND_SECONDS, keeping at most WINDOW messages unprocessed, then waits for
 * the receiver to catch up. Returns how many messages were fully processed.
 */
async function round(mode: Mode, url: string, subject: string, size: number, send: () => Promise<unknown> | void): Promise<Result> {
  const counter = new SharedArrayBuffer(4);
  const processed = new Int32Array(counter);
  const worker = new Worker(new URL("./receiver-worker.mjs", import.meta.url), {
    workerData: { url, subject, mode, size, counter },
  });
  return withWorker(worker, async () => {
    await once(worker, "message");
    let sent = 0;
    // A receiver that stops making progress (a message lost, a receive that failed) ends the round
    // with an error instead of hanging the benchmark.
    const waitBelow = async (limit: number) => {
      let idleSince = performance.now();
      let last = Atomics.load(processed, 0);
      for (;;) {
        const seen = Atomics.load(processed, 0);
        if (sent - seen < limit) return;
        if (seen !== last) [last, idleSince] = [seen, performance.now()];
        else if (performance.now() - idleSince > 10_000) throw new Error(`${mode}: the receiver stalled at ${seen} of ${sent} messages`);
        const w = Atomics.waitAsync(processed, 0, seen, 1000);
        if (w.async) await w.value;
      }
    };
    const start = performance.now();
    const deadline = start + ROUND_SECONDS * 1000;
    while (performance.now() < deadline) {
      await waitBelow(WINDOW);
      await send();
      sent++;
    }
    await waitBelow(1);
    const seconds = (performance.now() - start) / 1000;
    worker.postMessage("stop");
    await once(worker, "message");
    return { msgs: Atomics.load(processed, 0), seconds };
  });
}

/** Runs `body`; the worker is terminated whatever happens. */
async function withWorker<T>(worker: Worker, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await worker.terminate();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 0 });

// 900 KB is 1.2 MB of base64: above nats-server's default 1 MiB max_payload,
// so the server takes up to 4 MiB. The reference sends everything under its
// 1 MB threshold direct; natsbridge gets the same threshold, so every size
// is direct on all three paths.
const server = await startNatsServer({ extraConfig: "max_payload: 4194304" });
const sender = await connect({ servers: server.url });
const bridge = createBridge({ connection: sender, sizeThreshold: 1_000_000 });

console.log(`node ${process.version}; nats-server ${server.url}; ${ROUNDS} rounds × ${ROUND_SECONDS}s per size and path; window ${WINDOW}`);
console.log("");
console.log("| payload | raw msg/s | reference msg/s | natsbridge msg/s | natsbridge / reference | natsbridge / raw | reference / raw |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
const summary: string[] = [];
for (const size of SIZES) {
  const payload = Uint8Array.from({ length: size.bytes }, (_, i) => (i * 7) & 0xff);
  const rates: Record<Mode, number[]> = { raw: [], reference: [], natsbridge: [] };
  const senders: Record<Mode, (subject: string) => () => Promise<unknown> | void> = {
    raw: (subject) => () => sender.publish(subject, payload),
    reference: (subject) => () => referenceSend(sender, subject, "blob", payload),
    natsbridge: (subject) => () => bridge.smartsend(subject, [["blob", payload, "binary"]]),
  };
  for (let i = 0; i < ROUNDS; i++) {
    // Rotate the order each round, so no path always runs first (on a cold or a hot machine).
    const order: Mode[] = (["raw", "reference", "natsbridge"] as const).map((_, k, all) => all[(k + i) % all.length]!);
    for (const mode of order) {
      // A round whose receiver stalls (a message lost on the way) is reported and run again, twice at most.
      for (let attempt = 1; ; attempt++) {
        const subject = `bench.${mode}.${size.bytes}.${i}.${attempt}`;
        try {
          const r = await round(mode, server.url, subject, size.bytes, senders[mode](subject));
          rates[mode].push(r.msgs / r.seconds);
          break;
        } catch (error) {
          console.error(`round ${i + 1}, ${size.label}: ${(error as Error).message}${attempt < 3 ? "; running it again" : "; skipped"}`);
          if (attempt >= 3) break;
        }
      }
    }
  }
  const raw = median(rates.raw);
  const ref = median(rates.reference);
  const nb = median(rates.natsbridge);
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;
  console.log(`| ${size.label} | ${fmt(raw)} | ${fmt(ref)} | ${fmt(nb)} | ${x(nb, ref)} | ${pct(nb, raw)} | ${pct(ref, raw)} |`);
  summary.push(`${size.label} ${x(nb, ref)} of reference, ${pct(nb, raw)} of raw`);
}
console.log("");
console.log(`natsbridge: ${summary.join("; ")}`);
await sender.drain();
await server.dispose();
