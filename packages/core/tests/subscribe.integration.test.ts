// subscribe against a real nats-server: concurrency and ordering, a slow link
// download that must not hold up direct messages, `signal`, the download
// defaults of a subscriber, and what a received envelope says about its
// message (subject, headers, unknown fields).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { headers, type NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { createBridge, type NatsBridge, type NatsBridgeError, type ReceivedEnvelope } from "@natsbridge/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const natsUrl = inject("natsUrl");
let bridge: NatsBridge;
let raw: NatsConnection;
let files: Server;
let origin: string;
let seq = 0;
const subject = () => `test.sub.${process.pid}.${++seq}`;

beforeAll(async () => {
  bridge = createBridge({ brokerUrl: natsUrl });
  raw = await connect({ servers: natsUrl });
  // A file server whose /slow/<ms> answers after <ms>, and whose /stall never sends a body.
  files = createServer((req, res) => {
    const slow = /^\/slow\/(\d+)$/.exec(req.url ?? "");
    if (slow) {
      setTimeout(() => res.end("slow bytes"), Number(slow[1]));
      return;
    }
    if (req.url === "/stall") {
      res.writeHead(200, { "content-length": "10" });
      res.flushHeaders();
      return; // never ends
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});
afterAll(async () => {
  files.closeAllConnections();
  files.close();
  await bridge.close();
  await raw.drain();
});

const linkEnvelope = (path: string, name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    correlation_id: name,
    msg_id: name,
    ...extra,
    payloads: [
      {
        id: "p",
        dataname: name,
        payload_type: "text",
        transport: "link",
        encoding: "none",
        size: 10,
        data: `${origin}${path}`,
        metadata: {},
      },
    ],
  });
const directEnvelope = async (name: string) =>
  (await bridge.smartsend("x", [[name, name, "text"]], { isPublish: false, correlationId: name }))[1];

/** Collects correlation ids in the order envelopes come out, until `count`. */
async function collect(sub: AsyncIterable<ReceivedEnvelope>, count: number): Promise<string[]> {
  const order: string[] = [];
  for await (const env of sub) {
    order.push(env.correlation_id);
    if (order.length === count) break;
  }
  return order;
}

describe("concurrency", () => {
  it("default 1: envelopes in arrival order, so a slow link holds up the messages behind it", async () => {
    const s = subject();
    const sub = await bridge.subscribe(s, { allowedOrigins: [origin] });
    await raw.flush();
    raw.publish(s, linkEnvelope("/slow/600", "link"));
    raw.publish(s, await directEnvelope("direct-1"));
    raw.publish(s, await directEnvelope("direct-2"));
    expect(await collect(sub, 3)).toEqual(["link", "direct-1", "direct-2"]);
  });

  it("above 1: a slow link download holds one slot, direct messages pass it", async () => {
    const s = subject();
    const sub = await bridge.subscribe(s, { allowedOrigins: [origin], concurrency: 2 });
    await raw.flush();
    raw.publish(s, linkEnvelope("/slow/1500", "link"));
    for (let i = 1; i <= 5; i++) raw.publish(s, await directEnvelope(`direct-${i}`));
    const order = await collect(sub, 6);
    expect(order.slice(0, 5)).toEqual(["direct-1", "direct-2", "direct-3", "direct-4", "direct-5"]);
    expect(order[5]).toBe("link");
  });

  it("every message comes out once, bad ones go to onError, with many in flight", async () => {
    const s = subject();
    const errors: string[] = [];
    const sub = await bridge.subscribe(s, { concurrency: 8, onError: (e) => void errors.push(e.code) });
    await raw.flush();
    for (let i = 0; i < 50; i++) raw.publish(s, i % 10 === 9 ? "not an envelope" : await directEnvelope(`m${i}`));
    const got = await collect(sub, 45);
    expect(new Set(got).size).toBe(45);
    expect(errors).toEqual(Array(5).fill("INVALID_ENVELOPE"));
  });

  it("a concurrency that is not a positive integer is INVALID_OPTION", async () => {
    await expect(bridge.subscribe(subject(), { concurrency: 0 })).rejects.toMatchObject({ code: "INVALID_OPTION" });
  });
});

describe("signal", () => {
  it.each([1, 4])("aborting ends the iteration (concurrency %i)", async (concurrency) => {
    const abort = new AbortController();
    const sub = await bridge.subscribe(subject(), { signal: abort.signal, concurrency });
    await raw.flush();
    const loop = (async () => {
      let n = 0;
      for await (const _ of sub) n++;
      return n;
    })();
    setTimeout(() => abort.abort(), 100);
    expect(await loop).toBe(0);
    expect(sub.subscription.isClosed()).toBe(true);
  });

  it("an aborted signal stops a stalled download too, and nothing is reported as dropped", async () => {
    const abort = new AbortController();
    const s = subject();
    const errors: NatsBridgeError[] = [];
    const sub = await bridge.subscribe(s, { signal: abort.signal, allowedOrigins: [origin], onError: (e) => void errors.push(e) });
    await raw.flush();
    raw.publish(s, linkEnvelope("/stall", "stalled"));
    await raw.flush();
    setTimeout(() => abort.abort(), 300);
    for await (const _ of sub) expect.unreachable();
    expect(errors).toEqual([]);
  });
});

describe("download defaults of a subscriber", () => {
  it("a stalled link fails after 3 attempts (not the 5 of smartreceive), so it frees the subscription sooner", async () => {
    const s = subject();
    const errors: NatsBridgeError[] = [];
    // attemptTimeout shortened for the test; the number of attempts is the subscriber default.
    const sub = await bridge.subscribe(s, { allowedOrigins: [origin], attemptTimeout: 200, onError: (e) => void errors.push(e) });
    await raw.flush();
    raw.publish(s, linkEnvelope("/stall", "stalled"));
    raw.publish(s, await directEnvelope("after"));
    expect(await collect(sub, 1)).toEqual(["after"]);
    expect(errors).toMatchObject([{ code: "DOWNLOAD_FAILED", correlationId: "stalled", details: { attempts: 3 } }]);
  });
});

describe("what a received envelope says about its message", () => {
  it("the subject it arrived on (a wildcard subscription's concrete one) and its NATS headers", async () => {
    const base = subject();
    const sub = await bridge.subscribe(`${base}.>`);
    await raw.flush();
    const h = headers();
    h.set("X-Trace", "abc");
    raw.publish(`${base}.eu.orders`, await directEnvelope("with-headers"), { headers: h });
    for await (const env of sub) {
      expect(env.subject).toBe(`${base}.eu.orders`);
      expect(env.send_to).toBe("x"); // what the sender wrote
      expect(env.headers?.get("X-Trace")).toBe("abc");
      break;
    }
  });

  it("unknown wire fields are kept under extraFields, not mixed into the envelope", async () => {
    const env = await bridge.smartreceive(
      JSON.stringify({ correlation_id: "c", msg_id: "m", x_priority: 3, trace: { id: "t" }, payloads: [] }),
    );
    expect(env.extraFields).toEqual({ x_priority: 3, trace: { id: "t" } });
    expect(env).not.toHaveProperty("x_priority");
    expect(env.subject).toBeUndefined();
  });
});
