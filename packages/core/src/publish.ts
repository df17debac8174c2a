// Send step 5: the envelope's bytes onto NATS, as a core NATS message or, with
// `jetstream`, into a stream and acknowledged. The JetStream code is loaded on
// first use.

import type { MsgHdrs } from "@nats-io/nats-core";
import { PublishFailedError } from "@natsbridge/envelope";
import type { JetStreamPublishOptions } from "./jetstream-types.js";
import { LazyModule } from "./lazy-module.js";
import type { MessageLog } from "./logger.js";
import type { NatsConnectionLike } from "./nats-connection.js";

export interface PublishContext {
  subject: string;
  msgId: string;
  correlationId: string;
  /** The NATS reply subject (request: the inbox, so the server can answer "no responders"). */
  reply?: string | undefined;
  /** Wait for the server to have the message (one round trip). */
  flush?: boolean | undefined;
  jetstream?: boolean | JetStreamPublishOptions | undefined;
  signal?: AbortSignal | undefined;
  log: MessageLog;
  /** Headers to publish with (the trace context, from telemetry). */
  headers?: MsgHdrs | undefined;
}

/** Publishes; a promise only when there is something to wait for (flush, JetStream's ack). */
export function publishEnvelope(nc: NatsConnectionLike, bytes: Uint8Array, ctx: PublishContext): void | Promise<void> {
  if (ctx.jetstream) return publishToStream(nc, bytes, ctx);
  const { subject, correlationId, reply, headers } = ctx;
  const failed = (cause: unknown) =>
    new PublishFailedError(`publish to '${subject}' failed: ${String((cause as Error)?.message ?? cause)}`, { cause, correlationId });
  try {
    nc.publish(subject, bytes, reply || headers ? { ...(reply ? { reply } : {}), ...(headers ? { headers } : {}) } : undefined);
  } catch (cause) {
    throw failed(cause);
  }
  ctx.log.debug?.({ subject, bytes: bytes.byteLength }, "smartsend: published");
  if (ctx.flush) return nc.flush().catch((cause: unknown) => Promise.reject(failed(cause)));
}

const jetStreamPublish = new LazyModule(() => import("./jetstream-publish.js"));

async function publishToStream(nc: NatsConnectionLike, bytes: Uint8Array, ctx: PublishContext): Promise<void> {
  const { publishToJetStream } = jetStreamPublish.value ?? (await jetStreamPublish.load());
  await publishToJetStream(nc, ctx.subject, bytes, ctx.msgId, ctx.jetstream === true ? {} : (ctx.jetstream as JetStreamPublishOptions), {
    correlationId: ctx.correlationId,
    signal: ctx.signal,
    log: ctx.log,
    headers: ctx.headers,
  });
  ctx.log.debug?.({ subject: ctx.subject, bytes: bytes.byteLength }, "smartsend: published");
}
