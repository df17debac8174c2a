// The OpenTelemetry side of telemetry.ts: spans, W3C trace context in NATS
// headers, and metric instruments, all through `@opentelemetry/api`, which it
// imports when loaded (on the first message). The send and receive spans are
// in telemetry-otel-send.ts and telemetry-otel-receive.ts; the names they
// share in telemetry-otel-terms.ts.

import type { MsgHdrs } from "@nats-io/nats-core";
import type * as Otel from "@opentelemetry/api";
import { OtelReceive } from "./telemetry-otel-receive.js";
import { OtelSend } from "./telemetry-otel-send.js";
import { type Api, createInstruments, INSTRUMENTATION_NAME, type Instruments } from "./telemetry-otel-terms.js";
import type { ReceiveObservation, SendObservation, Telemetry } from "./telemetry-types.js";

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
