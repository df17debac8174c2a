// The body worker itself (see body-worker.ts for what it is for): the script
// the worker thread runs, and the calling thread's side of it, which hands it
// blocks, bounds how many are in flight and settles each session's end.

import { Worker } from "node:worker_threads";
import { InternalError } from "@natsbridge/envelope";

export const BLOCK_BYTES = 1024 * 1024;
/** Blocks posted and not yet handled, at most: the 8 MiB a slow worker can hold back. */
const MAX_IN_FLIGHT = 8;

// CommonJS, evaluated by the worker (no file to ship or resolve). Messages in:
// { id, open: { hash, size } }, { id, block, length }, { id, end }, { id, drop }.
// Out: { block } (for reuse) and { id, hex, buffer, length, error } (the session's end).
// A session that fails (a body too large to allocate) fails alone, at its end.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const inFlight = new Int32Array(workerData.inFlight);
const sessions = new Map();
function add(s, chunk) {
  s.hash?.update(chunk);
  if (s.size !== undefined) {
    s.body ??= new Uint8Array(s.size);
    if (s.fill + chunk.length > s.body.length) {
      const bigger = new Uint8Array(Math.max(2 * s.body.length, s.fill + chunk.length));
      bigger.set(s.body.subarray(0, s.fill));
      s.body = bigger;
    }
    s.body.set(chunk, s.fill);
  }
  s.fill += chunk.length;
}
parentPort.on("message", (m) => {
  if (m.drop) return void sessions.delete(m.id);
  if (m.open) sessions.set(m.id, { hash: m.open.hash ? createHash("sha256") : undefined, size: m.open.size, fill: 0 });
  const s = sessions.get(m.id);
  if (m.block) {
    try {
      if (s && !s.error) add(s, new Uint8Array(m.block, 0, m.length));
    } catch (error) {
      s.error = String(error?.message ?? error);
      s.body = undefined;
    }
    Atomics.sub(inFlight, 0, 1);
    Atomics.notify(inFlight, 0);
    parentPort.postMessage({ block: m.block }, [m.block]);
  }
  if (m.end && s) {
    sessions.delete(m.id);
    if (s.error) return void parentPort.postMessage({ id: m.id, error: s.error, length: s.fill });
    const hex = s.hash?.digest("hex");
    s.body ??= s.size === undefined ? undefined : new Uint8Array(0);
    if (s.body) parentPort.postMessage({ id: m.id, hex, buffer: s.body.buffer, length: s.fill }, [s.body.buffer]);
    else parentPort.postMessage({ id: m.id, hex, length: s.fill });
  }
});
`;

/** ES2024's Atomics.waitAsync (Node 16+), missing from the ES2022 lib this package compiles against. */
interface AtomicsWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
    timeout: number,
  ): { async: boolean; value: Promise<"ok" | "timed-out"> | "not-equal" | "timed-out" };
}

/** What the worker hands back at a session's end. */
export interface SessionResult {
  /** Lower-case hex SHA-256, when the session hashes. */
  hex?: string | undefined;
  /** The assembled body, when the session assembles one: `length` bytes of it. */
  buffer?: ArrayBuffer | undefined;
  length: number;
  /** Why the worker could not finish the session. */
  error?: string | undefined;
}

interface Pending {
  resolve: (result: SessionResult) => void;
  reject: (error: Error) => void;
}

/** The worker and what the calling thread keeps about it: spare blocks, sessions awaited. */
export class BodyWorker {
  readonly #worker: Worker;
  readonly #inFlight = new Int32Array(new SharedArrayBuffer(4));
  readonly #spare: ArrayBuffer[] = [];
  readonly #pending = new Map<number, Pending>();
  readonly #dropped = new FinalizationRegistry<number>((id) => this.#post({ id, drop: true }));
  #nextId = 1;
  /** Waits (session ends, ready) that keep the process alive. */
  #holds = 0;
  #failure: Error | undefined;

  constructor() {
    // No execArgv: the application's flags (--input-type=module, loaders) are not for this script.
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { inFlight: this.#inFlight.buffer } });
    this.#worker.on("message", (m: { block?: ArrayBuffer; id?: number } & SessionResult) => {
      if (m.block) {
        if (this.#spare.length < MAX_IN_FLIGHT) this.#spare.push(m.block);
      } else if (m.id !== undefined) {
        this.#settle(m.id, (p) =>
          m.error === undefined
            ? p.resolve({ hex: m.hex, buffer: m.buffer, length: m.length })
            : p.reject(new InternalError(`the body worker could not take ${m.length}+ bytes: ${m.error}`)),
        );
      }
    });
    this.#worker.on("error", (error) => this.#fail(error));
    this.#worker.on("exit", (code) => this.#fail(new Error(`natsbridge body worker exited with code ${code}`)));
    // After the listeners: adding a "message" listener refs the worker again.
    this.#worker.unref();
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  open(owner: object, what: { hash: boolean; size?: number | undefined }): number {
    const id = this.#nextId++;
    this.#dropped.register(owner, id, owner);
    this.#post({ id, open: what });
    return id;
  }

  block(): ArrayBuffer {
    return this.#spare.pop() ?? new ArrayBuffer(BLOCK_BYTES);
  }

  recycle(block: ArrayBuffer): void {
    if (this.#spare.length < MAX_IN_FLIGHT) this.#spare.push(block);
  }

  /** Hands a filled block to the worker, first waiting while too many are in flight. */
  send(id: number, block: ArrayBuffer, length: number): void {
    for (;;) {
      const n = Atomics.load(this.#inFlight, 0);
      if (n < MAX_IN_FLIGHT || this.#failure) break;
      // A worker that made no progress for a second may have died (its exit
      // event cannot arrive while this thread waits): post anyway, and let
      // the session's end report the failure.
      if (Atomics.wait(this.#inFlight, 0, n, 1000) === "timed-out") break;
    }
    Atomics.add(this.#inFlight, 0, 1);
    this.#post({ id, block, length }, [block]);
  }

  /** Resolves once fewer than MAX_IN_FLIGHT blocks wait, without blocking the thread. */
  async ready(): Promise<void> {
    for (;;) {
      const n = Atomics.load(this.#inFlight, 0);
      if (n < MAX_IN_FLIGHT || this.#failure) return;
      // A pending waitAsync does not keep the process alive: the worker does, meanwhile.
      this.#hold(1);
      try {
        const wait = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.#inFlight, 0, n, 1000);
        if ((await wait.value) === "timed-out") return;
      } finally {
        this.#hold(-1);
      }
    }
  }

  finish(owner: object, id: number): Promise<SessionResult> {
    this.#dropped.unregister(owner);
    if (this.#failure) return Promise.reject(this.#failure);
    const answer = new Promise<SessionResult>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.#hold(1);
    this.#post({ id, end: true });
    return answer;
  }

  discard(owner: object, id: number): void {
    this.#dropped.unregister(owner);
    this.#post({ id, drop: true });
  }

  #hold(delta: number): void {
    this.#holds += delta;
    if (this.#holds === delta && delta > 0) this.#worker.ref();
    else if (this.#holds === 0) this.#worker.unref();
  }

  #post(message: object, transfer: ArrayBuffer[] = []): void {
    if (!this.#failure) this.#worker.postMessage(message, transfer);
  }

  #settle(id: number, how: (p: Pending) => void): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    this.#hold(-1);
    how(p);
  }

  #fail(error: Error): void {
    // Typed, as every failure the bridge reports; sends turn it into UPLOAD_FAILED.
    this.#failure ??= new InternalError(`the SHA-256 worker thread failed: ${error.message}`, { cause: error });
    // Callers waiting for room (ready) stop waiting.
    Atomics.notify(this.#inFlight, 0);
    for (const id of [...this.#pending.keys()]) this.#settle(id, (p) => p.reject(this.#failure!));
  }
}
