// What the CLI prints about a received envelope: one readable block, or one
// JSON line (--json) for scripts. Values are summarized, never dumped whole:
// text and JSON up to a preview length, bytes as length and SHA-256, tables as
// rows × columns.

import { createHash } from "node:crypto";
import { isArrowTable } from "@natsbridge/arrow";
import { PayloadStream, type ReceivedEnvelope } from "@natsbridge/core";
import { formatBytes } from "./progress.js";

export interface PayloadReport {
  dataname: string;
  payload_type: string;
  transport: string;
  size?: number;
  url?: string;
  /** text, dictionary and jsontable values, as they are. */
  value?: unknown;
  /** Byte length of binary-family values. */
  bytes?: number;
  sha256?: string;
  num_rows?: number;
  columns?: string[];
  /** Where --save wrote it. */
  saved?: string;
}

export interface EnvelopeReport {
  subject: string;
  msg_id: string;
  correlation_id: string;
  timestamp: string;
  msg_purpose: string;
  sender_name: string;
  sender_id: string;
  reply_to: string;
  reply_to_msg_id: string;
  metadata: Record<string, unknown>;
  /** With --trace: the trace the message's receive span belongs to (the sender's when it sent one). */
  trace_id?: string;
  payloads: PayloadReport[];
}

export function reportEnvelope(
  subject: string,
  env: ReceivedEnvelope,
  saved: ReadonlyMap<number, string> = new Map(),
  traceId?: string,
): EnvelopeReport {
  return {
    subject,
    msg_id: env.msg_id,
    correlation_id: env.correlation_id,
    timestamp: env.timestamp,
    msg_purpose: env.msg_purpose,
    sender_name: env.sender_name,
    sender_id: env.sender_id,
    reply_to: env.reply_to,
    reply_to_msg_id: env.reply_to_msg_id,
    metadata: env.metadata,
    ...(traceId ? { trace_id: traceId } : {}),
    payloads: env.payloads.map(([dataname, value, type], i) => {
      const info = env.payloadInfo?.[i];
      const r: PayloadReport = { dataname, payload_type: type, transport: String(info?.transport ?? "direct") };
      if (typeof info?.size === "number") r.size = info.size;
      if (info?.transport === "link" && typeof info.data === "string") r.url = info.data;
      Object.assign(r, describeValue(value, info?.metadata));
      const file = saved.get(i);
      if (file) r.saved = file;
      return r;
    }),
  };
}

function describeValue(value: unknown, metadata: Record<string, unknown> | undefined): Partial<PayloadReport> {
  if (value instanceof Uint8Array) return { bytes: value.byteLength, sha256: createHash("sha256").update(value).digest("hex") };
  if (value instanceof PayloadStream) {
    return { ...(value.size !== undefined ? { bytes: value.size } : {}), ...(value.sha256 ? { sha256: value.sha256 } : {}) };
  }
  if (isArrowTable(value)) return { num_rows: value.numRows, columns: value.schema.fields.map((f) => f.name) };
  const sha = typeof metadata?.sha256 === "string" ? { sha256: metadata.sha256 } : {};
  return { value, ...sha };
}

const PREVIEW = 72;

/** The human-readable block for one envelope. */
export function renderEnvelope(r: EnvelopeReport): string {
  const lines = [
    `● ${r.subject}  msg ${r.msg_id}`,
    `  from ${r.sender_name || "?"} (${r.msg_purpose || "-"}) at ${r.timestamp}  correlation ${r.correlation_id}`,
  ];
  if (r.reply_to) lines.push(`  reply_to ${r.reply_to}`);
  if (r.trace_id) lines.push(`  trace ${r.trace_id}`);
  const width = Math.max(...r.payloads.map((p) => p.dataname.length), 4);
  for (const p of r.payloads) {
    const size = p.size !== undefined ? formatBytes(p.size) : "";
    const head = `  ${p.dataname.padEnd(width)}  ${p.payload_type.padEnd(10)} ${p.transport.padEnd(6)} ${size.padStart(9)}`;
    lines.push(`${head}  ${preview(p)}${p.saved ? `  → ${p.saved}` : ""}`);
  }
  if (r.payloads.length === 0) lines.push("  (no payloads)");
  return lines.join("\n");
}

function preview(p: PayloadReport): string {
  if (p.num_rows !== undefined) return `${p.num_rows} rows × ${p.columns?.length ?? 0} columns (${(p.columns ?? []).join(", ")})`;
  if (p.bytes !== undefined || (p.value === undefined && p.sha256)) {
    return `${p.bytes ?? "?"} bytes${p.sha256 ? ` sha256 ${p.sha256.slice(0, 12)}…` : ""}`;
  }
  if (p.payload_type === "jsontable" && Array.isArray(p.value)) return `${p.value.length} rows`;
  const text = typeof p.value === "string" ? JSON.stringify(p.value) : JSON.stringify(p.value, bigintSafe);
  return text.length > PREVIEW ? `${text.slice(0, PREVIEW - 1)}…` : text;
}

/** JSON.stringify replacer for values that JSON cannot hold as they are. */
export function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
