// The receive side of the OpenTelemetry telemetry (telemetry-otel.ts): the
// receive span continuing the sender's trace, its download, verify and decode
// children, and the receive metrics.

import type { MsgHdrs } from "@nats-io/nats-core";
import type { ReceivedEnvelope, WireEnvelope, WirePayload } from "@natsbridge/envelope";
import type * as Otel from "@opentelemetry/api";
import type { SmartReceiveOptions } from "./options.js";
import {
  type Api,
  ATTR,
  BYTES_ATTRS,
  DOWNLOAD_ATTRS,
  errorCode,
  type Instruments,
  markFailed,
  payloadAttributes,
  RECEIVE_ATTRS,
  SYSTEM,
  seconds,
  spanName,
} from "./telemetry-otel-terms.js";
import type { ReceiveObservation } from "./telemetry-types.js";

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

export class OtelReceive implements ReceiveObservation {
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
