// Queue-group workers on a 3-node cluster: 1, 2 and 4 worker processes (real
// child processes, each with its own bridge and connection to a random node)
// share one durable JetStream consumer, and separately a core subject through
// a queue group. Every message is processed exactly once across workers;
// when a worker is killed mid-run, JetStream redelivers what it had not acked
// to the others, and core NATS loses only what was routed to the dead worker.
// Throughput per worker count is printed (see docs/deployment.md).
//
// NATSBRIDGE_WORKER_MESSAGES sets the messages per run (default 2,000).
import { AckPolicy, type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createBridge, type NatsBridge } from "@natsbridge/core";
import { type NatsCluster, startNatsCluster } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payloadBytes } from "../src/payloads.js";
import { sleep, until } from "../src/wait.js";
import type { WorkerConfig } from "../src/worker.js";
import { type Processed, WorkerPool, type WorkerProcess } from "../src/workers.js";

const MESSAGES = Number(process.env.NATSBRIDGE_WORKER_MESSAGES ?? 2_000);
/** The work per message: 100 chained SHA-256 rounds over a 16 KiB body, about 1–2 ms of one core. */
const ROUNDS = 100;
const BODY = payloadBytes(1, 16_384);
const STREAM = "WORK";
const KILL_ACK_WAIT_MS = 2_000;

let cluster: NatsCluster;
let admin: NatsConnection;
let jsm: JetStreamManager;
let publisher: NatsBridge;
const pool = new WorkerPool();
const throughput: Array<{ mode: string; workers: number; ms: number; perWorker: number[] }> = [];

beforeAll(async () => {
  cluster = await startNatsCluster(3);
  admin = await connect({ servers: cluster.nodes.map((node) => node.url) });
  // A fresh cluster on a busy 2-core machine can take longer than the API's 5 s
  // default to create an R3 stream or consumer (seen once in CI-like runs).
  jsm = await jetstreamManager(admin, { timeout: 30_000 });
  await jsm.streams.add({ name: STREAM, subjects: ["work.js.>"], num_replicas: 3 });
  publisher = createBridge({ brokerUrl: cluster.brokerUrl });
});
afterAll(async () => {
  await pool.stopAll();
  await publisher?.close();
  await admin?.close();
  await cluster?.stop();
  if (throughput.length > 0) {
    console.log(
      `queue-group throughput, ${MESSAGES} messages per run, ${ROUNDS} SHA-256 rounds over 16 KiB each:\n` +
        throughput
          .map(
            (t) =>
              `  ${t.mode.padEnd(9)} ${t.workers} worker(s): ${Math.round((MESSAGES / t.ms) * 1000)} msg/s (${t.ms} ms; per worker ${t.perWorker.join(" / ")})`,
          )
          .join("\n"),
    );
  }
});

/** Who processed what: each report of each worker, by msg_id. */
class Tally {
  readonly byId = new Map<string, Processed[]>();
  add = (p: Processed) => {
    const list = this.byId.get(p.msgId);
    if (list) list.push(p);
    else this.byId.set(p.msgId, [p]);
  };
  get distinct(): number {
    return this.byId.size;
  }
  /** msg_ids processed more than once. */
  duplicated(): string[] {
    return [...this.byId].filter(([, list]) => list.length > 1).map(([id]) => id);
  }
}

function workerConfig(over: Partial<WorkerConfig>): WorkerConfig {
  return { mode: "jetstream", brokerUrl: cluster.brokerUrl, rounds: ROUNDS, ...over };
}

async function startWorkers(count: number, config: WorkerConfig, tally: Tally): Promise<WorkerProcess[]> {
  const workers = pool.start(count, config, tally.add);
  await Promise.all(workers.map((w) => w.ready));
  return workers;
}

/** Publish `count` messages to the stream, 32 at a time, msg ids `${prefix}-${i}`. */
async function fillStream(subject: string, count: number, prefix: string): Promise<void> {
  let next = 0;
  const sender = async () => {
    while (next < count) {
      const i = next++;
      await publisher.smartsend(subject, [["body", BODY, "binary"]], { msgId: `${prefix}-${i}`, jetstream: { stream: STREAM } });
    }
  };
  await Promise.all(Array.from({ length: 32 }, sender));
}

async function addConsumer(name: string, ackWaitMs = 30_000): Promise<void> {
  await jsm.consumers.add(STREAM, {
    durable_name: name,
    filter_subject: `work.js.${name}`,
    ack_policy: AckPolicy.Explicit,
    ack_wait: ackWaitMs * 1_000_000,
  });
}

/** Ask each core worker's probe subject until it answers: its queue subscription has reached our node. */
async function probeWorkers(subject: string, count: number): Promise<void> {
  const nc = await publisher.connection();
  for (let i = 0; i < count; i++) {
    await until(
      () =>
        nc.request(`${subject}.probe.${i}`, new Uint8Array(0), { timeout: 200 }).then(
          () => true,
          () => false,
        ),
      10_000,
      () => `worker ${i} to answer its probe`,
    );
  }
}

describe("JetStream: workers sharing one durable consumer", () => {
  it.each([1, 2, 4])("%i worker process(es): every message processed exactly once", async (count) => {
    const consumer = `share${count}`;
    await addConsumer(consumer);
    await fillStream(`work.js.${consumer}`, MESSAGES, consumer);
    const tally = new Tally();
    const workers = await startWorkers(count, workerConfig({ stream: STREAM, consumer }), tally);

    const started = Date.now();
    for (const w of workers) w.go();
    await until(
      () => tally.distinct === MESSAGES,
      90_000,
      () => `${MESSAGES} messages processed (have ${tally.distinct})`,
    );
    const ms = Date.now() - started;
    await sleep(300); // a duplicate would show up now
    await Promise.all(workers.map((w) => w.stop()));

    throughput.push({ mode: "jetstream", workers: count, ms, perWorker: workers.map((w) => w.done.length) });
    expect(tally.duplicated()).toEqual([]);
    expect(tally.distinct).toBe(MESSAGES);
    for (const w of workers) expect(w.done.length).toBeGreaterThan(0); // the consumer spread the work
  });

  it("a worker killed mid-run: the messages it had not acked are redelivered to the others", async () => {
    const consumer = "killed";
    await addConsumer(consumer, KILL_ACK_WAIT_MS);
    await fillStream(`work.js.${consumer}`, MESSAGES, consumer);
    const tally = new Tally();
    const workers = await startWorkers(3, workerConfig({ stream: STREAM, consumer }), tally);
    const [victim, ...survivors] = workers as [WorkerProcess, ...WorkerProcess[]];

    for (const w of workers) w.go();
    await until(
      () => victim.done.length >= MESSAGES / 10,
      60_000,
      () => `the victim to process ${MESSAGES / 10} messages`,
    );
    await victim.kill();
    const doneByVictim = victim.done.length;
    await until(
      () => tally.distinct === MESSAGES,
      90_000,
      () => `${MESSAGES} messages processed (have ${tally.distinct})`,
    );
    // Anything redelivered twice would come after another ack_wait.
    await sleep(KILL_ACK_WAIT_MS + 1000);
    await Promise.all(survivors.map((w) => w.stop()));

    const victimIds = new Set(victim.done.map((p) => p.msgId));
    const duplicated = tally.duplicated();
    const redelivered = survivors.flatMap((w) => w.done).filter((p) => p.deliveries > 1);
    console.log(
      `jetstream worker kill: victim (pid ${victim.pid}) processed ${doneByVictim} then was killed; ` +
        `survivors processed ${survivors.map((w) => w.done.length).join(" / ")}, of which ${redelivered.length} were redeliveries; ` +
        `${duplicated.length} processed twice (handled by the victim, its ack lost with it)`,
    );
    expect(tally.distinct).toBe(MESSAGES); // nothing lost
    expect(redelivered.length).toBeGreaterThan(0); // the victim's pulled, unacked messages went to the others
    // A message runs twice only if the victim handled it and died before its ack reached the server.
    expect(duplicated.filter((id) => !victimIds.has(id))).toEqual([]);
    for (const w of survivors) expect(new Set(w.done.map((p) => p.msgId)).size).toBe(w.done.length);
  });
});

describe("core NATS: workers in a queue group on one subject", () => {
  /** Start the workers and wait until every one's queue subscription has reached the publisher's node. */
  async function coreWorkers(count: number, subject: string, tally: Tally): Promise<WorkerProcess[]> {
    const workers = await startWorkers(
      count,
      workerConfig({ mode: "core", subject, queue: "workers", probePrefix: `${subject}.probe` }),
      tally,
    );
    await probeWorkers(`${subject}`, count);
    return workers;
  }

  it.each([1, 2, 4])("%i worker process(es): every message processed exactly once", async (count) => {
    const subject = `tasks.core.${count}`;
    const tally = new Tally();
    const workers = await coreWorkers(count, subject, tally);

    const started = Date.now();
    for (let i = 0; i < MESSAGES; i++) await publisher.smartsend(subject, [["body", BODY, "binary"]], { msgId: `core${count}-${i}` });
    await (await publisher.connection()).flush();
    await until(
      () => tally.distinct === MESSAGES,
      90_000,
      () => `${MESSAGES} messages processed (have ${tally.distinct})`,
    );
    const ms = Date.now() - started;
    await sleep(300);
    await Promise.all(workers.map((w) => w.stop()));

    throughput.push({ mode: "core", workers: count, ms, perWorker: workers.map((w) => w.done.length) });
    expect(tally.duplicated()).toEqual([]);
    expect(tally.distinct).toBe(MESSAGES);
    for (const w of workers) expect(w.done.length).toBeGreaterThan(0); // the queue group spread the work
  });

  it("a worker killed mid-run: what was routed to it is lost, everything published after goes to the others, nothing twice", async () => {
    const subject = "tasks.core.killed";
    const tally = new Tally();
    const workers = await coreWorkers(3, subject, tally);
    const [victim, ...survivors] = workers as [WorkerProcess, ...WorkerProcess[]];

    // Paced below what the workers manage, so no worker holds a long backlog.
    const publishedAt: number[] = [];
    let killAt = 0;
    for (let i = 0; i < MESSAGES; i++) {
      publishedAt.push(Date.now());
      await publisher.smartsend(subject, [["body", BODY, "binary"]], { msgId: `killed-${i}` });
      if (!killAt && victim.done.length >= MESSAGES / 10) {
        killAt = Date.now();
        await victim.kill();
      }
      await sleep(2);
    }
    await (await publisher.connection()).flush();
    // Everything not routed to the victim arrives; give the survivors time to finish.
    const lastPublishedAt = Date.now();
    await until(
      () => survivors.every((w) => w.done.at(-1) === undefined || w.done.at(-1)!.at < Date.now() - 500),
      30_000,
      () => "the survivors to go idle",
    );
    await Promise.all(survivors.map((w) => w.stop()));

    const lost = publishedAt.flatMap((at, i) => (tally.byId.has(`killed-${i}`) ? [] : [at - killAt]));
    console.log(
      `core worker kill: victim (pid ${victim.pid}) processed ${victim.done.length} then was killed; survivors processed ` +
        `${survivors.map((w) => w.done.length).join(" / ")}; lost ${lost.length} of ${MESSAGES} ` +
        `(published between ${lost[0] ?? "-"} and ${lost.at(-1) ?? "-"} ms from the kill); publishing ended ${lastPublishedAt - killAt} ms after it`,
    );
    expect(killAt).toBeGreaterThan(0);
    expect(tally.duplicated()).toEqual([]); // at most once
    // Once the victim's connection is gone (SIGKILL closes its socket), the group is the survivors.
    expect(lost.filter((t) => t > 250)).toEqual([]);
  });
});
