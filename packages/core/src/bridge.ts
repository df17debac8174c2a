// The NatsBridge facade: defaults, platform (Node or browser), shared connections and telemetry in
// front of the send (send.ts) and receive (receive.ts) pipelines and what is built on them: request,
// reply, subscribe and JetStream consume. Each entry point's top-level functions use one default bridge.

import type { JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { type ReceivedEnvelope, uuid4 } from "@natsbridge/envelope";
import { BridgeDefaults } from "./bridge-defaults.js";
import { ConnectionPool } from "./connection.js";
// Types only: the JetStream code is imported on first use (see jetstream-api.ts).
import type { ConsumeHandler, ConsumeOptions } from "./jetstream-consume.js";
import type { Consumption } from "./jetstream-types.js";
import { LazyModule } from "./lazy-module.js";
import { deleteConsumed } from "./lifecycle.js";
import type { NatsConnectionLike, NatsMessageLike } from "./nats-connection.js";
import {
  type BaseOptions,
  type BridgeOptions,
  type ResolvedBase,
  resolveBase,
  type SmartReceiveOptions,
  type SmartSendOptions,
  type StreamingOptions,
} from "./options.js";
import type { PayloadStream } from "./payload-stream.js";
import { withCachedEnv } from "./platform/cached-env.js";
import type { Platform } from "./platform/types.js";
import { type ReceivableMessage, receiveEnvelope } from "./receive.js";
import { type ReplyTarget, replyOptions } from "./reply.js";
// Types only: the request code is imported on the first request.
import type { RequestInbox, RequestOptions } from "./request.js";
import { type SendExtras, type SentEnvelope, sendEnvelope } from "./send.js";
import type { SendPayload } from "./source.js";
import type { ConnectionProvider } from "./store.js";
// Types only: subscribe's code is imported on the first subscribe.
import type { EnvelopeSubscription, SubscribeOptions } from "./subscribe.js";
import { loadTelemetry, type Telemetry } from "./telemetry.js";

export type { BridgeOptions, StreamingOptions } from "./options.js";
export type { ReceivableMessage } from "./receive.js";
export type { RequestOptions } from "./request.js";
export type { EnvelopeSubscription, SubscribeOptions } from "./subscribe.js";

const requestModule = new LazyModule(() => import("./request.js"));

/** `C`: the type `connection()` hands out, the given `connection`'s, else nats.js v3's NatsConnection (the pool's). */
export class NatsBridge<C extends NatsConnectionLike = NatsConnection> {
  readonly #platform: Platform;
  readonly #pool: ConnectionPool;
  readonly #defaults: BridgeDefaults<BridgeOptions<C>>;
  /** OpenTelemetry (telemetry.ts): loaded once, on the first message, then read synchronously; null when `@opentelemetry/api` is not installed. */
  readonly #telemetry = new LazyModule<Telemetry | null>(async () => (await loadTelemetry()) ?? null);
  /** The sender_id of envelopes whose options give none: the sender's identity. */
  readonly #senderId = uuid4();
  /** The reply inbox of each connection requests went out on. */
  readonly #inboxes = new WeakMap<NatsConnectionLike, RequestInbox>();

  constructor(platform: Platform, defaults: BridgeOptions<C> = {}) {
    this.#platform = withCachedEnv(platform);
    this.#pool = new ConnectionPool(platform);
    this.#defaults = new BridgeDefaults(defaults, this.#platform);
  }

  /** The connection this bridge uses: `connection` if given, else the shared one for `brokerUrl` (opened on first use). */
  async connection(options: Pick<BridgeOptions<C>, "brokerUrl" | "connectOptions" | "connection"> = {}): Promise<C> {
    // With no `connection` given, C is its default, nats.js v3's NatsConnection, which the pool opens.
    return (await this.#connection(options)) as C;
  }

  #connection(options: Pick<BaseOptions, "brokerUrl" | "connectOptions" | "connection">): Promise<NatsConnectionLike> {
    const o = this.#defaults.options(options);
    if (o.connection) return Promise.resolve(o.connection);
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
    const o = this.#defaults.options(options);
    return this.#send(subject, payloads, o, {}, this.#defaults.resolve(o));
  }

  #send(
    subject: string,
    payloads: readonly SendPayload[],
    o: SmartSendOptions,
    extras: SendExtras,
    base: ResolvedBase,
  ): Promise<SentEnvelope> {
    // telemetry hook [send]: loaded on the first message; without a provider the send's own promise comes back as it is.
    const telemetry = this.#telemetry.value;
    if (telemetry === undefined) return this.#telemetry.load().then(() => this.#send(subject, payloads, o, extras, base));
    const ctx = { platform: this.#platform, connection: () => this.#connection(o), telemetry, senderId: this.#senderId };
    return sendEnvelope(ctx, subject, payloads, o, extras, base);
  }

  /**
   * Parse an envelope and decode every payload, downloading link payloads.
   * Returns the envelope with `payloads` as `[dataname, value, payload_type]`.
   * Every failure is a NatsBridgeError with a stable code.
   */
  smartreceive(msg: ReceivableMessage, options: StreamingOptions<SmartReceiveOptions>): Promise<ReceivedEnvelope<PayloadStream>>;
  smartreceive(msg: ReceivableMessage, options?: SmartReceiveOptions): Promise<ReceivedEnvelope>;
  smartreceive(msg: ReceivableMessage, options?: SmartReceiveOptions): Promise<ReceivedEnvelope<PayloadStream>> {
    const o = this.#defaults.options(options);
    return this.#receive(msg, o, () => this.#connection(o), this.#defaults.resolve(o));
  }

  #receive(msg: ReceivableMessage, o: SmartReceiveOptions, connection: ConnectionProvider, base: ResolvedBase): Promise<ReceivedEnvelope> {
    // telemetry hook [receive]: as in #send.
    const telemetry = this.#telemetry.value;
    if (telemetry === undefined) return this.#telemetry.load().then(() => this.#receive(msg, o, connection, base));
    return receiveEnvelope({ platform: this.#platform, connection, telemetry }, msg, o, base);
  }

  /** Send and wait for the reply on an inbox set as `reply_to`; NO_RESPONDERS at once when nobody subscribes. */
  async request(subject: string, payloads: readonly SendPayload[], options: RequestOptions = {}): Promise<ReceivedEnvelope> {
    const nc = await this.#connection(options);
    const { requestInbox, requestReply } = requestModule.value ?? (await requestModule.load());
    const inbox = requestInbox(this.#inboxes, nc);
    // One resolved base for the request and its reply: replyTo and the connection do not change it.
    const o = this.#defaults.options(options);
    const base = this.#defaults.resolve(o);
    return requestReply(
      {
        inbox,
        send: (s, p, so, extras) => this.#send(s, p, { ...o, ...so, connection: nc }, extras, base),
        receive: (m) => this.#receive(m, o, () => Promise.resolve(nc), base),
      },
      subject,
      payloads,
      options,
    );
  }

  /** Reply to a received envelope on its `reply_to`, keeping its correlation id. */
  reply(to: ReplyTarget, payloads: readonly SendPayload[], options?: SmartSendOptions): Promise<SentEnvelope> {
    const [subject, replyFields] = replyOptions(to, options ?? {});
    const o = this.#defaults.options(options);
    return this.#send(subject, payloads, { ...o, ...replyFields }, {}, this.#defaults.resolve(o));
  }

  /**
   * Consume a JetStream consumer with at-least-once semantics: each message is
   * acked only after smartreceive (downloads included) and `handler`
   * succeeded, nak'ed with backoff when a retry may help, terminated when not.
   * The stream and the durable consumer must exist (see `ensureStream`).
   */
  async consume(stream: string, consumer: string, handler: ConsumeHandler, options: ConsumeOptions = {}): Promise<Consumption> {
    const nc = await this.#connection(options);
    const o = this.#defaults.subscriberOptions(options);
    const base = resolveBase(o, this.#platform);
    const { logger } = base;
    const connection = () => Promise.resolve(nc);
    const { consumeStream } = await import("./jetstream-consume.js");
    return consumeStream(
      {
        nc,
        receive: (m: JsMsg) => this.#receive(m, o, connection, base),
        deleteBlobs: async (envelope, store) => {
          const result = await deleteConsumed(store, envelope, { connection });
          if (result.failed.length > 0)
            logger.warn({ correlation_id: envelope.correlation_id, failed: result.failed.length }, "consume: some blobs not deleted");
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
    const nc = await this.#connection(options);
    const o = this.#defaults.subscriberOptions(options);
    const base = resolveBase(o, this.#platform);
    const connection = () => Promise.resolve(nc);
    const receive = (m: NatsMessageLike) => this.#receive(m, o, connection, base);
    return subscribeEnvelopes({ nc, logger: base.logger, receive }, subject, o);
  }
}
