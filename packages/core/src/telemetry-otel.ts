// The OpenTelemetry side of telemetry.ts: spans, W3C trace context in NATS
// headers, and metric instruments, all through `@opentelemetry/api`, which it
// imports when loaded (on the first message).
//
// Names follow the OpenTelemetry messaging semantic conventions where they
// have one (messaging.*, error.type); the rest are natsbridge.*. See
// docs/observability.md for what each span and metric means.

import type { MsgHdrs } from "@nats-io/nats-core";
import { isNatsBridgeError, type ReceivedEnvelope, type WireEnvelope, type WirePayload } from "@natsbridge/envelope";
import type * as Otel from "@opentelemetry/api";
import type { SmartReceiveOptions } from "./options.js";
import type { ReceiveObservation, SendObservation, Telemetry } from "./telemetry-types.js";

type Api = typeof Otel;

/** The instrumentation scope: the name every span and metric of natsbridge carries. */
const INSTRUMENTATION_NAME = "@natsbridge/core";

/** Attribute keys (semantic conventions first, then ours). */
const ATTR = {
  system: "messaging.system",
  operationType: "messaging.operation.type",
  operationName: "messaging.operation.name",
  destination: "messaging.destination.name",
  temporary: "messaging.destination.temporary",
  messageId: "messaging.message.id",
  conversationId: "messaging.message.conversation_id",
  bodySize: "messaging.message.body.size",
  errorType: "error.type",
  payloadCount: "natsbridge.payload.count",
  payloadNames: "natsbridge.payload.datanames",
  payloadTypes: "natsbridge.payload.types",
  payloadTransports: "natsbridge.payload.transports",
  payloadSizes: "natsbridge.payload.sizes",
  dataname: "natsbridge.payload.dataname",
  payloadType: "natsbridge.payload.type",
  size: "natsbridge.payload.size",
  transport: "natsbridge.transport",
  store: "natsbridge.store",
  jetstream: "natsbridge.jetstream",
  attempts: "natsbridge.download.attempts",
} as const;

const SYSTEM = "nats";

/** Metric names; units follow OpenTelemetry's (seconds, bytes, {things}). */
const METRIC = {
  sent: "natsbridge.messages.sent",
  received: "natsbridge.messages.received",
  bytes: "natsbridge.payload.bytes",
  uploadDuration: "natsbridge.upload.duration",
  downloadDuration: "natsbridge.download.duration",
  retries: "natsbridge.download.retries",
  errors: "natsbridge.errors",
} as const;

// Seconds: transfers take from milliseconds (a small blob on loopback) to minutes.
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

interface Instruments {
  sent: Otel.Counter;
  received: Otel.Counter;
  bytes: Otel.Counter;
  uploadDuration: Otel.Histogram;
  downloadDuration: Otel.Histogram;
  retries: Otel.Counter;
  errors: Otel.Counter;
}

// Metric attribute sets that repeat on every message, built once.
const SEND_ATTRS = Object.freeze({ [ATTR.system]: SYSTEM, [ATTR.operationType]: "send" });
const RECEIVE_ATTRS = Object.freeze({ [ATTR.system]: SYSTEM, [ATTR.operationType]: "receive" });
const BYTES_ATTRS = {
  send: {
    direct: Object.freeze({ ...SEND_ATTRS, [ATTR.transport]: "direct" }),
    link: Object.freeze({ ...SEND_ATTRS, [ATTR.transport]: "link" }),
  },
  receive: {
    direct: Object.freeze({ ...RECEIVE_ATTRS, [ATTR.transport]: "direct" }),
    link: Object.freeze({ ...RECEIVE_ATTRS, [ATTR.transport]: "link" }),
  },
};
const DOWNLOAD_ATTRS = Object.freeze({ [ATTR.system]: SYSTEM });

function createInstruments(meter: Otel.Meter): Instruments {
  const advice = { explicitBucketBoundaries: DURATION_BUCKETS };
  return {
    sent: meter.createCounter(METRIC.sent, {
      description: "Messages smartsend published (or built, with isPublish false).",
      unit: "{message}",
    }),
    received: meter.createCounter(METRIC.received, { description: "Messages smartreceive decoded.", unit: "{message}" }),
    bytes: meter.createCounter(METRIC.bytes, {
      description:
        "Serialized payload bytes sent and received, by transport (direct: inline in the envelope; link: through the file server).",
      unit: "By",
    }),
    uploadDuration: meter.createHistogram(METRIC.uploadDuration, {
      description: "Duration of one link payload upload.",
      unit: "s",
      advice,
    }),
    downloadDuration: meter.createHistogram(METRIC.downloadDuration, {
      description: "Duration of one link payload download, retries included.",
      unit: "s",
      advice,
    }),
    retries: meter.createCounter(METRIC.retries, { description: "Download attempts that failed and were retried.", unit: "{retry}" }),
    errors: meter.createCounter(METRIC.errors, { description: "Failed sends and receives, by error code.", unit: "{error}" }),
  };
}

/** The stable error code of a failure (NatsBridgeError codes), else "_OTHER" as the conventions say. */
function errorCode(error: unknown): string {
  if (isNatsBridgeError(error)) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code ? code : "_OTHER";
}

/**
 * Error code and status on a span; the exception event (message, stack) only
 * with `withException`, so that it is recorded once, on the innermost span.
 */
function markFailed(api: Api, span: Otel.Span | undefined, error: unknown, code: string, withException = true): void {
  if (!span) return;
  span.setAttribute(ATTR.errorType, code);
  if (withException && error instanceof Error) span.recordException(error);
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: `${code}: ${String((error as Error)?.message ?? error)}` });
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * The telemetry, or undefined when `@opentelemetry/api` is not installed. The
 * import sits in a try block: esbuild then leaves a missing optional package
 * to fail at run time (here, caught) instead of failing the build.
 */
export async function otelTelemetry(): Promise<Telemetry | undefined> {
  let api: Api;
  try {
    api = await import("@opentelemetry/api");
  } catch {
    return undefined;
  }
  // Headers from the NATS client's core library, which both the v2 and v3 connections publish.
  const { headers } = await import("@nats-io/nats-core");
  return new OtelTelemetry(api, () => headers() as unknown as MsgHdrs);
}

class OtelTelemetry implements Telemetry {
  readonly #api: Api;
  readonly #headers: () => MsgHdrs;
  // The API's own no-op provider: the trace provider's delegate while no SDK is registered.
  readonly #noopTracerProvider: Otel.TracerProvider;
  readonly #noopMeterClass: abstract new (
    ...args: never[]
  ) => unknown;
  #tracerProvider: Otel.TracerProvider | undefined;
  #tracer: Otel.Tracer | undefined;
  #meterProvider: Otel.MeterProvider | undefined;
  #instruments: Instruments | undefined;

  constructor(api: Api, headers: () => MsgHdrs) {
    this.#api = api;
    this.#headers = headers;
    this.#noopTracerProvider = new api.ProxyTracerProvider().getDelegate();
    this.#noopMeterClass = api.createNoopMeter().constructor as abstract new (...args: never[]) => unknown;
  }

  /** The tracer of the registered provider, or undefined when none is (checked without allocating). */
  #currentTracer(): Otel.Tracer | undefined {
    const provider = this.#api.trace.getTracerProvider() as Otel.TracerProvider & { getDelegate?: () => Otel.TracerProvider };
    const delegate = typeof provider.getDelegate === "function" ? provider.getDelegate() : provider;
    if (delegate !== this.#tracerProvider) {
      this.#tracerProvider = delegate;
      this.#tracer = delegate === this.#noopTracerProvider ? undefined : delegate.getTracer(INSTRUMENTATION_NAME);
    }
    return this.#tracer;
  }

  /** The instruments of the registered meter provider, or undefined when none is. */
  #currentInstruments(): Instruments | undefined {
    const provider = this.#api.metrics.getMeterProvider();
    if (provider !== this.#meterProvider) {
      this.#meterProvider = provider;
      const meter = provider.getMeter(INSTRUMENTATION_NAME);
      this.#instruments = meter instanceof this.#noopMeterClass ? undefined : createInstruments(meter);
    }
    return this.#instruments;
  }

  startSend(subject: unknown, correlationId: string, msgId: string): SendObservation | undefined {
    const tracer = this.#currentTracer();
    const instruments = this.#currentInstruments();
    if (!tracer && !instruments) return undefined;
    // A subject that is not a string fails in the send itself (INVALID_DATA), recorded on this span.
    return new OtelSend(this.#api, this.#headers, tracer, instruments, typeof subject === "string" ? subject : "", correlationId, msgId);
  }

  startReceive(msg: unknown): ReceiveObservation | undefined {
    const tracer = this.#currentTracer();
    const instruments = this.#currentInstruments();
    if (!tracer && !instruments) return undefined;
    return new OtelReceive(this.#api, tracer, instruments, msg);
  }
}

/** Inbox subjects are one-off: they go in attributes, not in span names. */
function spanName(operation: string, subject: string): string {
  return subject.startsWith("_INBOX.") ? `${operation} (temporary)` : `${operation} ${subject}`;
}

function payloadAttributes(payloads: readonly WirePayload[]): Otel.Attributes {
  return {
    [ATTR.payloadCount]: payloads.length,
    [ATTR.payloadNames]: payloads.map((p) => p.dataname),
    [ATTR.payloadTypes]: payloads.map((p) => p.payload_type),
    [ATTR.payloadTransports]: payloads.map((p) => String(p.transport)),
    // -1: the sender left the size out.
    [ATTR.payloadSizes]: payloads.map((p) => (typeof p.size === "number" ? p.size : -1)),
  };
}

class OtelSend implements SendObservation {
  readonly #api: Api;
  readonly #headers: () => MsgHdrs;
  readonly #tracer: Otel.Tracer | undefined;
  readonly #instruments: Instruments | undefined;
  readonly #span: Otel.Span | undefined;
  /** The context with the send span, parent of its children and what travels in the headers. */
  readonly #context: Otel.Context;
  #publish: Otel.Span | undefined;
  /** The error a child span recorded already (the send span then gets only its code). */
  #childError: unknown;

  constructor(
    api: Api,
    headers: () => MsgHdrs,
    tracer: Otel.Tracer | undefined,
    instruments: Instruments | undefined,
    subject: string,
    correlationId: string,
    msgId: string,
  ) {
    this.#api = api;
    this.#headers = headers;
    this.#tracer = tracer;
    this.#instruments = instruments;
    const active = api.context.active();
    this.#span = tracer?.startSpan(
      spanName("send", subject),
      {
        kind: api.SpanKind.PRODUCER,
        attributes: {
          [ATTR.system]: SYSTEM,
          [ATTR.operationType]: "send",
          [ATTR.operationName]: "send",
          [ATTR.destination]: subject,
          ...(subject.startsWith("_INBOX.") ? { [ATTR.temporary]: true } : {}),
          [ATTR.messageId]: msgId,
          [ATTR.conversationId]: correlationId,
        },
      },
      active,
    );
    this.#context = this.#span ? api.trace.setSpan(active, this.#span) : active;
  }

  async upload<T extends { size: number }>(
    { dataname, payloadType }: { dataname: string; payloadType: string },
    { name: store }: { name: string },
    put: () => Promise<T>,
  ): Promise<T> {
    const api = this.#api;
    const started = performance.now();
    const span = this.#tracer?.startSpan(
      "upload",
      {
        kind: api.SpanKind.CLIENT,
        attributes: { [ATTR.dataname]: dataname, [ATTR.payloadType]: payloadType, [ATTR.transport]: "link", [ATTR.store]: store },
      },
      this.#context,
    );
    try {
      const out = span ? await api.context.with(api.trace.setSpan(this.#context, span), put) : await put();
      span?.setAttribute(ATTR.size, out.size);
      this.#instruments?.uploadDuration.record(seconds(started), { [ATTR.system]: SYSTEM, [ATTR.store]: store });
      return out;
    } catch (error) {
      const code = errorCode(error);
      markFailed(api, span, error, code);
      this.#childError = error;
      this.#instruments?.uploadDuration.record(seconds(started), { [ATTR.system]: SYSTEM, [ATTR.store]: store, [ATTR.errorType]: code });
      throw error;
    } finally {
      span?.end();
    }
  }

  publishing(envelope: Uint8Array, { jetstream }: { jetstream?: unknown }): MsgHdrs | undefined {
    const api = this.#api;
    const envelopeBytes = envelope.byteLength;
    this.#span?.setAttribute(ATTR.bodySize, envelopeBytes);
    if (jetstream) this.#span?.setAttribute(ATTR.jetstream, true);
    this.#publish = this.#tracer?.startSpan(
      "publish",
      { kind: api.SpanKind.CLIENT, attributes: { [ATTR.bodySize]: envelopeBytes } },
      this.#context,
    );
    if (!this.#span) return undefined;
    // The send span's context is the message's: the receiver's span continues it.
    const h = this.#headers();
    api.propagation.inject(this.#context, h, headerSetter);
    // No propagator registered: nothing to carry, publish as before.
    return h.keys().length > 0 ? h : undefined;
  }

  published(): void {
    this.#publish?.end();
    this.#publish = undefined;
  }

  outcome(sending: Promise<[WireEnvelope, string]>): Promise<[WireEnvelope, string]> {
    return sending.then(
      (sent) => {
        this.#sent(sent[0]);
        return sent;
      },
      (error: unknown) => {
        this.#failed(error);
        throw error;
      },
    );
  }

  #sent(envelope: WireEnvelope): void {
    const instruments = this.#instruments;
    if (instruments) {
      instruments.sent.add(1, SEND_ATTRS);
      for (const p of envelope.payloads) {
        if (typeof p.size === "number")
          instruments.bytes.add(p.size, p.transport === "link" ? BYTES_ATTRS.send.link : BYTES_ATTRS.send.direct);
      }
    }
    if (this.#span) {
      this.#span.setAttributes(payloadAttributes(envelope.payloads));
      this.#span.end();
    }
  }

  #failed(error: unknown): void {
    const code = errorCode(error);
    const inChild = this.#publish !== undefined || error === this.#childError;
    markFailed(this.#api, this.#publish, error, code);
    this.published();
    markFailed(this.#api, this.#span, error, code, !inChild);
    this.#span?.end();
    this.#instruments?.errors.add(1, { ...SEND_ATTRS, [ATTR.errorType]: code });
  }
}

const headerSetter: Otel.TextMapSetter<MsgHdrs> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

const headerGetter: Otel.TextMapGetter<MsgHdrs> = {
  keys: (carrier) => carrier.keys(),
  // nats answers "" for a missing header.
  get: (carrier, key) => carrier.get(key) || undefined,
};

/** The NATS headers of a received message, when it is a NATS message that has some. */
function messageHeaders(msg: unknown): MsgHdrs | undefined {
  if (!msg || typeof msg !== "object" || msg instanceof Uint8Array) return undefined;
  const h = (msg as { headers?: unknown }).headers;
  return h && typeof (h as MsgHdrs).get === "function" && typeof (h as MsgHdrs).keys === "function" ? (h as MsgHdrs) : undefined;
}

/** The sender's context from the message's headers; the active one when there is none or it cannot be read. */
function remoteParent(api: Api, active: Otel.Context, msg: unknown): Otel.Context {
  try {
    const h = messageHeaders(msg);
    return h ? api.propagation.extract(active, h, headerGetter) : active;
  } catch {
    // Headers that do not parse: the receive goes on (and fails or not) on its own merits.
    return active;
  }
}

function messageSubject(msg: unknown): string | undefined {
  const s = msg && typeof msg === "object" ? (msg as { subject?: unknown }).subject : undefined;
  return typeof s === "string" && s ? s : undefined;
}

class OtelReceive implements ReceiveObservation {
  readonly #api: Api;
  readonly #tracer: Otel.Tracer | undefined;
  readonly #instruments: Instruments | undefined;
  readonly #span: Otel.Span | undefined;
  readonly #context: Otel.Context;
  /** The NATS message named its subject (else the envelope's send_to is used). */
  readonly #hasSubject: boolean = false;
  #step: Otel.Span | undefined;
  /** The error a download span recorded already. */
  #childError: unknown;
  #directBytes = 0;
  #linkBytes = 0;

  constructor(api: Api, tracer: Otel.Tracer | undefined, instruments: Instruments | undefined, msg: unknown) {
    this.#api = api;
    this.#tracer = tracer;
    this.#instruments = instruments;
    const active = api.context.active();
    if (!tracer) {
      this.#context = active;
      return;
    }
    // The sender's trace context, when the message carries one: the receive span continues that trace.
    const parent = remoteParent(api, active, msg);
    const subject = messageSubject(msg);
    this.#hasSubject = subject !== undefined;
    const data = (msg as { data?: unknown } | null)?.data ?? msg;
    this.#span = tracer.startSpan(
      spanName("receive", subject ?? ""),
      {
        kind: api.SpanKind.CONSUMER,
        attributes: {
          [ATTR.system]: SYSTEM,
          [ATTR.operationType]: "receive",
          [ATTR.operationName]: "receive",
          ...(subject ? { [ATTR.destination]: subject } : {}),
          ...(data instanceof Uint8Array ? { [ATTR.bodySize]: data.byteLength } : {}),
        },
      },
      parent,
    );
    this.#context = api.trace.setSpan(parent, this.#span);
  }

  parsed(envelope: WireEnvelope): void {
    const span = this.#span;
    if (!span) return;
    // A message handed over as bytes has no subject of its own: the envelope's send_to names it.
    span.setAttributes({
      [ATTR.messageId]: envelope.msg_id,
      [ATTR.conversationId]: envelope.correlation_id,
      ...payloadAttributes(envelope.payloads),
    });
    if (!this.#hasSubject && envelope.send_to) {
      span.setAttribute(ATTR.destination, envelope.send_to);
      span.updateName(spanName("receive", envelope.send_to));
    }
  }

  async download(
    payload: WirePayload,
    options: SmartReceiveOptions,
    get: (options: SmartReceiveOptions) => Promise<Uint8Array>,
  ): Promise<Uint8Array> {
    const api = this.#api;
    this.step();
    const started = performance.now();
    const span = this.#tracer?.startSpan(
      "download",
      {
        kind: api.SpanKind.CLIENT,
        attributes: { [ATTR.dataname]: payload.dataname, [ATTR.payloadType]: payload.payload_type, [ATTR.transport]: "link" },
      },
      this.#context,
    );
    let attempts = 1;
    const traced: SmartReceiveOptions = {
      ...options,
      onDownloadRetry: (retry) => {
        attempts = retry.attempt + 1;
        this.#instruments?.retries.add(1, DOWNLOAD_ATTRS);
        span?.addEvent("retry", {
          "natsbridge.retry.attempt": retry.attempt,
          "natsbridge.retry.delay_ms": Math.round(retry.delayMs),
          "natsbridge.retry.reason": retry.reason,
        });
        options.onDownloadRetry?.(retry);
      },
    };
    try {
      const bytes = span ? await api.context.with(api.trace.setSpan(this.#context, span), () => get(traced)) : await get(traced);
      span?.setAttributes({ [ATTR.size]: bytes.byteLength, [ATTR.attempts]: attempts });
      this.#instruments?.downloadDuration.record(seconds(started), DOWNLOAD_ATTRS);
      return bytes;
    } catch (error) {
      const code = errorCode(error);
      const reported = (error as { details?: { attempts?: unknown } }).details?.attempts;
      span?.setAttribute(ATTR.attempts, typeof reported === "number" ? reported : attempts);
      markFailed(api, span, error, code);
      this.#childError = error;
      this.#instruments?.downloadDuration.record(seconds(started), { ...DOWNLOAD_ATTRS, [ATTR.errorType]: code });
      throw error;
    } finally {
      span?.end();
    }
  }

  step(name?: "verify" | "decode", payload?: WirePayload, bytes?: Uint8Array): void {
    this.#step?.end();
    this.#step = undefined;
    if (!name || !payload || !bytes) return;
    const size = bytes.byteLength;
    if (name === "decode") {
      if (payload.transport === "link") this.#linkBytes += size;
      else this.#directBytes += size;
    }
    this.#step = this.#tracer?.startSpan(
      name,
      { attributes: { [ATTR.dataname]: payload.dataname, [ATTR.payloadType]: payload.payload_type, [ATTR.size]: size } },
      this.#context,
    );
  }

  outcome(receiving: Promise<ReceivedEnvelope>): Promise<ReceivedEnvelope> {
    return receiving.then(
      (received) => {
        this.#received();
        return received;
      },
      (error: unknown) => {
        this.#failed(error);
        throw error;
      },
    );
  }

  #received(): void {
    this.step();
    const instruments = this.#instruments;
    if (instruments) {
      instruments.received.add(1, RECEIVE_ATTRS);
      if (this.#directBytes > 0) instruments.bytes.add(this.#directBytes, BYTES_ATTRS.receive.direct);
      if (this.#linkBytes > 0) instruments.bytes.add(this.#linkBytes, BYTES_ATTRS.receive.link);
    }
    this.#span?.end();
  }

  #failed(error: unknown): void {
    const code = errorCode(error);
    // A download error comes back with its context added (withContext): the same code, another object.
    const inChild = this.#step !== undefined || this.#childError !== undefined;
    markFailed(this.#api, this.#step, error, code);
    this.step();
    markFailed(this.#api, this.#span, error, code, !inChild);
    this.#span?.end();
    this.#instruments?.errors.add(1, { ...RECEIVE_ATTRS, [ATTR.errorType]: code });
  }
}
