// The JetStream machinery shared by publishing (jetstream-publish.ts) and
// consuming (jetstream-consume.ts), and ensureStream's implementation. Loaded
// on first use (see jetstream-api.ts), so that a page that never uses
// JetStream does not download @nats-io/jetstream.

import { jetstreamManager, type StreamInfo } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { EnsureStreamConfig } from "./jetstream-types.js";
import type { NatsConnectionLike } from "./nats-connection.js";

// @nats-io/jetstream is typed for nats.js v3 connections. Publishing and
// managing streams use only publish, request, subscribe and the connection's
// `options` and `features`, which connections from `nats` v2 and nats.ws have
// as well (the client-compat app runs both), so they work on any `connection`.
// Consumers need more: see consumerConnection().
export function jetStreamConnection(nc: NatsConnectionLike): NatsConnection {
  return nc as NatsConnection;
}

/** The implementation of ensureStream (jetstream-api.ts), loaded on first use. */
export async function ensureStream(nc: NatsConnectionLike, config: EnsureStreamConfig): Promise<StreamInfo> {
  const jsm = await jetstreamManager(jetStreamConnection(nc));
  const { duplicateWindowMs, ...rest } = config;
  try {
    return await jsm.streams.info(config.name);
  } catch (error) {
    if (!/not found/i.test(String((error as Error)?.message))) throw error;
  }
  return jsm.streams.add({ ...rest, duplicate_window: (duplicateWindowMs ?? 120_000) * 1_000_000 });
}
