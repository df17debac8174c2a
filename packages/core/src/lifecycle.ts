// Delete-after-consume: removing a received message's link blobs from the
// store that holds them. Opt-in and off by default, because a blob is shared
// by every receiver of the message: with fan-out (several subscribers, or
// several JetStream consumers on one stream) the first receiver to delete it
// breaks the others. Use it when each message has exactly one reader (a queue
// group, a work-queue stream); otherwise rely on expiry (Plik TTL, an S3
// lifecycle rule on the key prefix, the object store bucket's TTL). See
// docs/reliability.md.
//
// One loop for every store (delete-consumed.ts, loaded on first use): a URL
// is deleted when the store `owns` it and has `delete`. Every failure comes
// back as DELETE_FAILED (or ABORTED).

import type { ReceivedEnvelope } from "@natsbridge/envelope";
import type { DeleteConsumedOptions, DeleteConsumedResult } from "./delete-consumed.js";
import type { ClaimCheckStore } from "./store.js";

export type { DeleteConsumedOptions, DeleteConsumedResult };

/**
 * Delete the link blobs of a received envelope that `store` owns. Never
 * throws for one blob: failures are reported in the result, since the message
 * itself was processed. A URL the store does not own is never deleted, so a
 * sender cannot make receivers delete arbitrary files.
 */
export async function deleteConsumed(
  store: ClaimCheckStore,
  envelope: Pick<ReceivedEnvelope, "payloadInfo"> & { correlation_id?: string },
  options: DeleteConsumedOptions = {},
): Promise<DeleteConsumedResult> {
  const { deleteOwnedLinks } = await import("./delete-consumed.js");
  return deleteOwnedLinks(store, envelope, options);
}
