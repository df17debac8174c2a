// OpenTelemetry traces and metrics of smartsend and smartreceive, through
// `@opentelemetry/api` only (an optional peer dependency: no SDK here).
//
// This module is the small part every page and process loads: what the bridge
// calls (the observation interfaces) and the loader. The OpenTelemetry code
// itself is in telemetry-otel.ts, imported with the API on the first message,
// so a browser bundle keeps both out of its initial load, and an application
// without `@opentelemetry/api` installed never loads either.
//
// Cost when nothing is collected: `startSend`/`startReceive` return undefined
// (a provider check, no allocation) and every hook the bridge calls is an
// optional call on that undefined.

import type { WireEnvelope, WirePayload } from "@natsbridge/envelope";
import type { MsgHdrs } from "nats";

/** Told about each failed download attempt before the wait for the next one. */
export type RetryListener = (retry: { attempt: number; delayMs: number; reason: string }) => void;

/** The bridge's view of OpenTelemetry: one observation per message when something is collected. */
export interface Telemetry {
  /**
   * Starts observing one smartsend, or returns undefined when neither a tracer
   * provider nor a meter provider is registered (checked per message, so a
   * provider registered later is picked up).
   */
  startSend(subject: string, correlationId: string, msgId: string): SendObservation | undefined;
  /** Starts observing one smartreceive (the sender's trace context is read from the NATS headers). */
  startReceive(msg: unknown): ReceiveObservation | undefined;
}

/** One smartsend: a `send` span with `upload` and `publish` children, and the send metrics. */
export interface SendObservation {
  /** Runs one link upload inside its `upload` span (HTTP spans of the store nest under it). */
  upload<T extends { size: number }>(dataname: string, payloadType: string, store: string, put: () => Promise<T>): Promise<T>;
  /** Starts the `publish` span; returns the headers carrying the trace context (undefined: publish without headers). */
  publishing(envelopeBytes: number, jetstream: boolean): MsgHdrs | undefined;
  /** Ends the `publish` span. */
  published(): void;
  /** The message went out (or was built, with isPublish false): payload attributes, metrics, end. */
  sent(envelope: WireEnvelope): void;
  /** The send failed: error code on the open span and the send span, error metric, end. */
  failed(error: unknown): void;
}

/** One smartreceive: a `receive` span with `download`, `verify` and `decode` children, and the receive metrics. */
export interface ReceiveObservation {
  /** The envelope was parsed: message attributes. */
  parsed(envelope: WireEnvelope): void;
  /** Runs one link download inside its `download` span; retries become events of that span. */
  download(payload: WirePayload, get: (onRetry: RetryListener) => Promise<Uint8Array>): Promise<Uint8Array>;
  /** Ends the open step span and starts `verify` or `decode` of a payload of `bytes` bytes. */
  step(name: "verify" | "decode", payload: WirePayload, bytes: number): void;
  /** Ends the open step span. */
  stepDone(): void;
  /** The message was decoded: receive metrics, end. */
  received(): void;
  failed(error: unknown): void;
}

/**
 * The telemetry of this process, or undefined when `@opentelemetry/api` is not
 * installed. The import sits in a try block: bundlers (esbuild, webpack) leave
 * an optional package that is missing to fail at run time, not at build time.
 */
export async function loadTelemetry(): Promise<Telemetry | undefined> {
  let api: typeof import("@opentelemetry/api");
  try {
    api = await import("@opentelemetry/api");
  } catch {
    return undefined;
  }
  const { otelTelemetry } = await import("./telemetry-otel.js");
  return otelTelemetry(api);
}
