// The names, instruments and span helpers the OpenTelemetry side of
// telemetry (telemetry-otel.ts, -send.ts, -receive.ts) shares. Types only
// from `@opentelemetry/api`: the API itself is imported once, by
// telemetry-otel.ts, and handed in.
//
// Names follow the OpenTelemetry messaging semantic conventions where they
// have one (messaging.*, error.type); the rest are natsbridge.*. See
// docs/observability.md for what each span and metric means.

import { isNatsBridgeError, type WirePayload } from "@natsbridge/envelope";
import type * as Otel from "@opentelemetry/api";

export type Api = typeof Otel;

/** The instrumentation scope: the name every span and metric of natsbridge carries. */
export const INSTRUMENTATION_NAME = "@natsbridge/core";

/** Attribute keys (semantic conventions first, then ours). */
export const ATTR = {
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

export const SYSTEM = "nats";

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

export interface Instruments {
  sent: Otel.Counter;
  received: Otel.Counter;
  bytes: Otel.Counter;
  uploadDuration: Otel.Histogram;
  downloadDuration: Otel.Histogram;
  retries: Otel.Counter;
  errors: Otel.Counter;
}

// Metric attribute sets that repeat on every message, built once.
export const SEND_ATTRS = Object.freeze({ [ATTR.system]: SYSTEM, [ATTR.operationType]: "send" });
export const RECEIVE_ATTRS = Object.freeze({ [ATTR.system]: SYSTEM, [ATTR.operationType]: "receive" });
export const BYTES_ATTRS = {
  send: {
    direct: Object.freeze({ ...SEND_ATTRS, [ATTR.transport]: "direct" }),
    link: Object.freeze({ ...SEND_ATTRS, [ATTR.transport]: "link" }),
  },
  receive: {
    direct: Object.freeze({ ...RECEIVE_ATTRS, [ATTR.transport]: "direct" }),
    link: Object.freeze({ ...RECEIVE_ATTRS, [ATTR.transport]: "link" }),
  },
};
export const DOWNLOAD_ATTRS = Object.freeze({ [ATTR.system]: SYSTEM });

export function createInstruments(meter: Otel.Meter): Instruments {
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
export function errorCode(error: unknown): string {
  if (isNatsBridgeError(error)) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code ? code : "_OTHER";
}

/**
 * Error code and status on a span; the exception event (message, stack) only
 * with `withException`, so that it is recorded once, on the innermost span.
 */
export function markFailed(api: Api, span: Otel.Span | undefined, error: unknown, code: string, withException = true): void {
  if (!span) return;
  span.setAttribute(ATTR.errorType, code);
  if (withException && error instanceof Error) span.recordException(error);
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: `${code}: ${String((error as Error)?.message ?? error)}` });
}

export const seconds = (since: number) => (performance.now() - since) / 1000;

/** Inbox subjects are one-off: they go in attributes, not in span names. */
export function spanName(operation: string, subject: string): string {
  return subject.startsWith("_INBOX.") ? `${operation} (temporary)` : `${operation} ${subject}`;
}

export function payloadAttributes(payloads: readonly WirePayload[]): Otel.Attributes {
  return {
    [ATTR.payloadCount]: payloads.length,
    [ATTR.payloadNames]: payloads.map((p) => p.dataname),
    [ATTR.payloadTypes]: payloads.map((p) => p.payload_type),
    [ATTR.payloadTransports]: payloads.map((p) => String(p.transport)),
    // -1: the sender left the size out.
    [ATTR.payloadSizes]: payloads.map((p) => (typeof p.size === "number" ? p.size : -1)),
  };
}
