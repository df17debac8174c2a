// Throughput of smartsend → smartreceive against raw nats.js publish →
// subscribe, measured side by side on one nats-server in one run, so the ratio
// means something on a shared, noisy machine. Each round alternates raw and
// natsbridge; the report takes the median of the rounds.
//
//   pnpm bench                      # all sizes
//   BENCH_SECONDS=1 pnpm bench      # shorter rounds
import { connect, type NatsConnection } from "nats";
import { createBridge, type NatsBridge } from "@natsbridge/core";
import { startNatsServer } from "@natsbridge/test-harness";

const SIZES = [
  { label: "100 B", bytes: 100 },
  { label: "10 KB", bytes: 10_000 },
  { label: "500 KB", bytes: 500_000 },
];
const ROUND_SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// At most this many messages in flight, so neither side measures a buffer filling up.
const WINDOW = 64;

interface Result {
  msgs: number;
  seconds: number;
}

/** Sends for about ROUND_SECONDS with a bounded window; counts what the receiver fully processed. */
async function run(
  subscribe: (onMessage: () => void) => Promise<() => void>,
  send: () => Promise<void>,
): Promise<Result> {
  let received = 0;
  let waiting: (() => void) | undefined;
  const stop = await subscribe(() => {
    received++;
    waiting?.();
  });
  let sent = 0;
  const start = performance.now();
  const deadline = start + ROUND_SECONDS * 1000;
  while (performance.now() < deadline) {
    while (sent - received >= WINDOW) await new Promise<void>((r) => (waiting = r));
    await send();
    sent++;
  }
  while (received < sent) await new Promise<void>((r) => (waiting = r));
  const seconds = (performance.now() - start) / 1000;
  stop();
  return { msgs: received, seconds };
}

function rawRound(nc: NatsConnection, subject: string, payload: Uint8Array) {
  return run(
    async (onMessage) => {
      const sub = nc.subscribe(subject, { callback: (_e, m) => (m.data.byteLength === payload.byteLength ? onMessage() : undefined) });
      await nc.flush();
      return () => sub.unsubscribe();
    },
    async () => nc.publish(subject, payload),
  );
}

function bridgeRound(bridge: NatsBridge, nc: NatsConnection, subject: string, payload: Uint8Array) {
  return run(
    async (onMessage) => {
      // Decode on the receiving side exactly as an application would: full
      // smartreceive (parse, base64, sha256 and size checks, codec).
      const sub = nc.subscribe(subject, {
        callback: (_e, m) => {
          bridge.smartreceive(m).then(
            (env) => ((env.payloads[0]![1] as Uint8Array).byteLength === payload.byteLength ? onMessage() : undefined),
            (e) => console.error("receive failed", e),
          );
        },
      });
      await nc.flush();
      return () => sub.unsubscribe();
    },
    async () => {
      await bridge.smartsend(subject, [["blob", payload, "binary"]]);
    },
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 0 });

const server = await startNatsServer();
const sender = await connect({ servers: server.url });
const receiver = await connect({ servers: server.url });
// A threshold above 500 KB keeps every size direct; the envelope (~667 KB of
// base64) still fits nats-server's default 1 MiB max_payload.
const bridge = createBridge({ connection: sender, sizeThreshold: 1_000_000 });

console.log(`nats-server ${server.url}; ${ROUNDS} rounds × ${ROUND_SECONDS}s per size and path; window ${WINDOW}`);
console.log("");
console.log("| payload | raw nats msg/s | natsbridge msg/s | ratio | raw MB/s | natsbridge MB/s |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
const summary: Record<string, number> = {};
for (const size of SIZES) {
  const payload = Uint8Array.from({ length: size.bytes }, (_, i) => (i * 7) & 0xff);
  const raw: number[] = [];
  const nb: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const r = await rawRound(sender, `bench.raw.${size.bytes}.${round}`, payload);
    raw.push(r.msgs / r.seconds);
    // The receiving bridge uses its own connection, as a separate process would.
    const b = await bridgeRound(bridge, receiver, `bench.nb.${size.bytes}.${round}`, payload);
    nb.push(b.msgs / b.seconds);
  }
  const rawRate = median(raw);
  const nbRate = median(nb);
  const ratio = nbRate / rawRate;
  summary[size.label] = ratio;
  const mbs = (rate: number) => ((rate * size.bytes) / 1e6).toFixed(1);
  console.log(`| ${size.label} | ${fmt(rawRate)} | ${fmt(nbRate)} | ${(ratio * 100).toFixed(0)}% | ${mbs(rawRate)} | ${mbs(nbRate)} |`);
}
console.log("");
console.log(`ratios (natsbridge / raw): ${Object.entries(summary).map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(", ")}`);
await sender.drain();
await receiver.drain();
await server.dispose();
