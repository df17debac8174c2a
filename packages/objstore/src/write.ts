// Writing one object into the bucket as every NATS client lays it out: its
// bytes as chunk messages on `$O.<bucket>.C.<nuid>`, then one meta message on
// `$O.<bucket>.M.<name>` (rolling up any earlier one) that names the nuid and
// records size, chunk count and SHA-256 digest. Readers of any language read it.
//
// Written here rather than by @nats-io/obj's put because a put cut off (a node
// killed, a connection lost) must leave nothing behind, and only the writer
// knows the nuid its chunks went to: see `removeLeftovers`.

import { headers, nuid } from "@nats-io/nats-core";
import { type BucketHandles, chunkSubject, metaSubject, type ObjectMeta } from "./bucket.js";
import { createObjectHasher } from "./digest.js";
import { removeLeftovers } from "./leftovers.js";

export interface ObjectWrite {
  name: string;
  /** Bytes per chunk message (capped at the server's max_payload). */
  chunkSize: number;
  /** Shown by `nats object info`. */
  metadata: Record<string, string>;
  /** The object's bytes, in pieces of any size. */
  body: AsyncIterable<Uint8Array>;
  /** Called after each stored chunk with the bytes stored so far. */
  onStored?(bytes: number): void;
  signal?: AbortSignal;
}

/** What a failed write left in the stream, and whether it is gone now. */
export interface WriteFailure {
  /** Why the write failed. */
  cause: unknown;
  /** The subjects it wrote to, all purged again unless `cleanupError` says otherwise. */
  subjects: string[];
  /** Set when the purge of those subjects did not succeed in time: they may hold an orphan. */
  cleanupError?: unknown;
}

export class ObjectWriteError extends Error {
  override readonly name = "ObjectWriteError";
  constructor(readonly failure: WriteFailure) {
    super(String((failure.cause as Error)?.message ?? failure.cause), { cause: failure.cause });
  }
}

/**
 * Store one object; resolves with its meta once the meta message is
 * acknowledged. On failure nothing of it stays in the bucket (its chunks and
 * meta message are purged, waiting out a failover if needed) and the
 * rejection is an ObjectWriteError saying whether that purge succeeded.
 */
export async function writeObject(h: BucketHandles, write: ObjectWrite): Promise<ObjectMeta> {
  const id = nuid.next();
  const chunks = chunkSubject(h.bucket, id);
  const meta = metaSubject(h.bucket, write.name);
  const maxPayload = h.nc.info?.max_payload ?? write.chunkSize;
  const chunkSize = Math.min(write.chunkSize, maxPayload);
  const written: ObjectMeta & Record<string, unknown> = {
    name: write.name,
    description: "",
    options: { max_chunk_size: chunkSize },
    metadata: write.metadata,
    bucket: h.bucket,
    nuid: id,
    size: 0,
    chunks: 0,
  };
  // The meta subject is named after the object, which is this write's alone
  // (the store's names start with a fresh payload id): purging it removes
  // nothing another write put there.
  const touched = [chunks];
  try {
    const hash = await createObjectHasher();
    for await (const piece of rechunk(write.body, chunkSize)) {
      write.signal?.throwIfAborted();
      hash.update(piece);
      await h.js.publish(chunks, piece);
      written.chunks++;
      written.size += piece.byteLength;
      write.onStored?.(written.size);
    }
    write.signal?.throwIfAborted();
    written.mtime = new Date().toISOString();
    written.digest = hash.digest();
    written.deleted = false;
    // The newest meta message on the subject is the object: earlier ones are rolled up.
    const rollup = headers();
    rollup.set("Nats-Rollup", "sub");
    touched.push(meta);
    await h.js.publish(meta, JSON.stringify(written), { headers: rollup });
    return written;
  } catch (cause) {
    const failure: WriteFailure = { cause, subjects: touched };
    try {
      await removeLeftovers(h, touched);
    } catch (cleanupError) {
      failure.cleanupError = cleanupError;
    }
    throw new ObjectWriteError(failure);
  }
}

/** The body cut into pieces of exactly `size` bytes (the last one shorter), copied so that a caller's buffers can be reused. */
async function* rechunk(body: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const piece of body) {
    let at = 0;
    while (at < piece.byteLength) {
      const n = Math.min(size - filled, piece.byteLength - at);
      buffer.set(piece.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}
