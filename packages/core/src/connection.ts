// One NATS connection per broker URL, shared by every send and receive that is
// not handed its own. The references open (and drain) a connection per send
// when none is passed, which caps them near 1000 msg/s; we connect once.

import type { ConnectionOptions, NatsConnection } from "@nats-io/nats-core";
import { ConnectionFailedError } from "@natsbridge/envelope";
import type { Platform } from "./platform/types.js";

export class ConnectionPool {
  readonly #platform: Platform;
  readonly #connections = new Map<string, Promise<NatsConnection>>();

  constructor(platform: Platform) {
    this.#platform = platform;
  }

  /** The shared connection for these servers, opened on first use and reopened if it was closed. */
  async get(brokerUrl: string, connectOptions: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
    const key = poolKey(brokerUrl, connectOptions);
    const existing = this.#connections.get(key);
    if (existing) {
      const nc = await existing.catch(() => undefined);
      if (nc && !nc.isClosed()) return nc;
      this.#connections.delete(key);
    }
    const opening = this.#open(brokerUrl, connectOptions);
    this.#connections.set(key, opening);
    opening.catch(() => this.#connections.delete(key));
    return opening;
  }

  async #open(brokerUrl: string, connectOptions: Partial<ConnectionOptions>): Promise<NatsConnection> {
    const listed = brokerUrl
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    // nats.js ignores user:password@ in server URLs; the references (nats-py)
    // read them, so we pass them on as options (explicit options win).
    const servers = listed.map((s) => s.replace(/^([a-z]+:\/\/)[^@/]*@/i, "$1"));
    const fromUrl = urlCredentials(listed);
    try {
      return await this.#platform.connect({
        name: "natsbridge",
        // A long-lived shared connection should outlive server restarts.
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        ...(connectOptions.user || connectOptions.token || connectOptions.authenticator ? {} : fromUrl),
        ...connectOptions,
        servers,
      });
    } catch (cause) {
      // Server URLs may carry user:password; errors and logs get them without it.
      const shown = listed.map(redactServer);
      throw new ConnectionFailedError(`cannot connect to NATS at ${shown.join(", ")}: ${String((cause as Error)?.message ?? cause)}`, {
        cause,
        details: { servers: shown },
      });
    }
  }

  /** Drain and close every shared connection. */
  async close(): Promise<void> {
    const all = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.all(
      all.map(async (p) => {
        const nc = await p.catch(() => undefined);
        if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
      }),
    );
  }
}

function poolKey(brokerUrl: string, options: Partial<ConnectionOptions>): string {
  // Connections with different credentials or TLS settings (another CA, another
  // client certificate) must not be shared. Functions and buffers are told
  // apart by identity.
  const { user, pass, token, tls, authenticator } = options as Record<string, unknown>;
  return JSON.stringify([brokerUrl, user, pass, token, tls === undefined ? null : tls, identity(authenticator)], (_, v: unknown) =>
    typeof v === "function" || ArrayBuffer.isView(v) ? identity(v) : v,
  );
}

const identities = new WeakMap<object, number>();
let lastIdentity = 0;
function identity(value: unknown): number | null {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return null;
  let id = identities.get(value);
  if (id === undefined) {
    id = ++lastIdentity;
    identities.set(value, id);
  }
  return id;
}

/** `user:pass@` or `token@` from the first server URL that has them. */
function urlCredentials(servers: string[]): Partial<ConnectionOptions> {
  for (const server of servers) {
    const m = /^[a-z]+:\/\/([^@/]*)@/i.exec(server);
    if (!m) continue;
    const [user, pass] = m[1]!.split(":").map((part) => decodeURIComponent(part));
    return pass === undefined ? { token: user! } : { user: user!, pass };
  }
  return {};
}

/** nats://user:secret@host:4222 → nats://user:***@host:4222 (tokens given as the user part too). */
function redactServer(server: string): string {
  return server.replace(
    /^([a-z]+:\/\/)([^@/]*)@/i,
    (_, scheme: string, auth: string) => `${scheme}${auth.includes(":") ? `${auth.split(":")[0]}:***` : "***"}@`,
  );
}
