// A steady numbered stream of core-NATS messages from one bridge to another,
// with the send and receive time of each, so a test can say which messages a
// failure cost and when they were sent.
import type { NatsBridge } from "@natsbridge/core";
import { sleep } from "./wait.js";

export interface Flow {
  readonly name: string;
  /** Send time of message i (ms since epoch). */
  readonly sentAt: number[];
  /** Receive count of message i. */
  readonly received: Map<number, number>;
  /** Messages received out of order (a lower number after a higher one). */
  outOfOrder: number;
  /** smartsend calls that threw. */
  sendErrors: number;
  stopSending(): Promise<void>;
  stopReceiving(): Promise<void>;
}

/**
 * Subscribe `to` on `subject`, then send from `from` one message every
 * `intervalMs` until stopSending(). Waits first until a probe crosses, so the
 * subscription's interest has reached the sender's node.
 */
export async function startFlow(name: string, from: NatsBridge, to: NatsBridge, subject: string, intervalMs: number): Promise<Flow> {
  const sub = await to.subscribe(subject);
  const received = new Map<number, number>();
  let probed = false;
  let last = -1;
  const flow: Flow = {
    name,
    sentAt: [],
    received,
    outOfOrder: 0,
    sendErrors: 0,
    stopSending: async () => {},
    stopReceiving: async () => {
      sub.unsubscribe();
      await reading;
    },
  };
  const reading = (async () => {
    for await (const env of sub) {
      const value = env.payloads[0]![1] as string;
      if (value === "probe") {
        probed = true;
        continue;
      }
      const i = Number(value);
      if (i < last) flow.outOfOrder++;
      last = Math.max(last, i);
      received.set(i, (received.get(i) ?? 0) + 1);
    }
  })();
  for (let attempt = 0; !probed; attempt++) {
    if (attempt > 100) throw new Error(`${name}: no probe crossed within 5 s`);
    await from.smartsend(subject, [["i", "probe", "text"]]);
    await sleep(50);
  }

  let sending = true;
  const sender = (async () => {
    for (let i = 0; sending; i++) {
      flow.sentAt.push(Date.now());
      try {
        await from.smartsend(subject, [["i", String(i), "text"]]);
      } catch {
        flow.sendErrors++;
      }
      await sleep(intervalMs);
    }
  })();
  flow.stopSending = async () => {
    sending = false;
    await sender;
  };
  return flow;
}

export interface FlowLoss {
  flow: string;
  sent: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  sendErrors: number;
  /** Send time of the first and last lost message, relative to the kill (ms). */
  firstLostAt: number | undefined;
  lastLostAt: number | undefined;
  /** Messages lost that were sent before `from` or after `to` (relative to the kill). */
  lostOutside: number;
}

/** What a flow lost, with the send times of the lost messages relative to `killAt`. */
export function measureLoss(flow: Flow, killAt: number, window: { from: number; to: number }): FlowLoss {
  const lostAt: number[] = [];
  flow.sentAt.forEach((at, i) => {
    if (!flow.received.has(i)) lostAt.push(at - killAt);
  });
  return {
    flow: flow.name,
    sent: flow.sentAt.length,
    lost: lostAt.length,
    duplicated: [...flow.received.values()].filter((n) => n > 1).length,
    outOfOrder: flow.outOfOrder,
    sendErrors: flow.sendErrors,
    firstLostAt: lostAt[0],
    lastLostAt: lostAt.at(-1),
    lostOutside: lostAt.filter((t) => t < window.from || t > window.to).length,
  };
}
