// Throughput of smartsend → smartreceive against raw nats.js publish →
// subscribe, measured side by side on one nats-server in one run, so the ratio
// means something on a shared, noisy machine. Each round alternates raw and
// natsbridge; the report takes the median of the rounds. The receiver runs on
// its own thread with its own connection, as a separate process would, for
// both paths alike.
//
//   pnpm bench                      # all sizes
//   BENCH_SECONDS=1 pnpm bench      # shorter rounds
//   BENCH_OTEL=sdk pnpm bench       # with an OpenTelemetry SDK registered (otel.ts)
//   BENCH_COMPARE_CORE=/other/checkout/packages/core/dist/index.js pnpm bench
//                                   # also that build of core, alternated round by round
//                                   # with this one (e.g. main against a branch)
import { once } from "node:events";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { connect } from "@nats-io/transport-node";
import { createBridge } from "@natsbridge/core";
import { IN_FLIGHT_BUDGET_BYTES, inFlightWindow, LossGuard, startMonitoredNatsServer } from "./loss-guard.js";
import { startBenchTelemetry } from "./otel.js";

const ALL_SIZES = [
  { label: "100 B", bytes: 100 },
  { label: "10 KB", bytes: 10_000 },
  { label: "500 KB", bytes: 500_000 },
];
// BENCH_SIZES=100,10000 runs only those payload sizes (bytes).
const SIZES = process.env.BENCH_SIZES
  ? ALL_SIZES.filter((s) => process.env.BENCH_SIZES!.split(",").map(Number).includes(s.bytes))
  : ALL_SIZES;
const ROUND_SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// At most this many messages in flight (fewer for large ones: see loss-guard.ts),
// so neither side measures a buffer filling up.
const WINDOW = 64;

interface Result {
  msgs: number;
  seconds: number;
}

/**
 * One round: a receiver thread subscribes; this thread sends for about
 * ROUND_SECONDS, keeping at most `window` messages unprocessed, then waits for
 * the receiver to catch up. Returns how many messages were fully processed.
 * A receiver that stops making progress (messages lost) ends the bench with
 * MessagesLostError instead of a hang.
 */
async function round(
  mode: "raw" | "natsbridge",
  label: string,
  subject: string,
  size: number,
  window: number,
  send: () => Promise<void> | void,
  coreModule?: string,
): Promise<Result> {
  const counter = new SharedArrayBuffer(4);
  const processed = new Int32Array(counter);
  const worker = new Worker(new URL("./receiver-worker.mjs", import.meta.url), {
    workerData: { url: server.url, subject, mode, size, counter, coreModule },
  });
  await once(worker, "message");
  const guard = new LossGuard(processed, label, {
    evidence: () => server.slowConsumerEvidence(),
    onLoss: async () => {
      await worker.terminate();
      await server.dispose();
    },
  });
  const start = performance.now();
  const deadline = start + ROUND_SECONDS * 1000;
  while (performance.now() < deadline) {
    await guard.waitBelow(window);
    await send();
    guard.sent++;
  }
  await guard.waitBelow(1);
  const seconds = (performance.now() - start) / 1000;
  worker.postMessage("stop");
  await once(worker, "message");
  await worker.terminate();
  return { msgs: guard.processed, seconds };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 0 });

const stopTelemetry = process.env.BENCH_OTEL === "sdk" ? await startBenchTelemetry() : undefined;
const server = await startMonitoredNatsServer();
const sender = await connect({ servers: server.url });
// A threshold above 500 KB keeps every size direct; the envelope (~667 KB of
// base64) still fits nats-server's default 1 MiB max_payload.
const bridge = createBridge({ connection: sender, sizeThreshold: 1_000_000 });
// Another build of core, the same way on both sides (its receiver worker imports it too).
const COMPARE = process.env.BENCH_COMPARE_CORE ? pathToFileURL(process.env.BENCH_COMPARE_CORE).href : undefined;
const otherBridge = COMPARE
  ? ((await import(COMPARE)) as { createBridge: typeof createBridge }).createBridge({ connection: sender, sizeThreshold: 1_000_000 })
  : undefined;

console.log(
  `nats-server ${server.url}; ${ROUNDS} rounds × ${ROUND_SECONDS}s per size and path; ` +
    `window ${WINDOW} messages and at most ${IN_FLIGHT_BUDGET_BYTES / 2 ** 20} MiB in flight` +
    `; OpenTelemetry: ${stopTelemetry ? `SDK, batch span processor → ${process.env.BENCH_OTLP_URL ?? "dropped"}` : "no provider"}`,
);
console.log("");
console.log("| payload | raw nats msg/s | natsbridge msg/s | ratio | raw MB/s | natsbridge MB/s |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
const summary: Record<string, number> = {};
const versus: string[] = [];
for (const size of SIZES) {
  const payload = Uint8Array.from({ length: size.bytes }, (_, i) => (i * 7) & 0xff);
  const raw: number[] = [];
  const nb: number[] = [];
  // The window is a byte budget: each path keeps as many bytes in flight, whatever its message size.
  const [, envelope] = await bridge.smartsend("bench.size", [["blob", payload, "binary"]], { isPublish: false });
  const rawWindow = inFlightWindow(size.bytes, WINDOW);
  const nbWindow = inFlightWindow(Buffer.byteLength(envelope), WINDOW);
  const other: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const rawSubject = `bench.raw.${size.bytes}.${i}`;
    const r = await round("raw", `raw nats ${size.label}, round ${i + 1}`, rawSubject, size.bytes, rawWindow, () =>
      sender.publish(rawSubject, payload),
    );
    raw.push(r.msgs / r.seconds);
    const nbSubject = `bench.nb.${size.bytes}.${i}`;
    const b = await round("natsbridge", `natsbridge ${size.label}, round ${i + 1}`, nbSubject, size.bytes, nbWindow, async () => {
      await bridge.smartsend(nbSubject, [["blob", payload, "binary"]]);
    });
    nb.push(b.msgs / b.seconds);
    if (otherBridge) {
      const otherSubject = `bench.other.${size.bytes}.${i}`;
      const o = await round(
        "natsbridge",
        `other core ${size.label}, round ${i + 1}`,
        otherSubject,
        size.bytes,
        nbWindow,
        async () => {
          await otherBridge.smartsend(otherSubject, [["blob", payload, "binary"]]);
        },
        COMPARE,
      );
      other.push(o.msgs / o.seconds);
    }
  }
  if (otherBridge) {
    // Each round's rates side by side (seconds apart), then the median of those ratios.
    const perRound = nb.map((rate, i) => rate / other[i]!);
    const line = `| ${size.label} | ${fmt(median(other))} | ${fmt(median(nb))} | ${(median(perRound) * 100).toFixed(0)}% | ${perRound.map((r) => `${(r * 100).toFixed(0)}%`).join(" ")} |`;
    versus.push(line);
    console.error(`this core / other core, ${size.label}: ${line}`);
  }
  const rawRate = median(raw);
  const nbRate = median(nb);
  const ratio = nbRate / rawRate;
  summary[size.label] = ratio;
  const mbs = (rate: number) => ((rate * size.bytes) / 1e6).toFixed(1);
  console.log(`| ${size.label} | ${fmt(rawRate)} | ${fmt(nbRate)} | ${(ratio * 100).toFixed(0)}% | ${mbs(rawRate)} | ${mbs(nbRate)} |`);
}
console.log("");
console.log(
  `ratios (natsbridge / raw): ${Object.entries(summary)
    .map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`)
    .join(", ")}`,
);
if (otherBridge) {
  console.log("");
  console.log(`this core against ${process.env.BENCH_COMPARE_CORE}:`);
  console.log("");
  console.log("| payload | other msg/s | this msg/s | this / other (median of rounds) | each round |");
  console.log("| --- | ---: | ---: | ---: | --- |");
  for (const line of versus) console.log(line);
}
await sender.drain();
await stopTelemetry?.();
await server.dispose();
