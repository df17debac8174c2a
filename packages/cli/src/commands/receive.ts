// Shared by listen, request and respond: save a received envelope if asked,
// then print it, one block or one JSON line.

import { isNatsBridgeError, type NatsBridgeError, type ReceivedEnvelope } from "@natsbridge/core";
import { messageInCliTerms } from "../cli-terms.js";
import type { CommandContext } from "../context.js";
import { renderEnvelope, reportEnvelope } from "../report.js";
import { savePayloads } from "../save.js";

export const RECEIVE_FLAGS = {
  save: { type: "string" },
} as const;

export async function showEnvelope(ctx: CommandContext, subject: string, env: ReceivedEnvelope): Promise<void> {
  const dir = ctx.parsed.values.save;
  const saved = typeof dir === "string" ? await savePayloads(dir, env, ctx.progress) : undefined;
  ctx.progress.stop();
  const report = reportEnvelope(subject, env, saved, ctx.tracing?.traceIdOf(env.msg_id));
  ctx.out(ctx.json ? JSON.stringify(report, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) : renderEnvelope(report));
}

/** A failure about one message: stdout in --json mode (scripts see every message's fate), stderr otherwise. */
export function showMessageError(ctx: CommandContext, subject: string, error: unknown): void {
  const e = describeError(error);
  if (ctx.json) ctx.out(JSON.stringify({ subject, error: e }));
  else ctx.io.stderr.write(`✗ ${subject}: ${e.code} ${e.message}\n`);
}

export function describeError(error: unknown): { code: string; message: string; correlation_id?: string; dataname?: string } {
  if (isNatsBridgeError(error)) {
    const e = error as NatsBridgeError;
    return {
      code: e.code,
      message: messageInCliTerms(e),
      ...(e.correlationId ? { correlation_id: e.correlationId } : {}),
      ...(e.dataname ? { dataname: e.dataname } : {}),
    };
  }
  return { code: (error as Error)?.name ?? "Error", message: String((error as Error)?.message ?? error) };
}

/** Stream link payloads of the binary family to disk when saving; hold everything else in memory. */
export function streamWhenSaving(ctx: CommandContext): { stream?: true } {
  return typeof ctx.parsed.values.save === "string" ? { stream: true } : {};
}
