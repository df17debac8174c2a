// Wire types of NATSBridge envelope v1 (msg_envelope_v1 / msg_payload_v1 in the
// Julia reference). Field names stay snake_case because they are the contract
// with the Julia, Python and MicroPython implementations.

/** The payload types the references define. */
export type KnownPayloadType = "text" | "dictionary" | "arrowtable" | "jsontable" | "table" | "image" | "audio" | "video" | "binary";

/** Any JSON value, as JSON.parse gives it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a `dictionary` payload can be sent as: anything JSON.stringify writes (objects of any interface type too). */
export type JsonSendable = string | number | boolean | null | object;

/** Bytes as the binary family accepts them: Uint8Array (Buffer), ArrayBuffer, any typed array or DataView. */
export type BytesLike = Uint8Array | ArrayBuffer | ArrayBufferView;

/**
 * What table payloads (`arrowtable`, `table`) take and give. Filled in by
 * @natsbridge/arrow through declaration merging (rows, columns or an Arrow
 * Table in; an apache-arrow Table out); `unknown` without it.
 */
// biome-ignore lint/suspicious/noEmptyInterface: an interface, so that @natsbridge/arrow can fill it in by declaration merging
export interface ArrowTableTypes {}
type TableSend = ArrowTableTypes extends { send: infer S } ? S : unknown;
type TableReceive = ArrowTableTypes extends { receive: infer R } ? R : unknown;

/**
 * Each payload type with the value it takes when sent and gives when received.
 * Its keys are the payload types smartsend accepts: a closed list, so that a
 * typo (`"txet"`) does not compile. A codec of your own adds its type by
 * declaration merging:
 *
 * ```ts
 * declare module "@natsbridge/envelope" {
 *   interface PayloadTypes { "geo/point": { send: Point; receive: Point } }
 * }
 * ```
 */
export interface PayloadTypes {
  text: { send: string; receive: string };
  dictionary: { send: JsonSendable; receive: JsonValue };
  jsontable: { send: readonly object[]; receive: JsonObject[] };
  arrowtable: { send: TableSend; receive: TableReceive };
  table: { send: TableSend; receive: TableReceive };
  image: { send: BytesLike; receive: Uint8Array };
  audio: { send: BytesLike; receive: Uint8Array };
  video: { send: BytesLike; receive: Uint8Array };
  binary: { send: BytesLike; receive: Uint8Array };
}

/** A payload type smartsend accepts: one of the references' types, or one added to PayloadTypes. */
export type PayloadType = keyof PayloadTypes & string;

/** The value a payload of type T is sent as. */
export type SendValue<T extends PayloadType> = PayloadTypes[T]["send"];
/** The value a payload of type T is received as. */
export type ReceiveValue<T extends PayloadType> = PayloadTypes[T]["receive"];

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
  /** Any string on the wire: a peer may send a type this side has no codec for. */
  payload_type: string;
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

/**
 * What smartsend takes for each payload: `[dataname, value, payload_type]`,
 * the value's type following the payload type (`["n", 1, "text"]` does not
 * compile). `PayloadTuple<"binary">` is the tuple of one type.
 */
export type PayloadTuple<T extends PayloadType = PayloadType> = {
  [K in T]: [dataname: string, data: SendValue<K>, payloadType: K];
}[T];

/**
 * One received payload: `[dataname, value, payload_type]`, a union
 * discriminated by the type, so that checking the type narrows the value:
 * `if (type === "text") value.toUpperCase()`. `Streamed` is what a link
 * payload may be handed out as instead (core's PayloadStream, with the
 * `stream` option).
 */
export type ReceivedPayload<Streamed = never> = {
  [K in PayloadType]: [dataname: string, data: ReceiveValue<K> | Streamed, payloadType: K];
}[PayloadType];

/** NATS message headers as received (nats.js `MsgHdrs`). */
export interface MessageHeaders {
  get(name: string): string;
  has(name: string): boolean;
  values(name: string): string[];
  keys(): string[];
}

/** A received envelope: the wire envelope with payloads decoded into tuples. */
export interface ReceivedEnvelope<Streamed = never> extends EnvelopeHeader {
  payloads: ReceivedPayload<Streamed>[];
  /**
   * The wire payload descriptors (id, transport, encoding, size, metadata) in the
   * order of `payloads`; `data` is kept for link payloads (the URL) only.
   */
  payloadInfo: WirePayload[];
  /**
   * The subject the message arrived on (with wildcard subscriptions, the
   * concrete one). `send_to` is what the sender wrote; they differ when a
   * message is republished or mapped by the server. Undefined when
   * smartreceive was given bytes or text rather than a message.
   */
  subject?: string;
  /** The NATS headers the message carried (JetStream's Nats-Msg-Id, your own), if any. */
  headers?: MessageHeaders;
  /** Envelope fields from other implementations that v1 does not define, kept as they came. */
  extraFields: JsonObject;
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
