// What the smoke script sends, shared with the tests that check what arrived:
// a text and a dictionary (small: direct, inside the envelope) and a 5 MiB
// binary (over the size threshold: link, uploaded to the file server; 4 MiB
// and up is hashed and assembled on core's body worker thread, so each
// runtime's worker_threads is exercised too).
import type { PayloadTuple } from "@natsbridge/core";

export const BINARY_BYTES = 5 * 1024 * 1024;

export const TEXT = "Hello from the runtime smoke test! สวัสดี 👋";

export const DICTIONARY = { language: "en", retries: 3, ratio: 0.25, tags: ["smoke", "natsbridge"], nested: { ok: true, none: null } };

/** A deterministic byte pattern, so the receiver's checksum can be compared with the test's. */
export function binaryPayload(): Uint8Array {
  return Uint8Array.from({ length: BINARY_BYTES }, (_, i) => (i * 31 + 7) % 256);
}

export function smokePayloads(): PayloadTuple[] {
  return [
    ["greeting", TEXT, "text"],
    ["settings", DICTIONARY, "dictionary"],
    ["blob", binaryPayload(), "binary"],
  ];
}

/** One payload as the receiving side saw it. */
export interface ReceivedPayload {
  dataname: string;
  payload_type: string;
  transport: string;
  /** Text and dictionary values as received. */
  value?: unknown;
  /** Binary payloads: length, SHA-256 (hex) and, for link, the URL the envelope carried. */
  bytes?: number;
  sha256?: string;
  url?: string;
}

/** The one JSON line the smoke script prints. */
export type SmokeReport =
  | { runtime: string; version: string; payloads: ReceivedPayload[] }
  | { runtime: string; version: string; error: { name: string; code?: string; message: string } };
