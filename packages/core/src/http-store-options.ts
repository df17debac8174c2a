// What the Node and browser `httpStore`s share: their options, defaults and
// URL naming. Browser-safe (no Node imports); each store adds its own transport.

import { type ClaimCheckPutRequest, safeFileName } from "./store.js";

export interface HttpStoreOptions {
  /** Where blobs go, e.g. `http://files.internal:8080/natsbridge`. Receivers GET `${baseUrl}/${key}`. */
  baseUrl: string;
  /** Upload method. Default "PUT". */
  method?: "PUT" | "POST";
  /**
   * Headers for uploads and deletes, e.g. `{ authorization: "Bearer …" }`. Only
   * the store sends them; receivers fetch the URL without them.
   */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /**
   * The path of a payload below baseUrl, already URL-encoded. It must be unique
   * per payload (the default is `${payloadId}/${dataname}`), or one message
   * overwrites another's blob.
   */
  keyFor?: (request: ClaimCheckPutRequest) => string;
  /** Send DELETE when a blob must be removed (failed publish). Default true. */
  deletes?: boolean;
  /**
   * Give up on an upload or delete the file server leaves without an answer
   * for this long, in ms. Node: an idle limit (no response headers, no body
   * accepted), default 60000; a slow but moving upload is never cut off.
   * Browsers (fetch has no idle timeout): a limit on the whole request,
   * default 600000.
   */
  timeout?: number;
  /** Name in logs and errors. Default "http". */
  name?: string;
}

/** Statuses a file server answers a successful upload or delete with. */
export const HTTP_STORE_OK = new Set([200, 201, 204]);

/** The options with their defaults applied. */
export function resolveHttpStore(options: HttpStoreOptions) {
  const base = options.baseUrl.replace(/\/+$/, "");
  const keyFor =
    options.keyFor ?? ((r: ClaimCheckPutRequest) => `${encodeURIComponent(r.payloadId)}/${encodeURIComponent(safeFileName(r.dataname))}`);
  return {
    base,
    origin: new URL(base).origin,
    method: options.method ?? "PUT",
    /** The URL a payload is stored at and fetched from. */
    urlFor: (request: ClaimCheckPutRequest) => `${base}/${keyFor(request).replace(/^\/+/, "")}`,
    headers: async () => (typeof options.headers === "function" ? await options.headers() : (options.headers ?? {})),
    name: options.name ?? "http",
    /** Each store applies its own default (DEFAULT_UPLOAD_TIMEOUT, DEFAULT_BROWSER_UPLOAD_TIMEOUT). */
    timeout: options.timeout,
    deletes: options.deletes !== false,
    /** Statuses that mean success. */
    ok: HTTP_STORE_OK,
  };
}
