// The three Plik API calls natsbridge needs, as Plik's server implements them:
//
//   POST /upload                    JSON upload options → the upload, with its
//                                   `id` and the `uploadToken` that makes us
//                                   its admin (returned to its creator only)
//   POST /file/{uploadId}           multipart, part "file", header
//                                   X-UploadToken → the file, with its `id`
//                                   and the `fileName` Plik recorded
//   DELETE /upload/{uploadId}       X-UploadToken → removes the upload
//
// Downloads are GET /file/{uploadId}/{fileId}/{fileName}. X-PlikToken
// authenticates as a user (servers that refuse anonymous uploads). Plik
// answers errors to browser-like User-Agents with a 301 to its web app, so
// every request here identifies as a command-line client.

import { Readable } from "node:stream";
import { UploadFailedError } from "@natsbridge/envelope";
import { request, type Dispatcher } from "undici";
import { multipartBody } from "./multipart.js";

/** Starts with "plik_client", one of the prefixes Plik answers with plain errors instead of redirects. */
export const PLIK_USER_AGENT = "plik_client (natsbridge-js)";

export interface PlikConnection {
  /** The Plik server, e.g. http://plik.internal:8080 (no trailing slash). */
  baseUrl: string;
  /** A Plik user token, sent as X-PlikToken. */
  token?: string | undefined;
  /** Extra headers on every API call (a reverse proxy's auth, say). */
  headers?: Record<string, string> | undefined;
  /** Time limit in ms for each API response. */
  timeout: number;
  /** An undici dispatcher (proxy, connection limits); default the global one. */
  dispatcher?: Dispatcher | undefined;
}

export interface UploadParams {
  oneShot: boolean;
  /** Seconds until the upload expires; 0 = the server's default, -1 = never (if allowed). */
  ttl?: number | undefined;
  comments?: string | undefined;
}

/** The fields of Plik's upload object natsbridge reads. */
export interface PlikUpload {
  id: string;
  uploadToken: string;
  ttl?: number;
  oneShot?: boolean;
  downloadDomain?: string;
}

/** The fields of Plik's file object natsbridge reads. */
export interface PlikFile {
  id: string;
  fileName: string;
  fileSize?: number;
  fileMd5?: string;
  status?: string;
}

export class PlikHttpError extends Error {
  constructor(
    readonly status: number,
    readonly step: string,
    readonly body: string,
  ) {
    super(`Plik ${step} answered HTTP ${status}${body ? `: ${body.trim().slice(0, 200)}` : ""}`);
  }
}

function baseHeaders(c: PlikConnection): Record<string, string> {
  return {
    "user-agent": PLIK_USER_AGENT,
    ...(c.token ? { "x-pliktoken": c.token } : {}),
    ...c.headers,
  };
}

async function json<T>(res: Dispatcher.ResponseData, step: string): Promise<T> {
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new PlikHttpError(res.statusCode, step, text);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new PlikHttpError(res.statusCode, `${step} (answer is not JSON)`, text);
  }
}

export async function createUpload(c: PlikConnection, params: UploadParams, signal?: AbortSignal): Promise<PlikUpload> {
  const body = JSON.stringify({
    oneShot: params.oneShot,
    ...(params.ttl !== undefined ? { ttl: params.ttl } : {}),
    ...(params.comments ? { comments: params.comments } : {}),
  });
  const res = await request(`${c.baseUrl}/upload`, {
    method: "POST",
    headers: { ...baseHeaders(c), "content-type": "application/json" },
    body,
    headersTimeout: c.timeout,
    bodyTimeout: c.timeout,
    ...(c.dispatcher ? { dispatcher: c.dispatcher } : {}),
    ...(signal ? { signal } : {}),
  });
  const upload = await json<PlikUpload>(res, "POST /upload");
  if (typeof upload.id !== "string" || typeof upload.uploadToken !== "string" || !upload.id || !upload.uploadToken) {
    throw new UploadFailedError("Plik POST /upload answered without an upload id and upload token");
  }
  return upload;
}

export interface AddFileParams {
  fileName: string;
  chunks: AsyncIterable<Uint8Array>;
  size: number | undefined;
}

export async function addFile(
  c: PlikConnection,
  upload: Pick<PlikUpload, "id" | "uploadToken">,
  file: AddFileParams,
  signal?: AbortSignal,
): Promise<PlikFile> {
  const form = multipartBody({
    field: "file",
    filename: file.fileName,
    contentType: "application/octet-stream",
    chunks: file.chunks,
    size: file.size,
  });
  const res = await request(`${c.baseUrl}/file/${encodeURIComponent(upload.id)}`, {
    method: "POST",
    headers: {
      ...baseHeaders(c),
      "x-uploadtoken": upload.uploadToken,
      "content-type": form.contentType,
      ...(form.length !== undefined ? { "content-length": String(form.length) } : {}),
    },
    body: Readable.from(form.body, { objectMode: false }),
    // undici restarts the headers timer as body chunks go out, so a long upload
    // is fine; only a server silent for `timeout` is given up on.
    headersTimeout: c.timeout,
    bodyTimeout: c.timeout,
    ...(c.dispatcher ? { dispatcher: c.dispatcher } : {}),
    ...(signal ? { signal } : {}),
  });
  const stored = await json<PlikFile>(res, `POST /file/${upload.id}`);
  if (typeof stored.id !== "string" || !stored.id) throw new UploadFailedError("Plik POST /file answered without a file id");
  return stored;
}

/** Removes a whole upload. Already gone (404) counts as removed. */
export async function removeUpload(c: PlikConnection, uploadId: string, uploadToken: string | undefined, signal?: AbortSignal): Promise<void> {
  const res = await request(`${c.baseUrl}/upload/${encodeURIComponent(uploadId)}`, {
    method: "DELETE",
    headers: { ...baseHeaders(c), ...(uploadToken ? { "x-uploadtoken": uploadToken } : {}) },
    headersTimeout: c.timeout,
    bodyTimeout: c.timeout,
    ...(c.dispatcher ? { dispatcher: c.dispatcher } : {}),
    ...(signal ? { signal } : {}),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200 && res.statusCode !== 404) throw new PlikHttpError(res.statusCode, `DELETE /upload/${uploadId}`, text);
}

/** The URL Plik serves a file at; the name is the one Plik recorded, percent-encoded. */
export function fileUrl(downloadBase: string, uploadId: string, fileId: string, fileName: string): string {
  return `${downloadBase}/file/${encodeURIComponent(uploadId)}/${encodeURIComponent(fileId)}/${encodeURIComponent(fileName)}`;
}
