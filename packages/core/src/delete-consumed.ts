// Delete-after-consume's loop, the same for every store (see lifecycle.ts,
// which loads this module on first use).

import { DeleteFailedError, isNatsBridgeError, type NatsBridgeError, type ReceivedEnvelope } from "@natsbridge/envelope";
import { type ClaimCheckStore, type ConnectionProvider, ownsUrl } from "./store.js";

export interface DeleteConsumedResult {
  /** Link URLs of this store that were deleted. */
  deleted: string[];
  /** Link URLs the store does not own (or cannot delete), left alone. */
  skipped: string[];
  /** Deletions that failed, each with its typed error: DELETE_FAILED, or ABORTED. */
  failed: { url: string; error: NatsBridgeError }[];
}

export interface DeleteConsumedOptions {
  signal?: AbortSignal;
  /** The bridge's connection, for stores that live in NATS (the bridge passes its own). */
  connection?: ConnectionProvider;
}

/** deleteConsumed (lifecycle.ts): the loop over the envelope's link payloads. */
export async function deleteOwnedLinks(
  store: ClaimCheckStore,
  envelope: Pick<ReceivedEnvelope, "payloadInfo"> & { correlation_id?: string },
  options: DeleteConsumedOptions = {},
): Promise<DeleteConsumedResult> {
  const result: DeleteConsumedResult = { deleted: [], skipped: [], failed: [] };
  for (const p of envelope.payloadInfo) {
    if (p.transport !== "link" || typeof p.data !== "string") continue;
    const url = p.data;
    if (!store.delete || !ownsUrl(store, url)) {
      result.skipped.push(url);
      continue;
    }
    try {
      await store.delete(url, options);
      result.deleted.push(url);
    } catch (error) {
      result.failed.push({ url, error: deleteError(error, store, envelope.correlation_id) });
    }
  }
  return result;
}

/** The store's typed error as it is (DELETE_FAILED, ABORTED); anything else wrapped, so callers see one code. */
function deleteError(error: unknown, store: ClaimCheckStore, correlationId: string | undefined): NatsBridgeError {
  if (isNatsBridgeError(error)) return error.withContext({ correlationId });
  // The URL is in the result next to the error; it stays out of the message (it may carry a credential).
  return new DeleteFailedError(`${store.name} store: could not delete a blob: ${String((error as Error)?.message ?? error)}`, {
    cause: error,
    correlationId,
  });
}
