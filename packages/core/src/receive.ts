// smartreceive as a pipeline: parse → fetch → verify → decode. Each payload's
// codec is looked up first, so an unknown type fails before any download.
// Every failure is a NatsBridgeError with a stable code.

import {
  decodeNow,
  directPayloadBytes,
  errorInContext,
  isPromiseLike,
  InvalidEnvelopeError,
  ENVELOPE_STRING_FIELDS,
  readEnvelope,
  UnknownTransportError,
  type MessageHeaders,
  type ReceivedEnvelope,
  type ReceivedPayload,
  type WireEnvelope,
} from "@natsbridge/envelope";
import { MessageLog } from "./logger.js";
import type { Msg } from "./nats-types.js";
import { resolveBase, resolveMaxEnvelopeBytes, type ResolvedBase, type SmartReceiveOptions } from "./options.js";
import type { Platform } from "./platform/types.js";
// Types only: the link step is imported on the first link payload (see below).
import type { FetchedBytes, LinkFetcher } from "./receive-fetch.js";
import { verifyPayload } from "./verify.js";

/** What smartreceive accepts: a NATS message, anything with `data` bytes, the raw bytes, or the JSON text. */
export type ReceivableMessage = Msg | { data: Uint8Array } | Uint8Array | string;

/**
 * The pipeline. `base` is the options' resolved base, when the caller keeps
 * it (the bridge does for its defaults). Steps that need no promise (direct
 * payloads, built-in codecs, Node's hashing) run without one.
 */
export async function receiveEnvelope(
  platform: Platform,
  msg: ReceivableMessage,
  o: SmartReceiveOptions,
  base: ResolvedBase = resolveBase(o, platform),
): Promise<ReceivedEnvelope> {
  try {
    // 1. parse (large direct payloads come back already decoded)
    const { envelope, decoded } = readEnvelope(messageData(msg), { maxBytes: resolveMaxEnvelopeBytes(o) });
    const correlationId = envelope.correlation_id;
    const log = new MessageLog(base.logger, correlationId);
    log.debug?.({ payloads: envelope.payloads.length, send_to: envelope.send_to }, "smartreceive: envelope parsed");
    let links: LinkFetcher | undefined;
    const payloads = envelope.payloads;
    const values: unknown[] = new Array(payloads.length);
    for (let i = 0; i < payloads.length; i++) {
      const payload = payloads[i]!;
      const context = { correlationId, dataname: payload.dataname, payloadType: payload.payload_type };
      try {
        base.registry.get(payload.payload_type); // UNKNOWN_PAYLOAD_TYPE before any download
      } catch (error) {
        throw errorInContext(error, context);
      }
      // 2. fetch
      let fetched: FetchedBytes;
      if (payload.transport === "direct") {
        fetched = { bytes: decoded[i] ?? directPayloadBytes(payload, correlationId) };
        log.debug?.({ dataname: payload.dataname, size: fetched.bytes.byteLength }, "smartreceive: direct payload decoded");
      } else if (payload.transport === "link") {
        // Loaded on the first link payload: pages that only receive direct payloads never fetch it.
        links ??= new (await import("./receive-fetch.js")).LinkFetcher(platform, o, base.fileserverUrl, correlationId, log);
        if (links.wantsStream(payload)) {
          values[i] = links.stream(payload);
          continue;
        }
        fetched = await links.fetch(payload);
      } else {
        throw new UnknownTransportError(
          `payload '${payload.dataname}' has unknown transport ${JSON.stringify(payload.transport)} (expected direct or link)`,
          { correlationId, dataname: payload.dataname, details: { transport: payload.transport } },
        );
      }
      // 3. verify
      if (o.verify !== false) {
        const verified = verifyPayload(platform, payload, fetched, correlationId);
        if (verified) await verified;
      }
      // 4. decode
      const value = decodeNow(base.registry, fetched.bytes, context);
      values[i] = isPromiseLike(value) ? await value : value;
    }
    log.debug?.({}, "smartreceive: done");
    return received(envelope, values, msg);
  } catch (error) {
    throw errorInContext(error, {});
  }
}

/** The fields of a received envelope that v1 defines; anything else goes to `extraFields`. */
const KNOWN_FIELDS = new Set<string>([...ENVELOPE_STRING_FIELDS, "metadata", "payloads"]);

function received(envelope: WireEnvelope, values: unknown[], msg: ReceivableMessage): ReceivedEnvelope {
  const payloads = envelope.payloads;
  const tuples = new Array<ReceivedPayload>(payloads.length);
  for (let i = 0; i < payloads.length; i++) {
    const p = payloads[i]!;
    // The codec of each payload_type made its value: the tuple is well-typed by construction.
    tuples[i] = [p.dataname, values[i], p.payload_type] as ReceivedPayload;
    // The descriptors keep a link's URL only: direct data is in the value now. (The parsed objects are ours.)
    if (p.transport !== "link") p.data = undefined;
  }
  const out: ReceivedEnvelope = {
    correlation_id: envelope.correlation_id,
    msg_id: envelope.msg_id,
    timestamp: envelope.timestamp,
    send_to: envelope.send_to,
    msg_purpose: envelope.msg_purpose,
    sender_name: envelope.sender_name,
    sender_id: envelope.sender_id,
    receiver_name: envelope.receiver_name,
    receiver_id: envelope.receiver_id,
    reply_to: envelope.reply_to,
    reply_to_msg_id: envelope.reply_to_msg_id,
    broker_url: envelope.broker_url,
    metadata: envelope.metadata,
    payloads: tuples,
    payloadInfo: payloads,
    extraFields: {},
  };
  for (const key in envelope) if (!KNOWN_FIELDS.has(key)) out.extraFields[key] = envelope[key];
  if (typeof msg === "object" && !(msg instanceof Uint8Array)) {
    const { subject, headers } = msg as { subject?: unknown; headers?: MessageHeaders };
    if (typeof subject === "string") out.subject = subject;
    if (headers) out.headers = headers;
  }
  return out;
}

function messageData(msg: ReceivableMessage): Uint8Array | string {
  if (typeof msg === "string" || msg instanceof Uint8Array) return msg;
  if (msg && typeof msg === "object" && (msg as { data?: unknown }).data instanceof Uint8Array) {
    return (msg as { data: Uint8Array }).data;
  }
  throw new InvalidEnvelopeError("smartreceive needs a NATS message, { data: Uint8Array }, bytes or a JSON string");
}
