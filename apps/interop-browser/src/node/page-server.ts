// Builds the app's pages with Vite (against the built workspace packages) into a
// temporary directory and serves them on a free loopback port. 127.0.0.1 is a
// secure context, so pages get crypto.subtle and crypto.randomUUID.

import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const APP_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
};

export interface PageServer {
  /** e.g. http://127.0.0.1:41234/ — the chat page; `${url}peer.html` the conformance peer. */
  url: string;
  close(): Promise<void>;
}

export async function buildAndServePages(): Promise<PageServer> {
  const outDir = mkdtempSync(join(tmpdir(), "natsbridge-page-"));
  await build({ root: APP_ROOT, configFile: join(APP_ROOT, "vite.config.ts"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    let file = join(outDir, path);
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      statSync(file);
    } catch {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
