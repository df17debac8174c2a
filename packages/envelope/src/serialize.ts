// Envelope → JSON text and UTF-8 bytes, for envelopes built as objects
// (createEnvelope, or by hand). natsbridge's own sender does not come here:
// it drafts and writes its envelopes in one pass with their exact size known
// first (write.ts), which is faster for large payloads.

import { encodeUtf8 } from "./bytes.js";
import type { WireEnvelope } from "./types.js";

export interface SerializedEnvelope {
  json: string;
  /** UTF-8 bytes of `json`, built only when asked for. */
  bytes(): Uint8Array;
}

export interface SerializeOptions {
  /** No longer used: kept so that existing callers still compile. */
  knownBase64?: ReadonlySet<object>;
}

export function serializeEnvelope(envelope: WireEnvelope, _options: SerializeOptions = {}): SerializedEnvelope {
  const json = JSON.stringify(envelope);
  return { json, bytes: () => encodeUtf8(json) };
}
