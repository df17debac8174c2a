// Options of smartsend/smartreceive. Names are the references' options in
// camelCase (docs/packages/core.md maps each one); defaults follow
// requirements.md, and NATS_URL, FILESERVER_URL and SIZE_THRESHOLD are read from
// the environment when an option is not given (once per bridge, at first use).

import type { ConnectionOptions } from "@nats-io/nats-core";
import {
  CodecRegistry,
  createCodecRegistry,
  InvalidOptionError,
  type JsonObject,
  type PayloadCodec,
  type WirePayload,
} from "@natsbridge/envelope";
import {
  DEFAULT_BROKER_URL,
  DEFAULT_FILESERVER_URL,
  DEFAULT_MAX_DOWNLOAD_BYTES,
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_SIZE_THRESHOLD,
  DOWNLOAD_DEFAULTS,
} from "./defaults.js";
import type { JetStreamPublishOptions } from "./jetstream-types.js";
import type { Logger } from "./logger.js";
import type { NatsConnectionLike } from "./nats-connection.js";
import type { Platform } from "./platform/types.js";
import type { ClaimCheckReader, ClaimCheckStore, DownloadHandler, UploadHandler } from "./store.js";

export interface BaseOptions {
  /** NATS server URL(s), comma-separated. Default: $NATS_URL, else nats://localhost:4222. */
  brokerUrl?: string;
  /**
   * An open NATS connection to use instead of the shared one (reference:
   * `NATS_connection`). One from nats.js v3 (`connect` of
   * @nats-io/transport-node, `wsconnect` of @nats-io/nats-core), `nats` v2 or
   * nats.ws; `consume` needs a nats.js v3 one. The bridge never closes it.
   */
  connection?: NatsConnectionLike;
  /** Extra options (nats.js v3's) for opening the shared connection (auth, TLS, reconnect...). */
  connectOptions?: Partial<ConnectionOptions>;
  /** The file server (reference: `fileserver_url`). Default: $FILESERVER_URL, else http://localhost:8080. */
  fileserverUrl?: string;
  /** Codecs beyond the built-in ones, e.g. `arrowCodecs()` from @natsbridge/arrow, or a whole registry. */
  codecs?: CodecRegistry | readonly PayloadCodec[];
  /**
   * A pino logger (or anything with the same methods). Default: warnings and
   * errors on stderr (the console in browsers); $NATSBRIDGE_LOG_LEVEL sets the level.
   */
  logger?: Logger;
  /** Cancels the whole operation. */
  signal?: AbortSignal;
}

export interface SmartSendOptions extends BaseOptions {
  /** Payloads of at least this many serialized bytes go by link. Default: $SIZE_THRESHOLD, else 500000. */
  sizeThreshold?: number;
  correlationId?: string;
  msgId?: string;
  msgPurpose?: string;
  senderName?: string;
  senderId?: string;
  receiverName?: string;
  receiverId?: string;
  replyTo?: string;
  replyToMsgId?: string;
  /** Envelope-level metadata. */
  metadata?: JsonObject;
  /** Publish the envelope (default true); false only builds it (reference: `is_publish`). */
  isPublish?: boolean;
  /** Wait until the server has the message (one round trip) before resolving. Default false. */
  flush?: boolean;
  /**
   * Publish to a JetStream stream instead of core NATS (at-least-once): the
   * stream deduplicates by `Nats-Msg-Id` = msg_id, and smartsend resolves once
   * the stream acked. Lost acks are retried with the same msg id. Pass a fixed
   * `msgId` to make your own retries of a send deduplicate too. Default: core NATS.
   */
  jetstream?: boolean | JetStreamPublishOptions;
  /** Where link payloads go. */
  store?: ClaimCheckStore;
  /** A reference-style upload handler, used when no `store` is given. */
  uploadHandler?: UploadHandler;
  /**
   * Send every payload by link, whatever its size (cf. SQS `alwaysThroughS3`).
   * Stream data (a ReadableStream, async iterable, Blob or `fileSource(path)` as
   * the value of an image/audio/video/binary payload) always goes by link.
   */
  alwaysLink?: boolean;
  /** Envelope size limit when not publishing; otherwise the server's max_payload is used. */
  maxPayload?: number;
  /**
   * Put the sha256 (hex) of payloads in their metadata, for receivers to
   * check. Default "link": link payloads only. They travel apart from the
   * message (a file server, S3, proxies) and may be replaced, truncated or
   * deleted there, so the digest in the message is what proves the bytes are
   * the sender's. A direct payload travels inside the message, which TCP (and
   * TLS) already protect; a digest next to it in the same message proves
   * nothing more, and costs about a third of the CPU of a large message on
   * each side (docs/performance.md). `true`: every payload; `false`: none.
   */
  checksum?: boolean | "link";
  /** Upload progress, per link payload. */
  onUploadProgress?: (progress: { dataname: string; sentBytes: number; totalBytes: number | undefined }) => void;
}

export interface SmartReceiveOptions extends BaseOptions {
  /** Download attempts per link payload. Default 5 (DOWNLOAD_DEFAULTS). */
  maxRetries?: number;
  /** First retry delay in ms, doubled each retry. Default 100 (DOWNLOAD_DEFAULTS). */
  baseDelay?: number;
  /** Upper bound of the retry delay in ms. Default 5000 (DOWNLOAD_DEFAULTS). */
  maxDelay?: number;
  /**
   * Time limit in ms of each download attempt: for the response headers, and
   * for every wait for the next body chunk (a slow but moving transfer is not
   * cut off; a stalled one is retried). Default 60000.
   */
  attemptTimeout?: number;
  /**
   * A reference-style download handler replacing the built-in HTTP download:
   * it reads every link URL no store in `store`/`stores` owns.
   */
  downloadHandler?: DownloadHandler;
  /** Origins (scheme://host[:port]) link URLs may point at, besides the file server's and those the stores own. */
  allowedOrigins?: readonly string[];
  /** Fetch link URLs on any http(s) host. Off by default: a link is a request the sender makes you send. */
  allowAnyHost?: boolean;
  /** Refuse envelopes larger than this. Default 64 MiB. */
  maxEnvelopeBytes?: number;
  /** Refuse link downloads larger than this. Default 4 GiB. */
  maxDownloadBytes?: number;
  /** Check sha256 and size from the payload metadata when present. Default true. */
  verify?: boolean;
  /** Extra headers for link downloads (e.g. Authorization for a private file server on an allowed origin). */
  downloadHeaders?: Record<string, string>;
  /**
   * Hand link payloads out as a `PayloadStream` instead of decoded values,
   * without holding them in memory. `true`: image/audio/video/binary link
   * payloads; a function: any link payload it returns true for (its raw
   * serialized bytes). Direct payloads are always decoded. Nothing is
   * downloaded until the stream is read; size and sha256 are verified as it
   * is read, and a mismatch is thrown from the stream.
   */
  stream?: boolean | ((payload: WirePayload) => boolean);
  /**
   * A store that reads its own link URLs (see `stores`). The same option as
   * on the sending side, so a bridge's default `store` serves both.
   */
  store?: ClaimCheckStore;
  /**
   * Stores that read link URLs they own (`owns`): through their `get` (other
   * schemes such as nats-obj://, credentials), or by the built-in HTTP GET
   * with their origin allowed. Asked after `store`, before `downloadHandler`.
   */
  stores?: readonly ClaimCheckReader[];
  /**
   * Told before each wait between download attempts of a link payload: the
   * attempt that failed (1-based), the delay before the next one, and why.
   */
  onDownloadRetry?: (retry: { dataname: string; attempt: number; delayMs: number; reason: string }) => void;
  /** Download progress, per link payload. */
  onDownloadProgress?: (progress: { dataname: string; receivedBytes: number; totalBytes: number | undefined }) => void;
}

export interface ResolvedBase {
  brokerUrl: string;
  fileserverUrl: string;
  registry: CodecRegistry;
  logger: Logger;
}

export function resolveBase(options: BaseOptions, platform: Platform): ResolvedBase {
  return {
    brokerUrl: options.brokerUrl ?? platform.env("NATS_URL") ?? DEFAULT_BROKER_URL,
    fileserverUrl: options.fileserverUrl ?? platform.env("FILESERVER_URL") ?? DEFAULT_FILESERVER_URL,
    registry: registryFor(options.codecs),
    logger: options.logger ?? platform.defaultLogger(platform.env("NATSBRIDGE_LOG_LEVEL")),
  };
}

/** The download schedule and limits of a receive, defaults filled in. */
export interface ResolvedDownload {
  maxRetries: number;
  baseDelay: number;
  maxDelay: number;
  attemptTimeout: number;
  maxBytes: number;
}

export function resolveDownload(options: SmartReceiveOptions): ResolvedDownload {
  return {
    maxRetries: options.maxRetries ?? DOWNLOAD_DEFAULTS.maxRetries,
    baseDelay: options.baseDelay ?? DOWNLOAD_DEFAULTS.baseDelay,
    maxDelay: options.maxDelay ?? DOWNLOAD_DEFAULTS.maxDelay,
    attemptTimeout: options.attemptTimeout ?? DOWNLOAD_DEFAULTS.attemptTimeout,
    maxBytes: options.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES,
  };
}

export function resolveMaxEnvelopeBytes(options: SmartReceiveOptions): number {
  return options.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
}

export function resolveSizeThreshold(options: SmartSendOptions, platform: Platform): number {
  if (options.sizeThreshold !== undefined) return positiveInt(options.sizeThreshold, "sizeThreshold");
  const env = platform.env("SIZE_THRESHOLD");
  if (env !== undefined && env !== "") return positiveInt(Number(env), "SIZE_THRESHOLD");
  return DEFAULT_SIZE_THRESHOLD;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

// Codec registries are immutable; building one per call is cheap but avoidable.
const registryCache = new WeakMap<readonly PayloadCodec[], CodecRegistry>();
function registryFor(codecs: BaseOptions["codecs"]): CodecRegistry {
  if (codecs instanceof CodecRegistry) return codecs;
  if (!codecs) return defaultRegistry;
  let r = registryCache.get(codecs);
  if (!r) {
    r = createCodecRegistry(...codecs);
    registryCache.set(codecs, r);
  }
  return r;
}
const defaultRegistry = createCodecRegistry();

/**
 * A bridge's defaults. `C` is the type of its `connection`, when one is given:
 * `bridge.connection()` returns that type (see NatsBridge).
 */
export type BridgeOptions<C extends NatsConnectionLike = NatsConnectionLike> = Omit<
  SmartSendOptions & SmartReceiveOptions,
  "correlationId" | "msgId" | "replyToMsgId" | "connection"
> & { connection?: C };

/**
 * Receive options that hand link payloads out as PayloadStreams: received
 * values are then typed `… | PayloadStream`. (A `stream` set in the bridge's
 * defaults streams too, but the types only see the call's options.)
 */
export type StreamingOptions<T extends SmartReceiveOptions> = T & { stream: true | ((payload: WirePayload) => boolean) };
