// Browser entry point (the "browser" condition of package.json exports): NATS
// through @nats-io/nats-core wsconnect (ws:// or wss:// URLs), downloads and uploads through fetch,
// SHA-256 through Web Crypto or a small incremental hash. Same API as the Node
// entry minus what needs a file system (`fileSource`).

import type { NatsConnection } from "@nats-io/nats-core";
import { type BridgeOptions, NatsBridge, type ReceivableMessage, type RequestOptions, type SubscribeOptions } from "./bridge.js";
import type { NatsConnectionLike } from "./nats-connection.js";
import type { SmartReceiveOptions, SmartSendOptions } from "./options.js";
import { browserPlatform } from "./platform/browser.js";
import type { SendPayload } from "./source.js";

export { httpStore } from "./browser-http-store.js";
export * from "./exports.js";
export type { HttpStoreOptions } from "./http-store.js";

/** A bridge with its own defaults and its own connections. `brokerUrl` is a ws:// or wss:// URL. */
export function createBridge<C extends NatsConnectionLike = NatsConnection>(defaults: BridgeOptions<C> = {}): NatsBridge<C> {
  return new NatsBridge(browserPlatform, defaults);
}

// Created on first use: a page that only builds its own bridges never makes it.
let sharedBridge: NatsBridge | undefined;
const shared = () => (sharedBridge ??= createBridge());

/** Send payloads as one envelope (reference: `smartsend`). Returns `[envelope, envelopeJson]`. */
export const smartsend = (subject: string, payloads: readonly SendPayload[], options?: SmartSendOptions) =>
  shared().smartsend(subject, payloads, options);

/** Decode a received envelope (reference: `smartreceive`). */
export const smartreceive: NatsBridge["smartreceive"] = (msg: ReceivableMessage, options?: SmartReceiveOptions) =>
  shared().smartreceive(msg, options);

/** Send and wait for the reply. */
export const request = (subject: string, payloads: readonly SendPayload[], options?: RequestOptions) =>
  shared().request(subject, payloads, options);

/** Reply to a received envelope on its reply_to. */
export const reply: NatsBridge["reply"] = (to, payloads, options) => shared().reply(to, payloads, options);

/** Subscribe and iterate decoded envelopes. */
export const subscribe: NatsBridge["subscribe"] = (subject: string, options?: SubscribeOptions) => shared().subscribe(subject, options);

/** Drain and close the connections the top-level functions opened. */
export const closeSharedConnections = () => sharedBridge?.close() ?? Promise.resolve();
