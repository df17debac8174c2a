// Send step 5: the envelope's bytes onto NATS, as a core NATS message or, with
// `jetstream`, into a stream and acknowledged. The JetStream code is loaded on
// first use.

import type { MsgHdrs } from "@nats-io/nats-core";
import { PublishFailedError } from "@natsbridge/envelope";
import type { JetStreamPublishOptions } from "./jetstream.js";
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

export async function publishEnvelope(nc: NatsConnectionLike, bytes: Uint8Array, ctx: PublishContext): Promise<void> {
  const { subject, correlationId } = ctx;
  if (ctx.jetstream) {
    const { publishToJetStream } = await import("./jetstream.js");
    await publishToJetStream(nc, subject, bytes, ctx.msgId, ctx.jetstream === true ? {} : ctx.jetstream, {
      correlationId,
      signal: ctx.signal,
      log: ctx.log,
      headers: ctx.headers,
    });
  } else {
    try {
      const { reply, headers } = ctx;
      nc.publish(subject, bytes, reply || headers ? { ...(reply ? { reply } : {}), ...(headers ? { headers } : {}) } : undefined);
      if (ctx.flush) await nc.flush();
    } catch (cause) {
      throw new PublishFailedError(`publish to '${subject}' failed: ${String((cause as Error)?.message ?? cause)}`, {
        cause,
        correlationId,
      });
    }
  }
  ctx.log.debug?.({ subject, bytes: bytes.byteLength }, "smartsend: published");
}
