// Deterministic payload bytes: message i always carries the same bytes, so a
// receiver can check what arrived against what was sent without the sender
// keeping anything.
import { createHash } from "node:crypto";

/** `size` bytes that depend only on (seed, size). */
export function payloadBytes(seed: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
