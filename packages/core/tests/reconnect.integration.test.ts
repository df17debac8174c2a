// Core NATS across a server restart: the bridge's shared connection
// reconnects by itself (maxReconnectAttempts -1) and publishing resumes on the
// same connection object. What core mode loses while the server is down is
// measured here and documented in docs/reliability.md: core NATS is
// at-most-once, so use JetStream (jetstream.integration.test.ts) when that matters.
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createBridge, type NatsBridge } from "@natsbridge/core";
import { type NatsServer, startNatsServer } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: NatsServer;
let bridge: NatsBridge;
let other: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  bridge = createBridge({ brokerUrl: server.url });
  // Another client with its own connection, as another process would have.
  other = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
});
afterAll(async () => {
  await bridge?.close();
  await other?.close();
  await server?.dispose();
});

async function reconnected(nc: Pick<NatsConnection, "flush">) {
  for (let i = 0; i < 150; i++) {
    // flush() needs a round trip to the server: it succeeds once the connection is back.
    if (
      await nc.flush().then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("did not reconnect");
}

const until = async (check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

describe("core NATS reconnects", () => {
  it("the shared connection survives a server restart and publishing resumes; what was sent meanwhile is reported", async () => {
    const nc = await bridge.connection();
    const got = new Set<string>();
    const gotByOther = new Set<string>();
    const sub = await bridge.subscribe("reconnect.test");
    void (async () => {
      for await (const env of sub) got.add(env.payloads[0]![1] as string);
    })();
    // The raw subscriber reads msg_id, which the sender sets to the same tag.
    other.subscribe("reconnect.test", {
      callback: (_, m) => void gotByOther.add(String(JSON.parse(new TextDecoder().decode(m.data)).msg_id)),
    });
    await nc.flush();
    await other.flush();
    const send = (tag: string) => bridge.smartsend("reconnect.test", [["n", tag, "text"]], { msgId: tag });

    for (let i = 0; i < 50; i++) await send(`before-${i}`);
    await until(() => got.size === 50 && gotByOther.size === 50, 5000);
    expect(got.size).toBe(50);

    await server.stop();
    // While the server is down smartsend does not fail: the publishes go into a
    // socket that is gone, or into nats.js's buffer once it noticed; either way
    // nothing tells the sender whether they arrived.
    for (let i = 0; i < 10; i++) await send(`during-${i}`);
    await new Promise((r) => setTimeout(r, 1000));
    for (let i = 10; i < 20; i++) await send(`during-${i}`);
    // flush: true waits for the server's answer, so the sender learns the message did not make it.
    const flushed = bridge.smartsend("reconnect.test", [["n", "during-flushed", "text"]], { msgId: "during-flushed", flush: true });
    const flushError = await Promise.race([
      flushed.then(
        () => "resolved",
        (e: { code?: string }) => e.code,
      ),
      new Promise((r) => setTimeout(() => r("pending"), 1500)),
    ]);
    expect(flushError).toBe("PUBLISH_FAILED");
    await server.restart();
    await reconnected(nc);
    await reconnected(other);
    expect(await bridge.connection()).toBe(nc); // the same connection, reconnected
    expect(nc.isClosed()).toBe(false);

    for (let i = 0; i < 50; i++) await send(`after-${i}`);
    await until(() => [...got].filter((t) => t.startsWith("after-")).length === 50, 10_000);
    await until(() => [...gotByOther].filter((t) => t.startsWith("after-")).length === 50, 5000);

    const count = (set: Set<string>, prefix: string) => [...set].filter((t) => t.startsWith(prefix)).length;
    console.log(
      `core reconnect: same-connection subscriber got before ${count(got, "before-")}/50, during ${count(got, "during-")}/20, after ${count(got, "after-")}/50; ` +
        `other-connection subscriber got during ${count(gotByOther, "during-")}/20, after ${count(gotByOther, "after-")}/50`,
    );
    // nats.js empties its outbound buffer when it reconnects: core NATS sends made while the
    // server was down are gone (0 of 20 here). Only flush: true or JetStream tell the sender.
    expect(count(got, "after-")).toBe(50);
    expect(count(gotByOther, "after-")).toBe(50);
    sub.unsubscribe();
  }, 60_000);
});
