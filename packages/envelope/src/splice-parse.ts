// Parsing a large envelope without pushing its base64 text through UTF-8
// decoding and JSON.parse: the receiving mirror of serialize.ts.
//
// Most of a large envelope is one or two base64 string values. Decoding the
// whole buffer as UTF-8 and then parsing it scans that text twice, only for
// directPayloadBytes to decode it a third time. Instead we find the long
// string values in the raw bytes, decode each straight from the buffer (the
// exactness check in decodeBase64Quick proves it is plain base64, hence plain
// ASCII, hence exactly the JSON string it stands for), and JSON.parse the
// small remainder with a marker in each one's place. A span that is not plain
// base64 is left in the text for JSON.parse, so the result never differs from
// the slow path's.

import { decodeBase64Quick, NodeBuffer } from "./bytes.js";

/**
 * Envelopes smaller than this take the ordinary path. 8 KiB, down from 32: a
 * 10 KB payload's envelope (14 KB) is then spliced too, which cut its receive
 * CPU by 7–10% and a 20 KB one's by 20% (bench:cpu, side by side); a 5 KB
 * payload's (7 KB) gained nothing.
 */
export const SPLICE_PARSE_MIN_BYTES = 8 * 1024;
/** String values shorter than this stay in the JSON text. */
const SPAN_MIN = 4096;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

export interface SplicedString {
  /** The string value, as JSON.parse would have produced it. */
  text: string;
  /** Its base64 decoding. */
  bytes: Uint8Array;
}

export interface SpliceParse {
  /** The JSON text with a marker in place of each spliced string. */
  frame: string;
  /** Marker → the string it stands for. */
  spliced: Map<string, SplicedString>;
}

/**
 * Splits `bytes` into a small JSON frame and the long base64 string values it
 * refers to by marker. Undefined when there is nothing to splice (or no Node
 * Buffer): the caller parses the ordinary way. Throws what TextDecoder throws
 * for invalid UTF-8 in the frame.
 */
export function spliceParse(bytes: Uint8Array, decodeUtf8: (b: Uint8Array) => string): SpliceParse | undefined {
  if (!NodeBuffer || bytes.byteLength < SPLICE_PARSE_MIN_BYTES) return undefined;
  const buf = NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const spans: [start: number, end: number, value: SplicedString][] = [];
  // Walk string literals quote to quote (memchr-fast), honouring escaped quotes.
  let at = 0;
  for (;;) {
    const open = buf.indexOf(QUOTE, at);
    if (open < 0) break;
    let close = buf.indexOf(QUOTE, open + 1);
    while (close >= 0 && escaped(buf, close)) close = buf.indexOf(QUOTE, close + 1);
    if (close < 0) break; // unterminated: JSON.parse will say so
    if (close - open - 1 >= SPAN_MIN && isValuePosition(buf, open)) {
      const text = buf.latin1Slice(open + 1, close);
      const decoded = decodeBase64Quick(text);
      if (decoded) spans.push([open + 1, close, { text, bytes: decoded }]);
    }
    at = close + 1;
  }
  if (spans.length === 0) return undefined;

  const nonce = Math.random().toString(36).slice(2, 12);
  const spliced = new Map<string, SplicedString>();
  let frame = "";
  let from = 0;
  spans.forEach(([start, end, value], i) => {
    const marker = `@nb:${nonce}:${i}@`;
    spliced.set(marker, value);
    // Cuts fall next to quotes (ASCII), never inside a multi-byte character.
    frame += decodeUtf8(bytes.subarray(from, start)) + marker;
    from = end;
  });
  frame += decodeUtf8(bytes.subarray(from));
  return { frame, spliced };
}

/** A quote preceded by an odd number of backslashes is part of the string. */
function escaped(buf: Uint8Array, quote: number): boolean {
  let n = 0;
  for (let i = quote - 1; i >= 0 && buf[i] === BACKSLASH; i--) n++;
  return n % 2 === 1;
}

/** Only values are spliced (the string follows a colon), never keys or array items. */
function isValuePosition(buf: Uint8Array, quote: number): boolean {
  for (let i = quote - 1; i >= 0; i--) {
    const c = buf[i]!;
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === COLON;
  }
  return false;
}

/**
 * Puts spliced strings back wherever a marker ended up other than a payload's
 * `data` (e.g. a long base64 value in metadata). Iterative, so deep nesting
 * cannot overflow the stack.
 */
export function restoreSpliced(value: unknown, spliced: Map<string, SplicedString>): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null) continue;
    const entries = Array.isArray(node) ? node.entries() : Object.entries(node);
    for (const [key, child] of entries) {
      if (typeof child === "string") {
        const hit = spliced.get(child);
        // defineProperty, not assignment: a key named "__proto__" stays a plain key.
        if (hit) Object.defineProperty(node, key, { value: hit.text, writable: true, enumerable: true, configurable: true });
      } else if (typeof child === "object" && child !== null) stack.push(child);
    }
  }
}
