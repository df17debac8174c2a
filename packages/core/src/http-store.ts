// A claim-check store for "custom HTTP file servers": each payload is PUT
// (or POSTed) to `${baseUrl}/${key}` and receivers GET the same URL. Works
// with WebDAV servers (nginx `dav_methods PUT DELETE`, Apache mod_dav),
// object stores that take plain PUTs, and small upload services. Bodies are
// streamed, never buffered. Node only: it talks through undici.

import { Readable } from "node:stream";
import { UploadFailedError } from "@natsbridge/envelope";
import { request } from "undici";
import { DEFAULT_USER_AGENT } from "./link-policy.js";
import { bodyChunks } from "./source.js";
import { DEFAULT_UPLOAD_TIMEOUT } from "./defaults.js";
import { describeNetworkError, errorExcerpt, readErrorBody, uploadStatusHint } from "./http-errors.js";
import { redactUrl } from "./logger.js";
import { HTTP_STORE_OK, resolveHttpStore, type HttpStoreOptions } from "./http-store-options.js";
import type { ClaimCheckPutRequest, ClaimCheckStore } from "./store.js";

export type { HttpStoreOptions } from "./http-store-options.js";

/** A ClaimCheckStore for a plain HTTP file server (see {@link HttpStoreOptions}). */
export function httpStore(options: HttpStoreOptions): ClaimCheckStore {
  const resolved = resolveHttpStore(options);
  const { origin, method, urlFor, headers, name, deletes } = resolved;
  const timeout = resolved.timeout ?? DEFAULT_UPLOAD_TIMEOUT;

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
      }).catch((cause: unknown) => {
        if (req.signal?.aborted) throw cause;
        const code = (cause as { code?: string })?.code;
        const reason = code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" ? `no answer for ${timeout} ms` : describeNetworkError(cause);
        throw new UploadFailedError(`${name} store: ${method} ${redactUrl(url)} failed: ${reason}`, {
          cause,
          correlationId: req.correlationId,
          dataname: req.dataname,
          details: { timeout },
        });
      });
      if (!HTTP_STORE_OK.has(res.statusCode)) {
        const excerpt = errorExcerpt(await readErrorBody(res.body), { plainText: true });
        throw new UploadFailedError(`${name} store: ${method} ${redactUrl(url)} answered HTTP ${res.statusCode}${excerpt ? `: ${excerpt}` : ""}${uploadStatusHint(res.statusCode)}`, {
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
  if (deletes) {
    store.delete = async (url, opts) => {
      const res = await request(url, {
        method: "DELETE",
        headers: { "user-agent": DEFAULT_USER_AGENT, ...(await headers()) },
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(opts?.signal ? { signal: opts.signal } : {}),
      });
      await res.body.dump();
      // Already gone is as good as deleted.
      if (!HTTP_STORE_OK.has(res.statusCode) && res.statusCode !== 404) {
        throw new UploadFailedError(`${name} store: DELETE ${redactUrl(url)} answered HTTP ${res.statusCode}`, { details: { status: res.statusCode } });
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
