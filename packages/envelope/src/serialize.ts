// Envelope → JSON text and UTF-8 bytes, fast for large direct payloads.
//
// A direct payload's base64 text is most of the envelope. Putting it through
// JSON.stringify (which scans it for characters to escape) and then through
// TextEncoder (which scans it again) costs more than producing it. Base64 is
// plain ASCII that JSON never escapes, so we stringify the envelope with a
// short marker in place of each large `data`, and splice the base64 text in:
// as a string by concatenation, and as bytes by a straight Latin-1 copy.

import type { WireEnvelope } from "./types.js";

interface BufferLike extends Uint8Array {
  write(text: string, offset: number, encoding: "utf8" | "latin1"): number;
}
const NodeBuffer = (
  globalThis as { Buffer?: { allocUnsafeSlow(size: number): BufferLike; byteLength(text: string, encoding: "utf8"): number } }
).Buffer;

/** Below this many characters a `data` string is left to JSON.stringify. */
const SPLICE_MIN = 4096;
const BASE64_TEXT = /^[A-Za-z0-9+/=]*$/;

export interface SerializedEnvelope {
  json: string;
  /** UTF-8 bytes of `json`, built only when asked for. */
  bytes(): Uint8Array;
}

export interface SerializeOptions {
  /**
   * Payload objects whose `data` is known to be base64 (e.g. made by
   * createDirectPayload), so their text need not be checked. Other payloads'
   * text is checked in full before it is spliced.
   */
  knownBase64?: ReadonlySet<object>;
}

export function serializeEnvelope(envelope: WireEnvelope, options: SerializeOptions = {}): SerializedEnvelope {
  const spliced: string[] = [];
  const nonce = Math.random().toString(36).slice(2, 12);
  const payloads = envelope.payloads.map((p) => {
    const data = p.data;
    // Only base64 text is spliced; anything else (URLs, inline JSON) is escaped normally.
    if (typeof data !== "string" || data.length < SPLICE_MIN || p.transport !== "direct") return p;
    if (!options.knownBase64?.has(p) && !BASE64_TEXT.test(data)) return p;
    spliced.push(data);
    return { ...p, data: `@nb:${nonce}:${spliced.length - 1}@` };
  });
  if (spliced.length === 0) {
    const json = JSON.stringify(envelope);
    return { json, bytes: () => new TextEncoder().encode(json) };
  }
  const frame = JSON.stringify({ ...envelope, payloads });
  // frame = part0 "marker0" part1 "marker1" ... ; the quotes stay in the parts.
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < spliced.length; i++) {
    const marker = `@nb:${nonce}:${i}@`;
    const at = frame.indexOf(marker, from);
    parts.push(frame.slice(from, at));
    from = at + marker.length;
  }
  parts.push(frame.slice(from));
  let json = parts[0]!;
  for (let i = 0; i < spliced.length; i++) json += spliced[i]! + parts[i + 1]!;
  return { json, bytes: () => spliceBytes(parts, spliced) };
}

function spliceBytes(parts: string[], spliced: string[]): Uint8Array {
  if (NodeBuffer) {
    let total = 0;
    for (const p of parts) total += NodeBuffer.byteLength(p, "utf8");
    for (const s of spliced) total += s.length;
    const out = NodeBuffer.allocUnsafeSlow(total);
    let offset = out.write(parts[0]!, 0, "utf8");
    for (let i = 0; i < spliced.length; i++) {
      offset += out.write(spliced[i]!, offset, "latin1");
      offset += out.write(parts[i + 1]!, offset, "utf8");
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  const encoder = new TextEncoder();
  const encodedParts = parts.map((p) => encoder.encode(p));
  let total = 0;
  for (const p of encodedParts) total += p.byteLength;
  for (const s of spliced) total += s.length;
  const out = new Uint8Array(total);
  out.set(encodedParts[0]!, 0);
  let offset = encodedParts[0]!.byteLength;
  for (let i = 0; i < spliced.length; i++) {
    offset += encoder.encodeInto(spliced[i]!, out.subarray(offset)).written;
    out.set(encodedParts[i + 1]!, offset);
    offset += encodedParts[i + 1]!.byteLength;
  }
  return out;
}
