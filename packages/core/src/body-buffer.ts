// One body's chunks joined into one Uint8Array: filled in place once the
// body's length is known, else collected and joined once at the end. Used by
// the HTTP download (download.ts) and by store reads (store-read.ts), through
// BodyCollector, which also hashes the body when asked and hands large ones
// to the platform's body sink (Node: a worker thread).

import { concatBytes } from "@natsbridge/envelope";
import type { BodySink, Platform } from "./platform/types.js";

export class BodyBuffer {
  #exact: Uint8Array | undefined;
  readonly #chunks: Uint8Array[] = [];
  #received = 0;

  /** Sizes the buffer when the length is known before the first chunk (and is at most `maxBytes`). */
  expect(size: number | undefined, maxBytes = Number.POSITIVE_INFINITY): void {
    if (this.#received === 0 && size !== undefined && Number.isSafeInteger(size) && size <= maxBytes) this.#exact = new Uint8Array(size);
  }

  push(chunk: Uint8Array): void {
    if (this.#exact && this.#received + chunk.byteLength <= this.#exact.byteLength) this.#exact.set(chunk, this.#received);
    else {
      // More bytes than expected (or no length known): switch to collecting chunks.
      if (this.#exact) {
        this.#chunks.push(this.#exact.subarray(0, this.#received));
        this.#exact = undefined;
      }
      this.#chunks.push(chunk);
    }
    this.#received += chunk.byteLength;
  }

  bytes(): Uint8Array {
    const exact = this.#exact;
    if (exact) return this.#received === exact.byteLength ? exact : exact.subarray(0, this.#received);
    return concatBytes(this.#chunks, this.#received);
  }
}

/** A body in memory and, when it was asked for, its SHA-256. */
export interface CollectedBody {
  bytes: Uint8Array;
  sha256?: string | undefined;
}

/**
 * A body collected on this thread (BodyBuffer, hashed chunk by chunk) or, once
 * its length is known and the platform offers one, in a body sink.
 */
export class BodyCollector {
  readonly #platform: Platform;
  readonly #sha256: boolean;
  readonly #buffer = new BodyBuffer();
  #sink: BodySink | undefined;
  #hash: ReturnType<Platform["createSha256"]> | undefined;
  #received = 0;

  constructor(platform: Platform, sha256: boolean) {
    this.#platform = platform;
    this.#sha256 = sha256;
  }

  /** The length, when known before the first chunk (and at most `maxBytes`). */
  expect(size: number | undefined, maxBytes = Number.POSITIVE_INFINITY): void {
    if (this.#received > 0 || this.#sink || size === undefined || !Number.isSafeInteger(size) || size > maxBytes) return;
    this.#sink = this.#platform.bodySink?.(size, this.#sha256);
    if (!this.#sink) {
      this.#buffer.expect(size, maxBytes);
      if (this.#sha256) this.#hash ??= this.#platform.createSha256(size);
    }
  }

  push(chunk: Uint8Array): void {
    this.#received += chunk.byteLength;
    if (this.#sink) {
      this.#sink.push(chunk);
      return;
    }
    if (this.#sha256) {
      this.#hash ??= this.#platform.createSha256();
      this.#hash.update(chunk);
    }
    this.#buffer.push(chunk);
  }

  async result(): Promise<CollectedBody> {
    if (this.#sink) return this.#sink.finish();
    if (this.#sha256) this.#hash ??= this.#platform.createSha256();
    return { bytes: this.#buffer.bytes(), sha256: await this.#hash?.digest() };
  }

  /** The read failed: let go of what was collected. */
  discard(): void {
    this.#sink?.discard();
  }
}

/**
 * All the chunks `read` gives in memory. `expectedSize` (when plausible)
 * sizes the buffer; `read` may tell the collector the length itself
 * (`body.expect`), e.g. from a Content-Length.
 */
export async function collectBody(
  platform: Platform,
  options: { sha256: boolean; maxBytes: number; expectedSize?: number | undefined },
  read: (body: BodyCollector) => AsyncIterable<Uint8Array>,
): Promise<CollectedBody> {
  const body = new BodyCollector(platform, options.sha256);
  body.expect(options.expectedSize, options.maxBytes);
  try {
    for await (const chunk of read(body)) body.push(chunk);
    return await body.result();
  } catch (error) {
    body.discard();
    throw error;
  }
}
