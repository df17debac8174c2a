// The claim-check store conformance suite (`@natsbridge/core/testing`). Every
// store — http, plik, s3, the object store, your own — runs the same cases
// against a real server, in the style of unstorage's `testDriver`. Every
// failure case expects its exact error code. Needs vitest (an optional peer).

import { isNatsBridgeError, type WirePayload } from "@natsbridge/envelope";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DownloadOptions, downloadWithBackoff } from "../download.js";
import { deleteConsumed } from "../lifecycle.js";
import { buildLinkPolicy } from "../link-policy.js";
import { openLink } from "../link-reader.js";
import { nodePlatform } from "../platform/node.js";
import type { ClaimCheckPutRequest, ClaimCheckPutResult, ClaimCheckStore, ConnectionProvider } from "../store.js";

export interface StoreTestOptions {
  /** Suite title, e.g. "http (nginx)". */
  name: string;
  /**
   * Makes the store under test, once for the suite, with its server already
   * running. `cleanup` runs after the last case.
   */
  create: () => Promise<StoreUnderTest> | StoreUnderTest;
  /**
   * Makes a store of the same kind that cannot work (its server refuses it or
   * is unreachable: wrong credentials, a closed port, a closed connection) and
   * a URL that store owns. Enables the cases that expect UPLOAD_FAILED,
   * DELETE_FAILED and DOWNLOAD_FAILED from a broken server.
   */
  failing?: () => Promise<FailingStore> | FailingStore;
  /**
   * The optional methods of the contract this store implements. The suite
   * checks the store has exactly these, and runs the cases of each one: a
   * store's missing capability is declared, never skipped.
   */
  capabilities: readonly StoreCapability[];
  /** The store's URLs serve a single GET (Plik one-shot uploads). Default false. */
  oneShot?: boolean;
  /**
   * Reads a stored blob back. Default: as a receiver given only this store
   * does — the store's `get` for URLs it owns, else a plain HTTP GET without
   * credentials (and without retries).
   */
  read?: (url: string) => Promise<Uint8Array>;
  /** Size of the large case in bytes. Default 12 MiB. */
  largeSize?: number;
  /** Per-case timeout in ms. Default 60000. */
  timeout?: number;
}

/** The optional methods of `ClaimCheckStore`. */
export type StoreCapability = "get" | "owns" | "delete";

export interface StoreUnderTest {
  store: ClaimCheckStore;
  /** The NATS connection core would pass to the store (stores that live in NATS need it). */
  connection?: ConnectionProvider;
  cleanup?: () => Promise<void>;
}

export interface FailingStore {
  store: ClaimCheckStore;
  /** A URL the failing store owns (its put cannot make one). */
  url: string;
  connection?: ConnectionProvider;
  cleanup?: () => Promise<void>;
}

/**
 * Registers the conformance cases (vitest `describe`/`it`) for one store:
 * put bytes / ReadableStream / async iterable and read back, a large streamed
 * body, an empty body, awkward datanames, unique URLs per put, progress,
 * abort before and during an upload (ABORTED), a failing source
 * (UPLOAD_FAILED), `owns` (its own URLs yes, others no), `get` (whole, from
 * an offset, aborted), one-shot or repeatable reads, delete (the blob is gone:
 * DOWNLOAD_FAILED; deleting twice is fine), delete-after-consume through
 * core's `deleteConsumed`, and with `failing` the refusals of a broken server.
 *
 * ```ts
 * import { testStore } from "@natsbridge/core/testing";
 * testStore({
 *   name: "s3 (versitygw)",
 *   capabilities: ["get", "owns", "delete"],
 *   create: async () => {
 *     const server = await startGateway();
 *     return { store: s3Store({ ... }), cleanup: () => server.dispose() };
 *   },
 * });
 * ```
 */
export function testStore(options: StoreTestOptions): void {
  const timeout = options.timeout ?? 60_000;
  const largeSize = options.largeSize ?? 12 * 1024 * 1024;
  let sut: StoreUnderTest;
  let n = 0;
  const read = (url: string) => (options.read ? options.read(url) : receiverRead(sut.store, url, sut.connection));
  const put = (body: ClaimCheckPutRequest["body"], extra: Partial<ClaimCheckPutRequest> = {}): Promise<ClaimCheckPutResult> => {
    n++;
    return sut.store.put({
      dataname: `conformance-${n}.bin`,
      payloadType: "binary",
      body,
      correlationId: `corr-${n}`,
      msgId: `msg-${n}`,
      payloadId: `${Date.now().toString(36)}-${n}-${Math.random().toString(36).slice(2)}`,
      ...(body instanceof Uint8Array ? { size: body.byteLength } : {}),
      ...(sut.connection ? { connection: sut.connection } : {}),
      ...extra,
    });
  };
  const withConnection = (connection: ConnectionProvider | undefined) => (connection ? { connection } : {});

  const has = (...needed: StoreCapability[]) => needed.every((c) => options.capabilities.includes(c));
  /** `it` for the cases of a capability: registered only when the store declares it. */
  const itWith = (needed: StoreCapability[], name: string, fn: () => Promise<void>, ms: number) => {
    if (has(...needed)) it(name, fn, ms);
  };

  describe(`store conformance: ${options.name}`, () => {
    beforeAll(async () => {
      sut = await options.create();
    }, timeout);
    afterAll(async () => {
      await sut?.cleanup?.();
    }, timeout);

    it("has exactly the optional methods it declares (get, owns, delete)", () => {
      for (const method of ["get", "owns", "delete"] as const) {
        expect(typeof sut.store[method] === "function", `${method}`).toBe(has(method));
      }
    });

    it(
      "has a name and hands out URLs it owns, with JSON metadata",
      async () => {
        expect(typeof sut.store.name).toBe("string");
        expect(sut.store.name.length).toBeGreaterThan(0);
        const { url, metadata } = await put(pattern(10));
        expect(() => new URL(url)).not.toThrow();
        if (sut.store.owns) expect(sut.store.owns(url)).toBe(true);
        else expect(["http:", "https:"]).toContain(new URL(url).protocol);
        // Metadata goes into the envelope as JSON.
        if (metadata !== undefined) expect(JSON.parse(JSON.stringify(metadata))).toEqual(metadata);
      },
      timeout,
    );

    itWith(
      ["owns"],
      "owns neither other servers' URLs nor garbage, and does not throw for them",
      async () => {
        for (const foreign of [
          "http://foreign.invalid/natsbridge/x/y.bin",
          "https://203.0.113.9:9/file/a/b/c",
          "nats-obj://not-this-bucket-x/y",
          "s3://not-this-bucket-x/y",
          "not a url",
          "",
        ]) {
          expect(sut.store.owns!(foreign), foreign).toBe(false);
        }
      },
      timeout,
    );

    it(
      "a store that cannot read its URLs over plain HTTP has get",
      async () => {
        const { url } = await put(pattern(10));
        const protocol = new URL(url).protocol;
        if (protocol !== "http:" && protocol !== "https:") {
          expect(typeof sut.store.get).toBe("function");
          expect(typeof sut.store.owns).toBe("function");
        }
      },
      timeout,
    );

    // The same bytes back from each kind of body a put accepts.
    const bodyKinds: [title: string, size: number, put: (bytes: Uint8Array) => Promise<ClaimCheckPutResult>][] = [
      ["put(Uint8Array) → read returns the same bytes", 100_003, (bytes) => put(bytes)],
      ["put(ReadableStream) of unannounced size → same bytes", 300_001, (bytes) => put(toReadable(bytes, 16_384))],
      ["put(AsyncIterable) with announced size → same bytes", 250_000, (bytes) => put(chunked(bytes, 10_000), { size: bytes.byteLength })],
    ];
    for (const [title, size, putAs] of bodyKinds) {
      it(
        title,
        async () => {
          const bytes = pattern(size);
          const { url } = await putAs(bytes);
          expect(equalBytes(await read(url), bytes)).toBe(true);
        },
        timeout,
      );
    }

    it(
      `a large body (${largeSize} bytes) streamed in 64 KiB chunks comes back intact`,
      async () => {
        const bytes = pattern(largeSize);
        const { url } = await put(chunked(bytes, 65_536), { size: largeSize });
        const back = await read(url);
        expect(back.byteLength).toBe(largeSize);
        expect(await nodePlatform.sha256(back)).toBe(await nodePlatform.sha256(bytes));
      },
      timeout,
    );

    it(
      "an empty body round-trips",
      async () => {
        const { url } = await put(new Uint8Array(0));
        expect((await read(url)).byteLength).toBe(0);
      },
      timeout,
    );

    it.each(["with space.bin", "ünïcødé €.txt", "a/b\\c.bin", "..", "q?x=1&y=2#frag%20.bin", "日本語のファイル"])(
      "dataname %j round-trips",
      async (dataname) => {
        const bytes = pattern(1000);
        const { url } = await put(bytes, { dataname });
        if (sut.store.owns) expect(sut.store.owns(url)).toBe(true);
        expect(equalBytes(await read(url), bytes)).toBe(true);
      },
      timeout,
    );

    it(
      "two puts with the same dataname get different URLs and keep their own bytes",
      async () => {
        const a = pattern(5000, 1);
        const b = pattern(5000, 2);
        const [ra, rb] = await Promise.all([put(a, { dataname: "same.bin" }), put(b, { dataname: "same.bin" })]);
        expect(ra.url).not.toBe(rb.url);
        expect(equalBytes(await read(ra.url), a)).toBe(true);
        expect(equalBytes(await read(rb.url), b)).toBe(true);
      },
      timeout,
    );

    it(
      "reports progress: non-decreasing, ending at the size",
      async () => {
        const bytes = pattern(3 * 1024 * 1024 + 7);
        const seen: number[] = [];
        await put(bytes, { onProgress: (sent) => void seen.push(sent) });
        expect(seen.length).toBeGreaterThan(0);
        for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
        expect(seen[seen.length - 1]).toBe(bytes.byteLength);
      },
      timeout,
    );

    it(
      "rejects with ABORTED at once when the signal is already aborted",
      async () => {
        const controller = new AbortController();
        controller.abort();
        await expect(put(pattern(1000), { signal: controller.signal })).rejects.toMatchObject({ code: "ABORTED" });
      },
      timeout,
    );

    it(
      "rejects with ABORTED promptly when aborted during a streamed upload",
      async () => {
        const controller = new AbortController();
        const started = Date.now();
        async function* endless() {
          for (let i = 0; ; i++) {
            if (i === 3) setTimeout(() => controller.abort(), 10);
            yield pattern(65_536, i);
            await new Promise((r) => setTimeout(r, 20));
          }
        }
        await expect(put(endless(), { signal: controller.signal })).rejects.toMatchObject({ code: "ABORTED" });
        expect(Date.now() - started).toBeLessThan(10_000);
      },
      timeout,
    );

    it(
      "rejects with UPLOAD_FAILED when the source stream fails",
      async () => {
        async function* failing() {
          yield pattern(65_536);
          throw new Error("source broke");
        }
        await expect(put(failing())).rejects.toMatchObject({ code: "UPLOAD_FAILED" });
      },
      timeout,
    );

    if (options.oneShot) {
      it(
        "one-shot: the first read succeeds, the second fails with DOWNLOAD_FAILED",
        async () => {
          const { url } = await put(pattern(2000));
          expect((await read(url)).byteLength).toBe(2000);
          await expect(read(url)).rejects.toMatchObject({ code: "DOWNLOAD_FAILED" });
        },
        timeout,
      );
    } else {
      it(
        "a URL can be read more than once (fan-out, retried downloads)",
        async () => {
          const bytes = pattern(2000);
          const { url } = await put(bytes);
          expect(equalBytes(await read(url), bytes)).toBe(true);
          expect(equalBytes(await read(url), bytes)).toBe(true);
        },
        timeout,
      );
    }

    itWith(
      ["get"],
      "get reads a blob whole and from an offset",
      async () => {
        const bytes = pattern(700_001, 3);
        const { url } = await put(bytes);
        expect(equalBytes(await drain(sut.store.get!(url, withConnection(sut.connection))), bytes)).toBe(true);
        if (options.oneShot) return;
        for (const offset of [1, 131_072, 400_000, 700_000, 700_001]) {
          const rest = await drain(sut.store.get!(url, { offset, ...withConnection(sut.connection) }));
          expect(equalBytes(rest, bytes.subarray(offset)), `offset ${offset}`).toBe(true);
        }
      },
      timeout,
    );

    itWith(
      ["get"],
      "get rejects with ABORTED when the signal is already aborted",
      async () => {
        const { url } = await put(pattern(2000));
        const controller = new AbortController();
        controller.abort();
        await expect(drain(sut.store.get!(url, { signal: controller.signal, ...withConnection(sut.connection) }))).rejects.toMatchObject({
          code: "ABORTED",
        });
      },
      timeout,
    );

    itWith(
      ["delete"],
      "delete removes the blob (a read is DOWNLOAD_FAILED), and deleting it again does not throw",
      async () => {
        const { url } = await put(pattern(2000));
        await sut.store.delete!(url, withConnection(sut.connection));
        await expect(read(url)).rejects.toMatchObject({ code: "DOWNLOAD_FAILED" });
        await sut.store.delete!(url, withConnection(sut.connection));
      },
      timeout,
    );

    itWith(
      ["delete", "owns"],
      "delete-after-consume (core's deleteConsumed) deletes the store's own links only",
      async () => {
        const mine = await put(pattern(3000, 5));
        const kept = await put(pattern(3000, 6));
        const foreign = "http://foreign.invalid/natsbridge/elsewhere.bin";
        const result = await deleteConsumed(
          sut.store,
          { correlation_id: "corr-lifecycle", payloadInfo: [linkInfo(mine.url), linkInfo(foreign), directInfo()] },
          withConnection(sut.connection),
        );
        expect(result).toEqual({ deleted: [mine.url], skipped: [foreign], failed: [] });
        await expect(read(mine.url)).rejects.toMatchObject({ code: "DOWNLOAD_FAILED" });
        expect(equalBytes(await read(kept.url), pattern(3000, 6))).toBe(true);
      },
      timeout,
    );

    if (options.failing) {
      describe("a store whose server refuses it or is gone", () => {
        let broken: FailingStore;
        beforeAll(async () => {
          broken = await options.failing!();
        }, timeout);
        afterAll(async () => {
          await broken?.cleanup?.();
        }, timeout);
        const request = (): ClaimCheckPutRequest => ({
          dataname: "refused.bin",
          payloadType: "binary",
          body: pattern(1000),
          size: 1000,
          correlationId: "corr-refused",
          msgId: "msg-refused",
          payloadId: `refused-${Math.random().toString(36).slice(2)}`,
          ...withConnection(broken.connection),
        });

        it(
          "put rejects with UPLOAD_FAILED",
          async () => {
            await expect(broken.store.put(request())).rejects.toMatchObject({ code: "UPLOAD_FAILED" });
          },
          timeout,
        );

        itWith(
          ["delete"],
          "delete rejects with DELETE_FAILED",
          async () => {
            if (broken.store.owns) expect(broken.store.owns(broken.url)).toBe(true);
            await expect(broken.store.delete!(broken.url, withConnection(broken.connection))).rejects.toMatchObject({
              code: "DELETE_FAILED",
            });
          },
          timeout,
        );

        itWith(
          ["delete", "owns"],
          "deleteConsumed reports the failure as DELETE_FAILED and does not throw",
          async () => {
            const result = await deleteConsumed(
              broken.store,
              { correlation_id: "corr-refused", payloadInfo: [linkInfo(broken.url)] },
              withConnection(broken.connection),
            );
            expect(result.deleted).toEqual([]);
            expect(result.failed.map((f) => [f.url, f.error.code, f.error.correlationId])).toEqual([
              [broken.url, "DELETE_FAILED", "corr-refused"],
            ]);
          },
          timeout,
        );

        it(
          "a receiver's read rejects with DOWNLOAD_FAILED",
          async () => {
            await expect(receiverRead(broken.store, broken.url, broken.connection)).rejects.toMatchObject({ code: "DOWNLOAD_FAILED" });
          },
          timeout,
        );
      });
    }
  });
}

/** A link payload's info as smartreceive reports it, for deleteConsumed. */
function linkInfo(url: string): WirePayload {
  return {
    id: url,
    dataname: "blob",
    payload_type: "binary",
    transport: "link",
    encoding: "none",
    size: 0,
    data: url,
    metadata: {},
  } as WirePayload;
}

function directInfo(): WirePayload {
  return {
    id: "direct",
    dataname: "small",
    payload_type: "text",
    transport: "direct",
    encoding: "base64",
    size: 2,
    data: undefined,
    metadata: {},
  } as unknown as WirePayload;
}

/** One read attempt, no retries: long enough for the large case, short enough to fail fast. */
const ONE_ATTEMPT: DownloadOptions = {
  maxRetries: 1,
  baseDelay: 0,
  maxDelay: 0,
  attemptTimeout: 30_000,
  maxBytes: Number.MAX_SAFE_INTEGER,
};

/**
 * Reads `url` as a receiver given only `store` does (one attempt): the store's
 * `get` when it owns the URL, else a plain HTTP GET without credentials.
 */
export async function receiverRead(store: ClaimCheckStore, url: string, connection?: ConnectionProvider): Promise<Uint8Array> {
  const link = openLink(url, {
    platform: nodePlatform,
    readers: [store],
    // Only what the store owns; anything else must still be a plain http(s) URL.
    policy: () => buildLinkPolicy([], true),
    connection: connection ?? (() => Promise.reject(new Error("this test gave the store no NATS connection"))),
  });
  return link.bytes(ONE_ATTEMPT);
}

async function drain(body: ReturnType<NonNullable<ClaimCheckStore["get"]>>): Promise<Uint8Array> {
  const opened = await body;
  const chunks: Uint8Array[] = [];
  if (typeof (opened as ReadableStream<Uint8Array>).getReader === "function") {
    const reader = (opened as ReadableStream<Uint8Array>).getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value);
  } else {
    for await (const chunk of opened as AsyncIterable<Uint8Array>) chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** GET with no credentials and no retries, as a receiver would (one attempt). */
export async function httpRead(url: string): Promise<Uint8Array> {
  try {
    return await downloadWithBackoff(nodePlatform, url, {
      maxRetries: 1,
      baseDelay: 0,
      maxDelay: 0,
      attemptTimeout: 30_000,
      maxBytes: Number.MAX_SAFE_INTEGER,
    });
  } catch (error) {
    if (isNatsBridgeError(error)) throw error;
    throw new Error(`GET ${url} failed: ${String(error)}`);
  }
}

/** Deterministic bytes that differ per offset and per seed (so swapped blobs are noticed). */
export function pattern(size: number, seed = 0): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}

export function toReadable(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}
