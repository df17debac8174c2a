// subscribe (loaded on the first subscribe): a NATS subscription whose messages come out received (parsed,
// downloaded, verified, decoded). A message that cannot be received goes to
// `onError` with its typed error and the raw message (by default a warning
// in the log), and iteration goes on.
//
// Up to `concurrency` messages are received at once. With 1 (the default)
// envelopes come out in the order they arrived, each received when the loop
// asks for the next; with more, a message waiting on a slow link download
// holds one slot only, and envelopes come out in the order their receive
// finished. `signal`, unsubscribe() and drain() end the iteration.

import { InvalidOptionError, type NatsBridgeError, type ReceivedEnvelope } from "@natsbridge/envelope";
import { checkConcurrency, receivedConcurrently } from "./concurrent.js";
import { deleteConsumed } from "./lifecycle.js";
import type { Logger } from "./logger.js";
import type { NatsConnectionLike, NatsMessageLike, NatsSubscriptionLike } from "./nats-connection.js";
import type { SmartReceiveOptions } from "./options.js";
import { type SlowConsumerOptions, slowConsumerWatch } from "./slow-consumer.js";
import type { ClaimCheckStore } from "./store.js";
import { checkQueueName, checkSubscribeSubject } from "./subject.js";

export interface SubscribeOptions extends SmartReceiveOptions, SlowConsumerOptions {
  /** Queue group: each message goes to one member of the group. */
  queue?: string;
  /**
   * How many messages are received (downloads included) at once. Default 1:
   * envelopes come out in arrival order, and a slow link download holds up
   * the messages behind it. With more, envelopes come out as their receive
   * finishes, so a slow download delays only its own message.
   */
  concurrency?: number;
  /**
   * Called with the typed error and the untouched NATS message when a message
   * cannot be received; the subscription keeps going. Default: a warning
   * through the logger ("subscribe: message dropped").
   */
  onError?: (error: NatsBridgeError, msg: NatsMessageLike) => void;
  /**
   * Delete each message's link blobs from this store once the loop body that
   * handled it is done (when the next message is asked for). Off by default,
   * and only allowed with a `queue` group: there each message has one
   * receiver, while on a plain subscription other subscribers of the subject
   * may still need the blob (fan-out). Blobs on other origins are never deleted.
   */
  deleteAfterConsume?: ClaimCheckStore;
}

export interface EnvelopeSubscription<Streamed = never> extends AsyncIterable<ReceivedEnvelope<Streamed>> {
  readonly subject: string;
  /** The underlying NATS subscription (its client's own object, typed by what all clients share). */
  readonly subscription: NatsSubscriptionLike;
  unsubscribe(): void;
  drain(): Promise<void>;
}

export interface SubscribeContext<Streamed> {
  nc: NatsConnectionLike;
  receive: (msg: NatsMessageLike) => Promise<ReceivedEnvelope<Streamed>>;
  logger: Logger;
}

/** What can be refused before subscribing: the subject, the queue group, the concurrency, deleteAfterConsume without a queue. */
export function checkSubscribe(subject: string, options: SubscribeOptions): void {
  checkSubscribeSubject(subject);
  if (options.queue !== undefined) checkQueueName(options.queue);
  checkConcurrency(options.concurrency);
  if (options.deleteAfterConsume && !options.queue) {
    throw new InvalidOptionError(
      "deleteAfterConsume needs a queue group: on a plain subscription other subscribers may still need the blobs (fan-out). " +
        "Use expiry (Plik TTL, an S3 lifecycle rule) instead, or call deleteConsumed() yourself when you know you are the only reader.",
    );
  }
}

export function subscribeEnvelopes<Streamed>(
  ctx: SubscribeContext<Streamed>,
  subject: string,
  options: SubscribeOptions,
): EnvelopeSubscription<Streamed> {
  checkSubscribe(subject, options);
  const { logger } = ctx;
  // [slow-consumer hook] Reports slow consumers and disconnects (slow-consumer.ts):
  // adds nats.js v3's `slow` threshold to the subscribe options, watches the
  // connection's status, and ends the iteration with a SlowConsumerError when
  // the server cut the subscriber off and no `onStatus` was given.
  const slow = slowConsumerWatch(ctx.nc, subject, options, logger);
  const subscribeOptions: { queue?: string; slow?: number } = {
    ...(options.queue ? { queue: options.queue } : {}),
    ...slow.subscribeOptions,
  };
  const sub = ctx.nc.subscribe(subject, subscribeOptions);
  slow.watch(sub, () => sub.unsubscribe());
  const signal = options.signal;
  const stop = () => {
    slow.stop(); // [slow-consumer hook]
    sub.unsubscribe();
  };
  signal?.addEventListener("abort", stop, { once: true });
  if (signal?.aborted) stop();

  const onError =
    options.onError ??
    ((error: NatsBridgeError) =>
      logger.warn({ correlation_id: error.correlationId, code: error.code, err: error.message }, "subscribe: message dropped"));
  /** A received envelope, or undefined when the message went to onError. */
  const receive = async (m: NatsMessageLike): Promise<ReceivedEnvelope<Streamed> | undefined> => {
    try {
      return await ctx.receive(m);
    } catch (error) {
      // Stopped by our own signal: not a message that failed.
      if (signal?.aborted) return undefined;
      try {
        onError(error as NatsBridgeError, m);
      } catch {
        // An onError that throws must not end the subscription.
      }
      return undefined;
    }
  };
  const store = options.deleteAfterConsume;
  const cleanup = async (envelope: ReceivedEnvelope<Streamed>) => {
    const result = await deleteConsumed(store!, envelope, { connection: () => Promise.resolve(ctx.nc) });
    if (result.failed.length > 0)
      logger.warn({ correlation_id: envelope.correlation_id, failed: result.failed.length }, "subscribe: some blobs not deleted");
  };

  async function* envelopes(): AsyncGenerator<ReceivedEnvelope<Streamed>> {
    try {
      const concurrency = options.concurrency ?? 1;
      const envelopes = concurrency === 1 ? receivedOneByOne(sub, receive) : receivedConcurrently(sub, receive, concurrency);
      for await (const envelope of envelopes) {
        yield envelope;
        // The caller asked for the next message: it is done with this one.
        if (store) await cleanup(envelope);
      }
    } finally {
      // Ended, or the loop stopped early (break, throw): the subscription ends with it.
      signal?.removeEventListener("abort", stop);
      stop();
    }
  }
  const iterator = slow.guard(envelopes()); // [slow-consumer hook]
  return {
    subject,
    subscription: sub,
    [Symbol.asyncIterator]: () => iterator,
    unsubscribe: stop,
    drain: () => {
      slow.stop(); // [slow-consumer hook]
      return sub.drain();
    },
  };
}

/** Each message received when the loop asks for the next one, in arrival order. */
async function* receivedOneByOne<T>(
  messages: AsyncIterable<NatsMessageLike>,
  receive: (m: NatsMessageLike) => Promise<T | undefined>,
): AsyncGenerator<T> {
  for await (const m of messages) {
    const r = await receive(m);
    if (r !== undefined) yield r;
  }
}
