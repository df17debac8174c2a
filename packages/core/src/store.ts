// The claim-check store: where a payload too large for NATS goes, so that only
// its URL travels. Small on purpose (unstorage-style): `put` is required; `get`,
// `owns` and `delete` are optional. Stores are passed in through options.
//
// Sending uses `put` (and `delete` to clean up after a failed send). Receiving
// asks each store it was given whether it `owns` a link URL: the owner's `get`
// reads it (credentials, another scheme such as nats-obj:// or s3://), or,
// when the owner has no `get`, the built-in HTTP GET does (the URL counts as
// allowed). Delete-after-consume deletes only what a store owns.

import type { JsonObject } from "@natsbridge/envelope";
import type { NatsConnectionLike } from "./nats-connection.js";

export type PutBody = Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** What a `get` hands back: the blob's bytes as a stream of chunks. */
export type GetBody = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/**
 * The NATS connection of the bridge making the call, opened on first use. A
 * store that keeps its blobs in NATS (the JetStream object store) reads and
 * writes through it, so it needs no connection of its own; other stores ignore it.
 */
export type ConnectionProvider = () => Promise<NatsConnectionLike>;

export interface ClaimCheckPutRequest {
  /** Payload name; stores use it as the file name. */
  dataname: string;
  payloadType: string;
  /** The serialized payload, whole or as a stream. */
  body: PutBody;
  /** Byte size, when known (always known for Uint8Array bodies). */
  size?: number;
  /** Lower-case hex SHA-256 of the body, when known (see `sha256BeforePut`). */
  sha256?: string;
  correlationId: string;
  msgId: string;
  payloadId: string;
  signal?: AbortSignal;
  /** Called as bytes are sent. */
  onProgress?: (sentBytes: number, totalBytes: number | undefined) => void;
  /** The sending bridge's connection (see {@link ConnectionProvider}). */
  connection?: ConnectionProvider;
}

export interface ClaimCheckPutResult {
  /** The URL that goes into the envelope. */
  url: string;
  /** Store-specific facts to merge into the payload metadata (never secrets). */
  metadata?: JsonObject;
}

export interface ClaimCheckGetOptions {
  signal?: AbortSignal;
  /**
   * Start at this byte: a retry after a broken read asks for the rest only.
   * A store that cannot seek may skip the first `offset` bytes itself. Default 0.
   */
  offset?: number;
  /** The message the read belongs to, for errors and logs. */
  correlationId?: string;
  /** The receiving bridge's connection (see {@link ConnectionProvider}). */
  connection?: ConnectionProvider;
}

export interface ClaimCheckDeleteOptions {
  signal?: AbortSignal;
  /** The bridge's connection (see {@link ConnectionProvider}). */
  connection?: ConnectionProvider;
}

export interface ClaimCheckStore {
  /** A short name for logs and errors: "plik", "s3", "http"... */
  readonly name: string;
  /**
   * Set when `put` uses `request.sha256` (the S3 store keeps it as object
   * metadata): bytes in memory are then hashed before their upload starts.
   * Otherwise they are hashed while they upload and `request.sha256` is
   * absent, as it is for streamed bodies.
   */
  readonly sha256BeforePut?: boolean;
  /**
   * Store one payload and return the URL for the envelope. Failures are
   * UPLOAD_FAILED (or ABORTED through `signal`).
   */
  put(request: ClaimCheckPutRequest): Promise<ClaimCheckPutResult>;
  /**
   * Read a blob this store owns. Stores whose URLs a plain HTTP GET without
   * credentials can read need none. Throw a NatsBridgeError for a final failure
   * (DOWNLOAD_FAILED when the blob is gone); any other error is retried with
   * the receiver's backoff, from the byte the read had reached.
   */
  get?(url: string, options?: ClaimCheckGetOptions): GetBody | Promise<GetBody>;
  /**
   * Whether a link URL is one of this store's: receivers read it through this
   * store (its `get`, else the HTTP GET with the URL allowed), and
   * delete-after-consume deletes only URLs their store owns. Without it, the
   * store owns nothing.
   */
  owns?(url: string): boolean;
  /**
   * Remove a stored blob (cleanup after a failed publish, delete-after-consume).
   * Already gone counts as deleted. Failures are DELETE_FAILED.
   */
  delete?(url: string, options?: ClaimCheckDeleteOptions): Promise<void>;
}

/** What the receive path needs of a store: which URLs it reads, and how. */
export type ClaimCheckReader = Pick<ClaimCheckStore, "name" | "owns" | "get">;

/** The references' upload handler: `(fileserverUrl, dataname, bytes) → {status, uploadid, fileid, url}`. */
export type UploadHandler = (
  fileserverUrl: string,
  dataname: string,
  data: Uint8Array,
) => Promise<{ status: number; url: string; uploadid?: string; fileid?: string; [k: string]: unknown }>;

/** The references' download handler: `(url, maxRetries, baseDelay, maxDelay, correlationId) → bytes`. */
export type DownloadHandler = (
  url: string,
  maxRetries: number,
  baseDelay: number,
  maxDelay: number,
  correlationId: string,
) => Promise<Uint8Array | ArrayBuffer>;

/**
 * A dataname made safe as the last segment of a file server path: path
 * separators, control characters and the names "." and ".." cannot travel as
 * file names, so they become "_". Everything else (spaces, Unicode) is kept;
 * callers percent-encode the result in URLs.
 */
export function safeFileName(dataname: string): string {
  // eslint-disable-next-line no-control-regex
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a file name must not carry
  const cleaned = dataname.replace(/[/\\\u0000-\u001f\u007f]/g, "_");
  if (cleaned === "" || cleaned === "." || cleaned === "..") return `_${cleaned}`;
  return cleaned;
}

/** Whether `reader` claims `url`. A store whose `owns` throws (it cannot parse the URL) does not own it. */
export function ownsUrl(reader: ClaimCheckReader, url: string): boolean {
  try {
    return reader.owns?.(url) === true;
  } catch {
    return false;
  }
}

/**
 * `owns` for stores whose URLs live on fixed origins: true for http(s) URLs on
 * one of `origins` (compared as `new URL(x).origin`).
 */
export function ownsOrigins(origins: Iterable<string>): (url: string) => boolean {
  const allowed = new Set([...origins].map(httpOrigin));
  allowed.delete(undefined);
  return (url) => allowed.has(httpOrigin(url));
}

function httpOrigin(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return /^https?:$/.test(parsed.protocol) ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}
