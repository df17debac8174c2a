// Node entry point: NATS through @nats-io/transport-node (nats.js v3),
// downloads through undici, SHA-256 through node:crypto.

import type { NatsConnection } from "@nats-io/nats-core";
import { type BridgeOptions, NatsBridge, type ReceivableMessage, type RequestOptions, type SubscribeOptions } from "./bridge.js";
import type { NatsConnectionLike } from "./nats-connection.js";
import type { SmartReceiveOptions, SmartSendOptions } from "./options.js";
import { nodePlatform } from "./platform/node.js";
import type { SendPayload } from "./source.js";

export * from "./exports.js";
export { type FileSourceOptions, fileSource } from "./file-source.js";
export { type HttpStoreOptions, httpStore } from "./http-store.js";

/** A bridge with its own defaults and its own connections. */
export function createBridge<C extends NatsConnectionLike = NatsConnection>(defaults: BridgeOptions<C> = {}): NatsBridge<C> {
  return new NatsBridge(nodePlatform, defaults);
}

const shared = createBridge();

/** Send payloads as one envelope (reference: `smartsend`). Returns `[envelope, envelopeJson]`. */
export const smartsend = (subject: string, payloads: readonly SendPayload[], options?: SmartSendOptions) =>
  shared.smartsend(subject, payloads, options);

/** Decode a received envelope (reference: `smartreceive`). */
export const smartreceive: NatsBridge["smartreceive"] = (msg: ReceivableMessage, options?: SmartReceiveOptions) =>
  shared.smartreceive(msg, options);

/** Send and wait for the reply. */
export const request = (subject: string, payloads: readonly SendPayload[], options?: RequestOptions) =>
  shared.request(subject, payloads, options);

/** Reply to a received envelope on its reply_to. */
export const reply: NatsBridge["reply"] = (to, payloads, options) => shared.reply(to, payloads, options);

/** Subscribe and iterate decoded envelopes. */
export const subscribe: NatsBridge["subscribe"] = (subject: string, options?: SubscribeOptions) => shared.subscribe(subject, options);

/** Consume a JetStream consumer, acking each message after it was received and handled (at-least-once). */
export const consume: NatsBridge["consume"] = (stream, consumer, handler, options) => shared.consume(stream, consumer, handler, options);

/** Drain and close the connections the top-level functions opened. */
export const closeSharedConnections = () => shared.close();
