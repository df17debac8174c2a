// The claim-check store: where a payload too large for NATS goes, so that only
// its URL travels. Small on purpose (unstorage-style): `put` is required,
// `delete` and `get` are optional. Stores are passed in through options.

import type { JsonObject } from "@natsbridge/envelope";

export type PutBody = Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export interface ClaimCheckPutRequest {
  /** Payload name; stores use it as the file name. */
  dataname: string;
  payloadType: string;
  /** The serialized payload, whole or as a stream. */
  body: PutBody;
  /** Byte size, when known (always known for Uint8Array bodies). */
  size?: number;
  /** Lower-case hex SHA-256 of the body, when known. */
  sha256?: string;
  correlationId: string;
  msgId: string;
  payloadId: string;
  signal?: AbortSignal;
  /** Called as bytes are sent. */
  onProgress?: (sentBytes: number, totalBytes: number | undefined) => void;
}

export interface ClaimCheckPutResult {
  /** The URL receivers GET. Must work without credentials for Julia/Python receivers. */
  url: string;
  /** Store-specific facts to merge into the payload metadata (never secrets). */
  metadata?: JsonObject;
}

export interface ClaimCheckStore {
  /** A short name for logs and errors: "plik", "s3", "http"... */
  readonly name: string;
  put(request: ClaimCheckPutRequest): Promise<ClaimCheckPutResult>;
  /** Remove a stored blob (cleanup after a failed publish, delete-after-consume). */
  delete?(url: string, options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Origins (scheme://host:port) whose URLs this store hands out. Receivers add
   * them to the download allowlist.
   */
  readonly origins?: readonly string[];
}

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
