// Slow consumers against a real nats-server. Server side: the subscriber's
// thread blocks (nothing reads its socket) while another thread publishes far
// more than the server's max_pending for it; nats-server logs "Slow Consumer
// Detected", closes the connection without a word and drops what it held. The
// subscription must say so (onStatus, the warn log, or a thrown
// SlowConsumerError when nobody listens), never just carry on. Client side:
// messages pile up in nats.js's queue faster than the loop takes them.
import { Writable } from "node:stream";
import { Worker } from "node:worker_threads";
import { createBridge, type NatsBridge, type SubscriptionStatus } from "@natsbridge/core";
import { type NatsServer, startNatsServer } from "@natsbridge/test-harness";
import { pino } from "pino";
import { afterEach, describe, expect, inject, it } from "vitest";

// Small on purpose: the burst below is 16 times larger.
const MAX_PENDING = 2 * 1024 * 1024;
const BURST = { count: 128, size: 256 * 1024 };

const servers: NatsServer[] = [];
const bridges: NatsBridge[] = [];
afterEach(async () => {
  await Promise.all(bridges.splice(0).map((b) => b.close()));
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "info" }, sink), lines };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

/**
 * Publishes the burst from another thread while this thread is blocked, as a
 * receiver whose loop stalls would be: nothing reads this thread's sockets
 * until the server has taken every message.
 */
function publishWhileBlocked(url: string, subject: string, connectOptions: Record<string, unknown> = {}): void {
  const done = new SharedArrayBuffer(4);
  const worker = new Worker(new URL("./fixtures/burst-publisher.mjs", import.meta.url), {
    workerData: { url, subject, ...BURST, done, connectOptions },
  });
  let failure = "";
  worker.on("message", (m) => (failure = String(m)));
  const outcome = Atomics.wait(new Int32Array(done), 0, 0, 60_000);
  const flag = Atomics.load(new Int32Array(done), 0);
  if (outcome === "timed-out" || flag !== 1) throw new Error(`burst publisher did not finish (${outcome}, flag ${flag}) ${failure}`);
  void worker.terminate();
}

async function slowServer(extraConfig = ""): Promise<NatsServer> {
  const server = await startNatsServer({ extraConfig: `max_pending: ${MAX_PENDING}\nwrite_deadline: "2s"\n${extraConfig}` });
  servers.push(server);
  return server;
}

describe("server-side slow consumer", () => {
  it("is reported through onStatus with SLOW_CONSUMER and a warn log, and the subscription carries on after the reconnect", async () => {
    const server = await slowServer();
    const { logger, lines } = captureLogs();
    const bridge = createBridge({ brokerUrl: server.url, logger });
    bridges.push(bridge);
    const statuses: SubscriptionStatus[] = [];
    const sub = await bridge.subscribe("slow.server", { onStatus: (s) => statuses.push(s) });
    let received = 0;
    const loop = (async () => {
      for await (const _ of sub) received++;
    })();
    await (await bridge.connection()).flush();

    publishWhileBlocked(server.url, "slow.server");

    await until(() => statuses.some((s) => s.type === "slowConsumer"), 20_000);
    const event = statuses.find((s) => s.type === "slowConsumer");
    expect(event?.type).toBe("slowConsumer");
    const error = event!.type === "slowConsumer" ? event!.error : undefined;
    expect(error?.name).toBe("SlowConsumerError");
    expect(error?.code).toBe("SLOW_CONSUMER");
    // The default global account: the server does not list its closed connections, so this is the client's judgement.
    expect(error?.details).toMatchObject({ side: "server", subject: "slow.server", confirmed: false });
    expect(statuses.map((s) => s.type).slice(0, 3)).toEqual(["disconnect", "reconnect", "slowConsumer"]);
    const warn = lines.find((l) => l.code === "SLOW_CONSUMER");
    expect(warn).toMatchObject({ level: 40, side: "server", subject: "slow.server" });
    // Messages were lost: the server dropped what it held for the subscriber.
    expect(received).toBeLessThan(BURST.count);

    // Core NATS resubscribed on the new connection: later messages arrive.
    const before = received;
    await bridge.smartsend("slow.server", [["n", "after", "text"]]);
    await until(() => received > before, 10_000);
    expect(received).toBe(before + 1);
    sub.unsubscribe();
    await loop;
  }, 60_000);

  it("with no onStatus, ends the iteration by throwing SlowConsumerError", async () => {
    const server = await slowServer();
    const { logger, lines } = captureLogs();
    const bridge = createBridge({ brokerUrl: server.url, logger });
    bridges.push(bridge);
    const sub = await bridge.subscribe("slow.fatal");
    let received = 0;
    const loop = (async () => {
      for await (const _ of sub) received++;
    })().then(
      () => "ended quietly",
      (e: unknown) => e,
    );
    await (await bridge.connection()).flush();

    publishWhileBlocked(server.url, "slow.fatal");

    const outcome = await Promise.race([loop, new Promise((r) => setTimeout(() => r("still iterating"), 20_000))]);
    expect(outcome).toMatchObject({ name: "SlowConsumerError", code: "SLOW_CONSUMER", details: { side: "server", subject: "slow.fatal" } });
    expect(lines.some((l) => l.code === "SLOW_CONSUMER" && l.level === 40)).toBe(true);
    expect(received).toBeLessThan(BURST.count);
  }, 60_000);

  it("in a named account the server confirms it, with its own reason", async () => {
    const server = await slowServer('accounts { APP { users: [ { user: "app", password: "app-secret" } ] } }');
    const { logger } = captureLogs();
    const auth = { user: "app", pass: "app-secret" };
    const bridge = createBridge({ brokerUrl: server.url, connectOptions: auth, logger });
    bridges.push(bridge);
    const statuses: SubscriptionStatus[] = [];
    const sub = await bridge.subscribe("slow.account", { onStatus: (s) => statuses.push(s) });
    void (async () => {
      for await (const _ of sub);
    })();
    await (await bridge.connection()).flush();

    publishWhileBlocked(server.url, "slow.account", auth);

    await until(() => statuses.some((s) => s.type === "slowConsumer"), 20_000);
    const event = statuses.find((s) => s.type === "slowConsumer");
    const error = event?.type === "slowConsumer" ? event.error : undefined;
    expect(error?.code).toBe("SLOW_CONSUMER");
    expect(error?.details).toMatchObject({ side: "server", confirmed: true });
    expect(String(error?.details.reason)).toMatch(/^Slow Consumer \((Pending Bytes|Write Deadline)\)$/);
    sub.unsubscribe();
  }, 60_000);

  it("a server restart is a disconnect, not a slow consumer", async () => {
    const server = await slowServer();
    const bridge = createBridge({ brokerUrl: server.url });
    bridges.push(bridge);
    const statuses: SubscriptionStatus[] = [];
    const sub = await bridge.subscribe("slow.restart", { onStatus: (s) => statuses.push(s) });
    let received = 0;
    void (async () => {
      for await (const _ of sub) received++;
    })();
    const nc = await bridge.connection();
    await nc.flush();
    await server.restart();
    await until(() => statuses.some((s) => s.type === "reconnect"), 20_000);
    // Give the classification (a CONNZ query, answered or not) time to finish.
    await new Promise((r) => setTimeout(r, 2500));
    expect(statuses.map((s) => s.type)).toEqual(["disconnect", "reconnect"]);
    await bridge.smartsend("slow.restart", [["n", "after", "text"]]);
    await until(() => received === 1, 10_000);
    expect(received).toBe(1);
    sub.unsubscribe();
  }, 60_000);
});

describe("client-side slow consumer", () => {
  it("a loop slower than the messages reports SLOW_CONSUMER (side client) once, loses nothing and goes on", async () => {
    const { logger, lines } = captureLogs();
    const bridge = createBridge({ brokerUrl: inject("natsUrl"), logger });
    bridges.push(bridge);
    const statuses: SubscriptionStatus[] = [];
    const sub = await bridge.subscribe("slow.client", { slowConsumerPending: 10, onStatus: (s) => statuses.push(s) });
    let received = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const loop = (async () => {
      for await (const _ of sub) {
        // The first message holds the loop until all 50 are queued behind it.
        if (received++ === 0) await gate;
        if (received === 50) break;
      }
    })();
    await (await bridge.connection()).flush();
    for (let i = 0; i < 50; i++) await bridge.smartsend("slow.client", [["n", i, "dictionary"]]);
    await until(() => statuses.length > 0, 10_000);
    release();
    await loop;

    expect(received).toBe(50);
    expect(statuses).toHaveLength(1);
    const event = statuses[0]!;
    const error = event.type === "slowConsumer" ? event.error : undefined;
    expect(error?.code).toBe("SLOW_CONSUMER");
    expect(error?.details).toMatchObject({ side: "client", subject: "slow.client", threshold: 10 });
    expect(error?.details.pending).toBe(11);
    expect(lines.filter((l) => l.code === "SLOW_CONSUMER")).toHaveLength(1);
  });
});
