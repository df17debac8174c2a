// `pnpm conformance`: the whole matrix over a real nats-server, a real HTTP
// file server and a Plik (the Plik-compatible test server, or a real plikd
// with PLIKD_BIN), with the Python reference peer, natsbridge in Chromium, the
// MicroPython peer in the MicroPython VM (and any peers given with --peer)
// live, and the Julia/MicroPython-shaped fixtures replayed.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { connect } from "@nats-io/transport-node";
import { createBridge, httpStore, type PayloadCodec } from "@natsbridge/core";
import { plikStore } from "@natsbridge/plik";
import {
  findPython,
  type NatsServer,
  type NginxDav,
  type PlikServer,
  REPO_ROOT,
  startAnyPlik,
  startNatsServer,
  startNginxDav,
} from "@natsbridge/test-harness";
import type { TableToRows } from "./canonical.js";
import { loadCases } from "./cases.js";
import { loadFixtures, startFixtureServer } from "./fixtures.js";
import { renderHtml } from "./html-report.js";
import { type Peer, type PeerSpec, splitCommand, startPeer } from "./peer.js";
import { buildRows, type Consumer, JULIA_UNAVAILABLE, type Producer, planCell, rowLabel } from "./plan.js";
import { type MatrixReport, renderMatrix, renderNotes, renderTotals, totals, vitestShaped } from "./report.js";
import { type CellResult, runCell } from "./runner.js";

const APP_DIR = fileURLToPath(new URL("../", import.meta.url));
const PYTHON_PEER_DIR = join(REPO_ROOT, "apps", "interop-python");
// natsbridge in headless Chromium (@nats-io/nats-core over websockets, fetch), speaking the peer protocol.
const BROWSER_PEER_DIR = join(REPO_ROOT, "apps", "interop-browser");
// The MicroPython reference's behaviour, run by the official MicroPython VM (WebAssembly) in a Node host.
const MICROPYTHON_PEER_DIR = join(REPO_ROOT, "apps", "interop-micropython");

const USAGE = `pnpm conformance [-- options]

  --peer NAME=COMMAND   add a live peer speaking the peer protocol (docs/conformance.md); repeatable
  --no-python           leave out the bundled Python reference peer
  --no-browser          leave out the browser peer (natsbridge in headless Chromium)
  --no-micropython      leave out the MicroPython peer (the MicroPython VM)
  --no-plik             run no Plik server (the Plik row is then unavailable)
  --html                also write the matrix as a self-contained HTML page (conformance-matrix.html)
  --only TEXT           run only rows whose key contains TEXT (e.g. --only table)
  --nats-url URL        use this nats-server instead of starting one
  --fileserver-url URL  use this HTTP PUT file server for live link cells instead of starting nginx
  --report DIR          where the reports go (default apps/conformance/reports)
  --timeout MS          per-cell time limit (default 20000)
  --help`;

interface ArrowModule {
  arrowCodecs: () => PayloadCodec[];
  tableToRows?: TableToRows;
}

/** @natsbridge/arrow when it is there: its codecs, and its rows for comparison. */
async function loadArrow(): Promise<ArrowModule | undefined> {
  const name = "@natsbridge/arrow";
  try {
    const mod = (await import(name)) as Partial<ArrowModule>;
    return typeof mod.arrowCodecs === "function" ? (mod as ArrowModule) : undefined;
  } catch {
    return undefined;
  }
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== "--"),
    options: {
      peer: { type: "string", multiple: true, default: [] },
      "no-python": { type: "boolean", default: false },
      "no-browser": { type: "boolean", default: false },
      "no-micropython": { type: "boolean", default: false },
      "no-plik": { type: "boolean", default: false },
      html: { type: "boolean", default: false },
      only: { type: "string" },
      "nats-url": { type: "string" },
      "fileserver-url": { type: "string" },
      report: { type: "string", default: join(APP_DIR, "reports") },
      timeout: { type: "string", default: "20000" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const startedAt = new Date();
  const cases = loadCases();
  const fixtures = loadFixtures();
  const arrow = await loadArrow();
  const peerSpecs: PeerSpec[] = [];
  if (!values["no-python"]) {
    peerSpecs.push({ name: "python-reference", command: [findPython(), "-m", "natsbridge_peer", "serve"], cwd: PYTHON_PEER_DIR });
  }
  if (!values["no-browser"]) {
    const command = [process.execPath, "--import", "tsx", "src/peer/cli.ts"];
    peerSpecs.push({ name: "browser", command, cwd: BROWSER_PEER_DIR });
  }
  if (!values["no-micropython"]) {
    const command = [process.execPath, "--import", "tsx", "src/cli.ts"];
    peerSpecs.push({ name: "micropython-vm", command, cwd: MICROPYTHON_PEER_DIR });
  }
  for (const p of values.peer ?? []) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new Error(`--peer takes NAME=COMMAND, got ${p}`);
    // Relative to where the user ran `pnpm conformance`, not to this package (pnpm sets INIT_CWD).
    peerSpecs.push({ name: p.slice(0, eq), command: splitCommand(p.slice(eq + 1)), cwd: process.env.INIT_CWD ?? process.cwd() });
  }

  let nats: NatsServer | undefined;
  let dav: NginxDav | undefined;
  let plik: Omit<PlikServer, "dir"> | undefined;
  let plikProxy: NginxDav | undefined;
  if (!values["nats-url"]) nats = await startNatsServer();
  if (!values["fileserver-url"]) dav = await startNginxDav({ cors: true });
  const natsUrl = values["nats-url"] ?? nats!.url;
  const fileserverUrl = values["fileserver-url"] ?? dav!.url;
  if (!values["no-plik"]) {
    plik = await startAnyPlik({ defaultTtl: 3600 });
    // Plik sends no CORS headers: the browser peer (and so everyone, for one URL per link) goes through
    // the reverse proxy a deployment puts in front of it for pages (docs/browser.md, "Plik").
    plikProxy = await startNginxDav({ cors: true, proxyPass: plik.url, proxyUserAgent: "plik_client (nginx)" });
  }
  const fixtureServer = await startFixtureServer(fixtures);
  const nc = await connect({ servers: natsUrl, name: "conformance" });
  const bridge = createBridge({
    brokerUrl: natsUrl,
    ...(arrow ? { codecs: arrow.arrowCodecs() } : {}),
    allowedOrigins: [fixtureServer.origin, fileserverUrl, ...(plikProxy ? [plikProxy.url] : [])],
  });
  const runId = `r${process.pid}${Date.now().toString(36)}`;
  const peers = new Map<string, Peer>();
  const cells: CellResult[] = [];
  try {
    for (const spec of peerSpecs) {
      const peer = await startPeer(spec, nc, { natsUrl, prefix: `conformance.peer.${runId}.${peers.size}`, fileserverUrl });
      peers.set(spec.name, peer);
    }
    const producers: Producer[] = [
      { id: "ts", kind: "ts" },
      ...[...peers.values()].map((p): Producer => ({ id: p.name, kind: "peer", caps: p.caps })),
      { id: "julia", kind: "fixtures" },
      { id: "micropython", kind: "fixtures" },
    ];
    const consumers: Consumer[] = [
      { id: "ts", kind: "ts" },
      ...[...peers.values()].map((p): Consumer => ({ id: p.name, kind: "peer", caps: p.caps })),
      { id: "julia", kind: "unavailable", reason: JULIA_UNAVAILABLE },
    ];
    const rows = buildRows(cases.values(), fixtures, plik?.kind.replace(/ \(.*\)$/, "")).filter(
      (r) => !values.only || r.key.includes(values.only),
    );
    const ctx = {
      nc,
      bridge,
      peers,
      cases,
      fixtureOrigin: fixtureServer.origin,
      store: httpStore({ baseUrl: fileserverUrl }),
      ...(plikProxy ? { plik: { store: plikStore({ url: plikProxy.url }), url: plikProxy.url } } : {}),
      ...(arrow?.tableToRows ? { toRows: arrow.tableToRows } : {}),
      runId,
      timeoutMs: Number(values.timeout),
    };
    const planCtx = { cases, fixtures, arrowAvailable: arrow !== undefined, plikAvailable: plik !== undefined };
    for (const row of rows) {
      for (const producer of producers) {
        for (const consumer of consumers) {
          cells.push(await runCell(row, producer, consumer, planCell(row, producer, consumer, planCtx), ctx));
        }
      }
    }

    const columns = producers.flatMap((p) => consumers.map((c) => ({ producer: p.id, consumer: c.id })));
    const t = totals(cells);
    const report: MatrixReport = {
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      producers: producers.map((p) => p.id),
      consumers: consumers.map((c) => c.id),
      rows: rows.map((r) => ({
        key: r.key,
        label: rowLabel(r),
        case: r.case,
        transport: r.transport,
        types: cases.get(r.case)?.payloads.map((p) => p.payload_type) ?? [],
      })),
      cells,
      totals: t,
      environment: {
        nats: natsUrl,
        fileserver: dav ? `nginx WebDAV (HTTP PUT) at ${fileserverUrl}` : fileserverUrl,
        plik: plik && plikProxy ? `${plik.kind} at ${plik.url}, behind an nginx CORS proxy at ${plikProxy.url}` : "none (--no-plik)",
        fixtureServer: fixtureServer.origin,
        arrow: arrow ? "@natsbridge/arrow" : "missing",
        peers: [...peers.values()].map((p) => `${p.name}: ${p.caps.implementation ?? ""}`).join("; "),
      },
    };
    console.log(
      "\nNATSBridge conformance matrix (producer→consumer; TS = natsbridge, py = Python reference peer, browser = natsbridge in Chromium, " +
        "jl = Julia-shaped fixtures as producer, Julia live as consumer, mp = MicroPython-shaped fixtures, mpvm = the MicroPython peer in the MicroPython VM)\n",
    );
    console.log(renderMatrix(rows, columns, cells, rowLabel));
    const notes = renderNotes(cells);
    if (notes) console.log(`\nWhy cells did not pass:\n${notes}`);
    console.log(`\n${renderTotals(t)} (${cells.length} cells, ${(report.durationMs / 1000).toFixed(1)} s)`);
    writeReports(values.report!, report, values.html!);
    return t.fail > 0 ? 1 : 0;
  } finally {
    for (const p of peers.values()) await p.stop();
    await bridge.close();
    await nc.drain().catch(() => undefined);
    await fixtureServer.close();
    await plikProxy?.dispose();
    await plik?.dispose();
    await dav?.dispose();
    await nats?.dispose();
  }
}

function writeReports(dir: string, report: MatrixReport, html: boolean): void {
  mkdirSync(dir, { recursive: true });
  const matrixFile = join(dir, "conformance-matrix.json");
  const files = [matrixFile, join(dir, "conformance.json")];
  writeFileSync(matrixFile, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files[1]!, `${JSON.stringify(vitestShaped(report), null, 2)}\n`);
  if (html) {
    files.push(join(dir, "conformance-matrix.html"));
    writeFileSync(files[2]!, renderHtml(report));
  }
  console.log(`reports: ${files.join(", ")}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(`conformance: ${(error as Error)?.stack ?? error}`);
      process.exit(2);
    },
  );
}
