// Consuming a JetStream stream through a durable consumer. Each message is
// acked only after smartreceive (downloads included) and the handler
// succeeded. A failure that a retry may fix is nak'ed with a growing delay;
// one that cannot (a malformed envelope, a bad checksum) is terminated. A
// redelivery of a message this consumer already processed (its ack was lost)
// is acked and not handed to the handler again.

import { type JsMsg, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { InvalidOptionError, isNatsBridgeError, type NatsBridgeError, type ReceivedEnvelope } from "@natsbridge/envelope";
import { checkConcurrency } from "./concurrent.js";
import { jetStreamConnection } from "./jetstream.js";
import { nakDelay, PERMANENT_ERROR_CODES } from "./jetstream-api.js";
import type { ConsumeStats, Consumption, NakBackoff } from "./jetstream-types.js";
import type { Logger } from "./logger.js";
import type { NatsConnectionLike } from "./nats-connection.js";
import type { SmartReceiveOptions } from "./options.js";
import type { ClaimCheckStore } from "./store.js";

export type ConsumeHandler = (envelope: ReceivedEnvelope, msg: JsMsg) => unknown;

export interface ConsumeOptions extends SmartReceiveOptions {
  /**
   * Delay before redelivery after a failure, by how many times the message was
   * delivered before: a list (the last entry repeats) or a function. Default
   * DEFAULT_NAK_BACKOFF. The consumer's `max_deliver` bounds the attempts.
   */
  nakBackoff?: NakBackoff;
  /**
   * Told of every failure with the action taken by default ("nak" for
   * retryable failures and handler errors, "term" for PERMANENT_ERROR_CODES);
   * may return another action.
   */
  onError?: (error: unknown, msg: JsMsg, action: "nak" | "term") => "nak" | "term" | undefined;
  /**
   * How many processed msg_ids this consumer remembers to recognise a
   * redelivery whose ack was lost (e.g. across a server restart). Default
   * 10000; 0 turns the guard off. The guard is per process: with several
   * processes on one consumer, handlers must still be idempotent.
   */
  dedupeWindow?: number;
  /** Messages pulled ahead of processing. Default 100. */
  maxMessages?: number;
  /**
   * How long each pull request lives on the server, in ms (at least 1000).
   * Default 30000, the client's. The server sends heartbeats at half this
   * (at most every 30 s), and a pull that misses two is sent again: when the
   * node leading the consumer dies, consumption resumes on the new leader
   * after about `expires` ms. A shorter value resumes sooner after a failover,
   * for a few more pull requests while idle.
   */
  expires?: number;
  /**
   * How many messages are received and handled at once. Default 1: one after
   * the other, in stream order. With more, each message is acked when its own
   * handler is done, so acks (and redeliveries) no longer follow stream order,
   * and a slow link download holds up only its own message.
   */
  concurrency?: number;
  /**
   * Delete the message's link blobs from this store once the handler
   * succeeded and the server confirmed the ack. Off by default. Safe only
   * when this consumer is the message's one reader (a work queue, or one
   * durable consumer that processes each message once); with fan-out (several
   * consumers or plain subscribers reading the same subject) the first one to
   * finish deletes what the others still need. See docs/reliability.md.
   */
  deleteAfterConsume?: ClaimCheckStore;
}

/** What the bridge gives the consumer loop. */
export interface ConsumeDeps {
  nc: NatsConnectionLike;
  receive: (msg: JsMsg) => Promise<ReceivedEnvelope>;
  deleteBlobs: (envelope: ReceivedEnvelope, store: ClaimCheckStore) => Promise<unknown>;
  log: Logger;
}

export async function consumeStream(
  deps: ConsumeDeps,
  stream: string,
  consumerName: string,
  handler: ConsumeHandler,
  options: ConsumeOptions,
): Promise<Consumption> {
  const { expires } = options;
  checkConcurrency(options.concurrency);
  if (expires !== undefined && (!Number.isFinite(expires) || expires < 1000)) {
    // nats.js would throw a plain Error for this; callers get the typed one.
    throw new InvalidOptionError(`expires must be at least 1000 ms, got ${String(expires)}`, { details: { expires } });
  }
  const consumer = await jetstream(consumerConnection(deps.nc)).consumers.get(stream, consumerName);
  const seen = new RecentIds(options.dedupeWindow ?? 10_000);
  const stats: ConsumeStats = { acked: 0, duplicates: 0, naked: 0, terminated: 0 };
  let stopping = false;
  const pull = { max_messages: options.maxMessages ?? 100, ...(expires !== undefined ? { expires } : {}) };
  let messages = await consumer.consume(pull);

  const handle = async (m: JsMsg) => {
    // The publisher's Nats-Msg-Id identifies a redelivery before anything is downloaded.
    const headerId = m.headers?.get("Nats-Msg-Id") || undefined;
    if (headerId && seen.has(headerId)) {
      stats.duplicates++;
      m.ack();
      return;
    }
    let envelope: ReceivedEnvelope;
    try {
      envelope = await deps.receive(m);
      if (!headerId && seen.has(envelope.msg_id)) {
        stats.duplicates++;
        m.ack();
        return;
      }
      await handler(envelope, m);
    } catch (error) {
      settleFailure(m, error, options, stats, deps.log);
      return;
    }
    seen.add(headerId ?? envelope.msg_id);
    if (options.deleteAfterConsume) {
      // Only once the server has the ack: a redelivery must still find its blobs.
      const confirmed = await m.ackAck().catch(() => false);
      stats.acked++;
      if (confirmed) await deps.deleteBlobs(envelope, options.deleteAfterConsume);
      else deps.log.warn({ correlation_id: envelope.correlation_id }, "consume: ack not confirmed, blobs kept");
    } else {
      m.ack();
      stats.acked++;
    }
  };

  const concurrency = options.concurrency ?? 1;
  const handling = new Set<Promise<void>>();
  const closed = (async () => {
    while (!stopping) {
      for await (const m of messages) {
        const done: Promise<void> = handle(m)
          .catch((error: unknown) => deps.log.warn({ err: String((error as Error)?.message ?? error) }, "consume: message not settled"))
          .finally(() => handling.delete(done));
        handling.add(done);
        if (handling.size >= concurrency) await Promise.race(handling);
        if (stopping) break;
      }
      await Promise.all(handling);
      if (stopping) break;
      // The iterator ended without stop(): the consumer was recreated or the
      // server went away for long. Pull again after a pause.
      await new Promise((r) => setTimeout(r, 500));
      if (!stopping) messages = await consumer.consume(pull);
    }
  })();

  return {
    stats,
    closed,
    async stop() {
      stopping = true;
      messages.stop();
      await closed;
    },
  };
}

function settleFailure(m: JsMsg, error: unknown, options: ConsumeOptions, stats: ConsumeStats, log: Logger): void {
  const permanent = isNatsBridgeError(error) && PERMANENT_ERROR_CODES.has((error as NatsBridgeError).code);
  let action: "nak" | "term" = permanent ? "term" : "nak";
  try {
    action = options.onError?.(error, m, action) || action;
  } catch {
    // A throwing onError must not stop consumption.
  }
  const deliveries = m.info.deliveryCount; // 1 on the first delivery
  log.warn(
    { code: (error as NatsBridgeError)?.code, err: String((error as Error)?.message ?? error), action, deliveries },
    "consume: message not processed",
  );
  if (action === "term") {
    m.term();
    stats.terminated++;
  } else {
    m.nak(nakDelay(options.nakBackoff, deliveries));
    stats.naked++;
  }
}

/** A bounded set of recent ids: the oldest is forgotten first. */
class RecentIds {
  readonly #ids = new Set<string>();
  constructor(readonly limit: number) {}
  has(id: string): boolean {
    return this.limit > 0 && this.#ids.has(id);
  }
  add(id: string): void {
    if (this.limit <= 0) return;
    this.#ids.add(id);
    if (this.#ids.size > this.limit) this.#ids.delete(this.#ids.values().next().value as string);
  }
}

/**
 * The connection for a JetStream consumer. @nats-io/jetstream's consumers
 * also register close listeners, a nats.js v3 internal that `nats` v2 and
 * nats.ws connections lack (they would fail on the first pull with a
 * TypeError), so those are refused up front.
 */
function consumerConnection(nc: NatsConnectionLike): NatsConnection {
  if (!("addCloseListener" in nc) || typeof nc.addCloseListener !== "function") {
    throw new InvalidOptionError(
      "consume needs a nats.js v3 connection, and the `connection` option holds another kind (such as one from `nats` v2 or nats.ws). " +
        "Pass a connection from `connect` of @nats-io/transport-node (Node) or `wsconnect` of @nats-io/nats-core (browsers), " +
        "or leave `connection` out so that the bridge opens its own from `brokerUrl`. " +
        "Publishing to JetStream (smartsend with `jetstream`) and ensureStream work with either.",
      { details: { option: "connection", operation: "consume" } },
    );
  }
  return jetStreamConnection(nc);
}
