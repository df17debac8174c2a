// What the bridge calls to observe a message (see telemetry.ts): the
// interfaces only, shared by the loader and the OpenTelemetry implementation
// (telemetry-otel.ts) without either importing the other.

import type { MsgHdrs } from "@nats-io/nats-core";
import type { ReceivedEnvelope, WireEnvelope, WirePayload } from "@natsbridge/envelope";
import type { SmartReceiveOptions } from "./options.js";

/** The bridge's view of OpenTelemetry: one observation per message when something is collected. */
export interface Telemetry {
  /**
   * Starts observing one smartsend, or returns undefined when neither a tracer
   * provider nor a meter provider is registered (checked per message, so a
   * provider registered later is picked up).
   */
  startSend(subject: unknown, correlationId: string, msgId: string): SendObservation | undefined;
  /** Starts observing one smartreceive (the sender's trace context is read from the NATS headers). */
  startReceive(msg: unknown): ReceiveObservation | undefined;
}

/** One smartsend: a `send` span with `upload` and `publish` children, and the send metrics. */
export interface SendObservation {
  /** Runs one link upload inside its `upload` span (HTTP spans of the store nest under it). */
  upload<T extends { size: number }>(
    item: { dataname: string; payloadType: string },
    store: { name: string },
    put: () => Promise<T>,
  ): Promise<T>;
  /** Starts the `publish` span; returns the headers carrying the trace context (undefined: publish without headers). */
  publishing(envelope: Uint8Array, options: { jetstream?: unknown }): MsgHdrs | undefined;
  /** Ends the `publish` span. */
  published(): void;
  /**
   * The whole send: on success the payload attributes and send metrics, on
   * failure the error code (on the open child span too) and the error metric;
   * then the send span ends. Resolves or rejects as `sending` does.
   */
  outcome(sending: Promise<[WireEnvelope, string]>): Promise<[WireEnvelope, string]>;
}

/** One smartreceive: a `receive` span with `download`, `verify` and `decode` children, and the receive metrics. */
export interface ReceiveObservation {
  /** The envelope was parsed: message attributes. */
  parsed(envelope: WireEnvelope): void;
  /**
   * Runs one link download inside its `download` span, handing `get` the
   * receive options with an `onDownloadRetry` that also makes each retry an
   * event of that span (and calls the caller's own).
   */
  download(
    payload: WirePayload,
    options: SmartReceiveOptions,
    get: (options: SmartReceiveOptions) => Promise<Uint8Array>,
  ): Promise<Uint8Array>;
  /** Ends the open step span; with a name, starts `verify` or `decode` of a payload. */
  step(name?: "verify" | "decode", payload?: WirePayload, bytes?: Uint8Array): void;
  /** The whole receive: receive metrics, or the error code and error metric; then the receive span ends. */
  outcome(receiving: Promise<ReceivedEnvelope>): Promise<ReceivedEnvelope>;
}
