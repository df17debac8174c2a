// At-least-once delivery through JetStream, opt-in. Core NATS stays the
// default, as in the references; this mode changes only how the envelope is
// published and how it is consumed, never the envelope itself, so Julia and
// Python receivers on plain subscriptions still read these messages.
//
// Publishing: the envelope goes to a stream with `Nats-Msg-Id` = its msg_id,
// and smartsend waits for the stream's ack. A lost ack (server restart, slow
// server) is retried with the same Nats-Msg-Id, so the stream's duplicate
// window drops a second copy of a message it already stored.
//
// Consuming: each message is acked only after smartreceive (downloads
// included) and the handler succeeded. A failure that a retry may fix is
// nak'ed with a growing delay; one that cannot (a malformed envelope, a bad
// checksum) is terminated. A redelivery of a message this consumer already
// processed (its ack was lost) is acked and not handed to the handler again.

import { type JsMsg, jetstream, jetstreamManager, type PubAck, type StreamConfig, type StreamInfo } from "@nats-io/jetstream";
import type { MsgHdrs, NatsConnection } from "@nats-io/nats-core";
import {
  AbortedError,
  InvalidOptionError,
  isNatsBridgeError,
  type NatsBridgeError,
  PublishFailedError,
  type ReceivedEnvelope,
} from "@natsbridge/envelope";

import { nakDelay, PERMANENT_ERROR_CODES } from "./jetstream-api.js";
import type { Logger, MessageLog } from "./logger.js";
import type { NatsConnectionLike } from "./nats-connection.js";
import type { SmartReceiveOptions } from "./options.js";
import type { ClaimCheckStore } from "./store.js";

/** `smartsend(subject, payloads, { jetstream: true | {...} })`. */
export interface JetStreamPublishOptions {
  /** The stream that must capture the subject; the server refuses the message otherwise. */
  stream?: string;
  /** Time limit in ms for each publish ack. Default 5000. */
  ackTimeout?: number;
  /** Publish attempts, all with the same Nats-Msg-Id. Default 10. */
  maxAttempts?: number;
  /** First delay between attempts in ms, doubled each time up to `maxRetryDelay`. Default 250. */
  retryDelay?: number;
  /** Upper bound of the delay between attempts in ms. Default 2000. */
  maxRetryDelay?: number;
  /**
   * Called with the stream's ack (sequence, and `duplicate` when the stream had
   * it already) and the number of attempts it took.
   */
  onAck?: (ack: PubAck, attempts: number) => void;
}

// @nats-io/jetstream is typed for nats.js v3 connections. Publishing and
// managing streams use only publish, request, subscribe and the connection's
// `options` and `features`, which connections from `nats` v2 and nats.ws have
// as well (the client-compat app runs both), so they work on any `connection`.
// Consumers need more: see consumerConnection().
function jetStreamConnection(nc: NatsConnectionLike): NatsConnection {
  return nc as NatsConnection;
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
      const delay = Math.min((options.retryDelay ?? 250) * 2 ** (attempt - 1), options.maxRetryDelay ?? 2000);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * A short code for a NATS client failure: the `code` of an error from a
 * `nats` v2 or nats.ws connection, or the same code for the matching nats.js
 * v3 error class (v3 throws classes, with no `code`), or "".
 */
export function natsErrorCode(error: unknown): string {
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

/** The implementation of ensureStream (jetstream-api.ts), loaded on first use. */
export async function ensureStream(nc: NatsConnectionLike, config: EnsureStreamConfig): Promise<StreamInfo> {
  const jsm = await jetstreamManager(jetStreamConnection(nc));
  const { duplicateWindowMs, ...rest } = config;
  try {
    return await jsm.streams.info(config.name);
  } catch (error) {
    if (!/not found/i.test(String((error as Error)?.message))) throw error;
  }
  return jsm.streams.add({ ...rest, duplicate_window: (duplicateWindowMs ?? 120_000) * 1_000_000 });
}

export type EnsureStreamConfig = { name: string; subjects: string[]; duplicateWindowMs?: number } & Partial<
  Omit<StreamConfig, "name" | "subjects">
>;

// ---- consuming ---------------------------------------------------------------

export type ConsumeHandler = (envelope: ReceivedEnvelope, msg: JsMsg) => unknown;

export interface ConsumeOptions extends SmartReceiveOptions {
  /**
   * Delay before redelivery after a failure, by how many times the message was
   * delivered before: a list (the last entry repeats) or a function. Default
   * DEFAULT_NAK_BACKOFF. The consumer's `max_deliver` bounds the attempts.
   */
  nakBackoff?: readonly number[] | ((deliveryCount: number) => number);
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

export interface Consumption {
  /** Stop pulling; resolves when the message being handled is done. */
  stop(): Promise<void>;
  /** Resolves when consumption has stopped. */
  readonly closed: Promise<void>;
  readonly stats: ConsumeStats;
}

export interface ConsumeStats {
  /** Handled and acked. */
  acked: number;
  /** Redeliveries of messages already handled, acked without calling the handler. */
  duplicates: number;
  naked: number;
  terminated: number;
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

  const concurrency = Math.max(1, options.concurrency ?? 1);
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
