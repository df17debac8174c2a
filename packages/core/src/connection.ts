// One NATS connection per broker URL, shared by every send and receive that is
// not handed its own. The references open (and drain) a connection per send
// when none is passed, which caps them near 1000 msg/s; we connect once.

import { ConnectionFailedError } from "@natsbridge/envelope";
import type { ConnectionOptions, NatsConnection } from "nats";
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
    const servers = brokerUrl.split(",").map((s) => s.trim()).filter(Boolean);
    try {
      return await this.#platform.connect({
        name: "natsbridge",
        // A long-lived shared connection should outlive server restarts.
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        ...connectOptions,
        servers,
      });
    } catch (cause) {
      throw new ConnectionFailedError(`cannot connect to NATS at ${servers.join(", ")}: ${String((cause as Error)?.message ?? cause)}`, {
        cause,
        details: { servers },
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
  // Connections with different credentials must not be shared.
  const { user, pass, token, tls, authenticator } = options as Record<string, unknown>;
  return JSON.stringify([brokerUrl, user, pass, token, tls ? "tls" : "", authenticator ? "auth" : ""]);
}
