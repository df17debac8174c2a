// request on top of send and receive (loaded on the first request). A request
// carries an inbox subject as `reply_to` (for peers, which answer on the
// envelope's reply_to) and as the NATS reply subject (for the server: when
// nobody subscribes to the request's subject it answers the inbox at once
// with a "503 no responders" status, and the request fails with
// NO_RESPONDERS instead of waiting out its timeout).

import { NoRespondersError, type ReceivedEnvelope, RequestTimeoutError, uuid4 } from "@natsbridge/envelope";
import { DEFAULT_REQUEST_TIMEOUT } from "./defaults.js";
import type { NatsConnectionLike, NatsMessageLike, NatsSubscriptionLike } from "./nats-connection.js";
import type { SmartReceiveOptions, SmartSendOptions } from "./options.js";
import type { SendExtras, SentEnvelope } from "./send.js";
import type { SendPayload } from "./source.js";

export interface RequestOptions extends SmartSendOptions, SmartReceiveOptions {
  /** How long to wait for the reply, in ms. Default 30000. */
  timeout?: number;
}

export interface RequestContext {
  inbox: RequestInbox;
  send: (subject: string, payloads: readonly SendPayload[], options: SmartSendOptions, extras: SendExtras) => Promise<SentEnvelope>;
  receive: (msg: NatsMessageLike) => Promise<ReceivedEnvelope>;
}

/**
 * The replies of one connection, as nats.js does it: one wildcard
 * subscription (`_INBOX.<id>.*`) instead of a subscription per request, each
 * request waiting on its own token.
 */
export class RequestInbox {
  readonly #prefix = `_INBOX.${uuid4().replaceAll("-", "")}`;
  readonly #waiting = new Map<string, (msg: NatsMessageLike) => void>();
  readonly #subscription: NatsSubscriptionLike;
  #next = 0;

  constructor(nc: NatsConnectionLike) {
    this.#subscription = nc.subscribe(`${this.#prefix}.*`);
    void this.#dispatch();
  }

  // An iterated subscription (every client has one; callbacks differ between them).
  async #dispatch(): Promise<void> {
    try {
      for await (const msg of this.#subscription) this.#waiting.get(msg.subject.slice(this.#prefix.length + 1))?.(msg);
    } catch {
      // The connection closed: waiting requests time out.
    }
  }

  get closed(): boolean {
    return this.#subscription.isClosed();
  }

  /** A fresh reply subject, and the first message on it (undefined after `timeout` ms). */
  open(timeout: number): { subject: string; reply: Promise<NatsMessageLike | undefined>; cancel(): void } {
    const token = (++this.#next).toString(36);
    let settle!: (msg: NatsMessageLike | undefined) => void;
    const reply = new Promise<NatsMessageLike | undefined>((resolve) => (settle = resolve));
    const timer = setTimeout(() => settle(undefined), timeout);
    const done = () => {
      clearTimeout(timer);
      this.#waiting.delete(token);
    };
    this.#waiting.set(token, (msg) => {
      done();
      settle(msg);
    });
    void reply.finally(done);
    return { subject: `${this.#prefix}.${token}`, reply, cancel: () => settle(undefined) };
  }
}

/** The open reply inbox of `nc` in `inboxes` (one bridge's), made on the connection's first request. */
export function requestInbox(inboxes: WeakMap<NatsConnectionLike, RequestInbox>, nc: NatsConnectionLike): RequestInbox {
  let inbox = inboxes.get(nc);
  if (!inbox || inbox.closed) {
    inbox = new RequestInbox(nc);
    inboxes.set(nc, inbox);
  }
  return inbox;
}

/** Send with the inbox as `reply_to`; resolve the first reply, received. */
export async function requestReply(
  ctx: RequestContext,
  subject: string,
  payloads: readonly SendPayload[],
  options: RequestOptions,
): Promise<ReceivedEnvelope> {
  const timeout = options.timeout ?? DEFAULT_REQUEST_TIMEOUT;
  const inbox = ctx.inbox.open(timeout);
  let sent: SentEnvelope;
  try {
    sent = await ctx.send(subject, payloads, { ...options, replyTo: inbox.subject }, { natsReply: inbox.subject });
  } catch (error) {
    inbox.cancel();
    throw error;
  }
  const reply = await inbox.reply;
  const correlationId = sent[0].correlation_id;
  if (!reply) {
    throw new RequestTimeoutError(`no reply on '${subject}' within ${timeout} ms`, { correlationId, details: { subject, timeout } });
  }
  if (isNoResponders(reply)) {
    throw new NoRespondersError(`no responders: nobody subscribes to '${subject}'`, { correlationId, details: { subject } });
  }
  return ctx.receive(reply);
}

/** The server's "503 no responders" status: an empty message with a status header. */
function isNoResponders(msg: NatsMessageLike): boolean {
  // nats.js (v2 and v3) parses the status line into `code`.
  return msg.data.length === 0 && (msg.headers as { code?: number } | undefined)?.code === 503;
}
