// A real nginx as a "custom HTTP file server" for link-transport tests: the
// built-in WebDAV module takes PUT (creating directories as needed) and
// DELETE, and serves GET from a temporary root. One process, no master, no
// daemon, every path inside its own temporary directory, loopback only.
//
// Besides plain storage it can require an Authorization header on writes (or
// on everything) and answer a chosen 5xx status while a flag is set, so tests
// can exercise retries without a fake server.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBinary } from "./binaries.js";
import { freePort } from "./ports.js";
import { type ManagedProcess, startProcess, waitUntilListening } from "./process.js";

export const NGINX_INSTALL_HINT =
  "Install it with `bash scripts/setup.sh nginx` (apt-get install nginx: Debian's package has the WebDAV module), or set NGINX_BIN.";

export interface NginxDavOptions {
  /** Use this port instead of a free one. */
  port?: number;
  /** When set, PUT and DELETE need exactly this `Authorization` header value (else 401). */
  authorization?: string;
  /** Require `authorization` for GET and HEAD too. Default false: receivers fetch without credentials. */
  authorizeReads?: boolean;
  /** Extra directives inside the `server { }` block. */
  extraServerConfig?: string;
  /**
   * Allow browser pages of any origin (CORS): answer preflights, and let pages
   * PUT, DELETE and GET with Range and read the length headers. Default false.
   */
  cors?: boolean;
  /**
   * Be a reverse proxy to this upstream (e.g. a Plik server) instead of a
   * WebDAV store; with `cors`, it adds the CORS headers the upstream lacks.
   */
  proxyPass?: string;
  /** With proxyPass: the User-Agent sent upstream (Plik answers errors plainly to plik_client). */
  proxyUserAgent?: string;
}

// Server-level, so every response (errors too, with `always`) carries them and a
// preflight OPTIONS is answered before the location's WebDAV handling.
const CORS_CONFIG = `
    add_header Access-Control-Allow-Origin * always;
    add_header Access-Control-Allow-Methods "GET, HEAD, PUT, POST, DELETE, OPTIONS" always;
    add_header Access-Control-Allow-Headers "authorization, content-type, range, x-uploadtoken, x-pliktoken" always;
    add_header Access-Control-Expose-Headers "content-length, content-range, location, etag" always;
    add_header Access-Control-Max-Age 600 always;
    if ($request_method = OPTIONS) { return 204; }`;

export interface NginxDav {
  /** The origin, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  /** The directory nginx serves and writes; tests may read or tamper with files here. */
  root: string;
  /** The local file behind a URL this server handed out. */
  pathFor(url: string): string;
  /** Answer every request with this status (500, 502 or 503) until called with null. */
  setFailure(status: 500 | 502 | 503 | null): void;
  /** Stop the process; files stay, so `start()` or `restart()` brings the same content back. */
  stop(): Promise<void>;
  /** Start it again on the same port (after `stop()`). */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stop and remove every file. */
  dispose(): Promise<void>;
}

const FAILURE_STATUSES = [500, 502, 503] as const;

const davBlock = `dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;`;

// Streams both ways (large uploads and downloads are neither buffered nor size-capped).
const proxyBlock = (upstream: string, userAgent: string | undefined) => `proxy_pass ${upstream};
      proxy_http_version 1.1;
      proxy_request_buffering off;
      proxy_buffering off;
      ${userAgent ? `proxy_set_header User-Agent "${userAgent}";` : ""}`;

export async function startNginxDav(options: NginxDavOptions = {}): Promise<NginxDav> {
  const bin = findBinary("nginx", "NGINX_BIN", NGINX_INSTALL_HINT);
  const dir = mkdtempSync(join(tmpdir(), "natsbridge-nginx-"));
  const root = join(dir, "root");
  mkdirSync(root);
  for (const d of ["tmp", "logs"]) mkdirSync(join(dir, d));
  const port = options.port ?? (await freePort());
  const flag = (status: number) => join(dir, `fail-${status}`);
  const errorLog = join(dir, "logs", "error.log");

  const auth = options.authorization;
  const authBlock = auth
    ? [
        `set $nb_ok 0;`,
        `if ($http_authorization = "${auth.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}") { set $nb_ok 1; }`,
        options.authorizeReads ? "" : `if ($request_method ~ ^(GET|HEAD)$) { set $nb_ok 1; }`,
        `if ($nb_ok = 0) { return 401; }`,
      ].join("\n      ")
    : "";
  const config = `
daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "logs", "error.log")} warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${join(dir, "tmp", "body")};
  proxy_temp_path ${join(dir, "tmp", "proxy")};
  fastcgi_temp_path ${join(dir, "tmp", "fastcgi")};
  uwsgi_temp_path ${join(dir, "tmp", "uwsgi")};
  scgi_temp_path ${join(dir, "tmp", "scgi")};
  types { }
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    client_max_body_size 0;
    client_body_buffer_size 1m;
    ${options.extraServerConfig ?? ""}
    ${options.cors ? CORS_CONFIG : ""}
    location / {
      ${FAILURE_STATUSES.map((s) => `if (-f ${flag(s)}) { return ${s}; }`).join("\n      ")}
      ${authBlock}
      ${options.proxyPass ? proxyBlock(options.proxyPass, options.proxyUserAgent) : davBlock}
    }
  }
}
`;
  const configFile = join(dir, "nginx.conf");
  writeFileSync(configFile, config);

  let proc: ManagedProcess | undefined;
  let starting: Promise<void> | undefined;
  const start = () => (starting = launch());
  const launch = async () => {
    if (proc?.alive()) return;
    proc = startProcess(bin, ["-p", dir, "-c", configFile, "-e", join(dir, "logs", "error.log")]);
    await waitUntilListening(proc, "nginx", [port], 15_000, () =>
      existsSync(errorLog) ? readFileSync(errorLog, "utf8").split("\n").slice(-20).join("\n") : "",
    );
  };
  const stop = async () => {
    // A start still waiting for the port (clients may already be connected) finishes first.
    await starting?.catch(() => undefined);
    await proc?.stop("SIGTERM");
  };
  await start();

  const origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    port,
    root,
    pathFor(url) {
      const u = new URL(url, origin);
      return join(root, ...decodeURIComponent(u.pathname).split("/").filter(Boolean));
    },
    setFailure(status) {
      for (const s of FAILURE_STATUSES) if (existsSync(flag(s))) unlinkSync(flag(s));
      if (status !== null) writeFileSync(flag(status), "");
    },
    stop,
    start,
    restart: async () => {
      await stop();
      await start();
    },
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
