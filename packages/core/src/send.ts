// smartsend as a pipeline: serialize → choose transport → upload → build →
// publish. Each step returns what the next needs; the envelope's size is known
// exactly before anything is uploaded or published. Nothing is published if a
// step fails, and blobs already uploaded for the message are deleted.

import {
  type DirectPayloadDraft,
  draftDirectPayload,
  draftEnvelope,
  draftLinkPayload,
  envelopeByteLength,
  isPromiseLike,
  type PayloadDraft,
  PayloadTooLargeError,
  uuid4,
  type WireEnvelope,
  writeEnvelope,
} from "@natsbridge/envelope";
import { DEFAULT_MAX_PAYLOAD } from "./defaults.js";
import { uploadHandlerStore } from "./handler-store.js";
import { MessageLog } from "./logger.js";
import { type ResolvedBase, resolveBase, resolveSizeThreshold, type SmartSendOptions } from "./options.js";
import type { Platform } from "./platform/types.js";
import { publishEnvelope } from "./publish.js";
import { type SerializedPayload, serializePayloads } from "./send-serialize.js";
// Types only: the upload step is imported on the first link payload (see below).
import type { LinkUploads } from "./send-upload.js";
import type { SendPayload } from "./source.js";
import type { ConnectionProvider } from "./store.js";
import { checkPublishSubject } from "./subject.js";
import type { SendObservation, Telemetry } from "./telemetry.js";
import { selectTransport } from "./transport.js";

export interface SendContext {
  platform: Platform;
  /**
   * The connection to publish on (the caller's, or the shared one for the
   * broker URL); stores that live in NATS (the object store) write through it too.
   */
  connection: ConnectionProvider;
  /** OpenTelemetry, when `@opentelemetry/api` is installed. */
  telemetry: Telemetry | null;
  /** The sender_id of envelopes whose options give none: one per bridge, the sender's identity. */
  senderId: string;
}

/** What smartsend resolves: the envelope and its JSON text. */
export type SentEnvelope = [envelope: WireEnvelope, json: string];

/** Options of one send that only request() sets. */
export interface SendExtras {
  /** The NATS-level reply subject (request sets its inbox, for "no responders"). */
  natsReply?: string;
}

/**
 * The pipeline. `base` is the options' resolved base, when the caller keeps
 * it (the bridge does for its defaults). Not an async function: without
 * telemetry the send's own promise is returned as it is.
 */
export function sendEnvelope(
  ctx: SendContext,
  subject: string,
  payloads: readonly SendPayload[],
  o: SmartSendOptions,
  extras: SendExtras = {},
  base?: ResolvedBase,
): Promise<SentEnvelope> {
  // Nothing here may throw: bad input must come back as a rejected promise with a typed error.
  const ids = { ...o, correlationId: o.correlationId ?? uuid4(), msgId: o.msgId ?? uuid4() };
  // telemetry hook [send]: undefined unless a tracer or meter provider is registered.
  const observed = ctx.telemetry?.startSend(subject, ids.correlationId, ids.msgId);
  const sending = send(ctx, subject, payloads, ids, extras, base, observed);
  return observed ? observed.outcome(sending) : sending;
}

/** Steps that need no promise (built-in codecs, Node's hashing, a core NATS publish) run without one. */
async function send(
  ctx: SendContext,
  subject: string,
  payloads: unknown,
  o: SmartSendOptions & { correlationId: string; msgId: string },
  extras: SendExtras,
  resolved: ResolvedBase | undefined,
  observed: SendObservation | undefined,
): Promise<SentEnvelope> {
  const { platform } = ctx;
  // Before anything is serialized or uploaded.
  checkPublishSubject(subject, "subject", o.correlationId);
  if (o.replyTo) checkPublishSubject(o.replyTo, "replyTo", o.correlationId);
  const base = resolved ?? resolveBase(o, platform);
  const checksum = o.checksum ?? "link";
  const header = draftEnvelope({
    sendTo: subject,
    correlationId: o.correlationId,
    msgId: o.msgId,
    msgPurpose: o.msgPurpose,
    senderName: o.senderName,
    senderId: o.senderId ?? ctx.senderId,
    receiverName: o.receiverName,
    receiverId: o.receiverId,
    replyTo: o.replyTo,
    replyToMsgId: o.replyToMsgId,
    brokerUrl: base.brokerUrl,
    metadata: o.metadata,
  });
  const { correlation_id: correlationId, msg_id: msgId } = header.header;
  const log = new MessageLog(base.logger, correlationId);
  log.debug?.({ subject, payloads: Array.isArray(payloads) ? payloads.length : undefined }, "smartsend: start");

  // 1. serialize
  const serialized = serializePayloads(payloads, { registry: base.registry, platform, checksum: checksum === true, correlationId, log });
  const items = isPromiseLike(serialized) ? await serialized : serialized;

  // 2. choose transport, on exact sizes
  const publish = o.isPublish !== false;
  const connection = publish ? (o.connection ?? ctx.connection()) : o.connection;
  const nc = isPromiseLike(connection) ? await connection : connection;
  const maxPayload = o.maxPayload ?? nc?.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  const store = o.store ?? (o.uploadHandler ? uploadHandlerStore(o.uploadHandler, base.fileserverUrl) : undefined);
  const direct = items.map((it) =>
    it.source
      ? undefined
      : draftDirectPayload({
          id: it.id,
          dataname: it.dataname,
          payloadType: it.payloadType,
          bytes: it.bytes,
          metadata: it.sha256 ? { sha256: it.sha256 } : undefined,
        }),
  );
  const sizeThreshold = resolveSizeThreshold(o, platform);
  const plan = allDirect(direct, items, header.byteLength, sizeThreshold, maxPayload, o.alwaysLink)
    ? undefined
    : selectTransport(
        items.map((it, i) => ({
          dataname: it.dataname,
          size: it.source ? (it.sourceSize ?? 0) : it.bytes.byteLength,
          directBytes: direct[i]?.byteLength ?? 0,
          linkBytes: () =>
            draftLinkPayload({
              ...it,
              url: "",
              size: it.bytes.byteLength,
              metadata: { payload_bytes: it.bytes.byteLength, ...(it.sha256 ? { sha256: it.sha256 } : {}) },
            }).byteLength,
          ...(it.source ? { mustLink: true, description: it.sourceDescription } : {}),
        })),
        {
          sizeThreshold,
          maxPayload,
          envelopeBytes: header.byteLength,
          canLink: store !== undefined,
          alwaysLink: o.alwaysLink,
          correlationId,
        },
      );

  let uploads: LinkUploads | undefined;
  try {
    // 3. upload the link payloads
    const drafts: PayloadDraft[] = [];
    for (let i = 0; i < items.length; i++) {
      if (!plan || plan[i] === "direct") {
        log.debug?.({ dataname: items[i]!.dataname, size: items[i]!.bytes.byteLength }, "smartsend: direct transport");
        drafts.push(direct[i]!);
      } else {
        // Loaded on the first link payload: pages that only send direct payloads never fetch it.
        uploads ??= new (await import("./send-upload.js")).LinkUploads({
          store: store!,
          platform,
          correlationId,
          msgId,
          checksum: checksum !== false,
          signal: o.signal,
          onUploadProgress: o.onUploadProgress,
          log,
          connection: nc ? () => Promise.resolve(nc) : ctx.connection,
          observed,
        });
        drafts.push(await uploads.put(items[i]!));
      }
    }

    // 4. build, once the exact size is known to fit
    const size = envelopeByteLength(header, drafts);
    if (publish && size > maxPayload) {
      throw new PayloadTooLargeError(`envelope is ${size} bytes, over the server's max_payload of ${maxPayload}. Nothing was published.`, {
        correlationId,
        details: { bytes: size, maxPayload },
      });
    }
    const written = writeEnvelope(header, drafts);

    // 5. publish
    if (publish) {
      // telemetry hook [send:publish]: starts the publish span; the trace context as NATS headers.
      const headers = observed?.publishing(written.bytes, o);
      const published = publishEnvelope(nc!, written.bytes, {
        headers,
        subject,
        msgId,
        correlationId,
        reply: extras.natsReply,
        flush: o.flush,
        jetstream: o.jetstream,
        signal: o.signal,
        log,
      });
      if (published) await published;
      observed?.published(); // telemetry hook [send:published]
    }
    return [written.envelope, written.json];
  } catch (error) {
    await uploads?.discard(error);
    throw error;
  }
}

/**
 * The common case decided at once: every payload is bytes under the
 * threshold and the envelope fits as it is, so every one goes direct.
 * (selectTransport decides the rest.)
 */
function allDirect(
  direct: readonly (DirectPayloadDraft | undefined)[],
  items: readonly SerializedPayload[],
  envelopeBytes: number,
  sizeThreshold: number,
  maxPayload: number,
  alwaysLink: boolean | undefined,
): boolean {
  if (alwaysLink) return false;
  let total = envelopeBytes + Math.max(0, direct.length - 1);
  for (let i = 0; i < direct.length; i++) {
    const d = direct[i];
    if (!d || items[i]!.bytes.byteLength >= sizeThreshold) return false;
    total += d.byteLength;
  }
  return total <= maxPayload;
}
