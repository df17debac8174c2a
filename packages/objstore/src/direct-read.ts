// Reading an object with JetStream Direct Get: its meta message (the last one
// on its meta subject), then its chunks one by one (the next message on its
// chunk subject after the previous chunk). Any replica of the bucket's stream
// answers a Direct Get, so reads go on while the stream elects a new leader
// and need no consumer: a read through an ordered consumer asks the meta
// leader for a consumer, then its node for the chunks, and measured on a
// 3-node cluster with the bucket's leader killed it stalled (5 s and more)
// where Direct Get kept answering in milliseconds (docs/deployment.md).
//
// A replica can lag the leader by the last few writes: an object written a
// moment ago may not be on the replica that answers yet. A "not found" from a
// replica is therefore asked again of the leader (Message Get), which has
// every acknowledged write.

import { ChecksumMismatchError } from "@natsbridge/envelope";
import { type BucketHandles, chunkSubject, metaSubject, type ObjectMeta } from "./bucket.js";
import { createObjectHasher, DIGEST_PREFIX } from "./digest.js";

interface StoredMessage {
  seq: number;
  data: Uint8Array;
}

/** The object's meta message, or undefined when the bucket holds no object of that name. */
export async function readMeta(h: BucketHandles, name: string): Promise<ObjectMeta | undefined> {
  const found = await getMessage(h, { last_by_subj: metaSubject(h.bucket, name) });
  return found ? (JSON.parse(new TextDecoder().decode(found.data)) as ObjectMeta) : undefined;
}

export interface ChunkRead {
  /** Bytes to skip from the start of the object (their chunks are still fetched: the digest covers them). */
  offset: number;
  signal?: AbortSignal;
  /** Called when the read is aborted, for the store's own error. */
  aborted(): Error;
}

/**
 * The object's bytes from `offset`, chunk by chunk, one chunk held at a time.
 * The last chunk is handed out only once the whole object matched the size
 * and SHA-256 digest its meta message records: a mismatch is
 * CHECKSUM_MISMATCH. A chunk missing (deleted meanwhile, or no replica and no
 * leader had it) ends the read with a plain Error the receiver retries.
 */
export async function* readChunks(h: BucketHandles, meta: ObjectMeta, read: ChunkRead): AsyncGenerator<Uint8Array> {
  if (meta.chunks === 0 || read.offset >= meta.size) return;
  const subject = chunkSubject(h.bucket, meta.nuid);
  const hash = await createObjectHasher();
  let skip = read.offset;
  let bytes = 0;
  // Chunks are stored in order, so each one is the next message on the subject after the one before.
  let from = 1;
  for (let chunk = 0; chunk < meta.chunks; chunk++) {
    if (read.signal?.aborted) throw read.aborted();
    const found = await getMessage(h, { seq: from, next_by_subj: subject });
    if (read.signal?.aborted) throw read.aborted();
    if (!found)
      throw new Error(`object read stopped after ${bytes} of ${meta.size} bytes (chunk ${chunk + 1} of ${meta.chunks} not found)`);
    from = found.seq + 1;
    const data = found.data;
    bytes += data.byteLength;
    hash.update(data);
    if (chunk === meta.chunks - 1) checkWhole(meta, bytes, hash.digest());
    if (skip >= data.byteLength) {
      skip -= data.byteLength;
      continue;
    }
    yield skip > 0 ? data.subarray(skip) : data;
    skip = 0;
  }
}

function checkWhole(meta: ObjectMeta, bytes: number, got: string): void {
  // A plain Error: the chunk count and the size disagree, the read is tried again.
  if (bytes !== meta.size) throw new Error(`object read ${bytes} bytes in ${meta.chunks} chunks, its meta says ${meta.size}`);
  if (!meta.digest?.startsWith(DIGEST_PREFIX)) return;
  if (got !== meta.digest) {
    throw new ChecksumMismatchError(`object ${JSON.stringify(meta.name)} in bucket ${meta.bucket} does not match its digest`, {
      details: { bucket: meta.bucket, name: meta.name, expected: meta.digest, actual: got },
    });
  }
}

type Query = { last_by_subj: string } | { seq: number; next_by_subj: string };

/** One message by Direct Get from any replica; a replica's "not found" asked again of the stream's leader. */
async function getMessage(h: BucketHandles, query: Query): Promise<StoredMessage | undefined> {
  const direct = await h.jsm.direct.getMessage(h.stream, query);
  if (direct) return { seq: direct.seq, data: direct.data };
  // Message Get answers next_by_subj as Direct Get does (nats-server 2.9+); the client's type lists only seq and last_by_subj.
  const leader = await h.jsm.streams.getMessage(h.stream, query as { last_by_subj: string });
  return leader ? { seq: leader.seq, data: leader.data } : undefined;
}
