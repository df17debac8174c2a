// The claim-check store conformance suite (`@natsbridge/core/testing`). Every
// store — http, plik, s3, your own — runs the same cases against a real server,
// in the style of unstorage's `testDriver`. Needs vitest (an optional peer).

import { isNatsBridgeError } from "@natsbridge/envelope";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadWithBackoff } from "../download.js";
import { nodePlatform } from "../platform/node.js";
import type { ClaimCheckPutRequest, ClaimCheckPutResult, ClaimCheckStore } from "../store.js";

export interface StoreTestOptions {
  /** Suite title, e.g. "http (nginx)". */
  name: string;
  /**
   * Makes the store under test, once for the suite, with its server already
   * running. `cleanup` runs after the last case.
   */
  create: () => Promise<StoreUnderTest> | StoreUnderTest;
  /** The store's URLs serve a single GET (Plik one-shot uploads). Default false. */
  oneShot?: boolean;
  /** Reads a stored blob back. Default: an HTTP GET of the URL without credentials, as receivers do. */
  read?: (url: string) => Promise<Uint8Array>;
  /** Size of the large case in bytes. Default 12 MiB. */
  largeSize?: number;
  /** Per-case timeout in ms. Default 60000. */
  timeout?: number;
}

export interface StoreUnderTest {
  store: ClaimCheckStore;
  cleanup?: () => Promise<void>;
}

/**
 * Registers the conformance cases (vitest `describe`/`it`) for one store:
 * put bytes / ReadableStream / async iterable and read back, a large streamed
 * body, an empty body, awkward datanames, unique URLs per put, progress
 * callbacks, abort before and during an upload, a failing source, delete, and
 * one-shot or repeatable reads.
 *
 * ```ts
 * import { testStore } from "@natsbridge/core/testing";
 * testStore({
 *   name: "s3 (versitygw)",
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
  const read = options.read ?? httpRead;
  let sut: StoreUnderTest;
  let n = 0;
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
      ...extra,
    });
  };

  describe(`store conformance: ${options.name}`, () => {
    beforeAll(async () => {
      sut = await options.create();
    }, timeout);
    afterAll(async () => {
      await sut?.cleanup?.();
    }, timeout);

    it(
      "has a name and hands out http(s) URLs on its declared origins",
      async () => {
        expect(typeof sut.store.name).toBe("string");
        expect(sut.store.name.length).toBeGreaterThan(0);
        const { url, metadata } = await put(pattern(10));
        const parsed = new URL(url);
        expect(["http:", "https:"]).toContain(parsed.protocol);
        if (sut.store.origins) expect(sut.store.origins.map((o) => new URL(o).origin)).toContain(parsed.origin);
        // Metadata goes into the envelope as JSON.
        if (metadata !== undefined) expect(JSON.parse(JSON.stringify(metadata))).toEqual(metadata);
      },
      timeout,
    );

    it(
      "put(Uint8Array) → GET returns the same bytes",
      async () => {
        const bytes = pattern(100_003);
        const { url } = await put(bytes);
        expect(equalBytes(await read(url), bytes)).toBe(true);
      },
      timeout,
    );

    it(
      "put(ReadableStream) of unannounced size → same bytes",
      async () => {
        const bytes = pattern(300_001);
        const { url } = await put(toReadable(bytes, 16_384));
        expect(equalBytes(await read(url), bytes)).toBe(true);
      },
      timeout,
    );

    it(
      "put(AsyncIterable) with announced size → same bytes",
      async () => {
        const bytes = pattern(250_000);
        const { url } = await put(chunked(bytes, 10_000), { size: bytes.byteLength });
        expect(equalBytes(await read(url), bytes)).toBe(true);
      },
      timeout,
    );

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
      "rejects at once when the signal is already aborted",
      async () => {
        const controller = new AbortController();
        controller.abort();
        await expect(put(pattern(1000), { signal: controller.signal })).rejects.toBeTruthy();
      },
      timeout,
    );

    it(
      "rejects promptly when aborted during a streamed upload",
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
        await expect(put(endless(), { signal: controller.signal })).rejects.toBeTruthy();
        expect(Date.now() - started).toBeLessThan(10_000);
      },
      timeout,
    );

    it(
      "rejects when the source stream fails",
      async () => {
        async function* failing() {
          yield pattern(65_536);
          throw new Error("source broke");
        }
        await expect(put(failing())).rejects.toBeTruthy();
      },
      timeout,
    );

    if (options.oneShot) {
      it(
        "one-shot: the first GET succeeds, the second fails",
        async () => {
          const { url } = await put(pattern(2000));
          expect((await read(url)).byteLength).toBe(2000);
          await expect(read(url)).rejects.toBeTruthy();
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

    it(
      "delete removes the blob, and deleting it again does not throw",
      async (ctx) => {
        if (!sut.store.delete) return ctx.skip();
        const { url } = await put(pattern(2000));
        await sut.store.delete(url);
        const error = await read(url).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeTruthy();
        await sut.store.delete(url);
      },
      timeout,
    );
  });
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
