// --save DIR: every payload of a message written to DIR/<msg_id>/. Link
// payloads of the binary family arrive as streams and go to disk chunk by
// chunk (a .part file renamed once the size and checksum checks pass), so a
// file larger than memory can be received.

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { encodeArrowTable, isArrowTable } from "@natsbridge/arrow";
import { PayloadStream, type ReceivedEnvelope } from "@natsbridge/core";
import { safeFileName } from "@natsbridge/core/store";
import type { Progress } from "./progress.js";
import { bigintSafe } from "./report.js";

const EXTENSION: Record<string, string> = {
  text: ".txt",
  dictionary: ".json",
  jsontable: ".json",
  arrowtable: ".arrow",
  table: ".arrow",
};

/** Writes every payload; returns payload index → file path. */
export async function savePayloads(dir: string, env: ReceivedEnvelope, progress: Progress): Promise<Map<number, string>> {
  const folder = join(dir, safeFileName(env.msg_id || "message"));
  await mkdir(folder, { recursive: true });
  const saved = new Map<number, string>();
  const used = new Set<string>();
  for (const [i, [dataname, value, type]] of env.payloads.entries()) {
    const file = join(folder, uniqueName(fileNameFor(dataname, type), used));
    if (value instanceof PayloadStream) await saveStream(file, value, progress);
    else await writeFile(file, serialize(value, type));
    saved.set(i, file);
  }
  return saved;
}

function fileNameFor(dataname: string, type: string): string {
  const name = safeFileName(dataname);
  const ext = EXTENSION[type];
  return ext && extname(name) === "" ? `${name}${ext}` : name;
}

function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let i = 2; used.has(candidate); i++) candidate = `${i}-${name}`;
  used.add(candidate);
  return candidate;
}

function serialize(value: unknown, type: string): Uint8Array | string {
  if (value instanceof Uint8Array) return value;
  if (isArrowTable(value)) return encodeArrowTable(value);
  if (typeof value === "string" && type === "text") return value;
  return `${JSON.stringify(value, bigintSafe, 2)}\n`;
}

async function saveStream(file: string, stream: PayloadStream, progress: Progress): Promise<void> {
  const part = `${file}.part`;
  const out = createWriteStream(part);
  let received = 0;
  try {
    for await (const chunk of stream) {
      if (!out.write(chunk)) await once(out, "drain");
      received += chunk.byteLength;
      progress.update("download", stream.dataname, received, stream.size);
    }
    out.end();
    await once(out, "finish");
    await rename(part, file);
  } catch (error) {
    out.destroy();
    await rm(part, { force: true });
    throw error;
  }
}
