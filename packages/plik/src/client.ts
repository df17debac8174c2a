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
// every request here identifies as a command-line client (browsers drop it).
//
// The HTTP itself goes through PlikHttp (http.ts): undici on Node, fetch in browsers.

import { UploadFailedError } from "@natsbridge/envelope";
import type { PlikFilePart, PlikHttp, PlikRequest, PlikResponse } from "./http.js";

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
  http: PlikHttp;
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

function requestOf(c: PlikConnection, signal: AbortSignal | undefined, extra: Record<string, string> = {}): PlikRequest {
  return {
    headers: { "user-agent": PLIK_USER_AGENT, ...(c.token ? { "x-pliktoken": c.token } : {}), ...c.headers, ...extra },
    timeout: c.timeout,
    signal,
  };
}

function json<T>({ status, text }: PlikResponse, step: string): T {
  if (status !== 200) throw new PlikHttpError(status, step, text);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new PlikHttpError(status, `${step} (answer is not JSON)`, text);
  }
}

export async function createUpload(c: PlikConnection, params: UploadParams, signal?: AbortSignal): Promise<PlikUpload> {
  const body = JSON.stringify({
    oneShot: params.oneShot,
    ...(params.ttl !== undefined ? { ttl: params.ttl } : {}),
    ...(params.comments ? { comments: params.comments } : {}),
  });
  const res = await c.http.send("POST", `${c.baseUrl}/upload`, body, requestOf(c, signal, { "content-type": "application/json" }));
  const upload = json<PlikUpload>(res, "POST /upload");
  if (typeof upload.id !== "string" || typeof upload.uploadToken !== "string" || !upload.id || !upload.uploadToken) {
    throw new UploadFailedError("Plik POST /upload answered without an upload id and upload token");
  }
  return upload;
}

export async function addFile(
  c: PlikConnection,
  upload: Pick<PlikUpload, "id" | "uploadToken">,
  file: PlikFilePart,
  signal?: AbortSignal,
): Promise<PlikFile> {
  const url = `${c.baseUrl}/file/${encodeURIComponent(upload.id)}`;
  const res = await c.http.postFile(url, file, requestOf(c, signal, { "x-uploadtoken": upload.uploadToken }));
  const stored = json<PlikFile>(res, `POST /file/${upload.id}`);
  if (typeof stored.id !== "string" || !stored.id) throw new UploadFailedError("Plik POST /file answered without a file id");
  return stored;
}

/** Removes a whole upload. Already gone (404) counts as removed. */
export async function removeUpload(
  c: PlikConnection,
  uploadId: string,
  uploadToken: string | undefined,
  signal?: AbortSignal,
): Promise<void> {
  const url = `${c.baseUrl}/upload/${encodeURIComponent(uploadId)}`;
  const res = await c.http.send("DELETE", url, undefined, requestOf(c, signal, uploadToken ? { "x-uploadtoken": uploadToken } : {}));
  if (res.status !== 200 && res.status !== 404) throw new PlikHttpError(res.status, `DELETE /upload/${uploadId}`, res.text);
}

/** The URL Plik serves a file at; the name is the one Plik recorded, percent-encoded. */
export function fileUrl(downloadBase: string, uploadId: string, fileId: string, fileName: string): string {
  return `${downloadBase}/file/${encodeURIComponent(uploadId)}/${encodeURIComponent(fileId)}/${encodeURIComponent(fileName)}`;
}
