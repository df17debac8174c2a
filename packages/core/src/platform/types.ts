// What differs between Node and the browser, gathered in one object so that the
// shared code never imports a Node- or browser-only module. The Node entry
// (index.ts) wires in @nats-io/transport-node, undici, node:crypto and pino;
// the browser entry wires in @nats-io/nats-core (websockets), fetch and Web
// Crypto. Both clients are nats.js v3 and share the types of @nats-io/nats-core.

import type { ConnectionOptions, NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "../logger.js";

export interface HttpGetResult {
  status: number;
  /** Response headers, lower-cased names. */
  headers: Record<string, string | undefined>;
  /** The body as a stream of chunks; must be consumed or cancelled. */
  body: AsyncIterable<Uint8Array>;
  /** Discard the body (on error statuses). */
  dump(): Promise<void>;
}

/** Where a body's chunks go to become one Uint8Array, with its SHA-256 when asked for. */
export interface BodySink {
  push(chunk: Uint8Array): void;
  finish(): Promise<{ bytes: Uint8Array; sha256?: string | undefined }>;
  /** The transfer failed: let go of what was collected. */
  discard(): void;
}

export interface HttpGetOptions {
  signal: AbortSignal;
  headers?: Record<string, string>;
}

export interface Platform {
  readonly name: "node" | "browser";
  connect(options: ConnectionOptions): Promise<NatsConnection>;
  /** SHA-256 of the bytes as lower-case hex; synchronous where the platform can hash in place (Node). */
  sha256(bytes: Uint8Array): string | Promise<string>;
  /**
   * SHA-256 of bytes in memory without holding the thread for long: started
   * before an upload of the same bytes, it runs alongside it (Node: on a
   * worker thread; browsers: Web Crypto). Without it, `sha256` is used.
   */
  sha256Async?(bytes: Uint8Array): Promise<string>;
  /**
   * An incremental SHA-256 for bodies that go by chunk. Given `size` (the
   * expected length), Node hashes large bodies on a worker thread; without
   * it, on the calling thread.
   */
  createSha256(size?: number): { update(chunk: Uint8Array): void; digest(): Promise<string> };
  /**
   * A sink for a body of about `size` bytes that takes the assembly (and the
   * hashing) off the calling thread (Node: a worker thread, for large
   * bodies), or undefined to collect on this thread.
   */
  bodySink?(size: number, sha256: boolean): BodySink | undefined;
  /** One HTTP GET, without redirects being followed silently into other hosts. */
  httpGet(url: string, options: HttpGetOptions): Promise<HttpGetResult>;
  /** Environment variable lookup (Node's process.env; nothing in browsers). */
  env(name: string): string | undefined;
  /**
   * The logger used when none is passed, at $NATSBRIDGE_LOG_LEVEL (warn when
   * unset: warnings and errors show, debug lines do not). Node's is pino on
   * stderr; the browser's writes warnings and errors to the console, so that
   * pino stays out of page bundles (pass `logger` for more).
   */
  defaultLogger(level: string | undefined): Logger;
}
