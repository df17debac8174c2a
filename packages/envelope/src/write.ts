// Writing an outgoing envelope in one pass, with its exact size known first.
//
// A sender must know how large the envelope will be before it publishes
// (NATS refuses anything over max_payload) and, when a payload has to move to
// the link transport, before it uploads. So each part is drafted on its own:
// the envelope's fields and each payload's fields are written as JSON text
// once, and a direct payload's base64 data, which is most of the bytes, is
// counted (4 bytes per 3) rather than produced. The drafts add up to the exact
// UTF-8 size of the finished envelope; `writeEnvelope` then produces the
// base64 text and copies every part into one buffer of that size (Node).
// Nothing is serialized twice and nothing is estimated.
//
// Field order follows the Julia reference's structs, as createEnvelope does;
// a test checks that the text is exactly JSON.stringify of the envelope object.

import { base64Length, createLinkPayload, type EnvelopeInput, envelopeHeader } from "./build.js";
import { encodeBase64, encodeUtf8, NodeBuffer } from "./bytes.js";
import { isPlain, objectJson, quote, utf8Length } from "./json-text.js";
import type { EnvelopeHeader, JsonObject, WireEnvelope, WirePayload } from "./types.js";

/** The envelope's own fields, written; payloads are added by writeEnvelope. */
export interface EnvelopeDraft {
  readonly header: EnvelopeHeader;
  /** JSON text up to and including `"payloads":[`. */
  readonly head: string;
  /** Exact UTF-8 bytes of the envelope with no payloads (head + `]}`). */
  readonly byteLength: number;
}

/** A direct payload whose base64 data is counted but not yet produced. */
export interface DirectPayloadDraft {
  readonly transport: "direct";
  readonly dataname: string;
  /** The payload's serialized bytes, base64-encoded by writeEnvelope. */
  readonly bytes: Uint8Array;
  /** The payload's fields except `data`, in wire order. */
  readonly fields: DirectPayloadFields;
  /** JSON text before and after the base64 data. */
  readonly head: string;
  readonly tail: string;
  /** Exact UTF-8 bytes of the payload's JSON, base64 data included. */
  readonly byteLength: number;
}

export interface DirectPayloadFields {
  id: string;
  dataname: string;
  payload_type: string;
  transport: "direct";
  encoding: "base64";
  size: number;
  metadata: JsonObject;
}

/** A link payload, complete: its JSON is small and written at once. */
export interface LinkPayloadDraft {
  readonly transport: "link";
  readonly dataname: string;
  readonly payload: WirePayload;
  readonly json: string;
  readonly byteLength: number;
}

export type PayloadDraft = DirectPayloadDraft | LinkPayloadDraft;

export interface DirectDraftInput {
  id: string;
  dataname: string;
  payloadType: string;
  bytes: Uint8Array;
  /** Merged after `payload_bytes`. */
  metadata?: JsonObject | undefined;
}

export interface LinkDraftInput {
  id: string;
  dataname: string;
  payloadType: string;
  url: string;
  size: number;
  metadata?: JsonObject | undefined;
}

export interface WrittenEnvelope {
  envelope: WireEnvelope;
  json: string;
  /** The UTF-8 bytes of `json`, written straight from the drafts. */
  bytes: Uint8Array;
}

/** The envelope's fields with the references' defaults, written as the head of its JSON. */
export function draftEnvelope(input: Omit<EnvelopeInput, "payloads">): EnvelopeDraft {
  const header = envelopeHeader(input);
  // The header's fields are in wire order; the payloads follow them. (Only metadata can fail.)
  const head = `${objectJson(header, "envelope metadata").slice(0, -1)},"payloads":[`;
  return { header, head, byteLength: utf8Length(head) + 2 };
}

/** A direct payload (`encoding` "base64", metadata starting with `payload_bytes`), sized exactly. */
export function draftDirectPayload(input: DirectDraftInput): DirectPayloadDraft {
  const size = input.bytes.byteLength;
  const fields: DirectPayloadFields = {
    id: input.id,
    dataname: input.dataname,
    payload_type: input.payloadType,
    transport: "direct",
    encoding: "base64",
    size,
    metadata: { payload_bytes: size, ...input.metadata },
  };
  // The fields before `data`, then the base64 text, then metadata: the wire order.
  const head = `${payloadHead(fields)},"data":"`;
  const tail = `","metadata":${metadataJson(fields.metadata, input.metadata, size, input.dataname)}}`;
  return {
    transport: "direct",
    dataname: input.dataname,
    bytes: input.bytes,
    fields,
    head,
    tail,
    byteLength: utf8Length(head) + base64Length(size) + utf8Length(tail),
  };
}

/** A link payload (`encoding` "none", `data` the URL). */
export function draftLinkPayload(input: LinkDraftInput): LinkPayloadDraft {
  const payload = { ...createLinkPayload(input), size: input.size };
  const json = `${payloadHead(payload)},"data":${quote(input.url)},"metadata":${objectJson(payload.metadata, `payload '${input.dataname}' metadata`)}}`;
  return { transport: "link", dataname: input.dataname, payload, json, byteLength: utf8Length(json) };
}

/** Exact UTF-8 bytes of the envelope these drafts make. */
export function envelopeByteLength(envelope: EnvelopeDraft, payloads: readonly PayloadDraft[]): number {
  let n = envelope.byteLength + Math.max(0, payloads.length - 1);
  for (const p of payloads) n += p.byteLength;
  return n;
}

/** The finished envelope: object, JSON text and UTF-8 bytes, from one pass over the drafts. */
export function writeEnvelope(envelope: EnvelopeDraft, payloads: readonly PayloadDraft[]): WrittenEnvelope {
  const size = envelopeByteLength(envelope, payloads);
  // On Node every part is copied once into a buffer of the exact size (base64
  // as Latin-1, a straight copy); elsewhere the finished text is encoded once.
  const out = NodeBuffer?.allocUnsafe(size);
  let at = 0;
  const wire: WirePayload[] = [];
  let json = envelope.head;
  if (out) at += out.write(envelope.head, at, "utf8");
  for (let i = 0; i < payloads.length; i++) {
    const p = payloads[i]!;
    if (i > 0) {
      json += ",";
      if (out) at += out.write(",", at, "latin1");
    }
    if (p.transport === "link") {
      wire.push(p.payload);
      json += p.json;
      if (out) at += out.write(p.json, at, "utf8");
      continue;
    }
    const data = encodeBase64(p.bytes);
    const f = p.fields;
    wire.push({
      id: f.id,
      dataname: f.dataname,
      payload_type: f.payload_type,
      transport: f.transport,
      encoding: f.encoding,
      size: f.size,
      data,
      metadata: f.metadata,
    });
    json += p.head + data + p.tail;
    if (out) {
      at += out.write(p.head, at, "utf8");
      at += out.write(data, at, "latin1");
      at += out.write(p.tail, at, "utf8");
    }
  }
  json += "]}";
  if (out) at += out.write("]}", at, "latin1");
  // A plain Uint8Array, not the Buffer: callers compare and copy it as one.
  const bytes = out ? new Uint8Array(out.buffer, out.byteOffset, at) : encodeUtf8(json);
  // The drafts' sizes and the text disagree: a bug here, never bad input.
  if (bytes.byteLength !== size) throw new Error(`envelope writer: wrote ${bytes.byteLength} bytes, expected ${size}`);
  return { envelope: { ...envelope.header, payloads: wire }, json, bytes };
}

/**
 * A direct payload's metadata as JSON. What smartsend puts there, nothing or
 * a sha256, is written directly; anything else goes through JSON.stringify.
 */
function metadataJson(metadata: JsonObject, given: JsonObject | undefined, size: number, dataname: string): string {
  if (given === undefined) return `{"payload_bytes":${size}}`;
  const keys = Object.keys(given);
  const sha256 = given.sha256;
  if (keys.length === 1 && keys[0] === "sha256" && typeof sha256 === "string" && isPlain(sha256))
    return `{"payload_bytes":${size},"sha256":"${sha256}"}`;
  return objectJson(metadata, `payload '${dataname}' metadata`);
}

/** A payload's JSON from `{` through `size`. */
function payloadHead(p: { id: string; dataname: string; payload_type: string; transport: string; encoding: string; size: number }): string {
  return `{"id":${quote(p.id)},"dataname":${quote(p.dataname)},"payload_type":${quote(p.payload_type)},"transport":"${p.transport}","encoding":"${p.encoding}","size":${p.size}`;
}
