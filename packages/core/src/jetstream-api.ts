// The part of the JetStream API that every page and process loads: the
// failure policy (constants a caller may read or extend) and ensureStream.
// The JetStream machinery itself (jetstream.ts, jetstream-publish.ts,
// jetstream-consume.ts, and in browsers the
// @nats-io/jetstream client) is imported on first use, so that a page that
// never uses JetStream does not download it.

import type { StreamInfo } from "@nats-io/jetstream";
import type { ErrorCode } from "@natsbridge/envelope";
import type { EnsureStreamConfig, NakBackoff } from "./jetstream-types.js";
import type { NatsConnectionLike } from "./nats-connection.js";

/** Errors a redelivery cannot fix: the message is terminated rather than nak'ed. */
export const PERMANENT_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "INVALID_ENVELOPE",
  "UNKNOWN_PAYLOAD_TYPE",
  "UNKNOWN_TRANSPORT",
  "UNSUPPORTED_ENCODING",
  "DESERIALIZATION_ERROR",
  "URL_NOT_ALLOWED",
  "CHECKSUM_MISMATCH",
  "SIZE_MISMATCH",
  "SIZE_LIMIT_EXCEEDED",
  "UNSUPPORTED_ARROW_FEATURE",
  // The receiver lacks a codec (arrowtable/table without @natsbridge/arrow), as with UNKNOWN_PAYLOAD_TYPE.
  "MISSING_DEPENDENCY",
]);

/** The nak delays of the default backoff: 1 s, 2 s, 4 s... capped at 30 s. */
export const DEFAULT_NAK_BACKOFF = [1000, 2000, 4000, 8000, 16000, 30000] as const;

export function nakDelay(backoff: NakBackoff | undefined, deliveries: number): number {
  if (typeof backoff === "function") return Math.max(0, backoff(deliveries));
  const list = backoff && backoff.length > 0 ? backoff : DEFAULT_NAK_BACKOFF;
  return list[Math.min(Math.max(deliveries, 1), list.length) - 1]!;
}

/**
 * Create the stream if it does not exist (else leave it as it is). The
 * duplicate window is how long the server remembers Nats-Msg-Ids; retries of
 * one send must fall inside it. Default 2 minutes, the server's default.
 */
export async function ensureStream(nc: NatsConnectionLike, config: EnsureStreamConfig): Promise<StreamInfo> {
  const { ensureStream: create } = await import("./jetstream.js");
  return create(nc, config);
}
