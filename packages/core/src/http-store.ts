// A claim-check store for "custom HTTP file servers": each payload is PUT
// (or POSTed) to `${baseUrl}/${key}` and receivers GET the same URL. Works
// with WebDAV servers (nginx `dav_methods PUT DELETE`, Apache mod_dav),
// object stores that take plain PUTs, and small upload services. Bodies are
// streamed, never buffered. Node only: it talks through undici.

import { Readable } from "node:stream";
import { UploadFailedError } from "@natsbridge/envelope";
import { request } from "undici";
import { DEFAULT_USER_AGENT } from "./download.js";
import { bodyChunks } from "./source.js";
import { safeFileName, type ClaimCheckPutRequest, type ClaimCheckStore } from "./store.js";

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
  /** Give up on an upload request that gets no response for this long, in ms. Default 300000. */
  timeout?: number;
  /** Name in logs and errors. Default "http". */
  name?: string;
}

const OK = new Set([200, 201, 204]);

/** A ClaimCheckStore for a plain HTTP file server (see {@link HttpStoreOptions}). */
export function httpStore(options: HttpStoreOptions): ClaimCheckStore {
  const base = options.baseUrl.replace(/\/+$/, "");
  const origin = new URL(base).origin;
  const method = options.method ?? "PUT";
  const keyFor =
    options.keyFor ?? ((r: ClaimCheckPutRequest) => `${encodeURIComponent(r.payloadId)}/${encodeURIComponent(safeFileName(r.dataname))}`);
  const headers = async () => (typeof options.headers === "function" ? await options.headers() : (options.headers ?? {}));
  const name = options.name ?? "http";
  const timeout = options.timeout ?? 300_000;

  const store: ClaimCheckStore = {
    name,
    origins: [origin],
    async put(req) {
      const url = `${base}/${keyFor(req).replace(/^\/+/, "")}`;
      const total = req.size ?? (req.body instanceof Uint8Array ? req.body.byteLength : undefined);
      const res = await request(url, {
        method,
        headers: {
          "user-agent": DEFAULT_USER_AGENT,
          "content-type": "application/octet-stream",
          ...(total !== undefined ? { "content-length": String(total) } : {}),
          ...(await headers()),
        },
        body: asBody(withProgress(req.body, total, req.onProgress)),
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(req.signal ? { signal: req.signal } : {}),
      });
      if (!OK.has(res.statusCode)) {
        const text = await res.body.text().catch(() => "");
        throw new UploadFailedError(`${name} store: ${method} ${url} answered HTTP ${res.statusCode} ${text.slice(0, 200).trim()}`, {
          correlationId: req.correlationId,
          dataname: req.dataname,
          details: { status: res.statusCode },
        });
      }
      await res.body.dump();
      // A POST endpoint may choose the name itself and say where in Location.
      const location = res.headers.location;
      const stored = method === "POST" && typeof location === "string" ? new URL(location, url).href : url;
      return { url: stored };
    },
  };
  if (options.deletes !== false) {
    store.delete = async (url, opts) => {
      const res = await request(url, {
        method: "DELETE",
        headers: { "user-agent": DEFAULT_USER_AGENT, ...(await headers()) },
        ...(opts?.signal ? { signal: opts.signal } : {}),
      });
      await res.body.dump();
      // Already gone is as good as deleted.
      if (!OK.has(res.statusCode) && res.statusCode !== 404) {
        throw new UploadFailedError(`${name} store: DELETE ${url} answered HTTP ${res.statusCode}`, { details: { status: res.statusCode } });
      }
    };
  }
  return store;
}

function asBody(body: Uint8Array | AsyncIterable<Uint8Array>): Uint8Array | Readable {
  return body instanceof Uint8Array ? body : Readable.from(body, { objectMode: false });
}

function withProgress(
  body: ClaimCheckPutRequest["body"],
  total: number | undefined,
  onProgress: ClaimCheckPutRequest["onProgress"],
): Uint8Array | AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array && !onProgress) return body;
  if (!onProgress) return bodyChunks(body);
  return (async function* () {
    let sent = 0;
    for await (const chunk of bodyChunks(body)) {
      yield chunk;
      sent += chunk.byteLength;
      onProgress(sent, total);
    }
  })();
}
