// The NatsBridge facade: default options, the platform (Node or browser) and
// a pool of shared connections, in front of the send pipeline (send.ts), the
// receive pipeline (receive.ts) and what is built on them: request/reply
// (request.ts), subscribe (subscribe.ts) and JetStream consume
// (jetstream.ts). The top-level functions of each entry point use one
// default bridge.

import type { PayloadTuple, ReceivedEnvelope } from "@natsbridge/envelope";
import { ConnectionPool } from "./connection.js";
// Types only: the JetStream code is imported on first use (see jetstream-api.ts).
import type { ConsumeHandler, ConsumeOptions, Consumption } from "./jetstream.js";
import { deleteConsumed } from "./lifecycle.js";
import type { JsMsg, NatsConnection } from "./nats-types.js";
import { resolveBase, type SmartReceiveOptions, type SmartSendOptions } from "./options.js";
import type { Platform } from "./platform/types.js";
import { receiveEnvelope, type ReceivableMessage } from "./receive.js";
import { replyOptions, requestReply, type ReplyTarget, type RequestOptions } from "./request.js";
import { sendEnvelope, type SendContext, type SentEnvelope } from "./send.js";
import { subscribeEnvelopes, checkSubscribeOptions, type EnvelopeSubscription, type SubscribeOptions } from "./subscribe.js";

export type { ReceivableMessage } from "./receive.js";
export type { RequestOptions } from "./request.js";
export type { EnvelopeSubscription, SubscribeOptions } from "./subscribe.js";

export type BridgeOptions = Omit<SmartSendOptions, "correlationId" | "msgId" | "replyToMsgId"> & SmartReceiveOptions;

export class NatsBridge {
  readonly #platform: Platform;
  readonly #pool: ConnectionPool;
  readonly #defaults: BridgeOptions;
  readonly #send: SendContext;

  constructor(platform: Platform, defaults: BridgeOptions = {}) {
    // Each environment variable is read once, at its first use by this bridge:
    // process.env lookups cost about a microsecond each, several per message.
    // A bridge created after the environment changes sees the new values.
    const env = new Map<string, string | undefined>();
    this.#platform = {
      ...platform,
      env: (name) => {
        if (!env.has(name)) env.set(name, platform.env(name));
        return env.get(name);
      },
    };
    this.#pool = new ConnectionPool(platform);
    this.#defaults = defaults;
    this.#send = {
      platform: this.#platform,
      connection: (brokerUrl, o) => (o.connection ? Promise.resolve(o.connection) : this.#pool.get(brokerUrl, o.connectOptions)),
    };
  }

  /** The shared connection this bridge uses for `brokerUrl` (opened on first use). */
  async connection(options: Pick<BridgeOptions, "brokerUrl" | "connectOptions" | "connection"> = {}): Promise<NatsConnection> {
    const o = this.#options(options);
    if (o.connection) return o.connection;
    return this.#pool.get(resolveBase(o, this.#platform).brokerUrl, o.connectOptions);
  }

  /** Drain and close the connections this bridge opened. Connections passed in are left alone. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  /**
   * Serialize the payloads, choose direct or link for each, upload the link
   * ones, build the envelope and publish it. Returns `[envelope, envelopeJson]`.
   * Nothing is published if any step fails, and uploads already made are deleted.
   */
  smartsend(subject: string, payloads: readonly PayloadTuple[], options?: SmartSendOptions): Promise<SentEnvelope> {
    return sendEnvelope(this.#send, subject, payloads, this.#options(options));
  }

  /**
   * Parse an envelope and decode every payload, downloading link payloads.
   * Returns the envelope with `payloads` as `[dataname, value, payload_type]`.
   * Every failure is a NatsBridgeError with a stable code.
   */
  smartreceive(msg: ReceivableMessage, options?: SmartReceiveOptions): Promise<ReceivedEnvelope> {
    return receiveEnvelope(this.#platform, msg, this.#options(options));
  }

  /** Send and wait for the reply on a fresh inbox set as `reply_to`. */
  async request(subject: string, payloads: readonly PayloadTuple[], options: RequestOptions = {}): Promise<ReceivedEnvelope> {
    const nc = await this.connection(options);
    return requestReply(
      {
        nc,
        send: (s, p, o) => this.smartsend(s, p, o),
        receive: (m) => this.smartreceive(m, options),
      },
      subject,
      payloads,
      options,
    );
  }

  /** Reply to a received envelope on its `reply_to`, keeping its correlation id. */
  reply(to: ReplyTarget, payloads: readonly PayloadTuple[], options: SmartSendOptions = {}): Promise<SentEnvelope> {
    const [subject, o] = replyOptions(to, options);
    return this.smartsend(subject, payloads, o);
  }

  /**
   * Consume a JetStream consumer with at-least-once semantics: each message is
   * acked only after smartreceive (downloads included) and `handler`
   * succeeded, nak'ed with backoff when a retry may help, terminated when not.
   * The stream and the durable consumer must exist (see `ensureStream`).
   */
  async consume(stream: string, consumer: string, handler: ConsumeHandler, options: ConsumeOptions = {}): Promise<Consumption> {
    const nc = await this.connection(options);
    const { logger } = resolveBase(this.#options(options), this.#platform);
    const { consumeStream } = await import("./jetstream.js");
    return consumeStream(
      {
        nc,
        receive: (m: JsMsg) => this.smartreceive(m, options),
        deleteBlobs: async (envelope, store) => {
          const result = await deleteConsumed(store, envelope);
          if (result.failed.length > 0) {
            logger.warn({ correlation_id: envelope.correlation_id, failed: result.failed.length }, "consume: some blobs not deleted");
          }
          return result;
        },
        log: logger,
      },
      stream,
      consumer,
      handler,
      options,
    );
  }

  /**
   * Subscribe and iterate decoded envelopes. A message that cannot be received
   * goes to `onError` with its typed error and the raw message; iteration goes on.
   */
  async subscribe(subject: string, options: SubscribeOptions = {}): Promise<EnvelopeSubscription> {
    checkSubscribeOptions(options);
    const nc = await this.connection(options);
    const { logger } = resolveBase(this.#options(options), this.#platform);
    return subscribeEnvelopes({ nc, logger, receive: (m) => this.smartreceive(m, options) }, subject, options);
  }

  /** The bridge's defaults under one call's options. */
  #options<T extends object>(options: T | undefined): BridgeOptions & T {
    return (options ? { ...this.#defaults, ...options } : this.#defaults) as BridgeOptions & T;
  }
}
