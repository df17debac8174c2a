// The browser httpStore's transfers (browser-http-store.ts loads this module
// with the first upload or delete): fetch with a time limit, typed failures.
// Browsers stream request bodies only over HTTP/2 (Chrome refuses them on
// HTTP/1.1 file servers), so a streamed payload is gathered into a Blob first
// — the browser may keep a large Blob on disk — and PUT whole.

import {
  AbortedError,
  DeleteFailedError,
  type NatsBridgeError,
  type NatsBridgeErrorOptions,
  UploadFailedError,
} from "@natsbridge/envelope";
import { DEFAULT_BROWSER_UPLOAD_TIMEOUT } from "./defaults.js";
import type { resolveHttpStore } from "./http-store-options.js";
import { redactUrl } from "./logger.js";
import { readableChunks } from "./source.js";
import type { ClaimCheckDeleteOptions, ClaimCheckPutRequest, ClaimCheckPutResult, PutBody } from "./store.js";

type ResolvedHttpStore = ReturnType<typeof resolveHttpStore>;
/** Failures of an upload are UPLOAD_FAILED, of a delete DELETE_FAILED. */
type Failure = new (message: string, options?: NatsBridgeErrorOptions) => NatsBridgeError;

async function send(
  { name, timeout = DEFAULT_BROWSER_UPLOAD_TIMEOUT }: ResolvedHttpStore,
  url: string,
  init: RequestInit,
  signal: AbortSignal | undefined,
  Failed: Failure,
): Promise<Response> {
  const timer = AbortSignal.timeout(timeout);
  try {
    return await fetch(url, { ...init, credentials: "omit", signal: signal ? AbortSignal.any([signal, timer]) : timer });
  } catch (cause) {
    if (signal?.aborted) throw new AbortedError(`${name} store: ${init.method} aborted`, { cause });
    const reason = timer.aborted
      ? `no response for ${timeout} ms`
      : `${String((cause as Error)?.message ?? cause)} (network error, or CORS refused)`;
    throw new Failed(`${name} store: ${init.method} ${redactUrl(url)} failed: ${reason}`, { cause });
  }
}

export async function putBlob(store: ResolvedHttpStore, req: ClaimCheckPutRequest): Promise<ClaimCheckPutResult> {
  const { name, method, urlFor, headers } = store;
  const url = urlFor(req);
  const where = { correlationId: req.correlationId, dataname: req.dataname };
  let body: Blob;
  try {
    body = await asBlob(req.body, req.signal);
  } catch (cause) {
    if (req.signal?.aborted) throw new AbortedError(`${name} store: upload aborted`, { ...where, cause });
    throw new UploadFailedError(`${name} store: reading the payload failed: ${String((cause as Error)?.message ?? cause)}`, {
      ...where,
      cause,
    });
  }
  const res = await send(
    store,
    url,
    { method, headers: { "content-type": "application/octet-stream", ...(await headers()) }, body },
    req.signal,
    UploadFailedError,
  );
  if (!store.ok.has(res.status)) {
    // Loaded on failure only: pages that upload fine never fetch it.
    const { errorExcerpt, uploadStatusHint } = await import("./http-errors.js");
    const excerpt = errorExcerpt(await res.text().catch(() => ""), { plainText: true });
    const answer = `HTTP ${res.status}${excerpt ? `: ${excerpt}` : ""}${uploadStatusHint(res.status)}`;
    throw new UploadFailedError(`${name} store: ${method} ${redactUrl(url)} answered ${answer}`, {
      ...where,
      details: { status: res.status },
    });
  }
  await res.body?.cancel().catch(() => undefined);
  // fetch reports no upload progress; the whole body counts as sent once the server answers.
  req.onProgress?.(body.size, body.size);
  // Location is visible only if the server lists it in Access-Control-Expose-Headers.
  const location = res.headers.get("location");
  return { url: method === "POST" && location ? new URL(location, url).href : url };
}

export async function deleteBlob(store: ResolvedHttpStore, url: string, opts: ClaimCheckDeleteOptions | undefined): Promise<void> {
  const res = await send(store, url, { method: "DELETE", headers: await store.headers() }, opts?.signal, DeleteFailedError);
  await res.body?.cancel().catch(() => undefined);
  // Already gone is as good as deleted.
  if (!store.ok.has(res.status) && res.status !== 404) {
    throw new DeleteFailedError(`${store.name} store: DELETE ${redactUrl(url)} answered HTTP ${res.status}`, {
      details: { status: res.status },
    });
  }
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
