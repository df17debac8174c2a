// Send step 3 (loaded on the first link payload, with upload.ts): the link
// payloads go to the store, one at a time, so that a
// failure stops the rest early and a large message does not open many
// parallel streams to the file server. Each upload gives back the link
// payload's draft for the envelope. The blobs of one send are remembered so
// that a send that fails later (another upload, the publish) removes them.

import { draftLinkPayload, isNatsBridgeError, type LinkPayloadDraft } from "@natsbridge/envelope";
import { type MessageLog, redactUrl } from "./logger.js";
import type { Platform } from "./platform/types.js";
import type { SerializedPayload } from "./send-serialize.js";
import type { ClaimCheckPutResult, ClaimCheckStore, ConnectionProvider } from "./store.js";
import type { SendObservation } from "./telemetry.js";
import { putLinkPayload } from "./upload.js";

export interface UploadContext {
  store: ClaimCheckStore;
  platform: Platform;
  correlationId: string;
  msgId: string;
  checksum: boolean;
  signal: AbortSignal | undefined;
  onUploadProgress: ((progress: { dataname: string; sentBytes: number; totalBytes: number | undefined }) => void) | undefined;
  log: MessageLog;
  /** The sending bridge's connection, for stores that live in NATS (the object store). */
  connection: ConnectionProvider;
  /** The send's telemetry: each upload runs inside its span. */
  observed: SendObservation | undefined;
}

export class LinkUploads {
  readonly #ctx: UploadContext;
  readonly #stored: ClaimCheckPutResult[] = [];

  constructor(ctx: UploadContext) {
    this.#ctx = ctx;
  }

  /** Uploads one payload; resolves its link payload draft. */
  async put(item: SerializedPayload): Promise<LinkPayloadDraft> {
    const { store, log } = this.#ctx;
    log.debug?.(
      { dataname: item.dataname, size: item.source ? "stream" : item.bytes.byteLength, store: store.name },
      "smartsend: link transport, uploading",
    );
    const progress = this.#ctx.onUploadProgress;
    // Streams are hashed on the way through. Bytes in memory are hashed while
    // they upload (off the thread that writes them), unless the store wants
    // the digest with the put (sha256BeforePut: S3 keeps it as metadata).
    const { observed, connection, platform, checksum } = this.#ctx;
    const sha256 =
      item.source || !checksum ? item.sha256 : (item.sha256 ?? (store.sha256BeforePut ? await platform.sha256(item.bytes) : undefined));
    const hashing = !item.source && checksum && sha256 === undefined ? hashAlongside(platform, item.bytes) : undefined;
    // Awaited after the upload; an upload that fails leaves it unawaited.
    hashing?.catch(() => undefined);
    const put = () =>
      putLinkPayload(store, platform, item.source ? { ...item, bytes: undefined } : { ...item, sha256 }, {
        correlationId: this.#ctx.correlationId,
        msgId: this.#ctx.msgId,
        checksum: this.#ctx.checksum,
        signal: this.#ctx.signal,
        connection,
        onProgress: progress ? (sentBytes, totalBytes) => progress({ dataname: item.dataname, sentBytes, totalBytes }) : undefined,
      });
    // telemetry hook [send:upload]: the upload runs inside its span.
    const uploaded = await (observed ? observed.upload(item, store, put) : put());
    const { result, size } = uploaded;
    this.#stored.push(result);
    const digest = uploaded.sha256 ?? (hashing ? await hashing : undefined);
    log.debug?.({ dataname: item.dataname, url: redactUrl(result.url), size }, "smartsend: uploaded");
    return draftLinkPayload({
      id: item.id,
      dataname: item.dataname,
      payloadType: item.payloadType,
      url: result.url,
      size,
      // Store facts first, so they can never overwrite the size and checksum receivers verify.
      metadata: { ...result.metadata, payload_bytes: size, ...(digest ? { sha256: digest } : {}) },
    });
  }

  /**
   * The send failed after some uploads: delete their blobs, unless the
   * message may have been stored anyway (a JetStream publish whose ack was
   * lost), in which case it will need them.
   */
  async discard(error: unknown): Promise<void> {
    const { store, log } = this.#ctx;
    if (this.#stored.length === 0) return;
    if (isNatsBridgeError(error) && error.details.stored === "unknown") {
      log.warn({ blobs: this.#stored.length, code: error.code }, "smartsend: publish outcome unknown, uploaded blobs kept");
      return;
    }
    if (!store.delete) return;
    log.debug?.({ blobs: this.#stored.length, why: isNatsBridgeError(error) ? error.code : "error" }, "smartsend: deleting uploaded blobs");
    await Promise.allSettled(this.#stored.map((u) => store.delete!(u.url, { connection: this.#ctx.connection })));
  }
}

/** The bytes' SHA-256, computed while the caller goes on (the upload of the same bytes). */
async function hashAlongside(platform: Platform, bytes: Uint8Array): Promise<string> {
  return platform.sha256Async ? platform.sha256Async(bytes) : platform.sha256(bytes);
}
