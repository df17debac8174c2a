// A claim-check store for "custom HTTP file servers": each payload is PUT
// (or POSTed) to `${baseUrl}/${key}` and receivers GET the same URL. Works
// with WebDAV servers (nginx `dav_methods PUT DELETE`, Apache mod_dav),
// object stores that take plain PUTs, and small upload services. Bodies are
// streamed, never buffered. Node only: it talks through undici.

import { Readable } from "node:stream";
import { AbortedError, DeleteFailedError, UploadFailedError } from "@natsbridge/envelope";
import { type Dispatcher, request } from "undici";
import { DEFAULT_UPLOAD_TIMEOUT } from "./defaults.js";
import { discardBody } from "./discard-body.js";
import { describeNetworkError, errorExcerpt, readErrorBody, uploadStatusHint } from "./http-errors.js";
import { HTTP_STORE_OK, type HttpStoreOptions, resolveHttpStore } from "./http-store-options.js";
import { DEFAULT_USER_AGENT } from "./link-policy.js";
import { redactUrl } from "./logger.js";
import { bodyChunks } from "./source.js";
import { type ClaimCheckPutRequest, type ClaimCheckStore, ownsOrigins } from "./store.js";

export type { HttpStoreOptions } from "./http-store-options.js";

/** A ClaimCheckStore for a plain HTTP file server (see {@link HttpStoreOptions}). */
export function httpStore(options: HttpStoreOptions): ClaimCheckStore {
  const resolved = resolveHttpStore(options);
  const { origin, method, urlFor, headers, name, deletes } = resolved;
  const timeout = resolved.timeout ?? DEFAULT_UPLOAD_TIMEOUT;

  const store: ClaimCheckStore = {
    name,
    owns: ownsOrigins([origin]),
    async put(req) {
      const url = urlFor(req);
      const total = req.size ?? (req.body instanceof Uint8Array ? req.body.byteLength : undefined);
      const where = { correlationId: req.correlationId, dataname: req.dataname };
      if (req.signal?.aborted) throw new AbortedError("upload aborted before it started", { ...where, cause: req.signal.reason });
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
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
      } catch (cause) {
        if (req.signal?.aborted) throw new AbortedError(`${name} store: ${method} ${redactUrl(url)} aborted`, { ...where, cause });
        const code = (cause as { code?: string })?.code;
        const reason =
          code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT"
            ? `no answer for ${timeout} ms`
            : describeNetworkError(cause);
        throw new UploadFailedError(`${name} store: ${method} ${redactUrl(url)} failed: ${reason}`, {
          ...where,
          cause,
          details: { timeout },
        });
      }
      if (!HTTP_STORE_OK.has(res.statusCode)) {
        const excerpt = errorExcerpt(await readErrorBody(res.body), { plainText: true });
        throw new UploadFailedError(
          `${name} store: ${method} ${redactUrl(url)} answered HTTP ${res.statusCode}${excerpt ? `: ${excerpt}` : ""}${uploadStatusHint(res.statusCode)}`,
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
      let status: number;
      try {
        const res = await request(url, {
          method: "DELETE",
          headers: { "user-agent": DEFAULT_USER_AGENT, ...(await headers()) },
          headersTimeout: timeout,
          bodyTimeout: timeout,
          ...(opts?.signal ? { signal: opts.signal } : {}),
        });
        await discardBody(res.body);
        status = res.statusCode;
      } catch (cause) {
        if (opts?.signal?.aborted) throw new AbortedError("delete aborted", { cause });
        throw new DeleteFailedError(`${name} store: DELETE ${redactUrl(url)} failed: ${String((cause as Error)?.message ?? cause)}`, {
          cause,
        });
      }
      // Already gone is as good as deleted.
      if (!HTTP_STORE_OK.has(status) && status !== 404) {
        throw new DeleteFailedError(`${name} store: DELETE ${redactUrl(url)} answered HTTP ${status}`, { details: { status } });
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
