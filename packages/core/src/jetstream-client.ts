// The JetStream API of a connection, whichever client made it. Connections
// from `nats` (v2, Node) and nats.ws carry it as methods (nc.jetstream()); a
// connection from @nats-io/nats-core (v3, the browser entry) has none, and its
// JetStream lives in @nats-io/jetstream, loaded on first use so that pages
// that never touch JetStream do not download it. The v3 client's publish,
// consume and ack calls have the v2 shapes this package uses, so the rest of
// jetstream.ts is written once against the v2 declarations.

import type { JetStreamClient, JetStreamManager, NatsConnection } from "./nats-types.js";

type V2Connection = NatsConnection & {
  jetstream?: () => JetStreamClient;
  jetstreamManager?: () => Promise<JetStreamManager>;
};

export async function jetStreamClient(nc: NatsConnection): Promise<JetStreamClient> {
  const v2 = nc as V2Connection;
  if (typeof v2.jetstream === "function") return v2.jetstream();
  const { jetstream } = await import("@nats-io/jetstream");
  return jetstream(nc as unknown as Parameters<typeof jetstream>[0]) as unknown as JetStreamClient;
}

export async function jetStreamManager(nc: NatsConnection): Promise<JetStreamManager> {
  const v2 = nc as V2Connection;
  if (typeof v2.jetstreamManager === "function") return v2.jetstreamManager();
  const { jetstreamManager } = await import("@nats-io/jetstream");
  return (await jetstreamManager(nc as unknown as Parameters<typeof jetstreamManager>[0])) as unknown as JetStreamManager;
}
