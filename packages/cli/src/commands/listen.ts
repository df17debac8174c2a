// natsbridge listen <subject> [--count N] [--timeout MS] [--save DIR] [--queue Q]
// Prints every envelope that arrives; a message that cannot be received is
// reported and listening goes on. Ctrl-C stops.

import { CommandContext, type Io, optionalInt, parseCommand, requireSubject } from "../context.js";
import { type ExitCode, ExitCodes, exitCodeFor } from "../exit-codes.js";
import { RECEIVE_FLAGS, showEnvelope, showMessageError, streamWhenSaving } from "./receive.js";

export const LISTEN_FLAGS = {
  ...RECEIVE_FLAGS,
  count: { type: "string", short: "n" },
  timeout: { type: "string" },
  queue: { type: "string" },
  /** Same as -o json (listen takes no payloads, so --json is free). */
  json: { type: "boolean" },
} as const;

export async function listen(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommand(argv, LISTEN_FLAGS);
  const subject = requireSubject(parsed, "listen");
  const count = optionalInt(parsed.values, "count");
  const timeout = optionalInt(parsed.values, "timeout");
  const ctx = await CommandContext.create(parsed, io);
  let seen = 0;
  let status: ExitCode = ExitCodes.OK;
  let timedOut = false;
  const fail = (error: unknown, on: string) => {
    showMessageError(ctx, on, error);
    status = exitCodeFor(error);
  };
  try {
    const sub = await ctx.bridge.subscribe(subject, {
      ...ctx.receive,
      ...streamWhenSaving(ctx),
      ...(typeof parsed.values.queue === "string" ? { queue: parsed.values.queue } : {}),
      signal: ctx.abort.signal,
      onDownloadProgress: ({ dataname, receivedBytes, totalBytes }) => ctx.progress.update("download", dataname, receivedBytes, totalBytes),
      onError: (error, msg) => {
        fail(error, msg.subject);
        if (count !== undefined && ++seen >= count) sub.unsubscribe();
      },
    });
    const stop = () => sub.unsubscribe();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const timer =
      timeout !== undefined
        ? setTimeout(() => {
            timedOut = true;
            stop();
          }, timeout)
        : undefined;
    await (await ctx.bridge.connection()).flush();
    ctx.note(`listening on ${subject}${count ? ` for ${count} message(s)` : " (Ctrl-C to stop)"}`);
    try {
      for await (const env of sub) {
        try {
          // send_to names the subject the sender published on (useful with wildcards).
          await showEnvelope(ctx, env.send_to || subject, env);
        } catch (error) {
          fail(error, subject);
        }
        if (count !== undefined && ++seen >= count) break;
      }
    } finally {
      clearTimeout(timer);
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      sub.unsubscribe();
    }
    if (timedOut && count !== undefined && seen < count) {
      ctx.note(`timed out after ${timeout} ms with ${seen} of ${count} message(s)`);
      return status === ExitCodes.OK ? ExitCodes.TIMEOUT : status;
    }
    return status;
  } finally {
    await ctx.close();
  }
}
