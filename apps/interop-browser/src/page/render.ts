// Shows one message's payloads on the page: text as a paragraph, images as
// <img>, dictionaries as JSON, Arrow tables as an HTML table, bytes as their
// size and SHA-256. Returns a plain description of each, for tests.

import type { PayloadTuple, WirePayload } from "@natsbridge/core";

export interface RenderedPayload {
  dataname: string;
  type: string;
  transport: string;
  kind: "text" | "image" | "json" | "table" | "bytes";
  text?: string;
  bytes?: number;
  sha256?: string;
  columns?: string[];
  rows?: unknown[][];
}

export function renderEntry(
  who: string,
  payloads: readonly PayloadTuple[],
  info: readonly WirePayload[],
): { element: HTMLElement; payloads: Promise<RenderedPayload[]> } {
  const element = document.createElement("div");
  element.className = `entry from-${who === "you" ? "you" : "backend"}`;
  const name = document.createElement("div");
  name.className = "who";
  name.textContent = who;
  const body = document.createElement("div");
  body.className = "body";
  element.append(name, body);
  const described = Promise.all(
    payloads.map(async ([dataname, value, type], i) => {
      const base = { dataname, type, transport: info[i]?.transport ?? "?" };
      const node = document.createElement("div");
      node.className = `payload payload-${type}`;
      node.dataset.dataname = dataname;
      body.append(node);
      if (type === "text") {
        const p = document.createElement("p");
        p.className = "text";
        p.textContent = String(value);
        node.append(p);
        return { ...base, kind: "text" as const, text: String(value) };
      }
      if (isArrowTable(value)) {
        const columns = value.schema.fields.map((f) => f.name);
        const rows = value.toArray().map((row) => columns.map((c) => plain((row as Record<string, unknown>)[c])));
        node.append(htmlTable(columns, rows));
        return { ...base, kind: "table" as const, columns, rows };
      }
      if (value instanceof Uint8Array || value instanceof Blob) {
        const bytes = value instanceof Blob ? new Uint8Array(await value.arrayBuffer()) : value;
        const sha256 = await sha256Hex(bytes);
        if (type === "image") {
          const img = document.createElement("img");
          img.alt = dataname;
          img.src = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: sniffImageType(bytes) }));
          await img.decode().catch(() => undefined);
          node.append(img);
          return { ...base, kind: "image" as const, bytes: bytes.byteLength, sha256 };
        }
        const p = document.createElement("p");
        p.textContent = `${dataname}: ${bytes.byteLength} bytes (${base.transport}), sha256 ${sha256.slice(0, 16)}…`;
        node.append(p);
        return { ...base, kind: "bytes" as const, bytes: bytes.byteLength, sha256 };
      }
      const pre = document.createElement("pre");
      pre.textContent = `${dataname}: ${JSON.stringify(value, (_k, v: unknown) => plain(v), 1)}`;
      node.append(pre);
      return { ...base, kind: "json" as const, text: pre.textContent };
    }),
  );
  return { element, payloads: described };
}

interface ArrowTableLike {
  numRows: number;
  schema: { fields: { name: string }[] };
  toArray(): unknown[];
}

function isArrowTable(value: unknown): value is ArrowTableLike {
  return typeof value === "object" && value !== null && typeof (value as ArrowTableLike).numRows === "number" && "schema" in value;
}

/** Values JSON can carry: int64 columns come out of Arrow as BigInt. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
}

function htmlTable(columns: string[], rows: unknown[][]): HTMLTableElement {
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const c of columns) head.insertCell().textContent = c;
  const tbody = table.createTBody();
  for (const row of rows.slice(0, 20)) {
    const tr = tbody.insertRow();
    for (const v of row) tr.insertCell().textContent = String(v);
  }
  return table;
}

function sniffImageType(bytes: Uint8Array): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return "image/png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return "image/jpeg";
  if (bytes[0] === 0x47 && bytes[1] === 0x49) return "image/gif";
  return "application/octet-stream";
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
