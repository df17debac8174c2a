// Plik as a natsbridge claim-check store. By default it does what every
// NATSBridge reference does (a one-shot upload: Plik deletes the file after
// its first download); `oneShot: false` with a `ttl` makes files that any
// number of receivers can fetch until they expire. Bodies stream from memory,
// a stream or a file straight into the multipart request (Node), or go as one
// Blob (browsers). Each entry point (index.ts, browser.ts) binds its PlikHttp.

import { bodyChunks, type ClaimCheckPutRequest, type ClaimCheckStore, safeFileName } from "@natsbridge/core/store";
import {
  AbortedError,
  DeleteFailedError,
  InvalidDataError,
  InvalidOptionError,
  isNatsBridgeError,
  UploadFailedError,
} from "@natsbridge/envelope";
import { addFile, createUpload, fileUrl, type PlikConnection, PlikHttpError, removeUpload } from "./client.js";
import type { PlikHttp } from "./http.js";

/** The options both entry points take; Node's adds an undici `dispatcher`. */
export interface BasePlikStoreOptions {
  /** The Plik server, e.g. `http://plik.internal:8080`. Default: $FILESERVER_URL (Node only). */
  url?: string;
  /**
   * Delete the file after its first download (Plik "one shot"), as the
   * references do. Default true. One-shot links break fan-out (only the first
   * subscriber gets the file) and retried downloads (a retry after a broken
   * transfer finds the file gone). Use `oneShot: false` with a `ttl` when
   * several receivers, queue redeliveries or retries must read the same link.
   */
  oneShot?: boolean;
  /**
   * Seconds until Plik expires the upload. Default: the server's default TTL
   * (Plik ships with 30 days). -1 asks for no expiry, which servers with a
   * maximum TTL refuse.
   */
  ttl?: number;
  /** A Plik user token (X-PlikToken), for servers that refuse anonymous uploads or to own the uploads. */
  token?: string;
  /** A comment stored with each upload (shown in Plik's web app). */
  comments?: string;
  /** Extra headers on every Plik API call (e.g. a reverse proxy's). Not sent by receivers. */
  headers?: Record<string, string>;
  /**
   * Give up on a Plik API call silent for this long, in ms. Default 300000.
   * In browsers it bounds the whole request (fetch has no idle timer).
   */
  timeout?: number;
}

export type PlikStore = ClaimCheckStore & { readonly oneShot: boolean };

/** Upload tokens of recent uploads, so a failed publish can remove what it uploaded. */
const REMEMBERED_UPLOADS = 1000;

/** A ClaimCheckStore on a Plik server, speaking HTTP through `http`. */
export function createPlikStore(options: BasePlikStoreOptions, http: PlikHttp, defaultUrl: string | undefined): PlikStore {
  const url = options.url ?? defaultUrl;
  if (!url) throw new InvalidOptionError("plikStore needs `url` (or $FILESERVER_URL on Node)");
  let baseUrl: string;
  try {
    baseUrl = new URL(url).href.replace(/\/+$/, "");
  } catch {
    throw new InvalidOptionError(`plikStore: url is not a URL: ${JSON.stringify(url)}`);
  }
  const oneShot = options.oneShot ?? true;
  const connection: PlikConnection = {
    baseUrl,
    token: options.token,
    headers: options.headers,
    timeout: options.timeout ?? 300_000,
    http,
  };
  const tokens = new Map<string, { uploadId: string; uploadToken: string }>();
  const origins = new Set([new URL(baseUrl).origin]);

  return {
    name: "plik",
    oneShot,
    /** Plik file URLs (`/file/{upload}/{file}/{name}`) on its API or download origin. */
    owns(link: string) {
      return uploadIdOf(link) !== undefined && origins.has(new URL(link).origin);
    },
    async put(req: ClaimCheckPutRequest) {
      const where = { correlationId: req.correlationId, dataname: req.dataname };
      try {
        const upload = await createUpload(connection, { oneShot, ttl: options.ttl, comments: options.comments }, req.signal);
        const total = req.size ?? (req.body instanceof Uint8Array ? req.body.byteLength : undefined);
        // A Blob (a browser File) goes as it is where the platform sends Blobs.
        const blob = typeof Blob !== "undefined" && req.body instanceof Blob ? req.body : undefined;
        const file = await addFile(
          connection,
          upload,
          {
            fileName: safeFileName(req.dataname),
            chunks: progress(bodyChunks(req.body), total, req.onProgress),
            size: total,
            blob,
          },
          req.signal,
        );
        // In browsers a Blob goes whole, past `progress`: report it done (Node has reported it already).
        if (blob) req.onProgress?.(blob.size, blob.size);
        // Plik may serve downloads from another domain than its API.
        const downloadBase = upload.downloadDomain ? upload.downloadDomain.replace(/\/+$/, "") : baseUrl;
        if (upload.downloadDomain) origins.add(new URL(downloadBase).origin);
        const link = fileUrl(downloadBase, upload.id, file.id, file.fileName || safeFileName(req.dataname));
        remember(tokens, link, { uploadId: upload.id, uploadToken: upload.uploadToken });
        return {
          url: link,
          metadata: {
            plik: {
              upload_id: upload.id,
              file_id: file.id,
              one_shot: upload.oneShot ?? oneShot,
              ...(upload.ttl !== undefined ? { ttl: upload.ttl } : {}),
            },
          },
        };
      } catch (cause) {
        if (req.signal?.aborted) throw new AbortedError("upload to Plik aborted", { ...where, cause });
        if (cause instanceof PlikHttpError) {
          throw new UploadFailedError(`${cause.message}`, { ...where, cause, details: { status: cause.status, step: cause.step } });
        }
        if (isNatsBridgeError(cause)) throw cause.withContext(where);
        throw new UploadFailedError(`upload to Plik failed: ${String((cause as Error)?.message ?? cause)}`, { ...where, cause });
      }
    },
    async delete(link, opts) {
      const known = tokens.get(link);
      const uploadId = known?.uploadId ?? uploadIdOf(link);
      if (!uploadId) throw new InvalidDataError("not a Plik file URL; nothing deleted", { details: { url: link } });
      // Plik removes an upload only for its upload token, or a user token that created it.
      if (!known && !options.token) {
        throw new DeleteFailedError("cannot delete a Plik upload this store did not make without a user token (`token`)", {
          details: { uploadId },
        });
      }
      try {
        // Tokens are kept after a delete, so that deleting again finds the upload gone (404) rather than failing.
        await removeUpload(connection, uploadId, known?.uploadToken, opts?.signal);
      } catch (cause) {
        if (opts?.signal?.aborted) throw new AbortedError("delete aborted", { cause });
        const details = cause instanceof PlikHttpError ? { uploadId, status: cause.status } : { uploadId };
        throw new DeleteFailedError(`Plik: ${String((cause as Error)?.message ?? cause)}`, { cause, details });
      }
    },
  };
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > REMEMBERED_UPLOADS) map.delete(map.keys().next().value as K);
}

function uploadIdOf(link: string): string | undefined {
  try {
    const m = /\/file\/([^/]+)\/[^/]+\/[^/]+$/.exec(new URL(link).pathname);
    return m ? decodeURIComponent(m[1]!) : undefined;
  } catch {
    return undefined;
  }
}

async function* progress(
  chunks: AsyncIterable<Uint8Array>,
  total: number | undefined,
  onProgress: ClaimCheckPutRequest["onProgress"],
): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for await (const chunk of chunks) {
    yield chunk;
    sent += chunk.byteLength;
    onProgress?.(sent, total);
  }
}
