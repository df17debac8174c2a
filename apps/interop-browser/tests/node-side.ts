// The Node end of the page tests: the lab page's byte pattern (src/lab/main.ts)
// to check what arrives, and a subscription that is ready before the page sends.

import { createHash } from "node:crypto";
import type { NatsBridge, ReceivedEnvelope } from "@natsbridge/core";

/** The lab page's binary payload: byte i is (i * 7 + seed) & 255. */
export const pattern = (size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i * 7 + seed) & 255);
export const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Subscribes (flushed, so the server has it) and returns a function giving the first envelope, then unsubscribing. */
export async function receiveInNode(bridge: NatsBridge, subject: string): Promise<() => Promise<ReceivedEnvelope>> {
  const sub = await bridge.subscribe(subject);
  await (await bridge.connection()).flush();
  return async () => {
    const env = (await sub[Symbol.asyncIterator]().next()).value as ReceivedEnvelope;
    sub.unsubscribe();
    return env;
  };
}
