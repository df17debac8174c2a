// The browser's `httpStore`: the same options and URLs as the Node one
// (http-store.ts), sent with fetch. Browsers stream request bodies only over
// HTTP/2 (Chrome refuses them on HTTP/1.1 file servers), so a streamed payload
// is gathered into a Blob first — the browser may keep a large Blob on disk —
// and PUT whole. The file server must allow the page's origin by CORS
// (docs/browser.md).

import { UploadFailedError } from "@natsbridge/envelope";
import { DEFAULT_BROWSER_UPLOAD_TIMEOUT } from "./defaults.js";
import { redactUrl } from "./logger.js";
import { HTTP_STORE_OK, resolveHttpStore, type HttpStoreOptions } from "./http-store-options.js";
import { readableChunks } from "./source.js";
import type { ClaimCheckStore, PutBody } from "./store.js";

export type { HttpStoreOptions } from "./http-store-options.js";

/** A ClaimCheckStore for a plain HTTP file server, for browsers (see {@link HttpStoreOptions}). */
export function httpStore(options: HttpStoreOptions): ClaimCheckStore {
  const resolved = resolveHttpStore(options);
  const { origin, method, urlFor, headers, name, deletes } = resolved;
  const timeout = resolved.timeout ?? DEFAULT_BROWSER_UPLOAD_TIMEOUT;

  const send = async (url: string, init: RequestInit, signal: AbortSignal | undefined, what: string): Promise<Response> => {
    const timer = AbortSignal.timeout(timeout);
    try {
      return await fetch(url, { ...init, credentials: "omit", signal: signal ? AbortSignal.any([signal, timer]) : timer });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      const reason = timer.aborted ? `no response for ${timeout} ms` : `${String((cause as Error)?.message ?? cause)} (network error, or CORS refused)`;
      throw new UploadFailedError(`${name} store: ${what} ${redactUrl(url)} failed: ${reason}`, { cause });
    }
  };

  const store: ClaimCheckStore = {
    name,
    origins: [origin],
    async put(req) {
      const url = urlFor(req);
      const body = await asBlob(req.body, req.signal);
      const res = await send(
        url,
        { method, headers: { "content-type": "application/octet-stream", ...(await headers()) }, body },
        req.signal,
        method,
      );
      if (!HTTP_STORE_OK.has(res.status)) {
        // Loaded on failure only: pages that upload fine never fetch it.
        const { errorExcerpt, uploadStatusHint } = await import("./http-errors.js");
        const excerpt = errorExcerpt(await res.text().catch(() => ""), { plainText: true });
        throw new UploadFailedError(`${name} store: ${method} ${redactUrl(url)} answered HTTP ${res.status}${excerpt ? `: ${excerpt}` : ""}${uploadStatusHint(res.status)}`, {
          correlationId: req.correlationId,
          dataname: req.dataname,
          details: { status: res.status },
        });
      }
      await res.body?.cancel().catch(() => undefined);
      // fetch reports no upload progress; the whole body counts as sent once the server answers.
      req.onProgress?.(body.size, body.size);
      // Location is visible only if the server lists it in Access-Control-Expose-Headers.
      const location = res.headers.get("location");
      const stored = method === "POST" && location ? new URL(location, url).href : url;
      return { url: stored };
    },
  };
  if (deletes) {
    store.delete = async (url, opts) => {
      const res = await send(url, { method: "DELETE", headers: await headers() }, opts?.signal, "DELETE");
      await res.body?.cancel().catch(() => undefined);
      if (!HTTP_STORE_OK.has(res.status) && res.status !== 404) {
        throw new UploadFailedError(`${name} store: DELETE ${redactUrl(url)} answered HTTP ${res.status}`, { details: { status: res.status } });
      }
    };
  }
  return store;
}

async function asBlob(body: PutBody, signal: AbortSignal | undefined): Promise<Blob> {
  signal?.throwIfAborted();
  if (body instanceof Uint8Array) return new Blob([body as Uint8Array<ArrayBuffer>]);
  const chunks: AsyncIterable<Uint8Array> =
    Symbol.asyncIterator in body ? (body as AsyncIterable<Uint8Array>) : readableChunks(body as ReadableStream<Uint8Array>);
  // new Blob copies each chunk as it comes (a source may reuse its buffers) and
  // composes the earlier Blob by reference, so nothing is copied twice.
  let blob = new Blob([]);
  for await (const chunk of chunks) {
    signal?.throwIfAborted();
    blob = new Blob([blob, chunk as Uint8Array<ArrayBuffer>]);
  }
  return blob;
}
