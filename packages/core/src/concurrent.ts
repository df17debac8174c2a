// subscribe with `concurrency` above 1: several messages received at once,
// each coming out as its receive finishes.

import { InvalidOptionError } from "@natsbridge/envelope";

/** The `concurrency` option of subscribe and consume: a positive integer, else INVALID_OPTION. */
export function checkConcurrency(n: number | undefined): void {
  if (n !== undefined && (!Number.isSafeInteger(n) || n < 1)) {
    throw new InvalidOptionError(`concurrency must be a positive integer, got ${String(n)}`, { details: { concurrency: n } });
  }
}

/**
 * The messages received, `concurrency` at a time: receives run ahead of the
 * consumer (at most `concurrency` running or received and not yet taken) and
 * come out as they finish. Ends when the subscription does and every
 * receive is out.
 * A consumer that stops early must end the subscription (subscribeEnvelopes
 * does): a pending next() of the NATS iterator only ends with it.
 */
export async function* receivedConcurrently<M, T>(
  messages: AsyncIterable<M>,
  receive: (m: M) => Promise<T | undefined>,
  concurrency: number,
): AsyncGenerator<T> {
  const source = messages[Symbol.asyncIterator]();
  const finished: (T | undefined)[] = [];
  let running = 0;
  let ended = false;
  // The pump and the consumer each wait here for the other.
  let waiters: (() => void)[] = [];
  const notify = () => {
    const woken = waiters;
    waiters = [];
    for (const w of woken) w();
  };
  const changed = () => new Promise<void>((resolve) => waiters.push(resolve));
  void (async () => {
    try {
      for (;;) {
        // Received and not yet taken counts against the limit too: memory stays bounded.
        while (!ended && running + finished.length >= concurrency) await changed();
        if (ended) break;
        const next = await source.next();
        if (next.done) break;
        running++;
        void receive(next.value).then((r) => {
          running--;
          finished.push(r);
          notify();
        });
      }
    } finally {
      ended = true;
      notify();
    }
  })();
  try {
    for (;;) {
      if (finished.length > 0) {
        const r = finished.shift();
        notify(); // a slot is free for the pump
        if (r !== undefined) yield r;
      } else if (ended && running === 0) return;
      else await changed();
    }
  } finally {
    ended = true;
    notify();
  }
}
