// Receive step 2 for link payloads (loaded on the first one, with
// download.ts): the bytes behind the URL, downloaded (the
// URL checked against the allowed origins first), fetched by the caller's
// download handler, or handed out as a PayloadStream to be read later. A
// buffered download is hashed while it arrives, so verifying it costs no
// second pass: the digest comes back with the bytes.

import { DownloadFailedError, errorInContext, isNatsBridgeError, linkPayloadUrl, toBytes, type WirePayload } from "@natsbridge/envelope";
import { downloadStream, downloadWithBackoff, type DownloadOptions } from "./download.js";
import { buildLinkPolicy, checkLinkUrl, type LinkPolicy } from "./link-policy.js";
import { redactUrl, type MessageLog } from "./logger.js";
import { resolveDownload, type SmartReceiveOptions } from "./options.js";
import { PayloadStream } from "./payload-stream.js";
import type { Platform } from "./platform/types.js";
import { STREAMABLE_TYPES } from "./source.js";

/** A payload's bytes and, when it was computed on the way, their SHA-256. */
export interface FetchedBytes {
  bytes: Uint8Array;
  sha256?: string | undefined;
}

export class LinkFetcher {
  readonly #platform: Platform;
  readonly #options: SmartReceiveOptions;
  readonly #fileserverUrl: string;
  readonly #correlationId: string;
  readonly #log: MessageLog;
  #policy: LinkPolicy | undefined;

  constructor(platform: Platform, options: SmartReceiveOptions, fileserverUrl: string, correlationId: string, log: MessageLog) {
    this.#platform = platform;
    this.#options = options;
    this.#fileserverUrl = fileserverUrl;
    this.#correlationId = correlationId;
    this.#log = log;
  }

  /** `stream: true` streams the binary family; a function decides for any link payload. */
  wantsStream(payload: WirePayload): boolean {
    const stream = this.#options.stream;
    if (typeof stream === "function") return stream(payload) === true;
    return stream === true && STREAMABLE_TYPES.has(payload.payload_type);
  }

  /** The whole payload in memory. */
  async fetch(payload: WirePayload): Promise<FetchedBytes> {
    const o = this.#options;
    const url = linkPayloadUrl(payload, this.#correlationId);
    this.#log.debug?.({ dataname: payload.dataname, url: redactUrl(url) }, "smartreceive: link payload, downloading");
    // A custom handler may speak another scheme (s3://...); it owns its URL policy.
    if (o.downloadHandler) return { bytes: await this.#viaHandler(payload, url) };
    checkLinkUrl(url, this.#linkPolicy(), this.#correlationId);
    try {
      const expected = o.verify !== false && typeof payload.metadata.sha256 === "string" && payload.metadata.sha256;
      const hash = expected ? this.#platform.createSha256() : undefined;
      const options = this.#downloadOptions(payload);
      const bytes = await downloadWithBackoff(this.#platform, url, hash ? { ...options, onChunk: (c) => hash.update(c) } : options);
      this.#log.debug?.({ dataname: payload.dataname, size: bytes.byteLength }, "smartreceive: downloaded");
      return { bytes, sha256: hash ? await hash.digest() : undefined };
    } catch (error) {
      throw errorInContext(error, { correlationId: this.#correlationId, dataname: payload.dataname });
    }
  }

  /** The payload as a PayloadStream: the URL is checked now, the download starts when the caller reads. */
  stream(payload: WirePayload): PayloadStream {
    const o = this.#options;
    const correlationId = this.#correlationId;
    const url = linkPayloadUrl(payload, correlationId);
    const sha256 = typeof payload.metadata.sha256 === "string" && payload.metadata.sha256 ? payload.metadata.sha256 : undefined;
    const info = { dataname: payload.dataname, payloadType: payload.payload_type, url, size: payload.size, sha256 };
    const checks = { platform: this.#platform, verify: o.verify !== false, correlationId };
    this.#log.debug?.({ dataname: payload.dataname, url: redactUrl(url) }, "smartreceive: link payload, handed out as a stream");
    if (o.downloadHandler) {
      const once = () => this.#viaHandler(payload, url);
      return new PayloadStream(info, async function* () {
        yield await once();
      }, checks);
    }
    checkLinkUrl(url, this.#linkPolicy(), correlationId);
    const platform = this.#platform;
    const options = this.#downloadOptions(payload);
    return new PayloadStream(info, async function* () {
      try {
        yield* downloadStream(platform, url, options);
      } catch (error) {
        throw errorInContext(error, { correlationId, dataname: payload.dataname });
      }
    }, checks);
  }

  // Built on the first link payload only: most messages have none.
  #linkPolicy(): LinkPolicy {
    const o = this.#options;
    return (this.#policy ??= buildLinkPolicy([this.#fileserverUrl, ...(o.store?.origins ?? []), ...(o.allowedOrigins ?? [])], o.allowAnyHost));
  }

  async #viaHandler(payload: WirePayload, url: string): Promise<Uint8Array> {
    const o = this.#options;
    const { maxRetries, baseDelay, maxDelay } = resolveDownload(o);
    try {
      const result = await o.downloadHandler!(url, maxRetries, baseDelay, maxDelay, this.#correlationId);
      return toBytes(result, "download handler result");
    } catch (cause) {
      const context = { correlationId: this.#correlationId, dataname: payload.dataname };
      if (isNatsBridgeError(cause)) throw errorInContext(cause, context);
      throw new DownloadFailedError(`download handler failed for '${payload.dataname}': ${String((cause as Error)?.message ?? cause)}`, {
        cause,
        ...context,
        details: { url: redactUrl(url) },
      });
    }
  }

  #downloadOptions(payload: WirePayload): DownloadOptions {
    const o = this.#options;
    return {
      ...resolveDownload(o),
      correlationId: this.#correlationId,
      ...(o.downloadHeaders ? { headers: o.downloadHeaders } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onDownloadRetry
        ? { onRetry: (r: { attempt: number; delayMs: number; reason: string }) => o.onDownloadRetry!({ dataname: payload.dataname, ...r }) }
        : {}),
      ...(o.onDownloadProgress
        ? {
            onProgress: (receivedBytes: number, totalBytes: number | undefined) =>
              o.onDownloadProgress!({ dataname: payload.dataname, receivedBytes, totalBytes }),
          }
        : {}),
    };
  }
}
