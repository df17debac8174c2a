// Send step 5: the envelope's bytes onto NATS, as a core NATS message or, with
// `jetstream`, into a stream and acknowledged. The JetStream code is loaded on
// first use.

import { PublishFailedError } from "@natsbridge/envelope";
import type { JetStreamPublishOptions } from "./jetstream.js";
import type { MessageLog } from "./logger.js";
import type { NatsConnection } from "./nats-types.js";

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
}

export async function publishEnvelope(nc: NatsConnection, bytes: Uint8Array, ctx: PublishContext): Promise<void> {
  const { subject, correlationId } = ctx;
  if (ctx.jetstream) {
    const { publishToJetStream } = await import("./jetstream.js");
    await publishToJetStream(nc, subject, bytes, ctx.msgId, ctx.jetstream === true ? {} : ctx.jetstream, {
      correlationId,
      signal: ctx.signal,
      log: ctx.log,
    });
  } else {
    try {
      nc.publish(subject, bytes, ctx.reply ? { reply: ctx.reply } : undefined);
      if (ctx.flush) await nc.flush();
    } catch (cause) {
      throw new PublishFailedError(`publish to '${subject}' failed: ${String((cause as Error)?.message ?? cause)}`, { cause, correlationId });
    }
  }
  ctx.log.debug?.({ subject, bytes: bytes.byteLength }, "smartsend: published");
}
