// Purging what a failed write left in the bucket's stream: the chunks it
// published (and its meta message, if it got that far) would otherwise stay
// as an orphan no link points to.
//
// The failure that cuts a write is often the one that stops the purge too: a
// killed node takes the stream's leader (and maybe the writer's connection)
// with it, and until the stream has a new leader every purge request times
// out. @nats-io/obj tries its purge once and gives up; here it is tried again
// until it succeeds, within CLEANUP_TIMEOUT_MS. A publish whose reply was lost
// may still land after the purge (it was on its way, or waited in the
// client's buffer for the reconnection), so success means the subjects are
// seen empty after a purge, not that a purge returned.

import type { BucketHandles } from "./bucket.js";

/** How long a failed write may spend removing what it left; past it the write fails saying what may remain. */
export const CLEANUP_TIMEOUT_MS = 30_000;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 2_000;

export class CleanupTimeoutError extends Error {
  override readonly name = "CleanupTimeoutError";
}

/** Purge `subjects` from the bucket's stream until none holds a message; rejects after `timeoutMs` with the last reason. */
export async function removeLeftovers(h: BucketHandles, subjects: readonly string[], timeoutMs = CLEANUP_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let attempt = 0; ; attempt++) {
    if (h.nc.isClosed())
      throw new CleanupTimeoutError(`connection closed before ${subjects.join(", ")} could be purged`, { cause: lastError });
    try {
      await withDeadline(purgeAndCheck(h, subjects), deadline);
      return;
    } catch (error) {
      lastError = error;
    }
    const wait = Math.min(FIRST_RETRY_MS * 2 ** attempt, MAX_RETRY_MS, deadline - Date.now());
    if (wait <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  throw new CleanupTimeoutError(
    `${subjects.join(", ")} not purged within ${timeoutMs} ms: ${String((lastError as Error)?.message ?? lastError)}`,
    {
      cause: lastError,
    },
  );
}

async function purgeAndCheck(h: BucketHandles, subjects: readonly string[]): Promise<void> {
  for (const filter of subjects) await h.jsm.streams.purge(h.stream, { filter });
  for (const subject of subjects) {
    // Asked of the leader: a replica could still show what the purge removed.
    const left = await h.jsm.streams.getMessage(h.stream, { last_by_subj: subject });
    if (left) throw new Error(`${subject} still holds message ${left.seq} after the purge`);
  }
}

/** The promise, or a rejection at `deadline` (the request underneath ends by its own timeout). */
function withDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("out of time")), Math.max(0, deadline - Date.now()));
  });
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
