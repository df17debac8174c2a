// The object store through real bridges on the run's nats-server: Node ↔ Node
// over core NATS and JetStream, streamed receives, fan-out, delete-after-consume
// through core's lifecycle, TTL and replicas, the receiver without the store,
// and a bridge on a v3 (@nats-io/transport-node) connection.
import { createHash } from "node:crypto";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  createBridge,
  ensureStream,
  type NatsBridge,
  type NatsConnectionLike,
  type PayloadStream,
  type ReceivedEnvelope,
} from "@natsbridge/core";
import { pattern } from "@natsbridge/core/testing";
import { objectStore, parseObjectUrl } from "@natsbridge/objstore";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const natsUrl = inject("natsUrl");
const bucket = `bridge_${process.pid}`;
let nc: NatsConnection;
let objm: Objm;
let seq = 0;
const subject = () => `test.objstore.${process.pid}.${++seq}`;
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const same = (a: unknown, b: Uint8Array) => a instanceof Uint8Array && Buffer.compare(a, b) === 0;
const bridges: NatsBridge<NatsConnectionLike>[] = [];
/** A bridge on the shared connection pool (the nats.js v3 connection core opens itself). */
const bridge = (o: Parameters<typeof createBridge>[0] = {}) => {
  const b = createBridge({ brokerUrl: natsUrl, ...o });
  bridges.push(b);
  return b;
};
/** A put request for `size` bytes of pattern as the store tests send it. */
const putRequest = (size: number, o: { correlationId?: string; payloadId?: string } = {}) => ({
  dataname: "x",
  payloadType: "binary",
  body: pattern(size),
  size,
  correlationId: "c",
  msgId: "m",
  payloadId: "p",
  ...o,
});
const exists = async (url: string) => {
  const { bucket: b, name } = parseObjectUrl(url)!;
  const info = await (await objm.open(b)).info(name);
  return info !== null && !info.deleted;
};

beforeAll(async () => {
  nc = await connect({ servers: natsUrl });
  objm = new Objm(nc);
});
afterAll(async () => {
  await Promise.all(bridges.map((b) => b.close()));
  await nc?.close();
});

async function firstOf(sub: AsyncIterable<ReceivedEnvelope>): Promise<ReceivedEnvelope> {
  for await (const env of sub) return env;
  throw new Error("subscription ended");
}

describe("Node ↔ Node through the object store", () => {
  it("a link payload goes into the bucket and comes back through the receiver's own connection, verified", async () => {
    const sender = bridge({ store: objectStore({ bucket }) });
    const receiver = bridge({ stores: [objectStore({ bucket })] });
    const s = subject();
    const sub = await receiver.subscribe(s);
    await (await receiver.connection()).flush();
    const big = pattern(3_000_001, 7);
    const [sent] = await sender.smartsend(
      s,
      [
        ["note", "by object store", "text"],
        ["big", big, "binary"],
      ],
      { flush: true },
    );
    const link = sent.payloads[1]!;
    expect(link).toMatchObject({
      transport: "link",
      size: big.byteLength,
      metadata: { sha256: sha256(big), payload_bytes: big.byteLength, nats_obj_bucket: bucket },
    });
    expect(link.data).toMatch(new RegExp(`^nats-obj://${bucket}/[0-9a-f-]+/big$`));
    const env = await firstOf(sub);
    expect(env.payloads[0]).toEqual(["note", "by object store", "text"]);
    expect(same(env.payloads[1]![1], big)).toBe(true);
    sub.unsubscribe();
  });

  it("streamed both ways: a stream payload is written without buffering and read back as a PayloadStream", async () => {
    const sender = bridge({ store: objectStore({ bucket }) });
    const receiver = bridge({ stores: [objectStore({ bucket })] });
    const size = 20 * 1024 * 1024 + 3;
    async function* generated() {
      for (let i = 0; i < size; i += 1 << 20) yield pattern(Math.min(1 << 20, size - i), i);
    }
    const expected = createHash("sha256");
    for await (const c of generated()) expected.update(c);
    const [, json] = await sender.smartsend("unused", [["blob", generated(), "binary"]], { isPublish: false });
    const env = await receiver.smartreceive(json, { stream: true });
    const stream = env.payloads[0]![1] as PayloadStream;
    const got = createHash("sha256");
    let n = 0;
    for await (const chunk of stream) {
      got.update(chunk);
      n += chunk.byteLength;
    }
    expect(n).toBe(size);
    expect(got.digest("hex")).toBe(expected.digest("hex"));
  });

  it("fan-out: every plain subscriber reads the same link (blobs are not one-shot)", async () => {
    const sender = bridge({ store: objectStore({ bucket }) });
    const s = subject();
    const receivers = [
      bridge({ stores: [objectStore({ bucket })] }),
      bridge({ stores: [objectStore({ bucket })] }),
      bridge({ stores: [objectStore({ bucket })] }),
    ];
    const subs = await Promise.all(receivers.map((r) => r.subscribe(s)));
    for (const r of receivers) await (await r.connection()).flush();
    const data = pattern(800_000, 3);
    await sender.smartsend(s, [["data", data, "binary"]], { flush: true });
    const envs = await Promise.all(subs.map(firstOf));
    for (const env of envs) expect(same(env.payloads[0]![1], data)).toBe(true);
    for (const sub of subs) sub.unsubscribe();
  });

  it("a bridge on a v3 connection (@nats-io/transport-node) sends and receives through the same store object", async () => {
    const store = objectStore({ bucket });
    const v3 = bridge({ connection: nc as never, store });
    const s = subject();
    const sub = await v3.subscribe(s);
    await nc.flush();
    const data = pattern(600_000, 9);
    await v3.smartsend(s, [["d", data, "binary"]], { flush: true });
    expect(same((await firstOf(sub)).payloads[0]![1], data)).toBe(true);
    sub.unsubscribe();
  });

  it("a receiver not given the store fails with URL_NOT_ALLOWED naming the store to configure; nothing is fetched", async () => {
    const [, json] = await bridge({ store: objectStore({ bucket }) }).smartsend("unused", [["d", pattern(600_000), "binary"]], {
      isPublish: false,
    });
    const error = await bridge()
      .smartreceive(json)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "URL_NOT_ALLOWED",
      dataname: "d",
      details: { scheme: "nats-obj:", store: "objectStore() from @natsbridge/objstore" },
    });
    expect((error as Error).message).toContain("objectStore() from @natsbridge/objstore");
  });

  it("a link into a bucket the receiver's store is not for is refused the same way; a deleted object is DOWNLOAD_FAILED", async () => {
    const [, json] = await bridge({ store: objectStore({ bucket }) }).smartsend("unused", [["d", pattern(600_000), "binary"]], {
      isPublish: false,
    });
    await expect(bridge({ stores: [objectStore({ bucket: `${bucket}_other` })] }).smartreceive(json)).rejects.toMatchObject({
      code: "URL_NOT_ALLOWED",
    });
    const url = (JSON.parse(json) as { payloads: { data: string }[] }).payloads[0]!.data;
    await objectStore({ bucket, connection: nc }).delete(url);
    await expect(bridge({ stores: [objectStore({ bucket })] }).smartreceive(json, { maxRetries: 2 })).rejects.toMatchObject({
      code: "DOWNLOAD_FAILED",
      dataname: "d",
      details: { bucket },
    });
  });
});

describe("delete-after-consume through core's lifecycle", () => {
  it("a queue group deletes each message's blobs after its loop body; a plain subscription is refused", async () => {
    const store = objectStore({ bucket });
    const sender = bridge({ store });
    const s = subject();
    const worker = bridge({ stores: [store] });
    await expect(worker.subscribe(s, { deleteAfterConsume: store })).rejects.toMatchObject({ code: "INVALID_OPTION" });
    const sub = await worker.subscribe(s, { queue: "workers", deleteAfterConsume: store });
    await (await worker.connection()).flush();
    const [sent] = await sender.smartsend(
      s,
      [
        ["a", pattern(700_000, 1), "binary"],
        ["b", pattern(700_000, 2), "binary"],
      ],
      { flush: true },
    );
    const urls = sent.payloads.map((p) => p.data as string);
    const iterator = sub[Symbol.asyncIterator]();
    const env = (await iterator.next()).value as ReceivedEnvelope;
    expect(same(env.payloads[1]![1], pattern(700_000, 2))).toBe(true);
    expect(await exists(urls[0]!)).toBe(true); // still there while the loop body runs
    // Asking for the next message ends the previous one: its blobs go.
    const next = iterator.next();
    const end = Date.now() + 5000;
    while ((await exists(urls[0]!)) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(await exists(urls[0]!)).toBe(false);
    expect(await exists(urls[1]!)).toBe(false);
    sub.unsubscribe();
    await next;
  });

  it("JetStream consume deletes the blobs once the ack is confirmed", async () => {
    const store = objectStore({ bucket });
    const stream = `OBJ_E2E_${process.pid}`;
    await ensureStream(nc as never, { name: stream, subjects: [`objstore.js.${process.pid}.>`] });
    const sender = bridge({ store });
    const [sent] = await sender.smartsend(`objstore.js.${process.pid}.a`, [["a", pattern(700_000, 4), "binary"]], {
      jetstream: { stream },
    });
    const { jetstreamManager } = await import("@nats-io/jetstream");
    await (await jetstreamManager(nc)).consumers.add(stream, { durable_name: "app", ack_policy: "explicit" });
    const consumer = bridge({ stores: [store] });
    let handled = 0;
    const consumption = await consumer.consume(stream, "app", () => void handled++, { deleteAfterConsume: store });
    const url = sent.payloads[0]!.data as string;
    const end = Date.now() + 10_000;
    while (((await exists(url)) || handled === 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    await consumption.stop();
    expect(handled).toBe(1);
    expect(await exists(url)).toBe(false);
  });
});

describe("bucket options", () => {
  it("creates the bucket with the TTL (max_age), storage and chunk size asked for", async () => {
    const name = `ttl_${process.pid}`;
    const store = objectStore({ bucket: name, ttl: 3600, chunkSize: 64 * 1024, storage: "memory", connection: nc });
    const { url, metadata } = await store.put(putRequest(300_000, { payloadId: "p1" }));
    const status = await (await objm.open(name)).status();
    expect(status.ttl).toBe(3600 * 1e9);
    expect(status.storage).toBe("memory");
    expect(metadata).toMatchObject({ nats_obj_bucket: name, nats_obj_name: "p1/x", expires_at: expect.any(String) });
    const info = await (await objm.open(name)).info(parseObjectUrl(url)!.name);
    expect(info).toMatchObject({ size: 300_000, chunks: 5, options: { max_chunk_size: 64 * 1024 } });
    await (await objm.open(name)).destroy();
  });

  it("refuses an existing bucket with another TTL (INVALID_OPTION) instead of ignoring the option", async () => {
    const name = `ttl_mismatch_${process.pid}`;
    await objm.create(name, { ttl: 60 * 1e9 });
    const store = objectStore({ bucket: name, ttl: 120, connection: nc });
    await expect(store.put(putRequest(10, { correlationId: "c-ttl" }))).rejects.toMatchObject({
      code: "INVALID_OPTION",
      correlationId: "c-ttl",
      details: { bucket: name, ttl: 60 },
    });
    // Without a TTL of its own, the store uses the bucket as it is.
    await expect(objectStore({ bucket: name, connection: nc }).put(putRequest(10))).resolves.toMatchObject({
      metadata: { expires_at: expect.any(String) },
    });
    await (await objm.open(name)).destroy();
  });

  it("a blob expires with its bucket's TTL: the link then fails with DOWNLOAD_FAILED", async () => {
    const name = `ttl_short_${process.pid}`;
    const store = objectStore({ bucket: name, ttl: 1, connection: nc });
    const { url } = await store.put(putRequest(1000));
    expect(await exists(url)).toBe(true);
    const end = Date.now() + 15_000;
    while ((await exists(url)) && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
    await expect(
      (async () => {
        for await (const _ of await store.get(url)) void _;
      })(),
    ).rejects.toMatchObject({ code: "DOWNLOAD_FAILED" });
    await (await objm.open(name)).destroy();
  });

  it("replicas beyond what a single server has: UPLOAD_FAILED from the server's refusal", async () => {
    const store = objectStore({ bucket: `replicas_${process.pid}`, replicas: 3, connection: nc });
    await expect(store.put(putRequest(10))).rejects.toMatchObject({
      code: "UPLOAD_FAILED",
      message: expect.stringMatching(/replicas|cluster|resources/i),
    });
  });

  it("create: false refuses to send to a missing bucket; bad options are INVALID_OPTION at once", async () => {
    const store = objectStore({ bucket: `missing_${process.pid}`, create: false, connection: nc });
    await expect(store.put(putRequest(10))).rejects.toMatchObject({ code: "UPLOAD_FAILED" });
    expect(() => objectStore({ bucket: "no.dots" })).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
    expect(() => objectStore({ bucket: "b", replicas: 0 })).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
    expect(() => objectStore({ bucket: "b", chunkSize: 10 })).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
    expect(() => objectStore({ bucket: "b", ttl: -1 })).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
  });

  it("a store with no connection of its own, used outside a bridge: INVALID_OPTION saying how to give it one", async () => {
    await expect(objectStore({ bucket }).put(putRequest(10))).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining("pass `connection`"),
    });
  });
});
