// Delete-after-consume: removing a received message's link blobs from the
// store that holds them. Opt-in and off by default, because a blob is shared
// by every receiver of the message: with fan-out (several subscribers, or
// several JetStream consumers on one stream) the first receiver to delete it
// breaks the others. Use it when each message has exactly one reader (a queue
// group, a work-queue stream); otherwise rely on expiry (Plik TTL, an S3
// lifecycle rule on the key prefix). See docs/reliability.md.

import type { ReceivedEnvelope } from "@natsbridge/envelope";
import type { ClaimCheckStore } from "./store.js";

export interface DeleteConsumedResult {
  /** Link URLs of this store that were deleted. */
  deleted: string[];
  /** Link URLs that are not this store's (other origins), left alone. */
  skipped: string[];
  /** Deletions that failed, with their error (DELETE_FAILED from the built-in stores). */
  failed: { url: string; error: unknown }[];
}

/** A store that knows its own URLs better than their origin does (e.g. S3 with s3:// links). */
interface DeletesConsumed {
  deleteConsumed(envelope: Pick<ReceivedEnvelope, "payloadInfo">): Promise<DeleteConsumedResult>;
}

/**
 * Delete the link blobs of a received envelope that live in `store` (their
 * URL's origin is one of `store.origins`). Never throws for one blob: failures
 * are reported in the result, since the message itself was processed. A URL on
 * another origin is never deleted, so a sender cannot make receivers delete
 * arbitrary files.
 */
export async function deleteConsumed(
  store: ClaimCheckStore,
  envelope: Pick<ReceivedEnvelope, "payloadInfo">,
): Promise<DeleteConsumedResult> {
  const own = store as ClaimCheckStore & Partial<DeletesConsumed>;
  if (typeof own.deleteConsumed === "function") return own.deleteConsumed(envelope);
  const result: DeleteConsumedResult = { deleted: [], skipped: [], failed: [] };
  const origins = new Set((store.origins ?? []).map(originOf).filter(Boolean));
  for (const p of envelope.payloadInfo) {
    if (p.transport !== "link" || typeof p.data !== "string") continue;
    const url = p.data;
    if (!store.delete || !origins.has(originOf(url))) {
      result.skipped.push(url);
      continue;
    }
    try {
      await store.delete(url);
      result.deleted.push(url);
    } catch (error) {
      result.failed.push({ url, error });
    }
  }
  return result;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "";
  }
}
