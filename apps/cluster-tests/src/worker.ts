// A worker process of a queue group, started by the tests with one JSON
// argument (WorkerConfig). It reads messages through its own bridge, does a
// fixed amount of CPU work per message, and reports on stdout, one JSON object
// a line:
//   {"ready":true}                       subscribed (core) or connected (JetStream)
//   {"done":"<msg_id>","deliveries":n}   handled (JetStream: before the ack)
// JetStream workers start consuming when "go" arrives on stdin. A worker exits
// when stdin closes (its parent is gone) or on SIGTERM, after stopping cleanly.
import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import { type Consumption, createBridge, type EnvelopeSubscription, type ReceivedEnvelope } from "@natsbridge/core";

export interface WorkerConfig {
  mode: "jetstream" | "core";
  brokerUrl: string;
  /** JetStream: the stream and the durable consumer every worker shares. */
  stream?: string;
  consumer?: string;
  /** Core: the subject and queue group. */
  subject?: string;
  queue?: string;
  /**
   * Core: this worker answers requests on `<probePrefix>.<index>` once its
   * queue subscription is in place. The sender asks before publishing, so the
   * subscription has reached the sender's node through the routes (a route
   * forwards subscriptions in order).
   */
  probePrefix?: string;
  /** Set by startWorker: 0, 1, 2... */
  index?: number;
  /** SHA-256 rounds over the payload per message: the CPU work a message costs. */
  rounds: number;
  /** JetStream: messages pulled ahead. */
  maxMessages?: number;
}

const config = JSON.parse(process.argv[2] ?? "{}") as WorkerConfig;
const bridge = createBridge({ brokerUrl: config.brokerUrl });
const report = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

/** The work: hash the payload `rounds` times, chaining the digests, as a CPU-bound job would. */
function work(envelope: ReceivedEnvelope): void {
  const body = envelope.payloads[0]![1] as Uint8Array;
  let digest = Buffer.alloc(32);
  for (let r = 0; r < config.rounds; r++) digest = createHash("sha256").update(digest).update(body).digest();
}

let consumption: Consumption | undefined;
let subscription: EnvelopeSubscription | undefined;

async function main(): Promise<void> {
  const nc = await bridge.connection();
  if (config.mode === "core") {
    subscription = await bridge.subscribe(config.subject!, { queue: config.queue! });
    nc.subscribe(`${config.probePrefix}.${config.index}`, { callback: (_error, msg) => void msg.respond() });
    await nc.flush(); // the server has both subscriptions before we say ready
    report({ ready: true });
    for await (const envelope of subscription) {
      work(envelope);
      report({ done: envelope.msg_id, deliveries: 1 });
    }
    return;
  }
  report({ ready: true });
  await new Promise<void>((resolve) => lines.once("line", () => resolve()));
  consumption = await bridge.consume(
    config.stream!,
    config.consumer!,
    (envelope, msg) => {
      work(envelope);
      report({ done: envelope.msg_id, deliveries: msg.info.deliveryCount });
    },
    { maxMessages: config.maxMessages ?? 20, expires: 5000 },
  );
  await consumption.closed;
}

async function shutdown(code: number): Promise<never> {
  await consumption?.stop().catch(() => {});
  subscription?.unsubscribe();
  await bridge.close().catch(() => {});
  process.exit(code);
}

const lines = createInterface({ input: process.stdin });
lines.on("close", () => void shutdown(0));
process.once("SIGTERM", () => void shutdown(0));
main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${String((error as Error)?.stack ?? error)}\n`);
  void shutdown(1);
});
