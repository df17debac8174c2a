// Publishing to JetStream, opt-in (`smartsend(..., { jetstream })`). Core
// NATS stays the default, as in the references; this mode changes only how
// the envelope is published, never the envelope itself, so Julia and Python
// receivers on plain subscriptions still read these messages.
//
// The envelope goes to a stream with `Nats-Msg-Id` = its msg_id, and
// smartsend waits for the stream's ack. A lost ack (server restart, slow
// server) is retried with the same Nats-Msg-Id, so the stream's duplicate
// window drops a second copy of a message it already stored.

import { jetstream, type PubAck } from "@nats-io/jetstream";
import type { MsgHdrs } from "@nats-io/nats-core";
import { AbortedError, PublishFailedError } from "@natsbridge/envelope";
import { jetStreamConnection } from "./jetstream.js";
import type { JetStreamPublishOptions } from "./jetstream-types.js";
import { backoffDelay } from "./link-policy.js";
import type { MessageLog } from "./logger.js";
import type { NatsConnectionLike } from "./nats-connection.js";

// Failures after which the message may or may not be in the stream.
const AMBIGUOUS = new Set(["TIMEOUT", "DISCONNECT", "CONNECTION_CLOSED", "CONNECTION_DRAINING", "CONNECTION_REFUSED"]);

/**
 * Publish to JetStream and wait for the ack, retrying with the same msg id.
 * On failure the PublishFailedError says in `details.stored` whether the
 * stream may hold the message ("unknown": an ack was lost) or surely does not
 * ("no"), so that smartsend keeps or deletes the uploaded blobs accordingly.
 */
export async function publishToJetStream(
  nc: NatsConnectionLike,
  subject: string,
  bytes: Uint8Array,
  msgId: string,
  options: JetStreamPublishOptions,
  context: {
    correlationId: string;
    signal?: AbortSignal | undefined;
    log: Pick<MessageLog, "debug">;
    /** Headers to publish with (the trace context, from telemetry); Nats-Msg-Id is added to them. */
    headers?: MsgHdrs | undefined;
  },
): Promise<PubAck> {
  const js = jetstream(jetStreamConnection(nc));
  const maxAttempts = Math.max(1, options.maxAttempts ?? 10);
  const reasons: string[] = [];
  let stored: "no" | "unknown" = "no";
  for (let attempt = 1; ; attempt++) {
    if (context.signal?.aborted) {
      throw new AbortedError("publish aborted", { correlationId: context.correlationId, details: { stored } });
    }
    try {
      const ack = await js.publish(subject, bytes, {
        msgID: msgId,
        timeout: options.ackTimeout ?? 5000,
        ...(options.stream ? { expect: { streamName: options.stream } } : {}),
        ...(context.headers ? { headers: context.headers } : {}),
      });
      context.log.debug?.({ subject, stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate, attempt }, "smartsend: JetStream ack");
      options.onAck?.(ack, attempt);
      return ack;
    } catch (error) {
      const code = natsErrorCode(error);
      const message = String((error as Error)?.message ?? error);
      if (AMBIGUOUS.has(code) || /timeout/i.test(message)) stored = "unknown";
      reasons.push(`attempt ${attempt}: ${code || message}`);
      // 503: no stream is listening yet (JetStream starting after a restart). Timeouts and
      // disconnects: the server may be restarting. Anything else is the server's answer.
      const retryable = code === "503" || AMBIGUOUS.has(code) || /timeout/i.test(message);
      if (!retryable || attempt >= maxAttempts || nc.isClosed()) {
        throw new PublishFailedError(
          `JetStream publish to '${subject}' failed after ${attempt} attempt(s): ${message}` +
            (stored === "unknown" ? " (the stream may have stored it; its uploads are kept)" : ""),
          { cause: error, correlationId: context.correlationId, details: { subject, msgId, attempts: attempt, reasons, stored } },
        );
      }
      context.log.debug?.({ subject, attempt, reason: code || message }, "smartsend: JetStream publish failed, retrying");
      const delay = backoffDelay(attempt, options.retryDelay ?? 250, options.maxRetryDelay ?? 2000);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * A short code for a NATS client failure: the `code` of an error from a
 * `nats` v2 or nats.ws connection, or the same code for the matching nats.js
 * v3 error class (v3 throws classes, with no `code`), or "".
 */
function natsErrorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" || typeof code === "number") return String(code);
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const name = String((e as Error).name ?? "");
    const message = String((e as Error).message ?? "");
    if (name === "NoResponders" || name === "NoRespondersError" || /no responders/i.test(message)) return "503";
    if (name === "TimeoutError") return "TIMEOUT";
    if (name === "ClosedConnectionError") return "CONNECTION_CLOSED";
    if (name === "DrainingConnectionError") return "CONNECTION_DRAINING";
    if (name === "ConnectionError") return "DISCONNECT";
  }
  return "";
}
