// smartsend as a pipeline: serialize → choose transport → upload → build →
// publish. Each step returns what the next needs; the envelope's size is known
// exactly before anything is uploaded or published. Nothing is published if a
// step fails, and blobs already uploaded for the message are deleted.

import {
  draftDirectPayload,
  draftEnvelope,
  draftLinkPayload,
  envelopeByteLength,
  type PayloadDraft,
  PayloadTooLargeError,
  uuid4,
  type WireEnvelope,
  writeEnvelope,
} from "@natsbridge/envelope";
import { DEFAULT_MAX_PAYLOAD } from "./defaults.js";
import { uploadHandlerStore } from "./handler-store.js";
import { MessageLog } from "./logger.js";
import { resolveBase, resolveSizeThreshold, type SmartSendOptions } from "./options.js";
import type { Platform } from "./platform/types.js";
import { publishEnvelope } from "./publish.js";
import { serializePayloads } from "./send-serialize.js";
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
}

/** What smartsend resolves: the envelope and its JSON text. */
export type SentEnvelope = [envelope: WireEnvelope, json: string];

/** Options of one send that only request() sets. */
export interface SendExtras {
  /** The NATS-level reply subject (request sets its inbox, for "no responders"). */
  natsReply?: string;
}

/** Not an async function: without telemetry the send's own promise is returned as it is. */
export function sendEnvelope(
  ctx: SendContext,
  subject: string,
  payloads: readonly SendPayload[],
  o: SmartSendOptions,
  extras: SendExtras = {},
): Promise<SentEnvelope> {
  // Nothing here may throw: bad input must come back as a rejected promise with a typed error.
  const ids = { ...o, correlationId: o.correlationId ?? uuid4(), msgId: o.msgId ?? uuid4() };
  // telemetry hook [send]: undefined unless a tracer or meter provider is registered.
  const observed = ctx.telemetry?.startSend(subject, ids.correlationId, ids.msgId);
  const sending = send(ctx, subject, payloads, ids, extras, observed);
  return observed ? observed.outcome(sending) : sending;
}

async function send(
  ctx: SendContext,
  subject: string,
  payloads: unknown,
  o: SmartSendOptions & { correlationId: string; msgId: string },
  extras: SendExtras,
  observed: SendObservation | undefined,
): Promise<SentEnvelope> {
  const { platform } = ctx;
  // Before anything is serialized or uploaded.
  checkPublishSubject(subject, "subject", o.correlationId);
  if (o.replyTo) checkPublishSubject(o.replyTo, "replyTo", o.correlationId);
  const base = resolveBase(o, platform);
  const checksum = o.checksum !== false;
  // The envelope fields come from the options of the same names (msgId, senderName, replyTo...).
  const header = draftEnvelope({ ...o, sendTo: subject, brokerUrl: base.brokerUrl });
  const { correlation_id: correlationId, msg_id: msgId } = header.header;
  const log = new MessageLog(base.logger, correlationId);
  log.debug?.({ subject, payloads: Array.isArray(payloads) ? payloads.length : undefined }, "smartsend: start");

  // 1. serialize
  const items = await serializePayloads(payloads, { registry: base.registry, platform, checksum, correlationId, log });

  // 2. choose transport, on exact sizes
  const publish = o.isPublish !== false;
  const nc = publish ? await ctx.connection() : o.connection;
  const maxPayload = o.maxPayload ?? nc?.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  const store = o.store ?? (o.uploadHandler ? uploadHandlerStore(o.uploadHandler, base.fileserverUrl) : undefined);
  const direct = items.map((it) =>
    it.source ? undefined : draftDirectPayload({ ...it, metadata: it.sha256 ? { sha256: it.sha256 } : undefined }),
  );
  const plan = selectTransport(
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
      sizeThreshold: resolveSizeThreshold(o, platform),
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
      if (plan[i] === "direct") {
        log.debug?.({ dataname: items[i]!.dataname, size: items[i]!.bytes.byteLength }, "smartsend: direct transport");
        drafts.push(direct[i]!);
      } else {
        // Loaded on the first link payload: pages that only send direct payloads never fetch it.
        uploads ??= new (await import("./send-upload.js")).LinkUploads({
          store: store!,
          platform,
          correlationId,
          msgId,
          checksum,
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
      await publishEnvelope(nc!, written.bytes, {
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
      observed?.published(); // telemetry hook [send:published]
    }
    return [written.envelope, written.json];
  } catch (error) {
    await uploads?.discard(error);
    throw error;
  }
}
