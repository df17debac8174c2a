// subscribe: a NATS subscription whose messages come out received (parsed,
// downloaded, verified, decoded). A message that cannot be received goes to
// `onError` with its typed error and the raw message, and iteration goes on.

import { InvalidOptionError, type NatsBridgeError, type ReceivedEnvelope } from "@natsbridge/envelope";
import { deleteConsumed } from "./lifecycle.js";
import type { Logger } from "./logger.js";
import type { Msg, NatsConnection, Subscription } from "./nats-types.js";
import type { SmartReceiveOptions } from "./options.js";
import type { ClaimCheckStore } from "./store.js";

export interface SubscribeOptions extends SmartReceiveOptions {
  /** Queue group: each message goes to one member of the group. */
  queue?: string;
  /**
   * Called with the typed error and the untouched NATS message when a message
   * cannot be received; the subscription keeps going. Default: log at warn.
   */
  onError?: (error: NatsBridgeError, msg: Msg) => void;
  /**
   * Delete each message's link blobs from this store once the loop body that
   * handled it is done (when the next message is asked for). Off by default,
   * and only allowed with a `queue` group: there each message has one
   * receiver, while on a plain subscription other subscribers of the subject
   * may still need the blob (fan-out). Blobs on other origins are never deleted.
   */
  deleteAfterConsume?: ClaimCheckStore;
}

export interface EnvelopeSubscription extends AsyncIterable<ReceivedEnvelope> {
  readonly subject: string;
  /** The underlying NATS subscription. */
  readonly subscription: Subscription;
  unsubscribe(): void;
  drain(): Promise<void>;
}

export interface SubscribeContext {
  nc: NatsConnection;
  receive: (msg: Msg) => Promise<ReceivedEnvelope>;
  logger: Logger;
}

export function checkSubscribeOptions(options: SubscribeOptions): void {
  if (options.deleteAfterConsume && !options.queue) {
    throw new InvalidOptionError(
      "deleteAfterConsume needs a queue group: on a plain subscription other subscribers may still need the blobs (fan-out). " +
        "Use expiry (Plik TTL, an S3 lifecycle rule) instead, or call deleteConsumed() yourself when you know you are the only reader.",
    );
  }
}

export function subscribeEnvelopes(ctx: SubscribeContext, subject: string, options: SubscribeOptions): EnvelopeSubscription {
  checkSubscribeOptions(options);
  const { logger, receive } = ctx;
  const cleanupStore = options.deleteAfterConsume;
  const sub = ctx.nc.subscribe(subject, options.queue ? { queue: options.queue } : {});
  const onError =
    options.onError ??
    ((error: NatsBridgeError) => logger.warn({ correlation_id: error.correlationId, code: error.code, err: error.message }, "subscribe: message dropped"));
  async function* envelopes(): AsyncGenerator<ReceivedEnvelope> {
    for await (const m of sub) {
      let envelope: ReceivedEnvelope;
      try {
        envelope = await receive(m);
      } catch (error) {
        try {
          onError(error as NatsBridgeError, m);
        } catch {
          // An onError that throws must not end the subscription.
        }
        continue;
      }
      yield envelope;
      // The caller asked for the next message: it is done with this one.
      if (cleanupStore) {
        const result = await deleteConsumed(cleanupStore, envelope);
        if (result.failed.length > 0) {
          logger.warn({ correlation_id: envelope.correlation_id, failed: result.failed.length }, "subscribe: some blobs not deleted");
        }
      }
    }
  }
  const iterator = envelopes();
  return {
    subject,
    subscription: sub,
    [Symbol.asyncIterator]: () => iterator,
    unsubscribe: () => sub.unsubscribe(),
    drain: () => sub.drain(),
  };
}
