// Slow consumers: a core NATS subscriber that cannot keep up loses messages,
// and this module makes sure the application hears of it.
//
// Server side. nats-server holds at most `max_pending` bytes (64 MiB by
// default) for a connection it cannot write to fast enough, and a write may
// block for at most `write_deadline`. Past either, it logs "Slow Consumer
// Detected", closes the connection without a word (no -ERR) and drops what it
// held. The client sees a plain disconnect, reconnects and resubscribes; the
// dropped messages are gone. So on every reconnect we work out why the last
// connection ended:
//   1. ask the server: `$SYS.REQ.SERVER.PING.CONNZ` for the old client id among
//      closed connections gives the server's own reason ("Slow Consumer
//      (Pending Bytes)"). Every account may ask this about its own
//      connections, but nats-server does not list closed connections of the
//      default global account ($G, when no accounts are configured), so there
//      the answer is empty;
//   2. else judge by what we saw: the connection ended with no -ERR, no lame
//      duck notice, no stale-connection ping, and we are back on the same
//      server instance (server_id changes when a server restarts). That is what
//      nats-server does to a slow consumer; the error says it is not confirmed.
//
// Client side. With an iterator subscription nats.js reads everything the
// server sends and queues it until the loop takes it; nats.js v3's `slow`
// option emits a `slowConsumer` status when that queue passes a threshold.
// Nothing is lost yet, but memory grows: it is reported, never fatal.
//
// Reported three ways: `onStatus` (when given), a warn log through the
// bridge's logger, and, for a server-side cut-off with no `onStatus`, the
// subscription's iteration ends by throwing the SlowConsumerError, so a loss
// is never silent even in an application that set up neither.
//
// Other connection kinds (nats v2, nats.ws) have `status()` and `request()`
// too and get the server-side detection; the client-side threshold is nats.js
// v3's own.

import { SlowConsumerError } from "@natsbridge/envelope";
import type { Logger } from "./logger.js";
import type { NatsConnectionLike, NatsSubscriptionLike } from "./nats-connection.js";

/** The error a slow-consumer status carries (code `SLOW_CONSUMER`). */
export type SlowConsumerErrorInstance = InstanceType<typeof SlowConsumerError>;

/**
 * What a subscription reports through `onStatus`. `disconnect` and
 * `reconnect` come from the NATS client: in core NATS, messages published
 * between the two do not reach this subscriber.
 */
export type SubscriptionStatus =
  | { type: "slowConsumer"; error: SlowConsumerErrorInstance }
  | { type: "disconnect"; server: string }
  | { type: "reconnect"; server: string };

export interface SlowConsumerOptions {
  /**
   * Told of slow-consumer events and of the connection going away and coming
   * back. With `onStatus`, a server-side slow consumer is reported here and
   * iteration goes on after the reconnect; without it, iteration ends by
   * throwing the SlowConsumerError. Either way it is logged at warn.
   */
  onStatus?: (status: SubscriptionStatus) => void;
  /**
   * Client side: messages waiting in the client for this subscription's loop
   * above which a `slowConsumer` status (`details.side: "client"`) is reported,
   * once per crossing. nats.js v3 connections only. Default 1000; 0 turns it off.
   */
  slowConsumerPending?: number;
}

const DEFAULT_SLOW_CONSUMER_PENDING = 1000;

/** Every account's users may ask this about their own account's connections. */
const CONNZ_SUBJECT = "$SYS.REQ.SERVER.PING.CONNZ";
/** How long to wait for the server to say why the last connection closed. */
const CLOSE_REASON_TIMEOUT_MS = 2000;

/** A status event as nats.js v3 (`server`) and nats v2 / nats.ws (`data`) emit them. */
interface StatusLike {
  type: string;
  server?: string;
  data?: unknown;
  error?: { message?: string };
  sub?: unknown;
  pending?: number;
}

/** What this module uses of a connection beyond NatsConnectionLike; all optional. */
interface WatchableConnection {
  status?: () => AsyncIterable<StatusLike> & { stop?: () => void };
  info?: { server_id?: string; client_id?: number };
  request?: (subject: string, payload: Uint8Array, options: { timeout: number }) => Promise<{ data: Uint8Array }>;
}

/** Statuses after which a disconnect has a known cause other than a slow consumer. */
const EXPLAINED = new Set(["error", "ldm", "staleConnection", "forceReconnect", "client initiated reconnect"]);

interface ConnectionIdentity {
  serverId: string | undefined;
  clientId: number | undefined;
}

export interface SlowConsumerWatch {
  /** Extra `subscribe` options: nats.js v3's `slow` threshold. */
  readonly subscribeOptions: { slow?: number };
  /** Start watching once the NATS subscription exists. `end` ends it (used for a fatal slow consumer). */
  watch(sub: NatsSubscriptionLike, end: () => void): void;
  /**
   * The subscription's iterator, wrapped: when it ends because a slow consumer
   * ended the subscription it throws that SlowConsumerError instead of
   * finishing quietly, and the watch stops with it.
   */
  guard<T>(iterator: AsyncGenerator<T>): AsyncGenerator<T>;
  /** Stop watching (the subscription ended). */
  stop(): void;
}

/** Slow-consumer detection for one subscription on `nc`. */
export function slowConsumerWatch(
  nc: NatsConnectionLike,
  subject: string,
  options: SlowConsumerOptions,
  logger: Logger,
): SlowConsumerWatch {
  const conn = nc as NatsConnectionLike & WatchableConnection;
  const threshold = options.slowConsumerPending ?? DEFAULT_SLOW_CONSUMER_PENDING;
  let statuses: (AsyncIterable<StatusLike> & { stop?: () => void }) | undefined;
  let fatal: SlowConsumerErrorInstance | undefined;
  let stopped = false;

  const identity = (): ConnectionIdentity => ({ serverId: conn.info?.server_id, clientId: conn.info?.client_id });

  const tell = (status: SubscriptionStatus) => {
    try {
      options.onStatus?.(status);
    } catch {
      // An onStatus that throws must not end the watch.
    }
  };

  const report = (error: SlowConsumerErrorInstance, end: () => void) => {
    logger.warn({ subject, code: error.code, ...error.details }, `subscribe: slow consumer: ${error.message}`);
    if (options.onStatus) return tell({ type: "slowConsumer", error });
    if (error.details.side === "server" && !fatal) {
      fatal = error;
      end();
    }
  };

  async function run(sub: NatsSubscriptionLike, end: () => void, iter: AsyncIterable<StatusLike>) {
    let current = identity();
    let explained = false;
    for await (const s of iter) {
      if (stopped) break;
      if (EXPLAINED.has(s.type) && !isOwnQueryRefused(s)) explained = true;
      if (s.type === "slowConsumer" && s.sub === sub) {
        report(
          new SlowConsumerError(
            `${s.pending ?? "many"} messages for '${subject}' are waiting in the client: the loop over the subscription takes them more slowly than they arrive. ` +
              "Nothing is lost yet, but they are held in memory.",
            { details: { side: "client", subject, pending: s.pending, threshold } },
          ),
          end,
        );
      } else if (s.type === "disconnect") {
        const server = serverOf(s);
        logger.warn(
          { subject, server },
          "subscribe: connection lost; core NATS messages published until it is back do not reach this subscriber",
        );
        tell({ type: "disconnect", server });
      } else if (s.type === "reconnect") {
        const server = serverOf(s);
        const previous = current;
        current = identity();
        const wasExplained = explained;
        explained = false;
        logger.info({ subject, server }, "subscribe: connection back, subscription resumed");
        tell({ type: "reconnect", server });
        const error = await serverSideSlowConsumer(conn, subject, previous, current, wasExplained);
        if (error && !stopped) report(error, end);
      } else if (s.type === "close") {
        break;
      }
    }
  }

  const stop = () => {
    stopped = true;
    statuses?.stop?.();
  };

  return {
    subscribeOptions: threshold > 0 ? { slow: threshold } : {},
    watch(sub, end) {
      if (typeof conn.status !== "function") return;
      statuses = conn.status();
      run(sub, end, statuses).catch((error: unknown) => {
        logger.warn({ subject, err: String((error as Error)?.message ?? error) }, "subscribe: status watch ended");
      });
      // nats.js v3 settles `closed` when the subscription ends in any way, iterated or not.
      (sub as { closed?: Promise<unknown> }).closed?.then(stop, stop);
    },
    async *guard(iterator) {
      try {
        yield* iterator;
        if (fatal) throw fatal;
      } finally {
        stop();
      }
    },
    stop,
  };
}

/**
 * A SlowConsumerError when the connection that ended was cut off as a slow
 * consumer: confirmed by the server when it answers, else judged from what the
 * client saw. Undefined for any other disconnect (server restart, -ERR...).
 */
async function serverSideSlowConsumer(
  conn: WatchableConnection,
  subject: string,
  previous: ConnectionIdentity,
  current: ConnectionIdentity,
  explained: boolean,
): Promise<SlowConsumerErrorInstance | undefined> {
  const facts = { side: "server", subject, serverId: previous.serverId, clientId: previous.clientId };
  const reason = await closeReason(conn, previous);
  if (reason !== undefined) {
    if (!/slow consumer/i.test(reason)) return undefined;
    return new SlowConsumerError(
      `nats-server closed this subscriber's connection (client id ${previous.clientId}) as a slow consumer (${reason}) and dropped the messages it held for it; ` +
        "core NATS does not send them again. The subscription is back on a new connection.",
      { details: { ...facts, confirmed: true, reason } },
    );
  }
  if (explained || !previous.serverId || previous.serverId !== current.serverId) return undefined;
  return new SlowConsumerError(
    `nats-server closed this subscriber's connection (client id ${previous.clientId}) without an error and kept running, which is what it does to a slow consumer ` +
      "(its max_pending or write_deadline exceeded); the messages it held for it are lost, core NATS does not send them again. " +
      `The server's log says "Slow Consumer Detected" for cid:${previous.clientId} if so. The subscription is back on a new connection.`,
    { details: { ...facts, confirmed: false } },
  );
}

/** The server's reason for closing `previous`, or undefined when it does not say (global account, old server, no permission). */
async function closeReason(conn: WatchableConnection, previous: ConnectionIdentity): Promise<string | undefined> {
  if (typeof conn.request !== "function" || previous.clientId === undefined || !previous.serverId) return undefined;
  try {
    // state 1 = closed connections (nats-server's ConnState).
    const query = new TextEncoder().encode(JSON.stringify({ cid: previous.clientId, state: 1 }));
    const reply = await conn.request(CONNZ_SUBJECT, query, { timeout: CLOSE_REASON_TIMEOUT_MS });
    const answer = JSON.parse(new TextDecoder().decode(reply.data)) as {
      server?: { id?: string };
      data?: { connections?: { cid?: number; reason?: string }[] };
    };
    // Client ids are per server: only the server that held the connection can answer for it.
    if (answer.server?.id !== previous.serverId) return undefined;
    const closed = answer.data?.connections?.find((c) => c.cid === previous.clientId);
    return typeof closed?.reason === "string" && closed.reason.length > 0 ? closed.reason : undefined;
  } catch {
    return undefined;
  }
}

/** A permissions error for our own CONNZ query (a user not allowed to ask) explains no disconnect. */
function isOwnQueryRefused(s: StatusLike): boolean {
  return s.type === "error" && String(s.error?.message ?? s.data ?? "").includes(CONNZ_SUBJECT);
}

function serverOf(s: StatusLike): string {
  if (typeof s.server === "string") return s.server;
  return typeof s.data === "string" ? s.data : "";
}
