// A claim-check store for "custom HTTP file servers": each payload is PUT
// (or POSTed) to `${baseUrl}/${key}` and receivers GET the same URL. Works
// with WebDAV servers (nginx `dav_methods PUT DELETE`, Apache mod_dav),
// object stores that take plain PUTs, and small upload services. Bodies are
// streamed, never buffered. Node only: it talks through undici.

import { Readable } from "node:stream";
import { UploadFailedError } from "@natsbridge/envelope";
import { request } from "undici";
import { discardBody } from "./discard-body.js";
import { HTTP_STORE_OK, type HttpStoreOptions, resolveHttpStore } from "./http-store-options.js";
import { DEFAULT_USER_AGENT } from "./link-policy.js";
import { redactUrl } from "./logger.js";
import { bodyChunks } from "./source.js";
import type { ClaimCheckPutRequest, ClaimCheckStore } from "./store.js";

export type { HttpStoreOptions } from "./http-store-options.js";

/** A ClaimCheckStore for a plain HTTP file server (see {@link HttpStoreOptions}). */
export function httpStore(options: HttpStoreOptions): ClaimCheckStore {
  const { origin, method, urlFor, headers, name, timeout, deletes } = resolveHttpStore(options);

  const store: ClaimCheckStore = {
    name,
    origins: [origin],
    async put(req) {
      const url = urlFor(req);
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
      if (!HTTP_STORE_OK.has(res.statusCode)) {
        const text = await res.body.text().catch(() => "");
        throw new UploadFailedError(
          `${name} store: ${method} ${redactUrl(url)} answered HTTP ${res.statusCode} ${text.slice(0, 200).trim()}`,
          {
            correlationId: req.correlationId,
            dataname: req.dataname,
            details: { status: res.statusCode },
          },
        );
      }
      await discardBody(res.body);
      // A POST endpoint may choose the name itself and say where in Location.
      const location = res.headers.location;
      const stored = method === "POST" && typeof location === "string" ? new URL(location, url).href : url;
      return { url: stored };
    },
  };
  if (deletes) {
    store.delete = async (url, opts) => {
      const res = await request(url, {
        method: "DELETE",
        headers: { "user-agent": DEFAULT_USER_AGENT, ...(await headers()) },
        ...(opts?.signal ? { signal: opts.signal } : {}),
      });
      await discardBody(res.body);
      // Already gone is as good as deleted.
      if (!HTTP_STORE_OK.has(res.statusCode) && res.statusCode !== 404) {
        throw new UploadFailedError(`${name} store: DELETE ${redactUrl(url)} answered HTTP ${res.statusCode}`, {
          details: { status: res.statusCode },
        });
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
