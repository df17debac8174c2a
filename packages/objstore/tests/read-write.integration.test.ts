// How the store reads and writes on the run's real nats-server: reads by
// Direct Get (no consumer), the consumer read kept for a bucket without
// allow_direct, objects laid out as every NATS client reads them, a write cut
// off midway purging what it wrote, and a digest that does not match.
import { createHash } from "node:crypto";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers } from "@nats-io/nats-core";
import { Base64UrlPaddedCodec, Objm, setSha256Backend } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { pattern } from "@natsbridge/core/testing";
import { isNatsBridgeError } from "@natsbridge/envelope";
import { objectStore, parseObjectUrl } from "@natsbridge/objstore";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { BucketHandles } from "../src/bucket.js";
import { CleanupTimeoutError, removeLeftovers } from "../src/leftovers.js";

const natsUrl = inject("natsUrl");
const connections: NatsConnection[] = [];
let nc: NatsConnection;
let seq = 0;

beforeAll(async () => {
  nc = await connect({ servers: natsUrl });
});
afterAll(async () => {
  await Promise.all([nc, ...connections].map((c) => c.close()));
});

/** A connection of its own (a store opens its bucket once per connection). */
async function freshConnection(): Promise<NatsConnection> {
  const c = await connect({ servers: natsUrl });
  connections.push(c);
  return c;
}

const request = (body: Uint8Array | AsyncIterable<Uint8Array>, size?: number) => {
  const n = ++seq;
  return { dataname: `blob${n}.bin`, payloadType: "binary", body, size, correlationId: `c${n}`, msgId: `m${n}`, payloadId: `p${n}` };
};

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

/** The JetStream API requests `connection` sees while `work` runs, by kind. */
async function apiRequestsDuring(work: () => Promise<void>): Promise<{ consumer: number; direct: number }> {
  const spy = await freshConnection();
  const seen = { consumer: 0, direct: 0 };
  const consumerSub = spy.subscribe("$JS.API.CONSUMER.>", { callback: () => void seen.consumer++ });
  const directSub = spy.subscribe("$JS.API.DIRECT.GET.>", { callback: () => void seen.direct++ });
  await spy.flush();
  await work();
  await spy.flush();
  consumerSub.unsubscribe();
  directSub.unsubscribe();
  return seen;
}

/** Reads a whole object, counting the JetStream API requests the read made. */
async function readWatchingApi(store: ReturnType<typeof objectStore>, url: string) {
  let read: Uint8Array = new Uint8Array();
  const seen = await apiRequestsDuring(async () => {
    read = await readAll(await store.get!(url));
  });
  return { read, seen };
}

describe("reads", () => {
  it("go through Direct Get: no consumer is created on the bucket's stream, the bytes come back whole", async () => {
    const bucket = `direct_${process.pid}`;
    const store = objectStore({ bucket, chunkSize: 16 * 1024, connection: await freshConnection() });
    const body = pattern(100_000);
    const { url } = await store.put(request(body));
    const { read, seen } = await readWatchingApi(store, url);
    expect(Buffer.compare(read, body)).toBe(0);
    expect(seen.consumer).toBe(0);
    // The meta message, then 7 chunks (100,000 bytes in 16 KiB chunks).
    expect(seen.direct).toBe(8);
    const info = await (await jetstreamManager(nc)).streams.info(`OBJ_${bucket}`);
    expect(info.config.allow_direct).toBe(true);
    expect(info.state.consumer_count).toBe(0);
  });

  it("from an offset skip the bytes before it", async () => {
    const store = objectStore({ bucket: `direct_${process.pid}`, chunkSize: 16 * 1024, connection: await freshConnection() });
    const body = pattern(50_000);
    const { url } = await store.put(request(body));
    expect(Buffer.compare(await readAll(await store.get(url, { offset: 20_000 })), body.subarray(20_000))).toBe(0);
    expect((await readAll(await store.get(url, { offset: 50_000 }))).byteLength).toBe(0);
  });

  it("of a bucket without allow_direct go through a consumer, with the same bytes", async () => {
    const bucket = `nodirect_${process.pid}`;
    const writer = objectStore({ bucket, chunkSize: 16 * 1024, connection: await freshConnection() });
    const body = pattern(40_000);
    const { url } = await writer.put(request(body));
    const jsm = await jetstreamManager(nc);
    const { config } = await jsm.streams.info(`OBJ_${bucket}`);
    await jsm.streams.update(`OBJ_${bucket}`, { ...config, allow_direct: false });
    const reader = objectStore({ bucket, connection: await freshConnection() });
    const { read, seen } = await readWatchingApi(reader, url);
    expect(Buffer.compare(read, body)).toBe(0);
    expect(seen.direct).toBe(0);
    expect(seen.consumer).toBeGreaterThan(0);
  });

  it("of an object whose bytes do not match its digest fail with CHECKSUM_MISMATCH", async () => {
    const bucket = `direct_${process.pid}`;
    const store = objectStore({ bucket, connection: await freshConnection() });
    const { url } = await store.put(request(pattern(1000)));
    const name = parseObjectUrl(url)!.name;
    // The meta message again, with the digest of other bytes (what a corrupted chunk would show).
    const metaSubject = `$O.${bucket}.M.${Base64UrlPaddedCodec.encode(name)}`;
    const stored = await (await jetstreamManager(nc)).streams.getMessage(`OBJ_${bucket}`, { last_by_subj: metaSubject });
    const meta = {
      ...stored!.json<Record<string, unknown>>(),
      digest: `SHA-256=${createHash("sha256").update("other").digest("base64url")}=`,
    };
    const rollup = headers();
    rollup.set("Nats-Rollup", "sub");
    await jetstream(nc).publish(metaSubject, JSON.stringify(meta), { headers: rollup });
    const error = await readAll(await store.get(url)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isNatsBridgeError(error) && error.code).toBe("CHECKSUM_MISMATCH");
  });

  it("of a name no object has are DOWNLOAD_FAILED", async () => {
    const store = objectStore({ bucket: `direct_${process.pid}`, connection: await freshConnection() });
    const error = await store.get(`nats-obj://direct_${process.pid}/no/such.bin`).catch((e: unknown) => e);
    expect(isNatsBridgeError(error) && error.code).toBe("DOWNLOAD_FAILED");
  });
});

describe("writes", () => {
  it("are laid out as every NATS client reads them: @nats-io/obj reads the object and checks its digest", async () => {
    const bucket = `layout_${process.pid}`;
    const store = objectStore({ bucket, chunkSize: 16 * 1024, connection: await freshConnection() });
    const body = pattern(70_000);
    const { url } = await store.put(request(body));
    const objects = await new Objm(nc).open(bucket);
    const name = parseObjectUrl(url)!.name;
    const info = await objects.info(name);
    expect({ size: info?.size, chunks: info?.chunks, max_chunk_size: info?.options?.max_chunk_size }).toEqual({
      size: 70_000,
      chunks: 5,
      max_chunk_size: 16 * 1024,
    });
    expect(info?.digest).toBe(`SHA-256=${createHash("sha256").update(body).digest("base64url")}=`);
    expect(Buffer.compare(Buffer.from((await objects.getBlob(name))!), body)).toBe(0);
  });

  it("hash with the backend @nats-io/obj is set to: node:crypto writes and checks the same digest", async () => {
    const bucket = `layout_${process.pid}`;
    const store = objectStore({ bucket, chunkSize: 16 * 1024, connection: await freshConnection() });
    const body = pattern(40_000);
    setSha256Backend("native");
    try {
      const { url } = await store.put(request(body));
      const info = await (await new Objm(nc).open(bucket)).info(parseObjectUrl(url)!.name);
      expect(info?.digest).toBe(`SHA-256=${createHash("sha256").update(body).digest("base64url")}=`);
      expect(Buffer.compare(await readAll(await store.get(url)), body)).toBe(0);
    } finally {
      setSha256Backend("js");
    }
  });

  it("cut off midway purge the chunks they wrote: UPLOAD_FAILED and nothing left in the bucket", async () => {
    const bucket = `cut_${process.pid}`;
    const store = objectStore({ bucket, chunkSize: 16 * 1024, connection: await freshConnection() });
    await store.put(request(pattern(10)));
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.streams.info(`OBJ_${bucket}`)).state.messages;
    async function* failingBody() {
      for (let i = 0; i < 3; i++) yield pattern(16 * 1024);
      throw new Error("the source broke");
    }
    const error = await store.put(request(failingBody())).catch((e: unknown) => e);
    expect(isNatsBridgeError(error) && error.code).toBe("UPLOAD_FAILED");
    expect((error as Error).message).toContain("the source broke");
    expect((await jsm.streams.info(`OBJ_${bucket}`)).state.messages).toBe(before);
  });

  it("whose clean-up cannot reach the stream give up within the time allowed", async () => {
    const h: BucketHandles = {
      bucket: "never_created",
      stream: `OBJ_never_created_${process.pid}`,
      nc,
      js: jetstream(nc),
      jsm: await jetstreamManager(nc),
      allowDirect: true,
    };
    const started = Date.now();
    const error = await removeLeftovers(h, ["$O.never_created.C.x"], 1500).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CleanupTimeoutError);
    expect(Date.now() - started).toBeLessThan(4000);
  });
});
