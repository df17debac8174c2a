// The link (claim-check) transport end to end: a real nats-server (global
// setup) and a real nginx WebDAV file server per file, no fakes. Covers mixed
// messages, streamed sends and receives, integrity checks on tampered files,
// retries across a stopped or failing server, the URL allowlist, upload
// failures that publish nothing, and cleanup.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  type ClaimCheckStore,
  createBridge,
  fileSource,
  httpStore,
  type NatsBridge,
  type NatsBridgeError,
  PayloadStream,
  type ReceivedEnvelope,
  type SmartReceiveOptions,
  type WirePayload,
} from "@natsbridge/core";
import { pattern } from "@natsbridge/core/testing";
import { freePort, type NginxDav, startNginxDav } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { spyStore } from "./spy-store.js";

const natsUrl = inject("natsUrl");
let bridge: NatsBridge;
let raw: NatsConnection;
let nginx: NginxDav;
let store: ClaimCheckStore;
let seq = 0;
const subject = () => `test.link.${process.pid}.${++seq}`;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const tmp = mkdtempSync(join(tmpdir(), "natsbridge-link-test-"));

beforeAll(async () => {
  nginx = await startNginxDav();
  store = httpStore({ baseUrl: `${nginx.url}/blobs` });
  // Receivers allow the file server through `fileserverUrl`, as the references configure it.
  bridge = createBridge({ brokerUrl: natsUrl, fileserverUrl: nginx.url, store, maxDelay: 400 });
  raw = await connect({ servers: natsUrl });
});
afterAll(async () => {
  await bridge?.close();
  await raw?.drain();
  await nginx?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

/** Publish through smartsend and hand back the raw message bytes as a subscriber got them. */
async function sendAndCatch(send: (subject: string) => Promise<unknown>): Promise<Uint8Array> {
  const s = subject();
  const sub = raw.subscribe(s, { max: 1 });
  await raw.flush();
  await send(s);
  for await (const m of sub) return m.data;
  throw new Error("no message");
}

const linkInfo = (env: ReceivedEnvelope, name: string): WirePayload => env.payloadInfo.find((p) => p.dataname === name)!;

describe("mixed message over nats-server + nginx", () => {
  it("text + image direct, a 10 MB binary by link; checksums and sizes travel and are verified", async () => {
    const image = pattern(40_000, 3);
    const big = pattern(10 * 1024 * 1024, 4);
    const uploads: number[] = [];
    const data = await sendAndCatch((s) =>
      bridge.smartsend(
        s,
        [
          ["caption", "a picture and a big file", "text"],
          ["thumb", image, "image"],
          ["dump", big, "binary"],
        ],
        { onUploadProgress: (p) => void uploads.push(p.sentBytes) },
      ),
    );
    const downloads: number[] = [];
    const env = await bridge.smartreceive(data, { onDownloadProgress: (p) => void downloads.push(p.receivedBytes) });
    expect(env.payloadInfo.map((p) => p.transport)).toEqual(["direct", "direct", "link"]);
    expect(env.payloads[0]![1]).toBe("a picture and a big file");
    expect(Buffer.compare(env.payloads[1]![1] as Uint8Array, image)).toBe(0);
    expect(Buffer.compare(env.payloads[2]![1] as Uint8Array, big)).toBe(0);
    const link = linkInfo(env, "dump");
    // The references' fields stay as they are; sha256 and payload_bytes are additions.
    expect(link).toMatchObject({ encoding: "none", size: big.byteLength, metadata: { sha256: sha(big), payload_bytes: big.byteLength } });
    // Direct payloads: no sha256 by default (checksum: "link").
    expect(linkInfo(env, "thumb").metadata.sha256).toBeUndefined();
    expect(existsSync(nginx.pathFor(link.data as string))).toBe(true);
    expect(uploads.at(-1)).toBe(big.byteLength);
    expect(downloads.at(-1)).toBe(big.byteLength);
  });

  it("bytes in memory are hashed while they upload; a store with sha256BeforePut gets the digest with the put", async () => {
    const big = pattern(6 * 1024 * 1024, 5);
    for (const sha256BeforePut of [false, true]) {
      const seen: (string | undefined)[] = [];
      const recording: ClaimCheckStore = {
        ...store,
        sha256BeforePut,
        put: (req) => {
          seen.push(req.sha256);
          return store.put(req);
        },
      };
      const data = await sendAndCatch((s) => bridge.smartsend(s, [["big", big, "binary"]], { store: recording }));
      expect(seen).toEqual([sha256BeforePut ? sha(big) : undefined]);
      const env = await bridge.smartreceive(data);
      expect(linkInfo(env, "big").metadata.sha256).toBe(sha(big));
      expect(Buffer.compare(env.payloads[0]![1] as Uint8Array, big)).toBe(0);
    }
  });

  it("alwaysLink sends even a one-word text by link", async () => {
    const data = await sendAndCatch((s) => bridge.smartsend(s, [["hi", "hello", "text"]], { alwaysLink: true }));
    const env = await bridge.smartreceive(data);
    expect(env.payloadInfo[0]!.transport).toBe("link");
    expect(env.payloads[0]![1]).toBe("hello");
  });
});

describe("streaming", () => {
  it("sends a file, a ReadableStream, an async iterable and a Blob without buffering, all by link", async () => {
    const fileBytes = pattern(6 * 1024 * 1024 + 5, 7);
    const path = join(tmp, "clip.mp4");
    writeFileSync(path, fileBytes);
    const rs = pattern(700_001, 8);
    const it = pattern(300_000, 9);
    const blob = pattern(200_000, 10);
    async function* iterable() {
      for (let i = 0; i < it.byteLength; i += 65_536) yield it.subarray(i, i + 65_536);
    }
    const data = await sendAndCatch((s) =>
      bridge.smartsend(s, [
        ["clip", fileSource(path), "video"],
        ["rs", new Blob([rs]).stream(), "binary"],
        ["it", iterable(), "audio"],
        ["blob", new Blob([blob]), "image"],
      ]),
    );
    const env = await bridge.smartreceive(data);
    expect(env.payloadInfo.map((p) => p.transport)).toEqual(["link", "link", "link", "link"]);
    for (const [name, bytes] of [
      ["clip", fileBytes],
      ["rs", rs],
      ["it", it],
      ["blob", blob],
    ] as const) {
      const info = linkInfo(env, name);
      expect(info.size).toBe(bytes.byteLength);
      expect(info.metadata.sha256).toBe(sha(bytes));
      expect(Buffer.compare(env.payloads.find((p) => p[0] === name)![1] as Uint8Array, bytes)).toBe(0);
    }
  });

  it("receives a link payload as a PayloadStream (verified), and direct payloads as values", async () => {
    const big = pattern(5 * 1024 * 1024, 11);
    const data = await sendAndCatch((s) =>
      bridge.smartsend(
        s,
        [
          ["note", "n", "text"],
          ["big", big, "binary"],
        ],
        { sizeThreshold: 1000 },
      ),
    );
    const env = await bridge.smartreceive(data, { stream: true });
    expect(env.payloads[0]![1]).toBe("n");
    const stream = env.payloads[1]![1] as PayloadStream;
    expect(stream).toBeInstanceOf(PayloadStream);
    expect(stream.size).toBe(big.byteLength);
    expect(stream.sha256).toBe(sha(big));
    const hash = createHash("sha256");
    let n = 0;
    for await (const chunk of stream) {
      hash.update(chunk);
      n += chunk.byteLength;
    }
    expect(n).toBe(big.byteLength);
    expect(hash.digest("hex")).toBe(sha(big));
    // Single use.
    expect(() => stream[Symbol.asyncIterator]()).toThrow(expect.objectContaining({ code: "INVALID_DATA" }));
  });

  it("a predicate chooses which payloads stream; readable() gives a web ReadableStream", async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ i, name: `row ${i}` }));
    const big = pattern(800_000, 12);
    const data = await sendAndCatch((s) =>
      bridge.smartsend(
        s,
        [
          ["rows", rows, "jsontable"],
          ["big", big, "binary"],
        ],
        { sizeThreshold: 1000 },
      ),
    );
    const env = await bridge.smartreceive(data, { stream: (p) => p.dataname === "rows" });
    const rowsStream = env.payloads[0]![1] as PayloadStream;
    const text = await new Response(rowsStream.readable()).text();
    expect(JSON.parse(text)).toEqual(rows);
    expect(Buffer.compare(env.payloads[1]![1] as Uint8Array, big)).toBe(0);
  });

  it("a streamed receive resumes after the file server restarts mid-download", async () => {
    const big = pattern(48 * 1024 * 1024, 13);
    const data = await sendAndCatch((s) => bridge.smartsend(s, [["big", big, "binary"]]));
    const env = await bridge.smartreceive(data, { stream: true, baseDelay: 50, maxDelay: 200 });
    const stream = env.payloads[0]![1] as PayloadStream;
    const hash = createHash("sha256");
    let n = 0;
    let restarted = false;
    for await (const chunk of stream) {
      hash.update(chunk);
      n += chunk.byteLength;
      if (!restarted && n > 1024 * 1024) {
        restarted = true;
        await nginx.restart(); // drops the connection in the middle of the body
      }
    }
    expect(n).toBe(big.byteLength);
    expect(hash.digest("hex")).toBe(sha(big));
  });
});

describe("integrity", () => {
  async function sendBig(name = "big", size = 2_000_000) {
    const big = pattern(size, 21);
    const data = await sendAndCatch((s) => bridge.smartsend(s, [[name, big, "binary"]]));
    const url = (JSON.parse(new TextDecoder().decode(data)).payloads[0] as WirePayload).data as string;
    return { data, url, big };
  }

  // 2 MB hashes on the receiving thread; 6 MB on Node's body worker (4 MiB and up).
  it.each([2_000_000, 6_000_000])("a tampered stored file of %i bytes gives CHECKSUM_MISMATCH (buffered and streamed)", async (size) => {
    const { data, url } = await sendBig("big", size);
    const file = nginx.pathFor(url);
    const bytes = readFileSync(file);
    bytes[1000] = bytes[1000]! ^ 0xff;
    writeFileSync(file, bytes);
    await expect(bridge.smartreceive(data)).rejects.toMatchObject({ code: "CHECKSUM_MISMATCH", dataname: "big" });
    const env = await bridge.smartreceive(data, { stream: true });
    const error = await (env.payloads[0]![1] as PayloadStream).bytes().catch((e: NatsBridgeError) => e);
    expect(error).toMatchObject({ code: "CHECKSUM_MISMATCH", correlationId: env.correlation_id });
  });

  it("a truncated stored file gives SIZE_MISMATCH", async () => {
    const { data, url } = await sendBig();
    truncateSync(nginx.pathFor(url), 1_000_000);
    await expect(bridge.smartreceive(data)).rejects.toMatchObject({
      code: "SIZE_MISMATCH",
      details: { expected: 2_000_000, actual: 1_000_000 },
    });
    const env = await bridge.smartreceive(data, { stream: true });
    await expect((env.payloads[0]![1] as PayloadStream).bytes()).rejects.toMatchObject({ code: "SIZE_MISMATCH" });
  });

  it("maxDownloadBytes refuses a larger link payload with SIZE_LIMIT_EXCEEDED", async () => {
    const { data } = await sendBig();
    await expect(bridge.smartreceive(data, { maxDownloadBytes: 1_000_000 })).rejects.toMatchObject({ code: "SIZE_LIMIT_EXCEEDED" });
  });
});

describe("retries against a real server", () => {
  const fast: SmartReceiveOptions = { baseDelay: 100, maxDelay: 400 };

  it("retries 5xx answers until the server recovers", async () => {
    const data = (await sendAndCatch((s) => bridge.smartsend(s, [["x", pattern(600_000), "binary"]]))) as Uint8Array;
    nginx.setFailure(503);
    setTimeout(() => nginx.setFailure(null), 250);
    try {
      const env = await bridge.smartreceive(data, fast);
      expect((env.payloads[0]![1] as Uint8Array).byteLength).toBe(600_000);
    } finally {
      nginx.setFailure(null);
    }
  });

  it("retries refused connections while the server is down, and succeeds once it is back", async () => {
    const data = await sendAndCatch((s) => bridge.smartsend(s, [["x", pattern(600_000), "binary"]]));
    await nginx.stop();
    const started = Date.now();
    const back = new Promise<void>((resolve, reject) => setTimeout(() => nginx.start().then(resolve, reject), 300));
    const env = await bridge.smartreceive(data, fast);
    await back;
    expect((env.payloads[0]![1] as Uint8Array).byteLength).toBe(600_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("gives DOWNLOAD_FAILED with url, attempts and correlation id when the server stays down", async () => {
    const data = await sendAndCatch((s) => bridge.smartsend(s, [["x", pattern(600_000), "binary"]], { correlationId: "corr-down" }));
    await nginx.stop();
    try {
      const error = await bridge.smartreceive(data, { baseDelay: 20, maxDelay: 50 }).catch((e: NatsBridgeError) => e);
      expect(error).toMatchObject({ code: "DOWNLOAD_FAILED", correlationId: "corr-down", dataname: "x", details: { attempts: 5 } });
      expect((error as NatsBridgeError).details.url).toContain(nginx.url);
    } finally {
      await nginx.start();
    }
  });

  it("does not retry a 404 (e.g. a file already deleted)", async () => {
    const { data, url } = await (async () => {
      const d = await sendAndCatch((s) => bridge.smartsend(s, [["x", pattern(600_000), "binary"]]));
      return { data: d, url: (JSON.parse(new TextDecoder().decode(d)).payloads[0] as WirePayload).data as string };
    })();
    rmSync(nginx.pathFor(url));
    await expect(bridge.smartreceive(data, fast)).rejects.toMatchObject({ code: "DOWNLOAD_FAILED", details: { attempts: 1, status: 404 } });
  });
});

describe("URL allowlist", () => {
  let other: Server;
  let hits = 0;
  let otherUrl: string;
  beforeAll(async () => {
    other = createServer((_, res) => {
      hits++;
      res.end("should never be fetched");
    });
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
    otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => other.close(() => r())));

  const envelopeWith = async (url: string) => {
    const [env] = await bridge.smartsend("unused", [["x", "placeholder", "text"]], { isPublish: false });
    Object.assign(env.payloads[0]!, { transport: "link", encoding: "none", data: url, metadata: {} });
    delete env.payloads[0]!.size;
    return JSON.stringify(env);
  };

  it("refuses a link to another host with URL_NOT_ALLOWED and never fetches it", async () => {
    for (const stream of [false, true]) {
      await expect(bridge.smartreceive(await envelopeWith(`${otherUrl}/file`), { stream })).rejects.toMatchObject({
        code: "URL_NOT_ALLOWED",
      });
    }
    await expect(bridge.smartreceive(await envelopeWith("file:///etc/passwd"))).rejects.toMatchObject({ code: "URL_NOT_ALLOWED" });
    expect(hits).toBe(0);
  });

  it("fetches it once its origin is in allowedOrigins", async () => {
    const env = await bridge.smartreceive(await envelopeWith(`${otherUrl}/file`), { allowedOrigins: [otherUrl] });
    expect(env.payloads[0]![1]).toBe("should never be fetched");
    expect(hits).toBe(1);
  });
});

describe("upload failures and cleanup", () => {
  it("an unreachable file server gives UPLOAD_FAILED with the correlation id, and nothing is published", async () => {
    const dead = httpStore({ baseUrl: `http://127.0.0.1:${await freePort()}` });
    const s = subject();
    const seen: unknown[] = [];
    const sub = raw.subscribe(s, { callback: (_, m) => void seen.push(m) });
    await raw.flush();
    await expect(
      bridge.smartsend(s, [["big", pattern(600_000), "binary"]], { store: dead, correlationId: "corr-up" }),
    ).rejects.toMatchObject({ code: "UPLOAD_FAILED", correlationId: "corr-up", dataname: "big" });
    await (await bridge.connection()).flush();
    await raw.flush();
    sub.unsubscribe();
    expect(seen).toEqual([]);
  });

  it("when a later payload fails, blobs already uploaded are deleted and nothing is published", async () => {
    const spy = spyStore(store, "spy");
    async function* broken() {
      yield pattern(1000);
      throw new Error("camera unplugged");
    }
    await expect(
      bridge.smartsend(
        subject(),
        [
          ["first", pattern(600_000), "binary"],
          ["second", broken(), "video"],
        ],
        { store: spy },
      ),
    ).rejects.toMatchObject({ code: "UPLOAD_FAILED", dataname: "second" });
    expect(spy.urls).toHaveLength(1);
    expect(existsSync(nginx.pathFor(spy.urls[0]!))).toBe(false);
  });

  it("stream data needs a store: PAYLOAD_TOO_LARGE without one", async () => {
    await expect(
      createBridge({ brokerUrl: natsUrl }).smartsend(subject(), [["b", new Blob([pattern(10)]), "binary"]], { isPublish: false }),
    ).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });

  it("a file that does not exist gives INVALID_DATA", async () => {
    await expect(bridge.smartsend(subject(), [["f", fileSource(join(tmp, "missing.bin")), "binary"]])).rejects.toMatchObject({
      code: "INVALID_DATA",
      dataname: "f",
    });
  });
});

describe("reference-style handlers plug in unchanged", () => {
  it("an upload handler (fileserverUrl, dataname, bytes) → {status, url} and a download handler (url, retries, base, max, correlationId)", async () => {
    const calls: unknown[][] = [];
    const uploadHandler = async (fileserverUrl: string, dataname: string, bytes: Uint8Array) => {
      const url = `${fileserverUrl}/handler/${Date.now()}/${encodeURIComponent(dataname)}`;
      const res = await fetch(url, { method: "PUT", body: Buffer.from(bytes) });
      return { status: res.status === 201 ? 200 : res.status, uploadid: "u", fileid: "f", url };
    };
    const downloadHandler = async (url: string, maxRetries: number, baseDelay: number, maxDelay: number, correlationId: string) => {
      calls.push([maxRetries, baseDelay, maxDelay, correlationId]);
      return new Uint8Array(await (await fetch(url)).arrayBuffer());
    };
    const big = pattern(700_000, 31);
    const data = await sendAndCatch((s) =>
      createBridge({ brokerUrl: natsUrl, fileserverUrl: nginx.url }).smartsend(s, [["big", big, "binary"]], {
        uploadHandler,
        correlationId: "corr-h",
      }),
    );
    const env = await bridge.smartreceive(data, { downloadHandler });
    expect(Buffer.compare(env.payloads[0]![1] as Uint8Array, big)).toBe(0);
    expect(calls).toEqual([[5, 100, 400, "corr-h"]]);
  });
});
