// Building outgoing envelopes. Field order follows the Julia reference's
// structs (msg_envelope_v1, msg_payload_v1) so our JSON reads like theirs.

import { encodeBase64 } from "./bytes.js";
import type { EnvelopeHeader, JsonObject, WireEnvelope, WirePayload } from "./types.js";

/** A random UUID v4: crypto.randomUUID where available (Node, secure browser contexts), else getRandomValues. */
export function uuid4(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  const b = new Uint8Array(16);
  if (c && typeof c.getRandomValues === "function") c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** ISO 8601 UTC with milliseconds and `Z`, as the JS reference writes. */
export function isoTimestamp(date?: Date): string {
  return date ? date.toISOString() : clock.now();
}

/**
 * The current time as ISO text, formatted once per millisecond: formatting a
 * Date costs more than a small message's whole envelope JSON, and a busy
 * sender sends many messages within one millisecond.
 */
class IsoClock {
  #ms = -1;
  #text = "";
  now(): string {
    const ms = Date.now();
    if (ms !== this.#ms) {
      this.#ms = ms;
      this.#text = new Date(ms).toISOString();
    }
    return this.#text;
  }
}
const clock = new IsoClock();

// Matches what the references emit: Python's microseconds, Julia without `Z`,
// MicroPython's second precision, and explicit offsets.
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parse any ISO 8601 timestamp the references send. A timestamp without a zone
 * is taken as UTC (Julia's `now(UTC)` prints none). Returns undefined for text
 * that is not ISO 8601; parsing an envelope never fails on its timestamp.
 */
export function parseTimestamp(text: string): Date | undefined {
  const m = ISO_RE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = "0", frac = "", zone = "Z"] = m;
  const ms = Number(`${frac}000`.slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0");
    t -= sign * offset * 60_000;
  }
  return Number.isNaN(t) ? undefined : new Date(t);
}

export interface DirectPayloadInput {
  dataname: string;
  payloadType: string;
  bytes: Uint8Array;
  id?: string;
  metadata?: JsonObject;
}

/**
 * A direct payload. `encoding` is always "base64": it is what every reference
 * writes and what the Python and MicroPython receivers expect; the Julia/JS
 * `json`/`arrow-ipc` labels are accepted on receipt but never emitted.
 */
export function createDirectPayload(input: DirectPayloadInput): WirePayload {
  return {
    id: input.id ?? uuid4(),
    dataname: input.dataname,
    payload_type: input.payloadType,
    transport: "direct",
    encoding: "base64",
    size: input.bytes.byteLength,
    data: encodeBase64(input.bytes),
    metadata: { payload_bytes: input.bytes.byteLength, ...input.metadata },
  };
}

export interface LinkPayloadInput {
  dataname: string;
  payloadType: string;
  url: string;
  size: number;
  id?: string;
  metadata?: JsonObject;
}

/** A link (claim-check) payload: `data` is the URL, `encoding` is "none". */
export function createLinkPayload(input: LinkPayloadInput): WirePayload {
  return {
    id: input.id ?? uuid4(),
    dataname: input.dataname,
    payload_type: input.payloadType,
    transport: "link",
    encoding: "none",
    size: input.size,
    data: input.url,
    metadata: { ...input.metadata },
  };
}

export interface EnvelopeInput {
  sendTo: string;
  payloads: WirePayload[];
  correlationId?: string;
  msgId?: string;
  timestamp?: string;
  msgPurpose?: string;
  senderName?: string;
  senderId?: string;
  receiverName?: string;
  receiverId?: string;
  replyTo?: string;
  replyToMsgId?: string;
  brokerUrl?: string;
  metadata?: JsonObject;
}

/** A complete envelope with the references' defaults for every field left out. */
export function createEnvelope(input: EnvelopeInput): WireEnvelope {
  return { ...envelopeHeader(input), payloads: input.payloads };
}

/** The envelope-level fields, with the references' defaults for every field left out. */
export function envelopeHeader(input: Omit<EnvelopeInput, "payloads">): EnvelopeHeader {
  return {
    correlation_id: input.correlationId ?? uuid4(),
    msg_id: input.msgId ?? uuid4(),
    timestamp: input.timestamp ?? clock.now(),
    send_to: input.sendTo,
    msg_purpose: input.msgPurpose ?? "chat",
    sender_name: input.senderName ?? "NATSBridge",
    sender_id: input.senderId ?? uuid4(),
    receiver_name: input.receiverName ?? "",
    receiver_id: input.receiverId ?? "",
    reply_to: input.replyTo ?? "",
    reply_to_msg_id: input.replyToMsgId ?? "",
    broker_url: input.brokerUrl ?? "",
    metadata: { ...input.metadata },
  };
}

/**
 * The JSON length in bytes of a base64 direct payload of `size` bytes, without
 * building it. Used to predict whether an envelope fits max_payload.
 */
export function base64Length(size: number): number {
  return 4 * Math.ceil(size / 3);
}
