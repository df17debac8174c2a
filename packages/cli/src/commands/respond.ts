// natsbridge respond <subject> [--text …] [--count N] [--queue Q]
// The other side of `request`: prints each message and replies on its
// reply_to with the payloads given, or echoes the received ones when none are.

import type { SendPayload } from "@natsbridge/core";
import { CommandContext, type Io, optionalInt, parseCommand, requireSubject } from "../context.js";
import { type ExitCode, ExitCodes, exitCodeFor } from "../exit-codes.js";
import { showEnvelope, showMessageError } from "./receive.js";
import { payloadsOf, SEND_FLAGS } from "./send.js";

export const RESPOND_FLAGS = {
  ...SEND_FLAGS,
  count: { type: "string", short: "n" },
  queue: { type: "string" },
} as const;

export async function respond(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommand(argv, RESPOND_FLAGS);
  const subject = requireSubject(parsed, "respond");
  const count = optionalInt(parsed.values, "count");
  const ctx = await CommandContext.create(parsed, io);
  let status: ExitCode = ExitCodes.OK;
  let seen = 0;
  try {
    const answer: SendPayload[] | undefined = parsed.payloadArgs.length > 0 ? payloadsOf(ctx, parsed, "respond") : undefined;
    const sub = await ctx.bridge.subscribe(subject, {
      ...ctx.receive,
      ...(typeof parsed.values.queue === "string" ? { queue: parsed.values.queue } : {}),
      onError: (error, msg) => {
        showMessageError(ctx, msg.subject, error);
        status = exitCodeFor(error);
        if (count !== undefined && ++seen >= count) sub.unsubscribe();
      },
    });
    const stop = () => sub.unsubscribe();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    await (await ctx.bridge.connection()).flush();
    ctx.note(`responding on ${subject}${answer ? "" : " (echo)"}${count ? ` to ${count} message(s)` : " (Ctrl-C to stop)"}`);
    try {
      for await (const env of sub) {
        try {
          await showEnvelope(ctx, env.send_to || subject, env);
          if (env.reply_to) {
            await ctx.bridge.reply(env, answer ?? env.payloads, {
              flush: true,
              msgPurpose: "reply",
              ...(typeof parsed.values["always-link"] === "boolean" ? { alwaysLink: true } : {}),
            });
          } else ctx.note(`  (no reply_to: nothing to answer)`);
        } catch (error) {
          showMessageError(ctx, subject, error);
          status = exitCodeFor(error);
        }
        if (count !== undefined && ++seen >= count) break;
      }
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      sub.unsubscribe();
    }
    return status;
  } finally {
    await ctx.close();
  }
}
