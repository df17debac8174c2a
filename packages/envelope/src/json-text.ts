// JSON text pieces for the envelope writer (write.ts): strings quoted without
// JSON.stringify when they need no escaping, objects through JSON.stringify
// with a typed error when JSON cannot hold them, and the exact UTF-8 length
// of what was written.

import { NodeBuffer } from "./bytes.js";
import { InvalidDataError } from "./errors.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: the range starts at NUL because every ASCII character counts here
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Printable ASCII without `"` and `\`: JSON.stringify writes such a string as
 * it is. A loop, not a regex: the strings are short, and a regex costs more
 * to start than to run here.
 */
export function isPlain(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

export function quote(value: string): string {
  return isPlain(value) ? `"${value}"` : JSON.stringify(value);
}

export function objectJson(value: object, what: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    throw new InvalidDataError(`${what} is not JSON-serializable: ${String(cause)}`, { cause });
  }
  // A toJSON() returning undefined leaves nothing to write.
  if (json === undefined) throw new InvalidDataError(`${what} is not JSON-serializable`);
  return json;
}

/** UTF-8 bytes of JSON text (which never holds lone surrogates: JSON.stringify escapes them). */
export function utf8Length(text: string): number {
  if (NodeBuffer) return NodeBuffer.byteLength(text, "utf8");
  if (!NON_ASCII.test(text)) return text.length;
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}
