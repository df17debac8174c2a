// One link payload into the store: bytes already in memory, or stream data
// read chunk by chunk (its size and SHA-256 measured on the way). Every
// failure becomes UPLOAD_FAILED (or ABORTED) naming the payload and message.

import { AbortedError, NatsBridgeError, SizeMismatchError, UploadFailedError } from "@natsbridge/envelope";
import type { Platform } from "./platform/types.js";
import { MeasuredStream, openStreamData, type StreamData } from "./source.js";
import type { ClaimCheckPutRequest, ClaimCheckPutResult, ClaimCheckStore, ConnectionProvider } from "./store.js";

export interface LinkItem {
  id: string;
  dataname: string;
  payloadType: string;
  /** The serialized payload, or... */
  bytes?: Uint8Array;
  /** ...data to stream (image/audio/video/binary only). */
  source?: StreamData;
  sha256?: string | undefined;
}

export interface PutContext {
  correlationId: string;
  msgId: string;
  checksum: boolean;
  signal?: AbortSignal | undefined;
  onProgress?: ((sentBytes: number, totalBytes: number | undefined) => void) | undefined;
  /** The sending bridge's connection, for stores that write through NATS. */
  connection?: ConnectionProvider | undefined;
}

export interface PutOutcome {
  result: ClaimCheckPutResult;
  size: number;
  sha256: string | undefined;
}

export async function putLinkPayload(store: ClaimCheckStore, platform: Platform, it: LinkItem, ctx: PutContext): Promise<PutOutcome> {
  const where = { correlationId: ctx.correlationId, dataname: it.dataname };
  const base: Omit<ClaimCheckPutRequest, "body"> = {
    dataname: it.dataname,
    payloadType: it.payloadType,
    correlationId: ctx.correlationId,
    msgId: ctx.msgId,
    payloadId: it.id,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
    ...(ctx.connection ? { connection: ctx.connection } : {}),
  };
  try {
    if (it.bytes) {
      const result = checkResult(
        await store.put({ ...base, body: it.bytes, size: it.bytes.byteLength, ...(it.sha256 ? { sha256: it.sha256 } : {}) }),
        store,
        where,
      );
      return { result, size: it.bytes.byteLength, sha256: it.sha256 };
    }
    const opened = await openStreamData(it.source!, ctx.signal);
    const measured = new MeasuredStream(opened.chunks, platform, ctx.checksum, opened.size);
    let result: ClaimCheckPutResult;
    try {
      result = checkResult(
        await store.put({ ...base, body: measured, ...(opened.size !== undefined ? { size: opened.size } : {}) }),
        store,
        where,
      );
    } finally {
      await measured.close();
    }
    // The blob is stored from here on: any check that fails must remove it.
    let sha256: string | undefined;
    try {
      // A sized body may be read exactly to its length without the end being asked for.
      const complete = measured.finished || (opened.size !== undefined && measured.bytes === opened.size);
      if (!complete) {
        throw new UploadFailedError(`store '${store.name}' returned before reading the whole stream of '${it.dataname}'`, where);
      }
      if (opened.size !== undefined && measured.bytes !== opened.size) {
        throw new SizeMismatchError(
          `'${it.dataname}' streamed ${measured.bytes} bytes but its source announced ${opened.size} (did the file change while sending?)`,
          { ...where, details: { expected: opened.size, actual: measured.bytes } },
        );
      }
      sha256 = await measured.digest();
    } catch (error) {
      await store.delete?.(result.url, ctx.connection ? { connection: ctx.connection } : {}).catch(() => undefined);
      throw error;
    }
    return { result, size: measured.bytes, sha256 };
  } catch (cause) {
    if (cause instanceof NatsBridgeError && cause.code !== "INTERNAL_ERROR") throw cause.withContext(where);
    if (ctx.signal?.aborted) throw new AbortedError("upload aborted", { cause, ...where });
    throw new UploadFailedError(
      `upload of '${it.dataname}' to ${store.name} failed: ${String((cause as Error)?.message ?? cause)}. Nothing was published.`,
      { cause, ...where },
    );
  }
}

function checkResult(
  result: ClaimCheckPutResult | undefined,
  store: ClaimCheckStore,
  where: { correlationId: string; dataname: string },
): ClaimCheckPutResult {
  if (!result || typeof result.url !== "string" || result.url.length === 0) {
    throw new UploadFailedError(`store '${store.name}' returned no URL`, where);
  }
  return result;
}
