// A small stand-in for a Plik server, answering the four routes natsbridge
// uses the way Plik's handlers do (read from root-gg/plik server/handlers and
// middleware): status codes, JSON fields, X-UploadToken / X-PlikToken checks,
// TTL limits, one-shot removal after the first GET, and the 301 to the web app
// that Plik sends browser-like clients instead of an error. Only for unit
// tests: no real Plik server can be installed on the build machine.

import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface FakePlikOptions {
  /** Valid X-PlikToken values. */
  tokens?: string[];
  /** Refuse anonymous uploads (Plik's FeatureAuthentication = forced). */
  requireToken?: boolean;
  defaultTtl?: number;
  maxTtl?: number;
}

interface FakeUpload {
  id: string;
  uploadToken: string;
  token: string | undefined;
  oneShot: boolean;
  ttl: number;
  files: Map<string, { id: string; name: string; data: Buffer; status: "uploaded" | "removed" }>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  bodyBytes: number;
}

export interface FakePlik {
  url: string;
  requests: RecordedRequest[];
  uploads: Map<string, FakeUpload>;
  /** Answer every request with this status (e.g. 503) until reset to undefined. */
  failWith: number | undefined;
  close(): Promise<void>;
}

// Plik's list, from server/context/errors.go: these clients get plain errors.
const CLI_AGENTS = ["wget", "curl", "python-urllib", "libwwww-perl", "php", "pycurl", "go-http-client", "plik_client"];
const ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const randomId = (n: number) => Array.from(randomBytes(n), (b) => ID_CHARS[b % ID_CHARS.length]).join("");

export async function startFakePlik(options: FakePlikOptions = {}): Promise<FakePlik> {
  const uploads = new Map<string, FakeUpload>();
  const requests: RecordedRequest[] = [];
  const tokens = new Set(options.tokens ?? []);
  const defaultTtl = options.defaultTtl ?? 30 * 86400;
  const maxTtl = options.maxTtl ?? 30 * 86400;

  const state: FakePlik = {
    url: "",
    requests,
    uploads,
    failWith: undefined,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };

  const server: Server = createServer(async (req, res) => {
    // A client that aborts its upload (the abort tests do) ends the body with
    // ECONNRESET; that request is simply dropped, as a real server would.
    const body = await readBody(req).catch(() => undefined);
    if (!body) return void res.destroy();
    const url = new URL(req.url ?? "/", "http://x");
    requests.push({ method: req.method ?? "", path: url.pathname, headers: req.headers, bodyBytes: body.byteLength });
    const fail = (status: number, message: string, redirectOnFailure = false) => {
      const agent = (req.headers["user-agent"] ?? "").toLowerCase();
      if (redirectOnFailure && !CLI_AGENTS.some((a) => agent.startsWith(a))) {
        res.writeHead(301, { location: `/#/?err=${message}&errcode=${status}&uri=${req.url}` }).end();
      } else res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(`${message}\n`);
    };
    if (state.failWith) return fail(state.failWith, "internal server error", req.method === "GET");

    // Token authentication (middleware/authenticate.go).
    const plikToken = req.headers["x-pliktoken"] as string | undefined;
    if (plikToken !== undefined && plikToken !== "" && !tokens.has(plikToken)) return fail(403, "invalid token", req.method === "GET");
    const user = plikToken && tokens.has(plikToken) ? plikToken : undefined;

    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (req.method === "POST" && url.pathname === "/upload") {
      let params: Record<string, unknown> = {};
      try {
        if (body.byteLength) params = lowerKeys(JSON.parse(body.toString("utf8")) as Record<string, unknown>);
      } catch (e) {
        return fail(400, `unable to deserialize request body : ${String(e)}`);
      }
      if (options.requireToken && !user) return fail(400, "unable to create upload : anonymous uploads are disabled");
      let ttl = typeof params.ttl === "number" ? params.ttl : 0;
      if (ttl === 0) ttl = defaultTtl;
      if (maxTtl > 0 && ttl <= 0) return fail(400, `unable to create upload : cannot set infinite TTL (maximum allowed is : ${maxTtl})`);
      if (maxTtl > 0 && ttl > maxTtl) return fail(400, `unable to create upload : invalid TTL. (maximum allowed is : ${maxTtl})`);
      const upload: FakeUpload = {
        id: randomId(16),
        uploadToken: randomId(32),
        token: user,
        oneShot: params.oneshot === true,
        ttl,
        files: new Map(),
      };
      uploads.set(upload.id, upload);
      return json(res, {
        id: upload.id,
        ttl,
        extend_ttl: false,
        downloadDomain: "",
        comments: "",
        files: [],
        uploadToken: upload.uploadToken,
        admin: true,
        stream: false,
        oneShot: upload.oneShot,
        removable: false,
        protectedByPassword: false,
        createdAt: new Date().toISOString(),
        expireAt: new Date(Date.now() + ttl * 1000).toISOString(),
      });
    }

    const upload = parts[1] ? uploads.get(parts[1]) : undefined;
    const isAdmin = (u: FakeUpload) => req.headers["x-uploadtoken"] === u.uploadToken || (user !== undefined && u.token === user);

    if (req.method === "POST" && parts[0] === "file" && parts.length === 2) {
      if (!upload) return fail(404, `upload ${parts[1]} not found`);
      if (!isAdmin(upload)) return fail(403, "you are not allowed to add file to this upload");
      const file = parseMultipartFile(req.headers["content-type"] ?? "", body);
      if (!file) return fail(400, "missing file from multipart form");
      if (!file.filename) return fail(400, "missing file name from multipart form");
      const id = randomId(16);
      upload.files.set(id, { id, name: file.filename, data: file.data, status: "uploaded" });
      return json(res, {
        id,
        fileName: file.filename,
        status: "uploaded",
        fileMd5: createHash("md5").update(file.data).digest("hex"),
        fileType: "application/octet-stream",
        fileSize: file.data.byteLength,
        reference: "",
        createdAt: new Date().toISOString(),
      });
    }

    if ((req.method === "GET" || req.method === "HEAD") && parts[0] === "file" && parts.length === 4) {
      if (!upload) return fail(404, `upload ${parts[1]} not found`, true);
      const file = upload.files.get(parts[2]!);
      if (!file) return fail(404, `file ${parts[2]} not found`, true);
      if (file.name !== parts[3]) return fail(400, "invalid file name", true);
      if (file.status !== "uploaded") return fail(404, `file ${file.name} (${file.id}) is not available : ${file.status}`, true);
      if (req.method === "GET" && upload.oneShot) file.status = "removed";
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": file.data.byteLength,
        // Go writes the raw UTF-8 name; Node refuses non-Latin-1 header values, so the fake encodes it.
        "content-disposition": `filename="${encodeURIComponent(file.name)}"`,
        ...(upload.oneShot ? { "cache-control": "no-cache, no-store, must-revalidate" } : {}),
      });
      return res.end(req.method === "GET" ? file.data : undefined);
    }

    if (req.method === "DELETE" && parts[0] === "upload" && parts.length === 2) {
      if (!upload) return fail(404, `upload ${parts[1]} not found`);
      if (!isAdmin(upload)) return fail(403, "you are not allowed to remove this upload");
      uploads.delete(upload.id);
      return res.end("ok");
    }
    fail(404, "404 page not found");
  });

  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return state;
}

function json(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(value));
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
