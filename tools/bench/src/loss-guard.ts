// Keeps a benchmark round from hanging when messages are lost, and keeps the
// round from provoking the loss in the first place.
//
// Core NATS is at-most-once: when a receiver's connection falls more than
// `max_pending` (64 MiB) behind, nats-server closes it as a slow consumer and
// drops what it held. A round that then waits for the receiver to process
// every message sent waits forever. LossGuard waits with a stall deadline
// instead: if the receiver makes no progress for `stallMs` while messages are
// outstanding, the round stops with MessagesLostError naming the path, the
// size, sent vs processed, and the server's own slow-consumer record.
//
// Why a round at 500 KB got there with at most 64 envelopes (43 MB) in flight:
// nats-server subtracts written bytes from a connection's pending count only
// when a whole write batch (up to 64 MB) is out. While a slow reader drains a
// large batch, bytes it already read and processed still count as pending,
// and new messages queue on top: pending reaches up to twice what is in
// flight. 64 × 667 KB natsbridge envelopes = 43 MB in flight → up to 85 MB
// pending, over the limit; raw NATS at 500 KB stayed under it (2 × 32 MB).
// So the window is a byte budget well under half of max_pending.
// Details and figures: docs/reliability.md ("Slow consumers").

import { freePort, type NatsServer, startNatsServer } from "@natsbridge/test-harness";

/**
 * Bytes a round keeps in flight at most: under half of nats-server's default
 * max_pending (64 MiB), with room to spare. BENCH_IN_FLIGHT_MIB=64 brings back
 * the old 64-message window at 500 KB, and with it the slow-consumer losses.
 */
export const IN_FLIGHT_BUDGET_BYTES = Number(process.env.BENCH_IN_FLIGHT_MIB ?? 24) * 1024 * 1024;
/** No progress for this long while messages are outstanding means they were lost. */
export const DEFAULT_STALL_MS = Number(process.env.BENCH_STALL_SECONDS ?? 15) * 1000;

/** How many messages of `messageBytes` (as sent on the wire) a round may keep in flight. */
export function inFlightWindow(messageBytes: number, maxMessages = 64): number {
  return Math.max(1, Math.min(maxMessages, Math.floor(IN_FLIGHT_BUDGET_BYTES / Math.max(1, messageBytes))));
}

export interface LossFacts {
  /** What the round measured, e.g. "natsbridge 500 KB, round 2". */
  round: string;
  sent: number;
  processed: number;
  stallMs: number;
  /** What nats-server recorded about slow consumers, when it has a monitoring port. */
  serverEvidence: string | undefined;
}

export class MessagesLostError extends Error {
  override name = "MessagesLostError";
  constructor(readonly facts: LossFacts) {
    const lost = facts.sent - facts.processed;
    super(
      `${facts.round}: the receiver processed ${facts.processed} of ${facts.sent} messages sent and nothing more for ${facts.stallMs / 1000} s: ` +
        `${lost} message(s) lost. ` +
        (facts.serverEvidence
          ? `nats-server: ${facts.serverEvidence}`
          : "nats-server recorded no slow consumer (or has no monitoring port to ask)."),
    );
  }
}

export interface LossGuardOptions {
  stallMs?: number;
  /** The server's slow-consumer record, asked for when the round stalls. */
  evidence?: () => Promise<string | undefined>;
  /** Called before MessagesLostError is thrown (stop servers and threads, so the process can exit). */
  onLoss?: () => Promise<void>;
}

/**
 * Per-round accounting: `sent` is what the sender published, `processed` what
 * the receiver thread counted into the shared counter.
 */
export class LossGuard {
  sent = 0;
  readonly #counter: Int32Array;
  readonly #round: string;
  readonly #options: LossGuardOptions;

  constructor(counter: Int32Array, round: string, options: LossGuardOptions = {}) {
    this.#counter = counter;
    this.#round = round;
    this.#options = options;
  }

  get processed(): number {
    return Atomics.load(this.#counter, 0);
  }

  /**
   * Waits until fewer than `limit` sent messages are unprocessed (1: all of
   * them). Throws MessagesLostError when the receiver makes no progress for
   * `stallMs`; a slow receiver that keeps counting is waited for.
   */
  async waitBelow(limit: number): Promise<void> {
    const stallMs = this.#options.stallMs ?? DEFAULT_STALL_MS;
    let seen = this.processed;
    let lastProgress = performance.now();
    for (;;) {
      const now = this.processed;
      if (this.sent - now < limit) return;
      if (now !== seen) {
        seen = now;
        lastProgress = performance.now();
      }
      const left = lastProgress + stallMs - performance.now();
      if (left <= 0) {
        const facts: LossFacts = {
          round: this.#round,
          sent: this.sent,
          processed: now,
          stallMs,
          serverEvidence: await this.#options.evidence?.().catch(() => undefined),
        };
        await this.#options.onLoss?.().catch(() => undefined);
        throw new MessagesLostError(facts);
      }
      const w = Atomics.waitAsync(this.#counter, 0, now, Math.min(left, 1000));
      if (w.async) await w.value;
    }
  }
}

export interface MonitoredNatsServer extends NatsServer {
  /** nats-server's HTTP monitoring endpoint. */
  monitorUrl: string;
  /** The server's closed connections whose reason is a slow consumer, in words; undefined if none. */
  slowConsumerEvidence(): Promise<string | undefined>;
}

/** A nats-server for the bench with its monitoring port open, so a lost round can say what the server saw. */
export async function startMonitoredNatsServer(extraConfig = ""): Promise<MonitoredNatsServer> {
  const port = await freePort();
  const server = await startNatsServer({ extraConfig: `http: "127.0.0.1:${port}"\n${extraConfig}` });
  const monitorUrl = `http://127.0.0.1:${port}`;
  return {
    ...server,
    monitorUrl,
    async slowConsumerEvidence() {
      const res = await fetch(`${monitorUrl}/connz?state=closed&limit=1024`);
      const body = (await res.json()) as {
        connections?: { cid: number; name?: string; reason?: string; out_msgs?: number; stop?: string }[];
      };
      const slow = (body.connections ?? []).filter((c) => /slow consumer/i.test(c.reason ?? ""));
      if (slow.length === 0) return undefined;
      return slow
        .map(
          (c) =>
            `closed cid ${c.cid}${c.name ? ` (${c.name})` : ""} as "${c.reason}" after delivering ${c.out_msgs ?? "?"} messages to it, at ${c.stop ?? "?"}`,
        )
        .join("; ");
    },
  };
}
