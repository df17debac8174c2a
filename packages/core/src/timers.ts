// Waiting with limits: an idle timer that aborts an attempt when a server
// stops answering, and a sleep that an AbortSignal ends early.

/** Aborts `controller` when armed for `ms` without being disarmed (each wait for the server re-arms it). */
export class IdleTimer {
  #timer: ReturnType<typeof setTimeout> | undefined;
  fired = false;
  constructor(
    readonly ms: number,
    readonly controller: AbortController,
  ) {}
  arm(): void {
    this.disarm();
    this.#timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort(new Error(`no response for ${this.ms} ms`));
    }, this.ms);
  }
  disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
