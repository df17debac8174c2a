// natsbridge request <subject> --text … [--timeout MS] [--save DIR]
// Sends one message with a fresh inbox as reply_to and prints the reply.

import { CommandContext, type Io, optionalInt, parseCommand, requireSubject } from "../context.js";
import { RECEIVE_FLAGS, showEnvelope, streamWhenSaving } from "./receive.js";
import { payloadsOf, SEND_FLAGS, sendOptions } from "./send.js";

export const REQUEST_FLAGS = {
  ...SEND_FLAGS,
  ...RECEIVE_FLAGS,
  timeout: { type: "string" },
} as const;

export async function request(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommand(argv, REQUEST_FLAGS);
  const subject = requireSubject(parsed, "request");
  const timeout = optionalInt(parsed.values, "timeout") ?? 30_000;
  const ctx = await CommandContext.create(parsed, io);
  const interrupt = () => ctx.abort.abort();
  process.once("SIGINT", interrupt);
  try {
    const payloads = payloadsOf(ctx, parsed, "request");
    const reply = await ctx.bridge.request(subject, payloads, {
      ...sendOptions(ctx, parsed),
      ...ctx.receive,
      ...streamWhenSaving(ctx),
      timeout,
      onDownloadProgress: ({ dataname, receivedBytes, totalBytes }) => ctx.progress.update("download", dataname, receivedBytes, totalBytes),
    });
    await showEnvelope(ctx, reply.send_to, reply);
    return 0;
  } finally {
    process.off("SIGINT", interrupt);
    await ctx.close();
  }
}
