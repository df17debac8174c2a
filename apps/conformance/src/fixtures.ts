// The golden fixtures (fixtures/v1/<producer>/<case>.<transport>[.<variant>]/):
// envelope.json as the producer emitted it, expected.json (what a receiver
// must decode), meta.json (producer, provenance), and blobs/<dataname> for
// link payloads. Link URLs start with the placeholder origin
// {{FILESERVER_URL}}; the fixture server below serves the blobs and the
// runner puts its origin in place of the placeholder before publishing.

import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { DecodedPayload } from "./cases.js";
import { FIXTURES_DIR } from "./cases.js";

export const FIXTURE_ORIGIN = "{{FILESERVER_URL}}";

export interface FixtureMeta {
  producer: string;
  case: string;
  transport: "direct" | "link";
  variant?: string;
  provenance: string;
  notes?: string;
  /** Consumers (by peer name) that must reject this fixture, and why, per their reference. */
  rejected_by?: Record<string, string>;
}

export interface Fixture extends FixtureMeta {
  /** e.g. "julia/arrowtable.direct" */
  id: string;
  dir: string;
  envelopeText: string;
  expected: DecodedPayload[];
}

export function loadFixtures(root = FIXTURES_DIR): Fixture[] {
  const out: Fixture[] = [];
  for (const producer of readdirSync(root).sort()) {
    const pdir = join(root, producer);
    if (!statSync(pdir).isDirectory()) continue;
    for (const name of readdirSync(pdir).sort()) {
      const dir = join(pdir, name);
      if (!existsSync(join(dir, "meta.json"))) continue;
      const meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")) as FixtureMeta;
      const expected = (JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { payloads: DecodedPayload[] }).payloads;
      out.push({ ...meta, id: `${producer}/${name}`, dir, envelopeText: readFileSync(join(dir, "envelope.json"), "utf8"), expected });
    }
  }
  return out;
}

/** The envelope text with the fixture server's origin in place of the placeholder. */
export function materialize(envelopeText: string, origin: string): string {
  return envelopeText.split(FIXTURE_ORIGIN).join(origin);
}

/** URL path → blob file, for every link payload of every fixture. */
export function blobRoutes(fixtures: readonly Fixture[]): Map<string, string> {
  const routes = new Map<string, string>();
  for (const f of fixtures) {
    const env = JSON.parse(f.envelopeText) as { payloads: { transport: string; dataname: string; data: unknown }[] };
    for (const p of env.payloads) {
      if (p.transport !== "link" || typeof p.data !== "string" || !p.data.startsWith(FIXTURE_ORIGIN)) continue;
      const path = decodeURIComponent(p.data.slice(FIXTURE_ORIGIN.length));
      routes.set(path, join(f.dir, "blobs", p.dataname));
    }
  }
  return routes;
}

export interface FixtureServer {
  origin: string;
  close(): Promise<void>;
}

/** A small static server for the fixtures' blobs: GET/HEAD of known paths, 404 otherwise. */
export async function startFixtureServer(fixtures: readonly Fixture[]): Promise<FixtureServer> {
  const routes = blobRoutes(fixtures);
  const server: Server = createServer((req, res) => {
    // Browser peers fetch link URLs from their page's origin.
    res.setHeader("access-control-allow-origin", "*");
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = routes.get(path);
    if ((req.method !== "GET" && req.method !== "HEAD") || !file || !existsSync(file)) {
      res.writeHead(file ? 405 : 404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": statSync(file).size });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
