// Receive step 2 for link payloads (loaded on the first one): the bytes behind
// the URL, read by the store or download handler that owns it (link-reader.ts)
// or downloaded by HTTP GET once the URL passed the allowed origins, or handed
// out as a PayloadStream to be read later. A buffered read is hashed while it
// arrives, so verifying it costs no second pass: the digest comes back with
// the bytes.

import { errorInContext, linkPayloadUrl, type WirePayload } from "@natsbridge/envelope";
import { type DownloadOptions, downloadOptions } from "./download.js";
import { buildLinkPolicy, type LinkPolicy } from "./link-policy.js";
import { type LinkRead, openLink, receiveReaders } from "./link-reader.js";
import { type MessageLog, redactUrl } from "./logger.js";
import type { SmartReceiveOptions } from "./options.js";
import { PayloadStream } from "./payload-stream.js";
import type { Platform } from "./platform/types.js";
import { STREAMABLE_TYPES } from "./source.js";
import type { ConnectionProvider } from "./store.js";

/** A payload's bytes and, when it was computed on the way, their SHA-256. */
export interface FetchedBytes {
  bytes: Uint8Array;
  sha256?: string | undefined;
}

export interface FetchContext {
  platform: Platform;
  fileserverUrl: string;
  correlationId: string;
  log: MessageLog;
  /** The receiving bridge's connection, for stores that read through NATS (the object store). */
  connection: ConnectionProvider;
}

export class LinkFetcher {
  readonly #ctx: FetchContext;
  readonly #options: SmartReceiveOptions;
  #policy: LinkPolicy | undefined;

  constructor(ctx: FetchContext, options: SmartReceiveOptions) {
    this.#ctx = ctx;
    this.#options = options;
  }

  /** `stream: true` streams the binary family; a function decides for any link payload. */
  wantsStream(payload: WirePayload): boolean {
    const stream = this.#options.stream;
    if (typeof stream === "function") return stream(payload) === true;
    return stream === true && STREAMABLE_TYPES.has(payload.payload_type);
  }

  /**
   * The whole payload in memory. `o` is the receive's options, or the ones
   * telemetry hands back (they report retries as span events too).
   */
  async fetch(payload: WirePayload, o: SmartReceiveOptions = this.#options): Promise<FetchedBytes> {
    const { correlationId, log } = this.#ctx;
    const url = linkPayloadUrl(payload, correlationId);
    try {
      const link = this.#open(url);
      log.debug?.({ dataname: payload.dataname, url: redactUrl(url), via: link.via }, "smartreceive: link payload, downloading");
      const expected = o.verify !== false && typeof payload.metadata.sha256 === "string" && payload.metadata.sha256;
      const options: DownloadOptions = downloadOptions(payload, o, correlationId);
      const body = await link.read(options, { size: payload.size, sha256: Boolean(expected) });
      log.debug?.({ dataname: payload.dataname, size: body.bytes.byteLength }, "smartreceive: downloaded");
      return body;
    } catch (error) {
      throw errorInContext(error, { correlationId, dataname: payload.dataname });
    }
  }

  /** The payload as a PayloadStream: the URL is checked now, the read starts when the caller reads. */
  stream(payload: WirePayload): PayloadStream {
    const o = this.#options;
    const { correlationId, platform, log } = this.#ctx;
    const url = linkPayloadUrl(payload, correlationId);
    const sha256 = typeof payload.metadata.sha256 === "string" && payload.metadata.sha256 ? payload.metadata.sha256 : undefined;
    const info = { dataname: payload.dataname, payloadType: payload.payload_type, url, size: payload.size, sha256 };
    const checks = { platform, verify: o.verify !== false, correlationId };
    let link: LinkRead;
    try {
      link = this.#open(url);
    } catch (error) {
      throw errorInContext(error, { correlationId, dataname: payload.dataname });
    }
    log.debug?.({ dataname: payload.dataname, url: redactUrl(url), via: link.via }, "smartreceive: link payload, handed out as a stream");
    const options = downloadOptions(payload, o, correlationId);
    return new PayloadStream(
      info,
      async function* () {
        try {
          yield* link.chunks(options);
        } catch (error) {
          throw errorInContext(error, { correlationId, dataname: payload.dataname });
        }
      },
      checks,
    );
  }

  /** Which store (or the HTTP GET) reads a link URL; refused URLs throw here. */
  #open(url: string): LinkRead {
    const { platform, connection, correlationId } = this.#ctx;
    return openLink(url, {
      platform,
      readers: receiveReaders(this.#options),
      policy: () => this.#linkPolicy(),
      connection,
      correlationId,
    });
  }

  // Built on the first link payload only: most messages have none.
  #linkPolicy(): LinkPolicy {
    const o = this.#options;
    this.#policy ??= buildLinkPolicy([this.#ctx.fileserverUrl, ...(o.allowedOrigins ?? [])], o.allowAnyHost);
    return this.#policy;
  }
}
