// natsbridge send <subject> --text … --json … --file path[:type] --table file.csv …
// One message with every payload given, in order.

import type { SendPayload, SmartSendOptions, WireEnvelope } from "@natsbridge/core";
import { CommandContext, type Io, type ParsedCommand, parseCommand, requireSubject } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { buildPayloads, PAYLOAD_FLAGS } from "../payloads.js";
import { formatBytes } from "../progress.js";

export const SEND_FLAGS = {
  ...PAYLOAD_FLAGS,
  "always-link": { type: "boolean" },
  purpose: { type: "string" },
  "reply-to": { type: "string" },
  "correlation-id": { type: "string" },
} as const;

export async function send(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommand(argv, SEND_FLAGS);
  const subject = requireSubject(parsed, "send");
  const ctx = await CommandContext.create(parsed, io);
  try {
    const payloads = payloadsOf(ctx, parsed, "send");
    const [envelope] = await ctx.bridge.smartsend(subject, payloads, { ...sendOptions(ctx, parsed), flush: true });
    ctx.progress.stop();
    printSent(ctx, envelope);
    return 0;
  } finally {
    await ctx.close();
  }
}

export function payloadsOf(ctx: CommandContext, parsed: ParsedCommand, command: string, required = true): SendPayload[] {
  if (required && parsed.payloadArgs.length === 0) {
    throw new UsageError(`${command} needs at least one payload: --text, --json, --file or --table`);
  }
  return buildPayloads(parsed.payloadArgs, { sizeThreshold: ctx.config.sizeThreshold, alwaysLink: parsed.values["always-link"] === true });
}

export function sendOptions(ctx: CommandContext, parsed: ParsedCommand): SmartSendOptions {
  const v = parsed.values;
  return {
    signal: ctx.abort.signal,
    ...(v["always-link"] === true ? { alwaysLink: true } : {}),
    ...(typeof v.purpose === "string" ? { msgPurpose: v.purpose } : {}),
    ...(typeof v["reply-to"] === "string" ? { replyTo: v["reply-to"] } : {}),
    ...(typeof v["correlation-id"] === "string" ? { correlationId: v["correlation-id"] } : {}),
    onUploadProgress: ({ dataname, sentBytes, totalBytes }) => ctx.progress.update("upload", dataname, sentBytes, totalBytes),
  };
}

/** What was sent: payload descriptors without the base64 data (and the trace id with --trace). */
export function sentReport(envelope: WireEnvelope, traceId?: string) {
  return {
    subject: envelope.send_to,
    msg_id: envelope.msg_id,
    correlation_id: envelope.correlation_id,
    timestamp: envelope.timestamp,
    ...(traceId ? { trace_id: traceId } : {}),
    payloads: envelope.payloads.map((p) => ({
      dataname: p.dataname,
      payload_type: p.payload_type,
      transport: p.transport,
      ...(p.size !== undefined ? { size: p.size } : {}),
      ...(p.transport === "link" ? { url: p.data as string } : {}),
    })),
  };
}

function printSent(ctx: CommandContext, envelope: WireEnvelope): void {
  const r = sentReport(envelope, ctx.tracing?.traceIdOf(envelope.msg_id));
  if (ctx.json) {
    ctx.out(JSON.stringify(r));
    return;
  }
  ctx.out(`sent msg ${r.msg_id} to ${r.subject} (correlation ${r.correlation_id})`);
  if (r.trace_id) ctx.out(`  trace ${r.trace_id}`);
  for (const p of r.payloads) {
    const size = p.size !== undefined ? formatBytes(p.size) : "";
    ctx.out(`  ${p.dataname}  ${p.payload_type}  ${p.transport}  ${size}${p.url ? `  ${p.url}` : ""}`);
  }
}
