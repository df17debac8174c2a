// Send step 2: direct or link, for each payload. The references decide on size
// alone (`size < threshold` → direct). We keep that rule and add the one they
// miss: the finished envelope must fit the server's max_payload, because NATS
// refuses anything larger. When it would not fit, the largest direct payloads
// move to link; with no store to link to, the send fails before publishing.
//
// Sizes are exact, from @natsbridge/envelope's drafts: a direct payload's JSON
// bytes, base64 included, and the envelope's own fields. A link payload's URL
// is only known after its upload, so before it a link counts as its JSON
// without the URL and the store's metadata; the sender checks the exact total
// again once the links are known (send.ts).

import { type NatsBridgeError, PayloadTooLargeError, type Transport } from "@natsbridge/envelope";

export interface TransportCandidate {
  dataname: string;
  /** Serialized payload size in bytes. */
  size: number;
  /** Exact JSON bytes of the payload as a direct payload (base64 data included). */
  directBytes: number;
  /** JSON bytes of the payload as a link payload, without its URL and store metadata. */
  linkBytes(): number;
  /** Must go by link whatever its size (stream data, which is never buffered). */
  mustLink?: boolean;
  /** What the payload is, for errors: stream data says what it streams from ("file ./clip.mp4"). */
  description?: string | undefined;
}

export interface TransportPolicy {
  sizeThreshold: number;
  /** The server's max_payload (bytes of the whole envelope). */
  maxPayload: number;
  /** Exact JSON bytes of the envelope without any payload. */
  envelopeBytes: number;
  /** A store (or upload handler) is configured. */
  canLink: boolean;
  alwaysLink?: boolean | undefined;
  correlationId?: string | undefined;
}

export function selectTransport(candidates: readonly TransportCandidate[], policy: TransportPolicy): Transport[] {
  const plan: Transport[] = candidates.map((c) => (c.mustLink || policy.alwaysLink || c.size >= policy.sizeThreshold ? "link" : "direct"));
  const cost = (i: number): number => (plan[i] === "direct" ? candidates[i]!.directBytes : candidates[i]!.linkBytes());

  // The payloads, and a comma between each two.
  let total = policy.envelopeBytes + Math.max(0, candidates.length - 1);
  for (let i = 0; i < candidates.length; i++) total += cost(i);
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

  if (!policy.canLink && plan.includes("link")) throw noStore(candidates, plan, policy);
  if (total > policy.maxPayload) {
    throw new PayloadTooLargeError(
      `envelope would be at least ${total} bytes, over the server's max_payload of ${policy.maxPayload}, even with every payload by link. Nothing was published.`,
      { correlationId: policy.correlationId, details: { bytes: total, maxPayload: policy.maxPayload } },
    );
  }
  return plan;
}

/**
 * Some payload must go by link and there is no store: say which, and why
 * each one must (stream data always goes by link; bytes by size), so that
 * the advice fits: a store, or a higher threshold only where it could help.
 */
function noStore(candidates: readonly TransportCandidate[], plan: Transport[], policy: TransportPolicy): NatsBridgeError {
  const linked = candidates.filter((_, i) => plan[i] === "link");
  const described = linked.map((c) =>
    c.mustLink
      ? `'${c.dataname}' (${c.description ?? "stream data"}${c.size > 0 ? `, ${c.size} bytes` : ""}: stream data always goes by link)`
      : `'${c.dataname}' (${c.size} bytes)`,
  );
  const bySize = linked.some((c) => !c.mustLink);
  const why = bySize ? ` (size threshold ${policy.sizeThreshold} bytes, server max_payload ${policy.maxPayload} bytes)` : "";
  const advice = `pass \`store\` (e.g. plikStore() from @natsbridge/plik)${bySize && !policy.alwaysLink ? " or raise sizeThreshold" : ""}`;
  return new PayloadTooLargeError(
    `${described.length === 1 ? "payload" : "payloads"} ${described.join(", ")} must go by link${why} but no claim-check store is configured; ${advice}. Nothing was published.`,
    {
      correlationId: policy.correlationId,
      details: {
        payloads: linked.map((c) => c.dataname),
        maxPayload: policy.maxPayload,
        needsStore: true,
        streamed: linked.filter((c) => c.mustLink).map((c) => c.dataname),
      },
    },
  );
}
