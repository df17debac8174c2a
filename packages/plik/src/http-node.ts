// PlikHttp on undici: the multipart body is streamed (multipart.ts) with an
// exact Content-Length when the size is known, so uploads are never buffered.

import { Readable } from "node:stream";
import { type Dispatcher, request } from "undici";
import type { PlikHttp, PlikRequest } from "./http.js";
import { multipartBody } from "./multipart.js";

export function nodePlikHttp(dispatcher?: Dispatcher): PlikHttp {
  const common = (r: PlikRequest) => ({
    // undici restarts the headers timer as body chunks go out, so a long upload
    // is fine; only a server silent for `timeout` is given up on.
    headersTimeout: r.timeout,
    bodyTimeout: r.timeout,
    ...(dispatcher ? { dispatcher } : {}),
    ...(r.signal ? { signal: r.signal } : {}),
  });
  return {
    async send(method, url, body, r) {
      const res = await request(url, { method, headers: r.headers, ...(body !== undefined ? { body } : {}), ...common(r) });
      return { status: res.statusCode, text: await res.body.text() };
    },
    async postFile(url, file, r) {
      const form = multipartBody({
        field: "file",
        filename: file.fileName,
        contentType: "application/octet-stream",
        chunks: file.chunks,
        size: file.size,
      });
      const res = await request(url, {
        method: "POST",
        headers: {
          ...r.headers,
          "content-type": form.contentType,
          ...(form.length !== undefined ? { "content-length": String(form.length) } : {}),
        },
        body: Readable.from(form.body, { objectMode: false }),
        ...common(r),
      });
      return { status: res.statusCode, text: await res.body.text() };
    },
  };
}
