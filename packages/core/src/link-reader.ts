// Reading a link payload: which reader reads its URL, and the read itself.
//
// The receive path hands each link URL to `openLink`. The readers the receiver
// was given (options `store` and `stores`, then the references' download
// handler as a reader that owns every URL) are asked in turn whether they
// `owns` it. The first owner with a `get` reads it; a URL owned only by
// stores without `get` is read by the built-in HTTP GET, its origin allowed;
// a URL nobody owns goes to the HTTP GET under the allowlist (file server,
// allowedOrigins, allowAnyHost).
// Either way the same retry schedule, time limit per chunk, size limit and
// resumption after a broken read apply (store-read.ts, download.ts: both
// loaded on the first link payload). Nothing here knows any store.

import type { CollectedBody } from "./body-buffer.js";
import type { DownloadOptions } from "./download.js";
import { checkLinkUrl, type LinkPolicy } from "./link-policy.js";
import type { SmartReceiveOptions } from "./options.js";
import type { Platform } from "./platform/types.js";
import { type ClaimCheckReader, type ConnectionProvider, type DownloadHandler, ownsUrl } from "./store.js";
import type { HandlerRetries } from "./store-read.js";

export interface LinkReadContext {
  platform: Platform;
  /** Asked in order whether they own the URL (see `receiveReaders`). */
  readers: readonly ClaimCheckReader[];
  /** The HTTP allowlist, built on first use. */
  policy: () => LinkPolicy;
  /** The receiving bridge's connection, for stores that read through NATS. */
  connection: ConnectionProvider;
  correlationId?: string;
}

/** A link URL, checked and ready to read. Each call of `chunks` or `bytes` is a new read. */
export interface LinkRead {
  /** Who reads it: a store's name, or "http". */
  readonly via: string;
  /** The bytes as chunks, retried and resumed as needed. */
  chunks(options: DownloadOptions): AsyncGenerator<Uint8Array>;
  /** The whole blob in memory; `expectedSize` (the envelope's) lets it fill one buffer. */
  bytes(options: DownloadOptions, expectedSize?: number): Promise<Uint8Array>;
  /** The same, with the blob's SHA-256 (computed as it arrives) when `sha256`. */
  read(options: DownloadOptions, expected: { size?: number | undefined; sha256: boolean }): Promise<CollectedBody>;
}

/**
 * The readers a receive consults, in order: `store`, then `stores`, then the
 * references' `downloadHandler` (which owns every URL, so it replaces the
 * built-in HTTP GET as it always did).
 */
export function receiveReaders(
  o: Pick<SmartReceiveOptions, "store" | "stores" | "downloadHandler" | "maxRetries" | "baseDelay" | "maxDelay">,
): ClaimCheckReader[] {
  return [...(o.store ? [o.store] : []), ...(o.stores ?? []), ...(o.downloadHandler ? [downloadHandlerReader(o.downloadHandler, o)] : [])];
}

/**
 * A reference-style download handler as a reader. It owns every URL (a custom
 * handler has its own URL policy and may speak another scheme, as it always
 * did) and does its own retries, so its failures are final: DOWNLOAD_FAILED,
 * or the typed error it threw. The code is loaded with the first read.
 */
export function downloadHandlerReader(handler: DownloadHandler, retries: HandlerRetries = {}): ClaimCheckReader {
  return {
    name: "download-handler",
    owns: () => true,
    get: async (url, options = {}) => (await import("./store-read.js")).readWithHandler(handler, retries, url, options),
  };
}

/**
 * Decide now how `url` is read, so that a refused URL fails the receive at
 * once (URL_NOT_ALLOWED) even when the bytes are read later (streams).
 */
export function openLink(url: string, ctx: LinkReadContext): LinkRead {
  const reader = ctx.readers.find((r) => r.get && ownsUrl(r, url));
  if (!reader) {
    // A store vouches for the URLs it owns: any host (metadata addresses still
    // need listing), while the scheme check stays.
    const policy = ctx.policy();
    checkLinkUrl(url, ctx.readers.some((r) => ownsUrl(r, url)) ? { ...policy, allowAnyHost: true } : policy, ctx.correlationId);
  }
  const { platform, connection } = ctx;
  return {
    via: reader?.name ?? "http",
    async *chunks(options) {
      if (reader) yield* (await import("./store-read.js")).readFromStore(reader, url, options, connection);
      else yield* (await import("./download.js")).downloadStream(platform, url, options);
    },
    async bytes(options, expectedSize) {
      return (await this.read(options, { size: expectedSize, sha256: false })).bytes;
    },
    async read(options, expected) {
      if (!reader) return (await import("./download.js")).downloadBody(platform, url, options, expected.sha256);
      const { collectBody, readFromStore } = await import("./store-read.js");
      return collectBody(platform, { sha256: expected.sha256, maxBytes: options.maxBytes, expectedSize: expected.size }, () =>
        readFromStore(reader, url, options, connection),
      );
    },
  };
}
