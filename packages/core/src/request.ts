// request and reply on top of send and receive: a request carries a fresh
// inbox as `reply_to` and waits for the first message on it; a reply goes to
// a received envelope's `reply_to`, keeping its correlation id.

import { InvalidEnvelopeError, RequestTimeoutError, uuid4, type PayloadTuple, type ReceivedEnvelope } from "@natsbridge/envelope";
import { DEFAULT_REQUEST_TIMEOUT } from "./defaults.js";
import type { Msg, NatsConnection, Subscription } from "./nats-types.js";
import type { SmartReceiveOptions, SmartSendOptions } from "./options.js";
import type { SentEnvelope } from "./send.js";

export interface RequestOptions extends SmartSendOptions, SmartReceiveOptions {
  /** How long to wait for the reply, in ms. Default 30000. */
  timeout?: number;
}

export interface RequestContext {
  nc: NatsConnection;
  send: (subject: string, payloads: readonly PayloadTuple[], options: SmartSendOptions) => Promise<SentEnvelope>;
  receive: (msg: Msg) => Promise<ReceivedEnvelope>;
}

/** Send with a fresh inbox as `reply_to`; resolve the first reply, received. */
export async function requestReply(ctx: RequestContext, subject: string, payloads: readonly PayloadTuple[], options: RequestOptions): Promise<ReceivedEnvelope> {
  const inbox = `_INBOX.${uuid4().replaceAll("-", "")}`;
  const sub = ctx.nc.subscribe(inbox, { max: 1 });
  const timeout = options.timeout ?? DEFAULT_REQUEST_TIMEOUT;
  const [sent] = await ctx.send(subject, payloads, { ...options, connection: ctx.nc, replyTo: inbox }).catch((e: unknown) => {
    sub.unsubscribe();
    throw e;
  });
  const reply = await firstMessage(sub, timeout);
  if (!reply) {
    throw new RequestTimeoutError(`no reply on '${subject}' within ${timeout} ms`, {
      correlationId: sent.correlation_id,
      details: { subject, timeout },
    });
  }
  return ctx.receive(reply);
}

export type ReplyTarget = Pick<ReceivedEnvelope, "reply_to" | "msg_id" | "correlation_id" | "sender_name" | "sender_id">;

/** The send options of a reply to `to`: its reply_to as the subject, its correlation id, its sender as receiver. */
export function replyOptions(to: ReplyTarget, options: SmartSendOptions): [subject: string, options: SmartSendOptions] {
  if (!to.reply_to) {
    throw new InvalidEnvelopeError("cannot reply: the envelope has no reply_to", { correlationId: to.correlation_id });
  }
  return [
    to.reply_to,
    {
      correlationId: to.correlation_id,
      replyToMsgId: to.msg_id,
      receiverName: to.sender_name,
      receiverId: to.sender_id,
      ...options,
    },
  ];
}

async function firstMessage(sub: Subscription, timeout: number): Promise<Msg | undefined> {
  const timer = setTimeout(() => sub.unsubscribe(), timeout);
  try {
    for await (const m of sub) return m;
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
