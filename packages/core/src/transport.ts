// Direct or link, for each payload. The references decide on size alone
// (`size < threshold` → direct). We keep that rule and add the one they miss:
// the finished envelope must fit the server's max_payload, because NATS
// refuses anything larger. When it would not fit, the largest direct payloads
// move to link; with no store to link to, the send fails before publishing.

import { base64Length, PayloadTooLargeError, type Transport } from "@natsbridge/envelope";

export interface TransportCandidate {
  dataname: string;
  /** Serialized payload size in bytes. */
  size: number;
  /** JSON bytes the payload adds to the envelope besides its base64 data. */
  overhead: number;
  /** Must go by link whatever its size (stream data, which is never buffered). */
  mustLink?: boolean;
}

export interface TransportPolicy {
  sizeThreshold: number;
  /** The server's max_payload (bytes of the whole envelope). */
  maxPayload: number;
  /** JSON bytes of the envelope without any payload. */
  envelopeOverhead: number;
  /** A store (or upload handler) is configured. */
  canLink: boolean;
  alwaysLink?: boolean;
  correlationId?: string;
}

/** Room kept for a link payload's URL and metadata when estimating envelope size. */
export const LINK_PAYLOAD_ESTIMATE = 2048;

export function selectTransport(candidates: readonly TransportCandidate[], policy: TransportPolicy): Transport[] {
  const plan: Transport[] = candidates.map((c) => (c.mustLink || policy.alwaysLink || c.size >= policy.sizeThreshold ? "link" : "direct"));
  const cost = (i: number): number =>
    plan[i] === "direct" ? candidates[i]!.overhead + base64Length(candidates[i]!.size) : LINK_PAYLOAD_ESTIMATE;

  let total = policy.envelopeOverhead + candidates.reduce((sum, _, i) => sum + cost(i) + 1, 0);
  if (total > policy.maxPayload) {
    // Move the largest direct payloads first: fewest uploads for the most room.
    const order = candidates
      .map((_c, i) => i)
      .filter((i) => plan[i] === "direct")
      .sort((a, b) => candidates[b]!.size - candidates[a]!.size);
    for (const i of order) {
      if (total <= policy.maxPayload) break;
      const before = cost(i);
      plan[i] = "link";
      total += cost(i) - before;
    }
  }

  const needLink = plan.some((t) => t === "link");
  if (needLink && !policy.canLink) {
    const linked = candidates.filter((_, i) => plan[i] === "link").map((c) => `'${c.dataname}' (${c.size} bytes)`);
    throw new PayloadTooLargeError(
      `payloads ${linked.join(", ")} must go by link (size threshold ${policy.sizeThreshold} bytes, ` +
        `server max_payload ${policy.maxPayload} bytes) but no claim-check store is configured; pass \`store\` ` +
        `(e.g. plikStore() from @natsbridge/plik) or raise sizeThreshold. Nothing was published.`,
      { correlationId: policy.correlationId, details: { payloads: linked, maxPayload: policy.maxPayload } },
    );
  }
  if (total > policy.maxPayload) {
    throw new PayloadTooLargeError(
      `envelope would be about ${total} bytes, over the server's max_payload of ${policy.maxPayload}, even with every payload by link. Nothing was published.`,
      { correlationId: policy.correlationId, details: { estimatedBytes: total, maxPayload: policy.maxPayload } },
    );
  }
  return plan;
}
