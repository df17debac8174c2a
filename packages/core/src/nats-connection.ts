// The NATS connection a bridge works with, as a structural type: only the
// members the bridge calls. The bridge opens its own connections with nats.js
// v3 (@nats-io/transport-node in Node, @nats-io/nats-core `wsconnect` in
// browsers), but a connection the application made itself can be passed as
// `connection`: one from nats.js v3, from `nats` v2 or from nats.ws all have
// these members (tests/connection-types.test.ts and the client-compat app
// pin this), so none of them needs a cast.

/** The headers of a received message, as far as the bridge reads them. */
export interface NatsHeadersLike {
  get(name: string): string;
}

/** A message as a NATS subscription delivers it. */
export interface NatsMessageLike {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly reply?: string | undefined;
  readonly headers?: NatsHeadersLike | undefined;
}

/** A NATS subscription: an async iterable of messages that can be ended. */
export interface NatsSubscriptionLike extends AsyncIterable<NatsMessageLike> {
  unsubscribe(max?: number): void;
  drain(): Promise<void>;
  isClosed(): boolean;
  getSubject(): string;
}

/** What the bridge needs of a NATS connection (the `connection` option). */
export interface NatsConnectionLike {
  /** The server's INFO; the bridge reads `max_payload` to size envelopes. */
  readonly info?: { readonly max_payload: number } | undefined;
  /**
   * `headers` carry the trace context when OpenTelemetry is on (telemetry.ts
   * builds them with nats-core's `headers()`); typed loosely so that nats v2
   * and nats.ws connections, whose headers are their own type, still fit.
   */
  publish(subject: string, payload: Uint8Array, options?: { headers?: unknown; reply?: string }): void;
  subscribe(subject: string, options?: { queue?: string; max?: number }): NatsSubscriptionLike;
  flush(): Promise<void>;
  isClosed(): boolean;
  drain(): Promise<void>;
}
