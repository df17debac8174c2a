// PlikHttp on fetch, for pages. Differences from Node that callers see:
// - Browsers do not let pages set User-Agent, so Plik takes the page for a
//   browser and answers errors with a redirect to its web app. The redirect is
//   not followed (it would land on HTML); it becomes an error saying so.
// - fetch can stream a request body only over HTTP/2, so the file part is a
//   Blob: a browser File is sent as it is, other bodies are gathered into one
//   (Chrome keeps large Blobs on disk, not in the page's heap).
// - Plik sends no CORS headers: a page on another origin needs a reverse proxy
//   that adds them (docs/packages/plik.md has an nginx recipe).
// - `timeout` covers the whole request: fetch has no "silent for" timer.

import type { PlikHttp, PlikRequest, PlikResponse } from "./http.js";

/** Request headers a page may not set (fetch drops or refuses them). */
const FORBIDDEN = new Set(["user-agent", "content-length"]);

export function browserPlikHttp(): PlikHttp {
  return {
    send: (method, url, body, r) => call(url, { method, ...(body !== undefined ? { body } : {}) }, r),
    async postFile(url, file, r) {
      const blob = file.blob ?? (await gather(file.chunks));
      const form = new FormData();
      form.append("file", blob, file.fileName);
      return call(url, { method: "POST", body: form }, r);
    },
  };
}

async function call(url: string, init: RequestInit, r: PlikRequest): Promise<PlikResponse> {
  const timeout = AbortSignal.timeout(r.timeout);
  const signal = r.signal ? AbortSignal.any([r.signal, timeout]) : timeout;
  const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => !FORBIDDEN.has(k.toLowerCase())));
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers, signal, redirect: "manual", credentials: "omit", cache: "no-store" });
  } catch (error) {
    if (r.signal?.aborted) throw error;
    const why = timeout.aborted
      ? `no answer within ${r.timeout} ms`
      : "network error, or the server does not allow this page's origin by CORS (Plik sends no CORS headers: put a reverse proxy that adds them in front of it)";
    throw new Error(`${init.method} ${url}: ${why}`, { cause: error });
  }
  if (res.type === "opaqueredirect") {
    return {
      status: 302,
      text: "Plik redirected the request to its web app, which is how it answers errors to browsers; its reverse proxy can send a plik_client User-Agent to get the error itself",
    };
  }
  return { status: res.status, text: await res.text() };
}

async function gather(chunks: AsyncIterable<Uint8Array>): Promise<Blob> {
  // Each chunk is copied into a Blob as it comes: a source may reuse its buffer.
  const parts: Blob[] = [];
  for await (const chunk of chunks) parts.push(new Blob([chunk as Uint8Array<ArrayBuffer>]));
  return new Blob(parts, { type: "application/octet-stream" });
}
