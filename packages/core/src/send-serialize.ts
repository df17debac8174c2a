// Send step 1: each [dataname, data, payload_type] tuple becomes the bytes of
// its payload (through the codec for its type) and, with checksums on, their
// SHA-256. Stream data (files, streams, Blobs) is not read here: it is
// streamed to the store later and measured on the way.

import { type CodecRegistry, encodeNow, errorInContext, InvalidDataError, isPromiseLike, uuid4 } from "@natsbridge/envelope";
import type { MessageLog } from "./logger.js";
import type { Platform } from "./platform/types.js";
import { describeStreamData, isStreamData, STREAMABLE_TYPES, type StreamData } from "./source.js";

export interface SerializedPayload {
  id: string;
  dataname: string;
  payloadType: string;
  /** The payload's bytes; empty for stream data. */
  bytes: Uint8Array;
  sha256: string | undefined;
  /** Stream data (binary family only): always sent by link, never buffered. */
  source?: StreamData;
  /** Stream data: its size when known before reading, and what it is ("file ./clip.mp4"). */
  sourceSize?: number | undefined;
  sourceDescription?: string;
}

export interface SerializeContext {
  registry: CodecRegistry;
  platform: Platform;
  checksum: boolean;
  correlationId: string;
  log: MessageLog;
}

/**
 * The payloads, serialized in order. Refuses what is not a list of
 * [dataname, data, payload_type] tuples, and a dataname used twice: receivers
 * that look payloads up by name (as the Python reference's users turn the
 * list into a dict) would see only one of them. An empty list is a message
 * with no payloads, which is allowed (an acknowledgement, a signal carried by
 * the envelope's fields and metadata).
 */
export function serializePayloads(payloads: unknown, ctx: SerializeContext): SerializedPayload[] | Promise<SerializedPayload[]> {
  const { correlationId } = ctx;
  if (!Array.isArray(payloads)) {
    throw new InvalidDataError("payloads must be an array of [dataname, data, payload_type] tuples", { correlationId });
  }
  const items: SerializedPayload[] = [];
  const names = new Set<string>();
  for (let i = 0; i < payloads.length; i++) {
    const item = serializeOne(payloads[i], i, names, ctx);
    // From the first step that must wait, the rest goes on asynchronously.
    if (isPromiseLike(item)) return finish(item, items, payloads, i, names, ctx);
    items.push(item);
  }
  return items;
}

async function finish(
  pending: PromiseLike<SerializedPayload>,
  items: SerializedPayload[],
  payloads: unknown[],
  at: number,
  names: Set<string>,
  ctx: SerializeContext,
): Promise<SerializedPayload[]> {
  items.push(await pending);
  for (let i = at + 1; i < payloads.length; i++) items.push(await serializeOne(payloads[i], i, names, ctx));
  return items;
}

function serializeOne(
  tuple: unknown,
  i: number,
  names: Set<string>,
  ctx: SerializeContext,
): SerializedPayload | Promise<SerializedPayload> {
  const { correlationId, log } = ctx;
  if (!Array.isArray(tuple) || tuple.length !== 3 || typeof tuple[0] !== "string" || typeof tuple[2] !== "string") {
    throw new InvalidDataError(`payloads[${i}] must be a [dataname, data, payload_type] tuple`, { correlationId });
  }
  const [dataname, data, payloadType] = tuple as [string, unknown, string];
  if (names.has(dataname)) {
    throw new InvalidDataError(`payloads[${i}]: dataname '${dataname}' is used twice; each payload of a message needs its own name`, {
      correlationId,
      dataname,
    });
  }
  names.add(dataname);
  if (STREAMABLE_TYPES.has(payloadType) && isStreamData(data)) return streamItem(dataname, payloadType, data, ctx);
  const id = uuid4();
  const item = (bytes: Uint8Array): SerializedPayload | Promise<SerializedPayload> => {
    log.debug?.({ dataname, payload_type: payloadType, size: bytes.byteLength }, "smartsend: serialized payload");
    if (!ctx.checksum) return { id, dataname, payloadType, bytes, sha256: undefined };
    const sha256 = ctx.platform.sha256(bytes);
    return isPromiseLike(sha256)
      ? Promise.resolve(sha256).then((hex) => ({ id, dataname, payloadType, bytes, sha256: hex }))
      : { id, dataname, payloadType, bytes, sha256 };
  };
  const bytes = encodeNow(ctx.registry, data, { dataname, payloadType, correlationId });
  return isPromiseLike(bytes) ? Promise.resolve(bytes).then(item) : item(bytes);
}

/**
 * Stream data is streamed to the store later, its size and sha256 measured on
 * the way. A missing file is reported now, before a transport is chosen or
 * anything uploaded.
 */
async function streamItem(dataname: string, payloadType: string, data: StreamData, ctx: SerializeContext): Promise<SerializedPayload> {
  const { size, description } = await describeStreamData(data).catch((error: unknown) => {
    throw errorInContext(error, { correlationId: ctx.correlationId, dataname });
  });
  ctx.log.debug?.({ dataname, payload_type: payloadType, size, source: description }, "smartsend: stream payload");
  return {
    id: uuid4(),
    dataname,
    payloadType,
    bytes: new Uint8Array(0),
    sha256: undefined,
    source: data,
    sourceSize: size,
    sourceDescription: description,
  };
}
