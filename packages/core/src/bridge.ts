// The NatsBridge facade: default options, the platform (Node or browser) and
// a pool of shared connections, in front of the send pipeline (send.ts), the
// receive pipeline (receive.ts) and what is built on them: request/reply
// (request.ts, reply.ts), subscribe (subscribe.ts) and JetStream consume
// (jetstream.ts). The top-level functions of each entry point use one
// default bridge.

import { uuid4, type ReceivedEnvelope, type WirePayload } from "@natsbridge/envelope";
import type { SendPayload } from "./source.js";
import { ConnectionPool } from "./connection.js";
import { SUBSCRIBER_DOWNLOAD_DEFAULTS } from "./defaults.js";
// Types only: the JetStream code is imported on first use (see jetstream-api.ts).
import type { ConsumeHandler, ConsumeOptions, Consumption } from "./jetstream.js";
import { deleteConsumed } from "./lifecycle.js";
import type { JsMsg, NatsConnection } from "./nats-types.js";
import { resolveBase, type ResolvedBase, type SmartReceiveOptions, type SmartSendOptions } from "./options.js";
import type { PayloadStream } from "./payload-stream.js";
import type { Platform } from "./platform/types.js";
import { receiveEnvelope, type ReceivableMessage } from "./receive.js";
import { replyOptions, type ReplyTarget } from "./reply.js";
// Types only: the request code is imported on the first request.
import type { RequestInbox, RequestOptions } from "./request.js";
import { sendEnvelope, type SendContext, type SentEnvelope } from "./send.js";
// Types only: subscribe's code is imported on the first subscribe.
import type { EnvelopeSubscription, SubscribeOptions } from "./subscribe.js";

export type { ReceivableMessage } from "./receive.js";
export type { RequestOptions } from "./request.js";
export type { EnvelopeSubscription, SubscribeOptions } from "./subscribe.js";

export type BridgeOptions = Omit<SmartSendOptions, "correlationId" | "msgId" | "replyToMsgId"> & SmartReceiveOptions;

/**
 * Receive options that hand link payloads out as PayloadStreams: received
 * values are then typed `… | PayloadStream`. (A `stream` set in the bridge's
 * defaults streams too, but the types only see the call's options.)
 */
export type StreamingOptions<T extends SmartReceiveOptions> = T & { stream: true | ((payload: WirePayload) => boolean) };

export class NatsBridge {
  readonly #platform: Platform;
  readonly #pool: ConnectionPool;
  readonly #defaults: BridgeOptions;
  readonly #send: SendContext;
  /** The defaults' resolved base (URLs, codecs, logger), made on first use. */
  #base: ResolvedBase | undefined;
  /** request's code, once loaded. */
  #requestModule: typeof import("./request.js") | undefined;
  /** The reply inbox of each connection requests went out on. */
  readonly #inboxes = new WeakMap<NatsConnection, RequestInbox>();

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
      connection: (brokerUrl, o) => o.connection ?? this.#pool.get(brokerUrl, o.connectOptions),
      senderId: uuid4(),
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
  smartsend(subject: string, payloads: readonly SendPayload[], options?: SmartSendOptions): Promise<SentEnvelope> {
    const o = this.#options(options);
    return sendEnvelope(this.#send, subject, payloads, o, undefined, this.#resolve(o));
  }

  /**
   * Parse an envelope and decode every payload, downloading link payloads.
   * Returns the envelope with `payloads` as `[dataname, value, payload_type]`.
   * Every failure is a NatsBridgeError with a stable code.
   */
  smartreceive(msg: ReceivableMessage, options: StreamingOptions<SmartReceiveOptions>): Promise<ReceivedEnvelope<PayloadStream>>;
  smartreceive(msg: ReceivableMessage, options?: SmartReceiveOptions): Promise<ReceivedEnvelope>;
  smartreceive(msg: ReceivableMessage, options?: SmartReceiveOptions): Promise<ReceivedEnvelope<PayloadStream>> {
    const o = this.#options(options);
    return receiveEnvelope(this.#platform, msg, o, this.#resolve(o));
  }

  /**
   * Send and wait for the reply on an inbox set as `reply_to`. Fails at once
   * with NO_RESPONDERS when nobody subscribes to `subject`.
   */
  async request(subject: string, payloads: readonly SendPayload[], options: RequestOptions = {}): Promise<ReceivedEnvelope> {
    const nc = await this.connection(options);
    const { RequestInbox, requestReply } = (this.#requestModule ??= await import("./request.js"));
    let inbox = this.#inboxes.get(nc);
    if (!inbox || inbox.closed) this.#inboxes.set(nc, (inbox = new RequestInbox(nc)));
    // One resolved base for the request and its reply: replyTo and the connection do not change it.
    const o = this.#options(options);
    const base = this.#resolve(o);
    return requestReply(
      {
        inbox,
        send: (s, p, sendOptions, extras) => sendEnvelope(this.#send, s, p, { ...o, ...sendOptions, connection: nc }, extras, base),
        receive: (m) => receiveEnvelope(this.#platform, m, o, base),
      },
      subject,
      payloads,
      options,
    );
  }

  /** Reply to a received envelope on its `reply_to`, keeping its correlation id. */
  reply(to: ReplyTarget, payloads: readonly SendPayload[], options?: SmartSendOptions): Promise<SentEnvelope> {
    const [subject, replyFields] = replyOptions(to, options ?? {});
    const o = this.#options(options);
    return sendEnvelope(this.#send, subject, payloads, { ...o, ...replyFields }, undefined, this.#resolve(o));
  }

  /**
   * Consume a JetStream consumer with at-least-once semantics: each message is
   * acked only after smartreceive (downloads included) and `handler`
   * succeeded, nak'ed with backoff when a retry may help, terminated when not.
   * The stream and the durable consumer must exist (see `ensureStream`).
   */
  async consume(stream: string, consumer: string, handler: ConsumeHandler, options: ConsumeOptions = {}): Promise<Consumption> {
    const nc = await this.connection(options);
    const o = this.#subscriberOptions(options);
    const base = resolveBase(o, this.#platform);
    const { logger } = base;
    const { consumeStream } = await import("./jetstream.js");
    return consumeStream(
      {
        nc,
        receive: (m: JsMsg) => receiveEnvelope(this.#platform, m, o, base),
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
  subscribe(subject: string, options: StreamingOptions<SubscribeOptions>): Promise<EnvelopeSubscription<PayloadStream>>;
  subscribe(subject: string, options?: SubscribeOptions): Promise<EnvelopeSubscription>;
  async subscribe(subject: string, options: SubscribeOptions = {}): Promise<EnvelopeSubscription<PayloadStream>> {
    const { checkSubscribe, subscribeEnvelopes } = await import("./subscribe.js");
    checkSubscribe(subject, options);
    const nc = await this.connection(options);
    const o = this.#subscriberOptions(options);
    const base = resolveBase(o, this.#platform);
    return subscribeEnvelopes({ nc, logger: base.logger, receive: (m) => receiveEnvelope(this.#platform, m, o, base) }, subject, o);
  }

  /** Receive options inside subscribe and consume: SUBSCRIBER_DOWNLOAD_DEFAULTS under the bridge's defaults and the call's. */
  #subscriberOptions<T extends SmartReceiveOptions>(options: T): BridgeOptions & T {
    return { ...SUBSCRIBER_DOWNLOAD_DEFAULTS, ...this.#defaults, ...options };
  }

  /** The resolved base of these options: kept for the bridge's defaults, which most calls use as they are. */
  #resolve(o: BridgeOptions): ResolvedBase {
    return o === this.#defaults ? (this.#base ??= resolveBase(o, this.#platform)) : resolveBase(o, this.#platform);
  }

  /** The bridge's defaults under one call's options. */
  #options<T extends object>(options: T | undefined): BridgeOptions & T {
    return (options ? { ...this.#defaults, ...options } : this.#defaults) as BridgeOptions & T;
  }
}
