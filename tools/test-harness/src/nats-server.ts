// A real nats-server for one test run, on free loopback ports, with its own
// config and data directory. Stopped (and its directory removed) by stop().

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBinary, PINNED_PATHS, TOOL_VERSIONS } from "./binaries.js";
import { freePort } from "./ports.js";
import { type ManagedProcess, startProcess, waitUntilListening } from "./process.js";

export interface NatsServerOptions {
  jetstream?: boolean;
  /** Also listen for websocket clients (browsers) on a free port, without TLS. */
  websocket?: boolean;
  /** Extra lines for the server's config file (auth, tls, max_payload...). */
  extraConfig?: string;
  /** Use this client port instead of a free one (e.g. to restart on the same port). */
  port?: number;
  /** Scheme used in `url` (e.g. "tls" when extraConfig enables TLS). */
  scheme?: string;
}

export interface NatsServer {
  url: string;
  port: number;
  wsUrl?: string;
  dir: string;
  /** Stop the server (keeping its directory, so JetStream state survives a restart). */
  stop(): Promise<void>;
  /** Start it again on the same ports with the same config. */
  restart(): Promise<void>;
  /** Stop it and remove its directory. */
  dispose(): Promise<void>;
}

export const NATS_INSTALL_HINT =
  `Install it with \`bash scripts/setup.sh nats\` (go install github.com/nats-io/nats-server/v2@v${TOOL_VERSIONS.NATS_SERVER_VERSION} into ` +
  `.tools/nats-server/), or set NATS_SERVER_BIN to another nats-server (${TOOL_VERSIONS.NATS_SERVER_OLDEST_VERSION} or newer).`;

/** The nats-server every starter runs: NATS_SERVER_BIN, else the pinned build in .tools/ (never PATH's by surprise). */
export function findNatsServer(): string {
  return findBinary("nats-server", "NATS_SERVER_BIN", NATS_INSTALL_HINT, PINNED_PATHS.natsServer);
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const bin = findNatsServer();
  const dir = mkdtempSync(join(tmpdir(), "natsbridge-nats-"));
  const port = options.port ?? (await freePort());
  const wsPort = options.websocket ? await freePort() : undefined;
  const config = [
    `listen: "127.0.0.1:${port}"`,
    options.jetstream ? `jetstream { store_dir: "${join(dir, "js")}" }` : "",
    wsPort ? `websocket { listen: "127.0.0.1:${wsPort}", no_tls: true }` : "",
    options.extraConfig ?? "",
  ].join("\n");
  const configFile = join(dir, "nats.conf");
  writeFileSync(configFile, config);

  let proc: ManagedProcess | undefined;
  const launch = async () => {
    proc = startProcess(bin, ["-c", configFile]);
    await waitUntilListening(proc, "nats-server", wsPort ? [port, wsPort] : [port]);
  };
  await launch();
  return {
    url: `${options.scheme ?? "nats"}://127.0.0.1:${port}`,
    port,
    ...(wsPort ? { wsUrl: `ws://127.0.0.1:${wsPort}` } : {}),
    dir,
    stop: async () => {
      await proc?.stop();
    },
    restart: async () => {
      await proc?.stop();
      await launch();
    },
    dispose: async () => {
      await proc?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
