// A Plik-compatible test server: answers the routes natsbridge and the
// references use the way a real plikd does, as recorded in
// ../shared/reference/plik-behaviour.md (status codes, bodies, headers), and
// as compared response by response with plikd built from Plik's sources
// (commit 64d2bdf): the same statuses, headers, JSON fields and messages,
// except the text after "unable to deserialize request body : " (Go's JSON
// parser words it differently from JavaScript's).
// tests/plik-behaviour.test.ts checks every behaviour listed there, against
// this server always and against a real plikd when PLIKD_BIN is set, so the
// two cannot drift apart unnoticed. CI cannot install Plik (its Go module is
// refused by the module proxy and it is not in Debian): this server is what
// the Plik tests and the conformance matrix's Plik row run on.
//
// Beyond plikd it records the requests it got and can fail every request on
// demand (`failWith`), for fault tests.

import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface PlikCompatibleOptions {
  /** Valid X-PlikToken values (user tokens). */
  tokens?: string[];
  /** Refuse anonymous uploads (FeatureAuthentication = "forced"); a token is made when `tokens` is empty. */
  requireToken?: boolean;
  /** Seconds; plikd's default is 30 days. */
  defaultTtl?: number;
  /** Seconds, 0 = no limit; plikd's default is 30 days. */
  maxTtl?: number;
  /** Bytes; plikd's default is 10 GB. */
  maxFileSize?: number;
}

export interface PlikCompatibleFile {
  id: string;
  name: string;
  data: Buffer;
  status: "uploaded" | "deleted";
}

export interface PlikCompatibleUpload {
  id: string;
  uploadToken: string;
  /** The X-PlikToken that created it, if any. */
  token: string | undefined;
  oneShot: boolean;
  ttl: number;
  /** ms since the epoch; undefined for an infinite TTL. */
  expiresAt: number | undefined;
  files: Map<string, PlikCompatibleFile>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  bodyBytes: number;
}

export interface PlikCompatibleServer {
  url: string;
  /** A valid X-PlikToken when started with requireToken (the first of `tokens`, or a new one). */
  token?: string;
  requests: RecordedRequest[];
  uploads: Map<string, PlikCompatibleUpload>;
  /** Answer every request with this status (e.g. 503) until reset to undefined. */
  failWith: number | undefined;
  dispose(): Promise<void>;
  /** Same as dispose. */
  close(): Promise<void>;
}

// plikd's list (server/context/errors.go): these clients get plain errors, every other client a 301 to the web app.
const CLI_AGENTS = ["wget", "curl", "python-urllib", "libwwww-perl", "php", "pycurl", "go-http-client", "plik_client"];
const ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const randomId = (n: number) => Array.from(randomBytes(n), (b) => ID_CHARS[b % ID_CHARS.length]).join("");
const DAY = 86_400;
const TEXT = "text/plain; charset=utf-8";

/** Sizes as plikd prints them (go-humanize Bytes: SI units, one decimal under 10). */
function humanBytes(n: number): string {
  if (n < 10) return `${n} B`;
  const units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const value = Math.floor((n / 1000 ** e) * 10 + 0.5) / 10;
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ${units[e]}`;
}

export async function startPlikCompatible(options: PlikCompatibleOptions = {}): Promise<PlikCompatibleServer> {
  const uploads = new Map<string, PlikCompatibleUpload>();
  const requests: RecordedRequest[] = [];
  const tokens = new Set(options.tokens ?? []);
  if (options.requireToken && tokens.size === 0) tokens.add(randomUUID());
  const defaultTtl = options.defaultTtl ?? 30 * DAY;
  const maxTtl = options.maxTtl ?? 30 * DAY;
  const maxFileSize = options.maxFileSize ?? 10 * 1000 ** 3;

  const server: Server = createServer(async (req, res) => {
    // A client that aborts its upload (the abort tests do) ends the body with
    // ECONNRESET; that request is simply dropped, as a real server would.
    const body = await readBody(req).catch(() => undefined);
    if (!body) return void res.destroy();
    const url = new URL(req.url ?? "/", "http://x");
    requests.push({ method: req.method ?? "", path: url.pathname, headers: req.headers, bodyBytes: body.byteLength });
    // plikd redirects failed downloads (GET and HEAD of a file) of clients that are not command-line
    // tools to its web app; every other failure is a plain text error.
    const fail = (status: number, message: string, redirectOnFailure = false) => {
      const agent = (req.headers["user-agent"] ?? "").toLowerCase();
      if (redirectOnFailure && !CLI_AGENTS.some((a) => agent.startsWith(a))) {
        // plikd writes the message and URI as they are (Go's http.Redirect); characters beyond
        // ASCII are percent-encoded here (headerSafe).
        const location = headerSafe(`/#/?err=${message}&errcode=${status}&uri=${req.url ?? "/"}`);
        const body = method === "HEAD" ? "" : `<a href="${htmlEscape(location)}">Moved Permanently</a>.\n\n`;
        const length = method === "HEAD" ? {} : { "content-length": Buffer.byteLength(body) };
        res.writeHead(301, { location, "content-type": "text/html; charset=utf-8", ...length }).end(body);
      } else send(res, status, `${message}\n`);
    };
    const method = req.method ?? "GET";
    const download = (method === "GET" || method === "HEAD") && url.pathname.startsWith("/file/");
    if (state.failWith) return fail(state.failWith, "internal server error", download);

    // Token authentication (server/middleware/authenticate.go).
    const plikToken = req.headers["x-pliktoken"] as string | undefined;
    if (plikToken !== undefined && plikToken !== "" && !tokens.has(plikToken)) return fail(403, "invalid token", download);
    const user = plikToken && tokens.has(plikToken) ? plikToken : undefined;

    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);

    if (method === "GET" && url.pathname === "/health") return text(res, "ok\n");
    if (method === "GET" && url.pathname === "/config") {
      return json(res, {
        maxFileSize,
        maxUserSize: -1,
        maxFilePerUpload: 1000,
        defaultTTL: defaultTtl,
        maxTTL: maxTtl,
        downloadDomain: "",
        downloadDomainAlias: null,
        abuseContact: "",
        feature_authentication: options.requireToken ? "forced" : "disabled",
        feature_one_shot: "enabled",
        feature_removable: "enabled",
        feature_stream: "enabled",
        feature_password: "enabled",
        feature_comments: "enabled",
        feature_set_ttl: "enabled",
        feature_extend_ttl: "disabled",
        feature_clients: "enabled",
        feature_github: "enabled",
        feature_text: "enabled",
        authentication: Boolean(options.requireToken),
        noAnonymousUploads: Boolean(options.requireToken),
        oneShot: true,
        removable: true,
        stream: true,
        protectedByPassword: true,
        googleAuthentication: false,
        ovhAuthentication: false,
        ovhApiEndpoint: "https://eu.api.ovh.com/1.0",
      });
    }
    // NoWebInterface = true: the web app's routes (where the 301s point) are not served.
    if (url.pathname === "/") return void res.writeHead(405, { "content-length": 0 }).end();

    if (method === "POST" && url.pathname === "/upload") {
      let params: Record<string, unknown> = {};
      try {
        if (body.byteLength) params = lowerKeys(JSON.parse(body.toString("utf8")) as Record<string, unknown>);
      } catch (e) {
        return fail(400, `unable to deserialize request body : ${(e as Error).message}`);
      }
      if (options.requireToken && !user) return fail(400, "unable to create upload : anonymous uploads are disabled");
      let ttl = typeof params.ttl === "number" ? params.ttl : 0;
      if (ttl === 0) ttl = defaultTtl;
      if (maxTtl > 0 && ttl < 0) return fail(400, `unable to create upload : cannot set infinite TTL (maximum allowed is : ${maxTtl})`);
      if (maxTtl > 0 && ttl > maxTtl) return fail(400, `unable to create upload : invalid TTL. (maximum allowed is : ${maxTtl})`);
      const createdAt = Date.now();
      const upload: PlikCompatibleUpload = {
        id: randomId(16),
        uploadToken: randomId(32),
        token: user,
        oneShot: params.oneshot === true,
        ttl,
        expiresAt: ttl > 0 ? createdAt + ttl * 1000 : undefined,
        files: new Map(),
      };
      uploads.set(upload.id, upload);
      return json(res, {
        id: upload.id,
        ttl,
        extend_ttl: false,
        downloadDomain: "",
        comments: "",
        files: null,
        uploadToken: upload.uploadToken,
        admin: true,
        stream: false,
        oneShot: upload.oneShot,
        removable: false,
        protectedByPassword: false,
        createdAt: new Date(createdAt).toISOString(),
        expireAt: upload.expiresAt ? new Date(upload.expiresAt).toISOString() : null,
      });
    }

    const upload = parts[1] ? uploads.get(parts[1]) : undefined;
    const expired = (u: PlikCompatibleUpload) => u.expiresAt !== undefined && Date.now() >= u.expiresAt;
    const isAdmin = (u: PlikCompatibleUpload) => req.headers["x-uploadtoken"] === u.uploadToken || (user !== undefined && u.token === user);

    if (method === "POST" && parts[0] === "file" && parts.length === 2) {
      if (!upload) return fail(404, `upload ${parts[1]} not found`);
      if (expired(upload)) return fail(404, `upload ${upload.id} has expired`);
      if (!isAdmin(upload)) return fail(403, "you are not allowed to add file to this upload");
      const file = parseMultipartFile(req.headers["content-type"] ?? "", body);
      if (!file) return fail(400, "missing file from multipart form");
      if (!file.filename) return fail(400, "missing file name from multipart form");
      if (file.data.byteLength > maxFileSize) return fail(400, `file too big (limit is set to ${humanBytes(maxFileSize)})`);
      const id = randomId(16);
      upload.files.set(id, { id, name: file.filename, data: file.data, status: "uploaded" });
      return json(res, {
        id,
        fileName: file.filename,
        fileMd5: createHash("md5").update(file.data).digest("hex"),
        status: "uploaded",
        fileType: "application/octet-stream",
        fileSize: file.data.byteLength,
        reference: "",
        createdAt: new Date().toISOString(),
      });
    }

    if ((method === "GET" || method === "HEAD") && parts[0] === "file" && parts.length === 4) {
      if (!upload) return fail(404, `upload ${parts[1]} not found`, true);
      if (expired(upload)) return fail(404, `upload ${upload.id} has expired`, true);
      const file = upload.files.get(parts[2]!);
      if (!file) return fail(404, `file ${parts[2]} not found`, true);
      if (file.name !== parts[3]) return fail(400, "invalid file name", true);
      if (file.status !== "uploaded") return fail(404, `file ${file.name} (${file.id}) is not available : ${file.status}`, true);
      // Only a GET uses up a one-shot download; a HEAD leaves it.
      if (method === "GET" && upload.oneShot) file.status = "deleted";
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": file.data.byteLength,
        // plikd writes the raw name; characters beyond ASCII are percent-encoded here (headerSafe).
        "content-disposition": `filename="${headerSafe(file.name)}"`,
        ...(upload.oneShot ? { "cache-control": "no-cache, no-store, must-revalidate", pragma: "no-cache", expires: "0" } : {}),
      });
      return res.end(method === "GET" ? file.data : undefined);
    }

    if (method === "DELETE" && parts[0] === "upload" && parts.length === 2) {
      if (!upload) return fail(404, `upload ${parts[1]} not found`);
      if (!isAdmin(upload)) return fail(403, "you are not allowed to remove this upload");
      uploads.delete(upload.id);
      return text(res, "ok");
    }
    fail(404, "404 page not found");
  });

  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const close = () => new Promise<void>((r) => server.close(() => r()));
  const firstToken = options.requireToken ? [...tokens][0] : undefined;
  const state: PlikCompatibleServer = {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    ...(firstToken ? { token: firstToken } : {}),
    requests,
    uploads,
    failWith: undefined,
    dispose: close,
    close,
  };
  return state;
}

/**
 * The text with every character beyond printable ASCII percent-encoded: plikd
 * writes raw UTF-8 into these headers, which a Node server cannot (it sends
 * header values as Latin-1, and clients read them back so).
 */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => encodeURIComponent(c));
}

function htmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": TEXT, "content-length": Buffer.byteLength(body) }).end(body);
}

// plikd answers with text/plain even for JSON bodies.
function json(res: ServerResponse, value: unknown): void {
  send(res, 200, JSON.stringify(value));
}

function text(res: ServerResponse, body: string): void {
  send(res, 200, body);
}

/** Go's encoding/json matches field names case-insensitively ("OneShot" sets oneShot). */
function lowerKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The part named "file" of a multipart/form-data body (enough of RFC 7578 for tests). */
function parseMultipartFile(contentType: string, body: Buffer): { filename: string; data: Buffer } | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) return undefined;
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  let pos = body.indexOf(boundary);
  while (pos >= 0) {
    const headerStart = pos + boundary.byteLength + 2;
    const headerEnd = body.indexOf("\r\n\r\n", headerStart);
    if (headerEnd < 0) return undefined;
    const headers = body.subarray(headerStart, headerEnd).toString("utf8");
    const next = body.indexOf(boundary, headerEnd + 4);
    if (next < 0) return undefined;
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name === "file") {
      // Go's Part.FileName() keeps only the base name.
      const raw = /filename="([^"]*)"/i.exec(headers)?.[1] ?? "";
      return { filename: raw.split("/").pop()!, data: body.subarray(headerEnd + 4, next - 2) };
    }
    pos = next;
  }
  return undefined;
}
