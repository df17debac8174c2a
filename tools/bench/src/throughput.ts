// Throughput of three paths side by side on one nats-server in one run, so the
// ratios mean something on a shared, noisy machine:
//   raw         nats.js publish → subscribe of the bytes;
//   reference   the JavaScript reference's envelope code (reference-path.ts);
//   natsbridge  smartsend → smartreceive.
// Each round runs the paths one after the other, in an order that rotates
// round by round (so drift hits them alike); the report takes each path's
// median over the rounds. The receiver runs on its own thread with its own
// connection, as a separate process would, for every path alike.
//
//   pnpm bench                                   # all sizes
//   BENCH_SECONDS=0.5 BENCH_ROUNDS=7 pnpm bench  # shorter rounds
//   BENCH_SIZES=100,10000 pnpm bench             # some sizes only
//   BENCH_WINDOW=64 pnpm bench                  # another cap on messages in flight
//   BENCH_PATHS=natsbridge pnpm bench           # some paths only (e.g. under node --cpu-prof)
//   BENCH_OTEL=sdk pnpm bench                    # with an OpenTelemetry SDK registered (otel.ts)
//   BENCH_COMPARE_CORE=/other/checkout/packages/core/dist/index.js pnpm bench
//                                                # also that build of core, in the same rotation
//                                                # (e.g. main against a branch)
import { once } from "node:events";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { connect } from "@nats-io/transport-node";
import { createBridge } from "@natsbridge/core";
import { IN_FLIGHT_BUDGET_BYTES, inFlightWindow, LossGuard, startMonitoredNatsServer } from "./loss-guard.js";
import { median } from "./median.js";
import { startBenchTelemetry } from "./otel.js";
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
type Mode = "raw" | "reference" | "natsbridge" | "other";
// At most this many messages in flight (fewer for large ones: see loss-guard.ts),
// so neither side measures a buffer filling up. 256, not 64: with 64 messages
// of 100 B (28 KB of envelopes) in flight the sender spent a quarter of its
// time waiting on the window and the receiver two thirds idle, so the rounds
// measured the pipeline's round trip, not throughput (docs/performance.md).
// BENCH_WINDOW sets another cap.
const WINDOW = Number(process.env.BENCH_WINDOW ?? 256);

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
async function round(mode: Mode, label: string, subject: string, size: number, window: number, send: () => unknown): Promise<Result> {
  const counter = new SharedArrayBuffer(4);
  const processed = new Int32Array(counter);
  const worker = new Worker(new URL("./receiver-worker.mjs", import.meta.url), {
    workerData: {
      url: server.url,
      subject,
      mode: mode === "other" ? "natsbridge" : mode,
      size,
      counter,
      coreModule: mode === "other" ? COMPARE : undefined,
    },
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

const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 0 });

const stopTelemetry = process.env.BENCH_OTEL === "sdk" ? await startBenchTelemetry() : undefined;
// 900 KB is 1.2 MB of base64: above nats-server's default 1 MiB max_payload,
// so the server takes up to 4 MiB. The reference sends everything under its
// 1 MB threshold direct; natsbridge gets the same threshold, so every size
// is direct on every path.
const server = await startMonitoredNatsServer("max_payload: 4194304");
const sender = await connect({ servers: server.url });
const bridge = createBridge({ connection: sender, sizeThreshold: 1_000_000 });
// Another build of core, the same way on both sides (its receiver worker imports it too).
const COMPARE = process.env.BENCH_COMPARE_CORE ? pathToFileURL(process.env.BENCH_COMPARE_CORE).href : undefined;
const otherBridge = COMPARE
  ? ((await import(COMPARE)) as { createBridge: typeof createBridge }).createBridge({ connection: sender, sizeThreshold: 1_000_000 })
  : undefined;
/** BENCH_PATHS=natsbridge,reference runs some paths only (to profile one path's threads). */
const ONLY = process.env.BENCH_PATHS?.split(",");
const MODES = (
  otherBridge ? (["raw", "reference", "natsbridge", "other"] as Mode[]) : (["raw", "reference", "natsbridge"] as Mode[])
).filter((mode) => !ONLY || ONLY.includes(mode));

console.log(
  `node ${process.version}; nats-server ${server.url}; ${ROUNDS} rounds × ${ROUND_SECONDS}s per size and path; ` +
    `window ${WINDOW} messages and at most ${IN_FLIGHT_BUDGET_BYTES / 2 ** 20} MiB in flight` +
    `; OpenTelemetry: ${stopTelemetry ? `SDK, batch span processor → ${process.env.BENCH_OTLP_URL ?? "dropped"}` : "no provider"}`,
);
console.log("");
console.log("| payload | raw msg/s | reference msg/s | natsbridge msg/s | natsbridge / reference | natsbridge / raw | reference / raw |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
const summary: string[] = [];
const versus: string[] = [];
for (const size of SIZES) {
  const payload = Uint8Array.from({ length: size.bytes }, (_, i) => (i * 7) & 0xff);
  const rates: Record<Mode, number[]> = { raw: [], reference: [], natsbridge: [], other: [] };
  const senders: Record<Mode, (subject: string) => () => unknown> = {
    raw: (subject) => () => sender.publish(subject, payload),
    reference: (subject) => () => referenceSend(sender, subject, "blob", payload),
    natsbridge: (subject) => () => bridge.smartsend(subject, [["blob", payload, "binary"]]),
    other: (subject) => () => otherBridge!.smartsend(subject, [["blob", payload, "binary"]]),
  };
  // The window is a byte budget: each path keeps as many bytes in flight, whatever its message size.
  const [, envelope] = await bridge.smartsend("bench.size", [["blob", payload, "binary"]], { isPublish: false });
  const envelopeWindow = inFlightWindow(Buffer.byteLength(envelope), WINDOW);
  const windows: Record<Mode, number> = {
    raw: inFlightWindow(size.bytes, WINDOW),
    reference: envelopeWindow,
    natsbridge: envelopeWindow,
    other: envelopeWindow,
  };
  for (let i = 0; i < ROUNDS; i++) {
    // Rotate the order each round, so no path always runs first (on a cold or a hot machine).
    const order = MODES.map((_, k, all) => all[(k + i) % all.length]!);
    for (const mode of order) {
      const subject = `bench.${mode}.${size.bytes}.${i}`;
      const label = `${mode} ${size.label}, round ${i + 1}`;
      const r = await round(mode, label, subject, size.bytes, windows[mode], senders[mode](subject));
      rates[mode].push(r.msgs / r.seconds);
    }
  }
  const raw = median(rates.raw);
  const ref = median(rates.reference);
  const nb = median(rates.natsbridge);
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;
  console.log(`| ${size.label} | ${fmt(raw)} | ${fmt(ref)} | ${fmt(nb)} | ${x(nb, ref)} | ${pct(nb, raw)} | ${pct(ref, raw)} |`);
  summary.push(`${size.label} ${x(nb, ref)} of reference, ${pct(nb, raw)} of raw`);
  if (otherBridge) {
    // Each round's rates side by side (seconds apart), then the median of those ratios.
    const perRound = rates.natsbridge.map((rate, i) => rate / rates.other[i]!);
    const line = `| ${size.label} | ${fmt(median(rates.other))} | ${fmt(nb)} | ${pct(median(perRound), 1)} | ${perRound.map((r) => pct(r, 1)).join(" ")} |`;
    versus.push(line);
    console.error(`this core / other core, ${size.label}: ${line}`);
  }
}
console.log("");
console.log(`natsbridge: ${summary.join("; ")}`);
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
