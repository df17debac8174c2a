// Strict-but-tolerant parsing of incoming envelopes. Strict: a field that is
// present must have the right JSON type, or the whole message is an
// InvalidEnvelopeError naming the field. Tolerant of what the other references
// really send: unknown fields are kept, payload `metadata` may be missing
// (MicroPython), ids need not be UUIDs, any timestamp string is accepted, and
// envelope-level string fields that an implementation leaves out become "".

import { decodeBase64, decodeUtf8, encodeUtf8 } from "./bytes.js";
import { DeserializationError, InvalidEnvelopeError, NatsBridgeError, UnknownTransportError, UnsupportedEncodingError } from "./errors.js";
import { restoreSpliced, type SplicedString, spliceParse } from "./splice-parse.js";
import { ENVELOPE_STRING_FIELDS, type JsonObject, type WireEnvelope, type WirePayload } from "./types.js";

/** Options for {@link parseEnvelope}. */
export interface ParseOptions {
  /** Refuse inputs longer than this many bytes/characters before parsing them. Default: no limit. */
  maxBytes?: number;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(message: string, correlationId?: string, cause?: unknown): never {
  throw new InvalidEnvelopeError(message, { correlationId, cause });
}

/**
 * A parsed envelope and the bytes of the direct payloads the parser already
 * decoded on the way (large base64 values cut out of the raw bytes), by
 * payload index; undefined where a payload still needs decoding.
 */
export interface ReadEnvelope {
  envelope: WireEnvelope;
  decoded: readonly (Uint8Array | undefined)[];
}

/**
 * Parse a received message (bytes, JSON text, or an already-parsed object) into a
 * normalized wire envelope. Throws InvalidEnvelopeError; never anything untyped.
 */
export function parseEnvelope(input: Uint8Array | string | unknown, options: ParseOptions = {}): WireEnvelope {
  return readEnvelope(input, options).envelope;
}

/**
 * parseEnvelope, also returning the direct payload bytes it decoded while
 * parsing, so that the receiver does not decode them a second time (see
 * directPayloadBytes).
 */
export function readEnvelope(input: Uint8Array | string | unknown, options: ParseOptions = {}): ReadEnvelope {
  let raw: unknown = input;
  let spliced: Map<string, SplicedString> | undefined;
  if (input instanceof Uint8Array || typeof input === "string") {
    const length = typeof input === "string" ? input.length : input.byteLength;
    if (options.maxBytes !== undefined && length > options.maxBytes) {
      fail(`envelope is ${length} bytes, over the ${options.maxBytes}-byte limit`);
    }
    let text: string;
    try {
      if (typeof input === "string") text = input;
      else {
        // Large envelopes: long base64 values are cut out of the bytes and decoded directly.
        const cut = spliceParse(input, decodeUtf8);
        spliced = cut?.spliced;
        text = cut ? cut.frame : decodeUtf8(input);
      }
    } catch (cause) {
      fail("envelope is not valid UTF-8", undefined, cause);
    }
    try {
      raw = JSON.parse(text);
    } catch (cause) {
      fail(`envelope is not valid JSON: ${(cause as Error).message}`, undefined, cause);
    }
  }
  if (!isObject(raw)) fail("envelope must be a JSON object");
  // What JSON.parse just made is ours to normalize in place; a caller's object is copied first.
  const own = raw !== input;
  const predecoded = spliced ? takeSplicedData(raw, spliced) : undefined;

  // Learn the correlation id first so every later error can carry it.
  const cid = typeof raw.correlation_id === "string" ? raw.correlation_id : undefined;

  const env: JsonObject = own ? raw : { ...raw };
  for (const field of ENVELOPE_STRING_FIELDS) {
    const value = raw[field];
    if (value === undefined || value === null) env[field] = "";
    else if (typeof value !== "string") fail(`envelope field '${field}' must be a string, got ${typeof value}`, cid);
  }
  const metadata = raw.metadata;
  if (metadata === undefined || metadata === null) env.metadata = {};
  else if (!isObject(metadata)) fail("envelope field 'metadata' must be an object", cid);

  const payloads = raw.payloads;
  if (!Array.isArray(payloads)) fail("envelope field 'payloads' must be an array", cid);
  const list: WirePayload[] = own ? (payloads as WirePayload[]) : new Array<WirePayload>(payloads.length);
  const decoded = (predecoded ? new Array<Uint8Array | undefined>(payloads.length) : NOTHING_DECODED) as (Uint8Array | undefined)[];
  for (let i = 0; i < payloads.length; i++) {
    const p: unknown = payloads[i];
    const payload = parsePayload(p, i, cid, own);
    list[i] = payload;
    // Only bytes a direct base64 payload would decode to; any other payload is checked as usual.
    const pre = predecoded?.get(p);
    if (pre && payload.transport === "direct" && BASE64_ENCODINGS.has(payload.encoding)) decoded[i] = pre.bytes;
  }
  env.payloads = list;
  return { envelope: env as WireEnvelope, decoded };
}

/** No payload decoded while parsing (the usual case: small envelopes). */
const NOTHING_DECODED: readonly undefined[] = Object.freeze([]);

/**
 * Puts each spliced string back into the parsed JSON: payload `data` values
 * (the usual place) keep their decoded bytes alongside; a marker anywhere else
 * is restored by a walk over the whole value.
 */
function takeSplicedData(raw: JsonObject, spliced: Map<string, SplicedString>): Map<unknown, SplicedString> {
  const byPayload = new Map<unknown, SplicedString>();
  if (Array.isArray(raw.payloads)) {
    for (const p of raw.payloads) {
      if (!isObject(p) || typeof p.data !== "string") continue;
      const hit = spliced.get(p.data);
      if (!hit) continue;
      p.data = hit.text;
      byPayload.set(p, hit);
    }
  }
  if (byPayload.size < spliced.size) restoreSpliced(raw, spliced);
  return byPayload;
}

function parsePayload(raw: unknown, index: number, cid: string | undefined, own: boolean): WirePayload {
  const where = () => `payloads[${index}]`;
  if (!isObject(raw)) fail(`${where()} must be an object`, cid);
  const p: JsonObject = own ? raw : { ...raw };
  for (const field of PAYLOAD_STRING_FIELDS) {
    if (typeof raw[field] !== "string") fail(`${where()}.${field} must be a string`, cid);
  }
  const id = raw.id;
  if (id === undefined || id === null) p.id = "";
  else if (typeof id !== "string") fail(`${where()}.id must be a string`, cid);
  const encoding = raw.encoding;
  if (encoding === undefined || encoding === null) p.encoding = defaultEncoding(raw.transport as string);
  else if (typeof encoding !== "string") fail(`${where()}.encoding must be a string`, cid);
  const size = raw.size;
  if (size === null) delete p.size;
  else if (size !== undefined && (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0)) {
    fail(`${where()}.size must be a non-negative integer`, cid);
  }
  const metadata = raw.metadata;
  if (metadata === undefined || metadata === null) p.metadata = {};
  else if (!isObject(metadata)) fail(`${where()}.metadata must be an object`, cid);
  if (!("data" in raw)) fail(`${where()}.data is missing`, cid);
  return p as WirePayload;
}

const PAYLOAD_STRING_FIELDS = ["dataname", "payload_type", "transport"] as const;

function defaultEncoding(transport: string): string {
  return transport === "link" ? "none" : "base64";
}

/** Encodings whose direct `data` is base64 text (Julia/JS label some base64 data `json` or `arrow-ipc`). */
const BASE64_ENCODINGS = new Set(["base64", "json", "arrow-ipc"]);

/**
 * The serialized bytes of a direct payload. Accepts every label the references
 * use: `base64`, and `json`/`arrow-ipc` on base64 text. A `json` payload whose
 * `data` is an inline JSON value rather than a string is accepted as that value.
 * Decodes `data` every time: readEnvelope hands out what parsing already decoded.
 */
export function directPayloadBytes(payload: WirePayload, correlationId?: string): Uint8Array {
  const context = { correlationId, dataname: payload.dataname };
  if (payload.transport !== "direct") {
    throw new UnknownTransportError(`payload '${payload.dataname}' is not direct`, context);
  }
  if (!BASE64_ENCODINGS.has(payload.encoding)) {
    throw new UnsupportedEncodingError(
      `payload '${payload.dataname}' has encoding ${JSON.stringify(payload.encoding)}; direct payloads must be base64, json or arrow-ipc`,
      { ...context, details: { encoding: payload.encoding } },
    );
  }
  const data = payload.data;
  if (typeof data === "string") {
    try {
      return decodeBase64(data);
    } catch (error) {
      if (error instanceof NatsBridgeError) throw error.withContext(context);
      throw error;
    }
  }
  if (payload.encoding === "json" && data !== undefined) {
    try {
      return encodeUtf8(JSON.stringify(data));
    } catch (cause) {
      // Nesting deeper than the stack allows (found by fuzzing): bad input, not a bug.
      throw new DeserializationError(`payload '${payload.dataname}' inline JSON data cannot be re-encoded: ${String(cause)}`, {
        ...context,
        cause,
      });
    }
  }
  throw new DeserializationError(`payload '${payload.dataname}' data must be a base64 string`, context);
}

/** The URL of a link payload, checked to be a string. */
export function linkPayloadUrl(payload: WirePayload, correlationId?: string): string {
  if (typeof payload.data !== "string" || payload.data.length === 0) {
    throw new InvalidEnvelopeError(`link payload '${payload.dataname}' data must be a URL string`, {
      correlationId,
      dataname: payload.dataname,
    });
  }
  return payload.data;
}
