// request on top of send and receive (loaded on the first request). A request
// carries an inbox subject as `reply_to` (for peers, which answer on the
// envelope's reply_to) and as the NATS reply subject (for the server: when
// nobody subscribes to the request's subject it answers the inbox at once
// with a "503 no responders" status, and the request fails with
// NO_RESPONDERS instead of waiting out its timeout).

import {
  NoRespondersError,
  RequestTimeoutError,
  uuid4,
  type ReceivedEnvelope,
} from "@natsbridge/envelope";
import type { SendPayload } from "./source.js";
import { DEFAULT_REQUEST_TIMEOUT } from "./defaults.js";
import type { Msg, NatsConnection, Subscription } from "./nats-types.js";
import type { SmartReceiveOptions, SmartSendOptions } from "./options.js";
import type { SendExtras, SentEnvelope } from "./send.js";

export interface RequestOptions extends SmartSendOptions, SmartReceiveOptions {
  /** How long to wait for the reply, in ms. Default 30000. */
  timeout?: number;
}

export interface RequestContext {
  inbox: RequestInbox;
  send: (subject: string, payloads: readonly SendPayload[], options: SmartSendOptions, extras: SendExtras) => Promise<SentEnvelope>;
  receive: (msg: Msg) => Promise<ReceivedEnvelope>;
}

/**
 * The replies of one connection, as nats.js does it: one wildcard
 * subscription (`_INBOX.<id>.*`) instead of a subscription per request, each
 * request waiting on its own token.
 */
export class RequestInbox {
  readonly #prefix = `_INBOX.${uuid4().replaceAll("-", "")}`;
  readonly #waiting = new Map<string, (msg: Msg) => void>();
  readonly #subscription: Subscription;
  #next = 0;

  constructor(nc: NatsConnection) {
    this.#subscription = nc.subscribe(`${this.#prefix}.*`, {
      callback: (error, msg) => {
        if (error) return;
        this.#waiting.get(msg.subject.slice(this.#prefix.length + 1))?.(msg);
      },
    });
  }

  get closed(): boolean {
    return this.#subscription.isClosed();
  }

  /** A fresh reply subject, and the first message on it (undefined after `timeout` ms). */
  open(timeout: number): { subject: string; reply: Promise<Msg | undefined>; cancel(): void } {
    const token = (++this.#next).toString(36);
    let settle!: (msg: Msg | undefined) => void;
    const reply = new Promise<Msg | undefined>((resolve) => (settle = resolve));
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

/** Send with the inbox as `reply_to`; resolve the first reply, received. */
export async function requestReply(ctx: RequestContext, subject: string, payloads: readonly SendPayload[], options: RequestOptions): Promise<ReceivedEnvelope> {
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
function isNoResponders(msg: Msg): boolean {
  return msg.data.length === 0 && msg.headers?.code === 503;
}
