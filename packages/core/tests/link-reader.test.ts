// Which reader reads a link URL, and the retry/resume/limit rules of a store
// read (link-reader.ts), with small in-memory readers: the dispatch itself,
// not a server, is under test here (every store runs testStore against its
// real server).

import { type ClaimCheckReader, type ClaimCheckStore, createBridge } from "@natsbridge/core";
import { createEnvelope, createLinkPayload, DownloadFailedError, serializeEnvelope } from "@natsbridge/envelope";
import { describe, expect, it } from "vitest";
import type { DownloadOptions } from "../src/download.js";
import { buildLinkPolicy } from "../src/link-policy.js";
import { downloadHandlerReader, openLink, receiveReaders } from "../src/link-reader.js";
import { offlinePlatform } from "./offline-platform.js";

const noHttp = offlinePlatform(() => Promise.reject(new Error("no HTTP in this test")));
const options = (extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
  maxRetries: 5,
  baseDelay: 1,
  maxDelay: 2,
  attemptTimeout: 2000,
  maxBytes: 1_000_000,
  sleep: async () => undefined,
  ...extra,
});
const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
const open = (url: string, readers: ClaimCheckReader[], allowed: string[] = []) =>
  openLink(url, {
    platform: noHttp,
    readers,
    policy: () => buildLinkPolicy(allowed),
    connection: () => Promise.reject(new Error("no NATS")),
  });

/** A reader of `mem://` URLs that breaks after `breakAfter` bytes on its first `failures` reads. */
function memoryReader(failures = 0, breakAfter = 300): ClaimCheckReader & { offsets: number[] } {
  const offsets: number[] = [];
  let left = failures;
  return {
    name: "memory",
    offsets,
    owns: (url) => url.startsWith("mem://"),
    async *get(_url, o = {}) {
      const offset = o.offset ?? 0;
      offsets.push(offset);
      const failing = left-- > 0;
      for (let i = offset; i < bytes.byteLength; i += 100) {
        if (failing && i >= offset + breakAfter) throw new Error("connection reset");
        yield bytes.subarray(i, Math.min(i + 100, bytes.byteLength));
      }
    },
  };
}

describe("openLink: who reads a URL", () => {
  it("the owner's get reads it", async () => {
    const link = open("mem://a", [memoryReader()]);
    expect(link.via).toBe("memory");
    expect(Buffer.compare(await link.bytes(options()), bytes)).toBe(0);
  });

  it("a non-http link nobody reads is URL_NOT_ALLOWED naming the store to configure", () => {
    expect(() => open("nats-obj://claims/x/y.bin", [])).toThrow(
      expect.objectContaining({
        code: "URL_NOT_ALLOWED",
        details: expect.objectContaining({ scheme: "nats-obj:", store: "objectStore() from @natsbridge/objstore" }),
      }),
    );
    expect(() => open("nats-obj://claims/x", [])).toThrow(/objectStore\(\) from @natsbridge\/objstore/);
    expect(() => open("s3://bucket/key", [memoryReader()])).toThrow(
      expect.objectContaining({ code: "URL_NOT_ALLOWED", details: expect.objectContaining({ store: "s3Store() from @natsbridge/s3" }) }),
    );
    expect(() => open("ftp://host/x", [])).toThrow(
      expect.objectContaining({ code: "URL_NOT_ALLOWED", details: expect.objectContaining({ scheme: "ftp:" }) }),
    );
  });

  it("an http URL an owner without get vouches for is allowed; others are checked against the allowlist", () => {
    const vouching: ClaimCheckReader = { name: "origin-only", owns: (url) => url.startsWith("http://files.internal:8080/") };
    expect(open("http://files.internal:8080/a/b", [vouching]).via).toBe("http");
    expect(() => open("http://elsewhere.internal/a", [vouching])).toThrow(expect.objectContaining({ code: "URL_NOT_ALLOWED" }));
    // Vouching never lifts the scheme check.
    const greedy: ClaimCheckReader = { name: "greedy", owns: () => true };
    expect(() => open("file:///etc/passwd", [greedy])).toThrow(expect.objectContaining({ code: "URL_NOT_ALLOWED" }));
  });

  it("an owns() that throws owns nothing", () => {
    const broken: ClaimCheckReader = {
      name: "broken",
      owns: () => {
        throw new Error("bad URL");
      },
      get: async function* () {},
    };
    expect(() => open("mem://a", [broken])).toThrow(expect.objectContaining({ code: "URL_NOT_ALLOWED" }));
  });

  it("order: store, then stores, then the download handler, which reads whatever no store with get owns", () => {
    const store = { name: "store", owns: (u: string) => u.startsWith("mem://"), put: async () => ({ url: "" }) } as ClaimCheckStore;
    const readers = receiveReaders({ store, stores: [memoryReader()], downloadHandler: async () => new Uint8Array(0) });
    expect(readers.map((r) => r.name)).toEqual(["store", "memory", "download-handler"]);
    // The store owns mem:// but cannot read it; the memory reader can.
    expect(open("mem://a", readers).via).toBe("memory");
    expect(open("http://anywhere.example/x", readers).via).toBe("download-handler");
  });
});

describe("reading through a store", () => {
  it("a broken read is retried from where it stopped (offset), and the caller sees every byte once", async () => {
    const reader = memoryReader(2);
    const retries: number[] = [];
    const link = open("mem://a", [reader]);
    const got = await link.bytes(options({ onRetry: (r) => void retries.push(r.attempt) }));
    expect(Buffer.compare(got, bytes)).toBe(0);
    expect(reader.offsets).toEqual([0, 300, 600]);
    expect(retries).toEqual([1, 2]);
  });

  it("after all attempts: DOWNLOAD_FAILED naming the store, attempts and reasons", async () => {
    const link = open("mem://a", [memoryReader(10)]);
    await expect(link.bytes(options({ maxRetries: 3 }))).rejects.toMatchObject({
      code: "DOWNLOAD_FAILED",
      details: { store: "memory", attempts: 3, receivedBytes: 900 },
    });
  });

  it("a typed error from the store is final (no retry)", async () => {
    let calls = 0;
    const gone: ClaimCheckReader = {
      name: "gone",
      owns: () => true,
      get: () => {
        calls++;
        throw new DownloadFailedError("no such blob");
      },
    };
    await expect(open("mem://a", [gone]).bytes(options())).rejects.toMatchObject({ code: "DOWNLOAD_FAILED", message: "no such blob" });
    expect(calls).toBe(1);
  });

  it("a stalled store is cut off after attemptTimeout and retried", async () => {
    let calls = 0;
    const stalling: ClaimCheckReader = {
      name: "stalling",
      owns: () => true,
      async *get(_url, o = {}) {
        if (calls++ === 0) {
          yield bytes.subarray(0, 100);
          await new Promise((r) => setTimeout(r, 60_000));
        }
        yield bytes.subarray(o.offset ?? 0);
      },
    };
    const started = Date.now();
    const got = await open("mem://a", [stalling]).bytes(options({ attemptTimeout: 100 }));
    expect(Buffer.compare(got, bytes)).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("a ReadableStream from get works too", async () => {
    const web: ClaimCheckReader = {
      name: "web",
      owns: () => true,
      get: () =>
        new ReadableStream<Uint8Array>({
          start: (c) => {
            c.enqueue(bytes);
            c.close();
          },
        }),
    };
    expect(Buffer.compare(await open("mem://a", [web]).bytes(options()), bytes)).toBe(0);
  });

  it("more bytes than maxBytes: SIZE_LIMIT_EXCEEDED", async () => {
    await expect(open("mem://a", [memoryReader()]).bytes(options({ maxBytes: 500 }))).rejects.toMatchObject({
      code: "SIZE_LIMIT_EXCEEDED",
    });
  });

  it("an aborted receive is ABORTED", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(open("mem://a", [memoryReader()]).bytes(options({ signal: controller.signal }))).rejects.toMatchObject({
      code: "ABORTED",
    });
  });

  it("the references' download handler gets their arguments and its failure is DOWNLOAD_FAILED, not retried", async () => {
    const calls: unknown[][] = [];
    const handler = downloadHandlerReader(
      async (...args) => {
        calls.push(args);
        throw new Error("handler broke");
      },
      { maxRetries: 3, baseDelay: 10, maxDelay: 20 },
    );
    await expect(
      openLink("http://x.example/a", {
        platform: noHttp,
        readers: [handler],
        policy: () => buildLinkPolicy([]),
        connection: () => Promise.reject(new Error()),
        correlationId: "c1",
      }).bytes(options({ correlationId: "c1" })),
    ).rejects.toMatchObject({ code: "DOWNLOAD_FAILED" });
    expect(calls).toEqual([["http://x.example/a", 3, 10, 20, "c1"]]);
  });
});

describe("smartreceive with stores", () => {
  const envelopeWith = (url: string, size: number) =>
    serializeEnvelope(
      createEnvelope({
        sendTo: "s",
        correlationId: "corr-store",
        payloads: [createLinkPayload({ id: "p", dataname: "blob", payloadType: "binary", url, size, metadata: {} })],
      }),
    ).json;

  it("reads a link through the store that owns it, passing the bridge's connection", async () => {
    const seen: unknown[] = [];
    const reader: ClaimCheckReader = {
      name: "conn",
      owns: (u) => u.startsWith("mem://"),
      async *get(_url, o = {}) {
        seen.push(typeof o.connection, o.correlationId);
        yield bytes;
      },
    };
    const bridge = createBridge({ stores: [reader], fileserverUrl: "http://127.0.0.1:9" });
    const env = await bridge.smartreceive(envelopeWith("mem://x", bytes.byteLength));
    expect(Buffer.compare(env.payloads[0]![1] as Uint8Array, bytes)).toBe(0);
    expect(seen).toEqual(["function", "corr-store"]);
  });

  it("a nats-obj:// link with no store for it fails with URL_NOT_ALLOWED naming the object store, with the message context", async () => {
    const bridge = createBridge({ fileserverUrl: "http://127.0.0.1:9" });
    await expect(bridge.smartreceive(envelopeWith("nats-obj://claims/p/blob", 10))).rejects.toMatchObject({
      code: "URL_NOT_ALLOWED",
      correlationId: "corr-store",
      dataname: "blob",
      details: { store: "objectStore() from @natsbridge/objstore" },
    });
    await expect(bridge.smartreceive(envelopeWith("nats-obj://claims/p/blob", 10), { stream: true })).rejects.toMatchObject({
      code: "URL_NOT_ALLOWED",
    });
  });
});
