// smartreceive as a pipeline: parse → fetch → verify → decode. Each payload's
// codec is looked up first, so an unknown type fails before any download.
// Every failure is a NatsBridgeError with a stable code.

import {
  decodeNow,
  directPayloadBytes,
  ENVELOPE_STRING_FIELDS,
  errorInContext,
  InvalidEnvelopeError,
  isPromiseLike,
  type MessageHeaders,
  type ReceivedEnvelope,
  type ReceivedPayload,
  readEnvelope,
  UnknownTransportError,
  type WireEnvelope,
} from "@natsbridge/envelope";
import { MessageLog } from "./logger.js";
import type { NatsMessageLike } from "./nats-connection.js";
import { type ResolvedBase, resolveBase, resolveMaxEnvelopeBytes, type SmartReceiveOptions } from "./options.js";
import type { Platform } from "./platform/types.js";
// Types only: the link step is imported on the first link payload (see below).
import type { FetchedBytes, LinkFetcher } from "./receive-fetch.js";
import type { ConnectionProvider } from "./store.js";
import type { ReceiveObservation, Telemetry } from "./telemetry.js";
import { verifyPayload } from "./verify.js";

/** What smartreceive accepts: a NATS message, anything with `data` bytes, the raw bytes, or the JSON text. */
export type ReceivableMessage = NatsMessageLike | { data: Uint8Array } | Uint8Array | string;

export interface ReceiveContext {
  platform: Platform;
  /** The receiving bridge's connection, for stores that read through NATS (the object store). */
  connection: ConnectionProvider;
  /** OpenTelemetry, when `@opentelemetry/api` is installed. */
  telemetry: Telemetry | null;
}

/**
 * The pipeline. `base` is the options' resolved base, when the caller keeps
 * it (the bridge does for its defaults). Not an async function: without
 * telemetry the receive's own promise is returned as it is.
 */
export function receiveEnvelope(
  ctx: ReceiveContext,
  msg: ReceivableMessage,
  o: SmartReceiveOptions,
  base?: ResolvedBase,
): Promise<ReceivedEnvelope> {
  // telemetry hook [receive]: undefined unless a tracer or meter provider is registered.
  const observed = ctx.telemetry?.startReceive(msg);
  const receiving = receive(ctx, msg, o, base ?? resolveBase(o, ctx.platform), observed);
  return observed ? observed.outcome(receiving) : receiving;
}

/** Steps that need no promise (direct payloads, built-in codecs, Node's hashing) run without one. */
async function receive(
  ctx: ReceiveContext,
  msg: ReceivableMessage,
  o: SmartReceiveOptions,
  base: ResolvedBase,
  observed: ReceiveObservation | undefined,
): Promise<ReceivedEnvelope> {
  // Every failure leaves as a NatsBridgeError (a try/catch here: no `.catch` promise per message).
  try {
    const { platform } = ctx;
    // 1. parse (large direct payloads come back already decoded)
    const { envelope, decoded } = readEnvelope(messageData(msg), { maxBytes: resolveMaxEnvelopeBytes(o) });
    observed?.parsed(envelope); // telemetry hook [receive:parsed]
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
        links ??= new (await import("./receive-fetch.js")).LinkFetcher(
          { platform, fileserverUrl: base.fileserverUrl, correlationId, log, connection: ctx.connection },
          o,
        );
        if (links.wantsStream(payload)) {
          values[i] = links.stream(payload);
          continue;
        }
        fetched = await fetchLink(links, payload, o, observed);
      } else {
        throw new UnknownTransportError(
          `payload '${payload.dataname}' has unknown transport ${JSON.stringify(payload.transport)} (expected direct or link)`,
          { correlationId, dataname: payload.dataname, details: { transport: payload.transport } },
        );
      }
      // 3. verify
      if (o.verify !== false) {
        observed?.step("verify", payload, fetched.bytes); // telemetry hook [receive:verify]
        const verified = verifyPayload(platform, payload, fetched, correlationId);
        if (verified) await verified;
      }
      // 4. decode
      observed?.step("decode", payload, fetched.bytes); // telemetry hook [receive:decode]
      const value = decodeNow(base.registry, fetched.bytes, context);
      values[i] = isPromiseLike(value) ? await value : value;
      observed?.step(); // telemetry hook [receive:step-end]
    }
    log.debug?.({}, "smartreceive: done");
    return received(envelope, values, msg);
  } catch (error) {
    throw errorInContext(error, {});
  }
}

/**
 * telemetry hook [receive:download]: the download runs inside its span; the
 * options it hands back report retries as span events too.
 */
async function fetchLink(
  links: LinkFetcher,
  payload: WireEnvelope["payloads"][number],
  o: SmartReceiveOptions,
  observed: ReceiveObservation | undefined,
): Promise<FetchedBytes> {
  if (!observed) return links.fetch(payload);
  let fetched: FetchedBytes | undefined;
  const bytes = await observed.download(payload, o, async (traced) => {
    fetched = await links.fetch(payload, traced);
    return fetched.bytes;
  });
  return fetched ?? { bytes };
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
