// At-least-once through JetStream against a real nats-server (its own, so it
// can be restarted) and a real nginx file server: 10,000 messages with a
// server restart in the middle arrive exactly once at the app; the stream
// deduplicates by Nats-Msg-Id; failed receives are nak'ed with backoff and
// redelivered, malformed ones terminated; blobs are kept or deleted as the
// publish outcome requires; delete-after-consume runs after the ack.
import { existsSync } from "node:fs";
import { AckPolicy, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { type ClaimCheckStore, createBridge, ensureStream, httpStore, type NatsBridge, type WirePayload } from "@natsbridge/core";
import { pattern } from "@natsbridge/core/testing";
import { type NatsServer, type NginxDav, startNatsServer, startNginxDav } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spyStore } from "./spy-store.js";

let server: NatsServer;
let nginx: NginxDav;
let store: ClaimCheckStore;
let sender: NatsBridge;
let receiver: NatsBridge;
let nc: NatsConnection;
let jsm: JetStreamManager;
let seq = 0;

beforeAll(async () => {
  server = await startNatsServer({ jetstream: true });
  nginx = await startNginxDav();
  store = httpStore({ baseUrl: `${nginx.url}/blobs` });
  sender = createBridge({ brokerUrl: server.url, fileserverUrl: nginx.url, store });
  // A second bridge: its own connection, reconnecting on its own, like a separate process.
  receiver = createBridge({ brokerUrl: server.url, fileserverUrl: nginx.url, store });
  // The bridge opened it itself: a nats.js v3 connection.
  nc = (await sender.connection()) as NatsConnection;
  jsm = await jetstreamManager(nc);
});
afterAll(async () => {
  await sender?.close();
  await receiver?.close();
  await server?.dispose();
  await nginx?.dispose();
});

/** A fresh stream on its own subjects, and a durable explicit-ack consumer on it. */
async function streamWithConsumer(ackWaitMs = 3000) {
  const name = `REL_${++seq}`;
  const subject = `rel.${seq}`;
  await ensureStream(nc, { name, subjects: [`${subject}.>`], duplicateWindowMs: 120_000 });
  await jsm.consumers.add(name, { durable_name: "app", ack_policy: AckPolicy.Explicit, ack_wait: ackWaitMs * 1_000_000 });
  return { name, subject: `${subject}.msgs` };
}

async function until(check: () => boolean, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("at-least-once across a server restart", () => {
  it("10,000 messages, nats-server restarted mid-send: 0 lost, 0 duplicates delivered to the app", async () => {
    const TOTAL = 10_000;
    const { name, subject } = await streamWithConsumer(3000);
    const deliveries = new Map<string, number>();
    let handled = 0;
    const consumption = await receiver.consume(name, "app", (env) => {
      handled++;
      const n = env.payloads[0]![1] as string;
      deliveries.set(n, (deliveries.get(n) ?? 0) + 1);
    });

    let sent = 0;
    let duplicateAcks = 0;
    let retried = 0;
    let next = 0;
    let restarted: Promise<void> | undefined;
    const started = Date.now();
    const worker = async () => {
      while (next < TOTAL) {
        const i = next++;
        // The msg id is fixed per logical message, so every retry deduplicates.
        await sender.smartsend(subject, [["n", String(i), "text"]], {
          msgId: `rel-${i}`,
          jetstream: {
            stream: name,
            ackTimeout: 2000,
            onAck: (ack, attempts) => {
              if (ack.duplicate) duplicateAcks++;
              if (attempts > 1) retried++;
            },
          },
        });
        sent++;
        if (sent === 3000) restarted = server.restart();
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    await restarted;
    const sendMs = Date.now() - started;

    await until(() => deliveries.size === TOTAL, 45_000, `${TOTAL} distinct deliveries (have ${deliveries.size})`);
    // Give lost acks time to come back as redeliveries (ack_wait 3 s) before counting duplicates.
    await new Promise((r) => setTimeout(r, 3500));
    await consumption.stop();

    const info = await jsm.streams.info(name);
    const dup = [...deliveries.values()].filter((c) => c > 1).length;
    console.log(
      `jetstream restart test: sent ${sent} in ${sendMs} ms, stream holds ${info.state.messages}, ` +
        `app got ${handled} (${deliveries.size} distinct, ${dup} duplicated), ` +
        `publishes retried ${retried} (of which the stream had already stored ${duplicateAcks}), redeliveries absorbed by the consumer guard ${consumption.stats.duplicates}, ` +
        `naked ${consumption.stats.naked}`,
    );
    expect(sent).toBe(TOTAL);
    expect(info.state.messages).toBe(TOTAL); // the stream deduplicated every retried publish
    expect(deliveries.size).toBe(TOTAL); // 0 lost
    expect(handled).toBe(TOTAL); // 0 duplicates handed to the app
    expect(dup).toBe(0);
  }, 120_000);
});

describe("publishing", () => {
  it("the stream drops a second publish with the same msg id (Nats-Msg-Id)", async () => {
    const { name, subject } = await streamWithConsumer();
    const acks: boolean[] = [];
    const options = { msgId: "same-id", jetstream: { stream: name, onAck: (a: { duplicate: boolean }) => void acks.push(a.duplicate) } };
    await sender.smartsend(subject, [["t", "once", "text"]], options);
    await sender.smartsend(subject, [["t", "once", "text"]], options);
    expect(acks).toEqual([false, true]);
    expect((await jsm.streams.info(name)).state.messages).toBe(1);
  });

  it("core NATS stays the default: without `jetstream` nothing waits for a stream", async () => {
    const { name, subject } = await streamWithConsumer();
    // The subject is captured by the stream all the same (JetStream listens to core publishes).
    const [, json] = await sender.smartsend(subject, [["t", "core", "text"]], { flush: true });
    const stored = await jsm.streams.getMessage(name, { seq: 1 });
    if (!stored) throw new Error("the stream has no message 1");
    expect(new TextDecoder().decode(stored.data)).toBe(json);
    expect(stored.header?.get("Nats-Msg-Id") ?? "").toBe("");
  });

  it("no stream for the subject: PUBLISH_FAILED after the configured attempts, and the uploaded blob is deleted", async () => {
    const spy = spyStore(store);
    const error = await sender
      .smartsend(`nostream.${++seq}`, [["big", pattern(600_000), "binary"]], {
        store: spy,
        jetstream: { maxAttempts: 2, retryDelay: 10 },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "PUBLISH_FAILED", details: { attempts: 2, stored: "no" } });
    expect(spy.urls).toHaveLength(1);
    expect(existsSync(nginx.pathFor(spy.urls[0]!))).toBe(false);
  });

  it("an ack that never comes (server stopped): PUBLISH_FAILED with stored 'unknown', and the blob is kept for the message that may exist", async () => {
    const { name, subject } = await streamWithConsumer();
    const spy = spyStore(store);
    await server.stop();
    try {
      const error = await sender
        .smartsend(subject, [["big", pattern(600_000), "binary"]], {
          store: spy,
          jetstream: { stream: name, ackTimeout: 300, maxAttempts: 2, retryDelay: 10 },
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "PUBLISH_FAILED", details: { stored: "unknown" } });
      expect(existsSync(nginx.pathFor(spy.urls[0]!))).toBe(true);
    } finally {
      await server.restart();
      for (let i = 0; ; i++) {
        // flush() rejects while the client is still reconnecting.
        if (
          await nc.flush().then(
            () => true,
            () => i > 100,
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
});

describe("consuming", () => {
  it("a link payload whose file server is down is nak'ed with backoff, redelivered, and handled once it is back", async () => {
    const { name, subject } = await streamWithConsumer();
    await sender.smartsend(subject, [["big", pattern(600_000), "binary"]], { jetstream: { stream: name } });
    await nginx.stop();
    const errors: string[] = [];
    let handled = 0;
    const consumption = await receiver.consume(
      name,
      "app",
      (env) => {
        handled++;
        expect((env.payloads[0]![1] as Uint8Array).byteLength).toBe(600_000);
      },
      { maxRetries: 1, nakBackoff: [300], onError: (e) => void errors.push((e as { code: string }).code) },
    );
    try {
      await until(() => errors.length >= 1, 10_000, "the first failed delivery");
      await nginx.start();
      await until(() => handled === 1, 10_000, "the redelivery");
    } finally {
      await nginx.start();
      await consumption.stop();
    }
    expect(errors[0]).toBe("DOWNLOAD_FAILED");
    expect(consumption.stats).toMatchObject({ acked: 1, terminated: 0 });
    expect(consumption.stats.naked).toBeGreaterThanOrEqual(1);
  });

  it("a malformed message is terminated, not redelivered forever; a handler error is nak'ed and retried", async () => {
    const { name, subject } = await streamWithConsumer();
    const js = jetstream(nc);
    await js.publish(subject, new TextEncoder().encode("{not an envelope"));
    await sender.smartsend(subject, [["t", "hello", "text"]], { jetstream: { stream: name } });
    let calls = 0;
    const consumption = await receiver.consume(
      name,
      "app",
      () => {
        if (++calls === 1) throw new Error("database busy");
      },
      { nakBackoff: [100] },
    );
    try {
      await until(() => consumption.stats.acked === 1 && consumption.stats.terminated === 1, 10_000, "ack and term");
    } finally {
      await consumption.stop();
    }
    expect(calls).toBe(2);
    expect(consumption.stats).toMatchObject({ acked: 1, terminated: 1, naked: 1 });
  });

  it.each([
    [1, ["slow"]],
    [2, ["slow", "fast-1", "fast-2", "fast-3"]],
  ])("concurrency %i: while one handler waits, %j have started", async (concurrency, startedWhileWaiting) => {
    const { name, subject } = await streamWithConsumer();
    for (const n of ["slow", "fast-1", "fast-2", "fast-3"])
      await sender.smartsend(subject, [["n", n, "text"]], { jetstream: { stream: name } });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const consumption = await receiver.consume(
      name,
      "app",
      async (env) => {
        const [, n] = env.payloads[0]!;
        started.push(String(n));
        if (n === "slow") await gate;
      },
      { concurrency },
    );
    try {
      await until(() => started.length >= startedWhileWaiting.length, 10_000, "handlers to start");
      await new Promise((r) => setTimeout(r, 300)); // room for any handler that should not start
      expect(started).toEqual(startedWhileWaiting);
      release();
      await until(() => consumption.stats.acked === 4, 10_000, "all acked");
    } finally {
      release();
      await consumption.stop();
    }
  });

  it("deleteAfterConsume deletes the message's blobs once the ack is confirmed; off by default", async () => {
    const { name, subject } = await streamWithConsumer();
    const [kept] = await sender.smartsend(subject, [["a", pattern(600_000), "binary"]], { jetstream: { stream: name } });
    const urlOf = (env: { payloads: WirePayload[] }) => env.payloads[0]!.data as string;
    let handled = 0;
    const first = await receiver.consume(name, "app", () => void handled++);
    await until(() => handled === 1, 10_000, "first message");
    await first.stop();
    expect(existsSync(nginx.pathFor(urlOf(kept)))).toBe(true);

    const [gone] = await sender.smartsend(subject, [["b", pattern(600_000), "binary"]], { jetstream: { stream: name } });

    const second = await receiver.consume(name, "app", () => void handled++, { deleteAfterConsume: store });
    await until(() => handled === 2, 10_000, "second message");
    await second.stop();
    expect(existsSync(nginx.pathFor(urlOf(gone)))).toBe(false);
    expect(existsSync(nginx.pathFor(urlOf(kept)))).toBe(true);
  });
});
