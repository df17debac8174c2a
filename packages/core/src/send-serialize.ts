// Send step 1: each [dataname, data, payload_type] tuple becomes the bytes of
// its payload (through the codec for its type) and, with checksums on, their
// SHA-256. Stream data (files, streams, Blobs) is not read here: it is
// streamed to the store later and measured on the way.

import { encodeValue, InvalidDataError, uuid4, type CodecRegistry, type PayloadType } from "@natsbridge/envelope";
import type { MessageLog } from "./logger.js";
import type { Platform } from "./platform/types.js";
import { isStreamData, STREAMABLE_TYPES, type StreamData } from "./source.js";

export interface SerializedPayload {
  id: string;
  dataname: string;
  payloadType: PayloadType;
  /** The payload's bytes; empty for stream data. */
  bytes: Uint8Array;
  sha256: string | undefined;
  /** Stream data (binary family only): always sent by link, never buffered. */
  source?: StreamData;
}

export interface SerializeContext {
  registry: CodecRegistry;
  platform: Platform;
  checksum: boolean;
  correlationId: string;
  log: MessageLog;
}

/** The payloads, serialized in order. Refuses what is not a list of [dataname, data, payload_type] tuples. */
export async function serializePayloads(payloads: unknown, ctx: SerializeContext): Promise<SerializedPayload[]> {
  const { correlationId, log } = ctx;
  if (!Array.isArray(payloads)) {
    throw new InvalidDataError("payloads must be an array of [dataname, data, payload_type] tuples", { correlationId });
  }
  const items: SerializedPayload[] = [];
  for (let i = 0; i < payloads.length; i++) {
    const tuple: unknown = payloads[i];
    if (!Array.isArray(tuple) || tuple.length !== 3 || typeof tuple[0] !== "string" || typeof tuple[2] !== "string") {
      throw new InvalidDataError(`payloads[${i}] must be a [dataname, data, payload_type] tuple`, { correlationId });
    }
    const [dataname, data, payloadType] = tuple as [string, unknown, PayloadType];
    if (STREAMABLE_TYPES.has(payloadType) && isStreamData(data)) {
      // Streamed to the store later; its size and sha256 are measured on the way.
      log.debug?.({ dataname, payload_type: payloadType }, "smartsend: stream payload");
      items.push({ id: uuid4(), dataname, payloadType, bytes: new Uint8Array(0), sha256: undefined, source: data });
      continue;
    }
    const bytes = await encodeValue(ctx.registry, data, { dataname, payloadType, correlationId });
    const sha256 = ctx.checksum ? await ctx.platform.sha256(bytes) : undefined;
    log.debug?.({ dataname, payload_type: payloadType, size: bytes.byteLength }, "smartsend: serialized payload");
    items.push({ id: uuid4(), dataname, payloadType, bytes, sha256 });
  }
  return items;
}
