// vitest globalSetup: builds the chat page with Vite (from the workspace
// sources) into a temporary directory and serves it over HTTP on a free
// loopback port; the page's URL goes to tests as inject("pageUrl").

import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import type { TestProject } from "vitest/node";
import { freePort } from "@natsbridge/test-harness";
import "./provided.js";

const APP_ROOT = fileURLToPath(new URL("..", import.meta.url));
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
};

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const outDir = mkdtempSync(join(tmpdir(), "natsbridge-page-"));
  await build({ root: APP_ROOT, logLevel: "warn", build: { outDir, emptyOutDir: true } });
  // A static server: Vite's preview would do, but this is all the page needs.
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
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  // 127.0.0.1 is a secure context: the page gets crypto.subtle and crypto.randomUUID.
  project.provide("pageUrl", `http://127.0.0.1:${port}/`);
  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(outDir, { recursive: true, force: true });
  };
}
