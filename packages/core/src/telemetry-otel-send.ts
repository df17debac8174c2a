// The send side of the OpenTelemetry telemetry (telemetry-otel.ts): the
// send span, its upload and publish children, W3C trace context in the NATS
// headers, and the send metrics.

import type { MsgHdrs } from "@nats-io/nats-core";
import type { WireEnvelope } from "@natsbridge/envelope";
import type * as Otel from "@opentelemetry/api";
import {
  type Api,
  ATTR,
  BYTES_ATTRS,
  errorCode,
  type Instruments,
  markFailed,
  payloadAttributes,
  SEND_ATTRS,
  SYSTEM,
  seconds,
  spanName,
} from "./telemetry-otel-terms.js";
import type { SendObservation } from "./telemetry-types.js";

export class OtelSend implements SendObservation {
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
