// A connection the application made with `nats` v2 (TCP) or nats.ws (a
// websocket, with Node's global WebSocket), passed to the bridge as
// `connection`: direct and link payloads, request/reply and JetStream
// publishing go over it, against the run's nats-server and an nginx file
// server. `consume` needs a nats.js v3 connection and refuses these with
// INVALID_OPTION; a v3 bridge consumes what they published.
import { createHash } from "node:crypto";
import { AckPolicy, type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import {
  type ClaimCheckStore,
  createBridge,
  ensureStream,
  httpStore,
  type NatsBridge,
  type NatsBridgeError,
  type PayloadTuple,
  type ReceivedEnvelope,
} from "@natsbridge/core";
import { type NginxDav, startNginxDav } from "@natsbridge/test-harness";
import { connect as connectV2, type NatsConnection as V2Connection } from "nats";
import { connect as connectWs, type NatsConnection as WsConnection } from "nats.ws";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

let nginx: NginxDav;
let store: ClaimCheckStore;
/** A bridge with its own (nats.js v3) connection, to check the other side. */
let v3: NatsBridge;
let jsm: JetStreamManager;
let seq = 0;

beforeAll(async () => {
  nginx = await startNginxDav();
  store = httpStore({ baseUrl: `${nginx.url}/blobs` });
  v3 = createBridge({ brokerUrl: inject("natsUrl"), fileserverUrl: nginx.url });
  jsm = await jetstreamManager(await v3.connection());
});
afterAll(async () => {
  await v3?.close();
  await nginx?.dispose();
});

const clients = [
  { client: "nats v2", tag: "v2", open: (): Promise<V2Connection> => connectV2({ servers: inject("natsUrl"), name: "compat-v2" }) },
  { client: "nats.ws", tag: "ws", open: (): Promise<WsConnection> => connectWs({ servers: inject("natsWsUrl"), name: "compat-ws" }) },
];

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const bytesOf = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);

describe.each(clients)("a connection made with $client, passed as `connection`", ({ tag, open }) => {
  let nc: V2Connection | WsConnection;
  let bridge: NatsBridge<V2Connection | WsConnection>;
  const subject = () => `compat.${tag}.${process.pid}.${++seq}`;

  beforeAll(async () => {
    nc = await open();
    bridge = createBridge({ connection: nc, fileserverUrl: nginx.url, store });
  });
  afterAll(async () => {
    await bridge?.close();
    await nc?.drain();
  });

  /** Subscribe through the bridge over `nc`, run `send`, and hand back the first envelope. */
  async function receiveOne(send: (subject: string) => Promise<unknown>): Promise<ReceivedEnvelope> {
    const s = subject();
    const errors: NatsBridgeError[] = [];
    const sub = await bridge.subscribe(s, { onError: (e) => void errors.push(e) });
    await nc.flush();
    await send(s);
    for await (const env of sub) {
      sub.unsubscribe();
      return env;
    }
    throw new Error(`no envelope on ${s}; receive errors: ${errors.map((e) => e.code).join(", ")}`);
  }

  it("is the bridge's connection, and the bridge leaves it open when it closes", async () => {
    expect(await bridge.connection()).toBe(nc);
    await createBridge({ connection: nc }).close();
    expect(nc.isClosed()).toBe(false);
  });

  it("direct: text, a dictionary and bytes go over it and come back decoded", async () => {
    const payloads: PayloadTuple[] = [
      ["msg", "hello over a user connection", "text"],
      ["meta", { n: 1, tags: ["a", "b"] }, "dictionary"],
      ["blob", bytesOf(1000), "binary"],
    ];
    const env = await receiveOne((s) => bridge.smartsend(s, payloads, { senderName: `compat-${tag}` }));
    expect(env.sender_name).toBe(`compat-${tag}`);
    expect(env.payloadInfo.map((p) => p.transport)).toEqual(["direct", "direct", "direct"]);
    expect(env.payloads).toEqual(payloads);
  });

  it("link: a 2 MB binary goes up to nginx through httpStore; the envelope carries its URL and the receiver verifies it", async () => {
    const big = bytesOf(2 * 1024 * 1024);
    const env = await receiveOne((s) =>
      bridge.smartsend(s, [
        ["big", big, "binary"],
        ["note", "small", "text"],
      ]),
    );
    const [link, direct] = env.payloadInfo;
    expect(link).toMatchObject({ transport: "link", size: big.byteLength });
    expect(String(link!.data).startsWith(`${nginx.url}/blobs/`)).toBe(true);
    expect(link!.metadata.sha256).toBe(sha256(big));
    expect(direct!.transport).toBe("direct");
    const received = env.payloads[0]![1] as Uint8Array;
    expect(sha256(received)).toBe(sha256(big));
  });

  it("request/reply: a request over it gets the reply of a responder on the same connection", async () => {
    const s = subject();
    const responder = await bridge.subscribe(s);
    await nc.flush();
    const answering = (async () => {
      for await (const req of responder) {
        const text = req.payloads[0]![1] as string;
        await bridge.reply(req, [["answer", text.toUpperCase(), "text"]], { flush: true });
        responder.unsubscribe();
      }
    })();
    const reply = await bridge.request(s, [["question", "are you there?", "text"]], { timeout: 5000 });
    await answering;
    expect(reply.payloads).toEqual([["answer", "ARE YOU THERE?", "text"]]);
    expect(reply.reply_to_msg_id).not.toBe("");
  });

  it("request/reply: with nobody subscribed, the server's no-responders status ends the request at once with NO_RESPONDERS", async () => {
    await expect(bridge.request(subject(), [["q", "anyone?", "text"]], { timeout: 30_000 })).rejects.toMatchObject({
      code: "NO_RESPONDERS",
    });
  });

  it("request/reply: with a subscriber that does not answer, the request ends with REQUEST_TIMEOUT", async () => {
    const s = subject();
    const silent = nc.subscribe(s);
    await nc.flush();
    await expect(bridge.request(s, [["q", "anyone?", "text"]], { timeout: 300 })).rejects.toMatchObject({
      code: "REQUEST_TIMEOUT",
    });
    silent.unsubscribe();
  });

  it("JetStream: ensureStream and publishing go over it; the stream acks, deduplicates by msg id, and a v3 bridge consumes the message", async () => {
    const name = `COMPAT_${tag.toUpperCase()}_${process.pid}`;
    const s = subject();
    await ensureStream(nc, { name, subjects: [s] });
    const acks: { seq: number; duplicate: boolean }[] = [];
    const options = {
      msgId: `compat-${tag}-1`,
      jetstream: {
        stream: name,
        onAck: (a: { seq: number; duplicate: boolean }) => void acks.push({ seq: a.seq, duplicate: a.duplicate }),
      },
    };
    const [sent] = await bridge.smartsend(s, [["order", { id: 7 }, "dictionary"]], options);
    await bridge.smartsend(s, [["order", { id: 7 }, "dictionary"]], options);
    expect(acks).toEqual([
      { seq: 1, duplicate: false },
      { seq: 1, duplicate: true },
    ]);
    expect((await jsm.streams.info(name)).state.messages).toBe(1);

    await jsm.consumers.add(name, { durable_name: "app", ack_policy: AckPolicy.Explicit });
    let consumed: ReceivedEnvelope | undefined;
    const consumption = await v3.consume(name, "app", (env) => {
      consumed = env;
    });
    try {
      for (let i = 0; i < 100 && !consumed; i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await consumption.stop();
    }
    expect(consumed?.msg_id).toBe(sent.msg_id);
    expect(consumed?.payloads).toEqual([["order", { id: 7 }, "dictionary"]]);
    expect(consumption.stats).toMatchObject({ acked: 1, duplicates: 0 });
    await jsm.streams.delete(name);
  });

  it("JetStream: consume refuses it with INVALID_OPTION, saying which connection to pass instead", async () => {
    const name = `COMPAT_${tag.toUpperCase()}_REFUSED_${process.pid}`;
    await ensureStream(nc, { name, subjects: [subject()] });
    await jsm.consumers.add(name, { durable_name: "app", ack_policy: AckPolicy.Explicit });
    const error = await bridge
      .consume(name, "app", () => undefined)
      .then(
        () => undefined,
        (e: NatsBridgeError) => e,
      );
    expect(error).toMatchObject({
      code: "INVALID_OPTION",
      name: "InvalidOptionError",
      details: { option: "connection", operation: "consume" },
    });
    expect(error?.message).toContain("@nats-io/transport-node");
    expect(error?.message).toContain("wsconnect");
    // The connection is untouched by the refusal.
    expect(nc.isClosed()).toBe(false);
    await jsm.streams.delete(name);
  });
});
