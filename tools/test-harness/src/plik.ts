// A real Plik server (plikd) for one test run, on a free loopback port, with
// its own config, sqlite metadata and file directory. Used wherever PLIKD_BIN
// points at a plikd: the real-Plik suite (`pnpm --filter @natsbridge/plik
// test:real-plik`), the Plik behaviour tests of this harness, and the
// conformance matrix's Plik row. CI cannot install it (the Go module proxy
// refuses github.com/root-gg/plik and Debian has no Plik package): there the
// Plik-compatible test server (plik-compatible.ts) stands in. Build plikd from
// a Plik checkout (server/, CGO_ENABLED=1 for sqlite) and point PLIKD_BIN at it.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBinary } from "./binaries.js";
import { startPlikCompatible } from "./plik-compatible.js";
import { freePort } from "./ports.js";
import { startProcess, waitUntilListening } from "./process.js";

/** How reports name the stand-in. */
export const PLIK_COMPATIBLE_KIND = "plik-compatible test server";

export const PLIK_INSTALL_HINT =
  "Build plikd from a Plik checkout (cd server && CGO_ENABLED=1 go build -o plikd .) and set PLIKD_BIN; " +
  "`go install github.com/root-gg/plik/server@<commit>` works where the Go module proxy serves that module.";

export interface PlikServerOptions {
  /** Refuse anonymous uploads (FeatureAuthentication = "forced"); `token` then holds a user token. */
  requireToken?: boolean;
  /** Seconds. Default one day. */
  defaultTtl?: number;
  /** Seconds. Default 30 days. */
  maxTtl?: number;
  /** Bytes. Default plikd's (10 GB). */
  maxFileSize?: number;
}

export interface PlikServer {
  url: string;
  /** What it is, for reports: "real plikd (<path>)". */
  kind: string;
  /** A user token (X-PlikToken) when the server was started with requireToken. */
  token?: string;
  dir: string;
  dispose(): Promise<void>;
}

export async function startPlik(options: PlikServerOptions = {}): Promise<PlikServer> {
  const bin = findBinary("plikd", "PLIKD_BIN", PLIK_INSTALL_HINT);
  const dir = mkdtempSync(join(tmpdir(), "natsbridge-plik-"));
  const port = await freePort();
  const config = join(dir, "plikd.cfg");
  writeFileSync(
    config,
    [
      `LogLevel = "WARNING"`,
      `ListenPort = ${port}`,
      `ListenAddress = "127.0.0.1"`,
      `NoWebInterface = true`,
      `DefaultTTLStr = "${options.defaultTtl ?? 86400}s"`,
      `MaxTTLStr = "${options.maxTtl !== undefined ? `${options.maxTtl}s` : "30d"}"`,
      ...(options.maxFileSize !== undefined ? [`MaxFileSizeStr = "${options.maxFileSize}B"`] : []),
      `FeatureAuthentication = "${options.requireToken ? "forced" : "disabled"}"`,
      `DataBackend = "file"`,
      `[DataBackendConfig]`,
      `  Directory = "${join(dir, "files")}"`,
      `[MetadataBackendConfig]`,
      `  Driver = "sqlite3"`,
      `  ConnectionString = "${join(dir, "plik.db")}"`,
    ].join("\n"),
  );
  let token: string | undefined;
  if (options.requireToken) {
    // Users and tokens are made with plikd's own admin commands, on the same database.
    const admin = (...args: string[]) => execFileSync(bin, ["--config", config, ...args], { encoding: "utf8" });
    admin("user", "create", "--login", "natsbridge", "--password", "natsbridge-test");
    token = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i.exec(admin("token", "create", "--login", "natsbridge"))?.[1];
    if (!token) throw new Error("plikd token create printed no token");
  }
  const proc = startProcess(bin, ["--config", config]);
  await waitUntilListening(proc, "plikd", [port]);
  return {
    url: `http://127.0.0.1:${port}`,
    kind: `real plikd (${bin})`,
    ...(token ? { token } : {}),
    dir,
    dispose: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Plik for a test or a run: a real plikd when PLIKD_BIN is set, else the Plik-compatible test server. */
export async function startAnyPlik(options: PlikServerOptions = {}): Promise<Omit<PlikServer, "dir">> {
  if (process.env.PLIKD_BIN) return startPlik(options);
  const server = await startPlikCompatible(options);
  return { url: server.url, kind: PLIK_COMPATIBLE_KIND, ...(server.token ? { token: server.token } : {}), dispose: () => server.dispose() };
}
