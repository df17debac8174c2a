// reply on top of send: to a received envelope's `reply_to`, keeping its
// correlation id and naming the request it answers.

import { InvalidEnvelopeError, type ReceivedEnvelope } from "@natsbridge/envelope";
import type { SmartSendOptions } from "./options.js";

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
