// Wire types of NATSBridge envelope v1 (msg_envelope_v1 / msg_payload_v1 in the
// Julia reference). Field names stay snake_case because they are the contract
// with the Julia, Python and MicroPython implementations.

/** The payload types the references define. Codecs may register more. */
export type KnownPayloadType = "text" | "dictionary" | "arrowtable" | "jsontable" | "table" | "image" | "audio" | "video" | "binary";

/** A payload type on the wire: one of the known ones, or one a custom codec registered. */
export type PayloadType = KnownPayloadType | (string & {});

export type Transport = "direct" | "link";

/**
 * `base64` is what every reference writes for direct payloads; `json` and `arrow-ipc`
 * are labels the Julia/JS references may put on base64 data; `none` marks a link URL.
 */
export type PayloadEncoding = "base64" | "json" | "arrow-ipc" | "none" | (string & {});

export type JsonObject = { [key: string]: unknown };

/** One payload as it travels (msg_payload_v1). */
export interface WirePayload {
  id: string;
  dataname: string;
  payload_type: PayloadType;
  transport: Transport | (string & {});
  encoding: PayloadEncoding;
  /** Size in bytes of the serialized payload (before base64). Absent if the sender left it out. */
  size?: number;
  /** Base64 text for `direct`, a URL for `link`. */
  data: unknown;
  /** Payload metadata. MicroPython omits it; parsing fills in `{}`. */
  metadata: JsonObject;
  /** Fields from other implementations are kept as they came. */
  [extra: string]: unknown;
}

/** The envelope-level fields of msg_envelope_v1 (everything but `payloads`). */
export interface EnvelopeHeader {
  correlation_id: string;
  msg_id: string;
  timestamp: string;
  send_to: string;
  msg_purpose: string;
  sender_name: string;
  sender_id: string;
  receiver_name: string;
  receiver_id: string;
  reply_to: string;
  reply_to_msg_id: string;
  broker_url: string;
  metadata: JsonObject;
}

/** The envelope as it travels (msg_envelope_v1). */
export interface WireEnvelope extends EnvelopeHeader {
  payloads: WirePayload[];
  /** Fields from other implementations are kept as they came. */
  [extra: string]: unknown;
}

/** What smartsend takes and smartreceive returns for each payload: `[dataname, value, payload_type]`. */
export type PayloadTuple<T = unknown> = [dataname: string, data: T, payloadType: PayloadType];

/** A received envelope: the wire envelope with payloads decoded into tuples. */
export interface ReceivedEnvelope extends EnvelopeHeader {
  payloads: PayloadTuple[];
  /**
   * The wire payload descriptors (id, transport, encoding, size, metadata) in the
   * order of `payloads`; `data` is kept for link payloads (the URL) only.
   */
  payloadInfo: WirePayload[];
  [extra: string]: unknown;
}

/** The envelope-level string fields, in the order the Julia reference emits them. */
export const ENVELOPE_STRING_FIELDS = [
  "correlation_id",
  "msg_id",
  "timestamp",
  "send_to",
  "msg_purpose",
  "sender_name",
  "sender_id",
  "receiver_name",
  "receiver_id",
  "reply_to",
  "reply_to_msg_id",
  "broker_url",
] as const satisfies readonly (keyof EnvelopeHeader)[];
