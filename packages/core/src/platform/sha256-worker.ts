// SHA-256 of large bodies on a worker thread (Node). node:crypto hashes at
// about 1.7 GB/s, but synchronously: on the thread that also moves the bytes
// through the socket, hashing a 100 MB link payload adds ~60 ms to its
// upload and to its download. Here the calling thread only copies each chunk
// into a 1 MiB block (~10x cheaper than hashing it) and hands the block to a
// worker, which hashes while the socket keeps going.
//
// Blocks in flight are bounded (MAX_IN_FLIGHT): when the worker falls behind,
// `update` waits for it (Atomics.wait), so a slow worker costs time, never
// memory. Blocks come back to be reused. The worker keeps the process alive
// only while someone awaits a digest. A hash dropped without its digest (a
// failed upload) is forgotten by the worker once the hash is collected.

import { Worker } from "node:worker_threads";

const BLOCK_BYTES = 1024 * 1024;
/** Blocks posted and not yet hashed, at most: 16 MiB that a slow worker can hold back. */
const MAX_IN_FLIGHT = 16;

// CommonJS, evaluated by the worker (no file to ship or resolve). Messages:
// { id, block?, length?, end? } in; { block } (for reuse) and { id, hex } out.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const inFlight = new Int32Array(workerData.inFlight);
const hashes = new Map();
parentPort.on("message", (m) => {
  let hash = hashes.get(m.id);
  if (m.drop) return void hashes.delete(m.id);
  if (!hash) hashes.set(m.id, (hash = createHash("sha256")));
  if (m.block) {
    hash.update(new Uint8Array(m.block, 0, m.length));
    Atomics.sub(inFlight, 0, 1);
    Atomics.notify(inFlight, 0);
    parentPort.postMessage({ block: m.block }, [m.block]);
  }
  if (m.end) {
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, hex: hash.digest("hex") });
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

interface Pending {
  resolve: (hex: string) => void;
  reject: (error: Error) => void;
}

/** The worker and what the calling thread keeps about it: spare blocks, digests awaited. */
class HashWorker {
  readonly #worker: Worker;
  readonly #inFlight = new Int32Array(new SharedArrayBuffer(4));
  readonly #spare: ArrayBuffer[] = [];
  readonly #pending = new Map<number, Pending>();
  readonly #dropped = new FinalizationRegistry<number>((id) => this.#post({ id, drop: true }));
  #nextId = 1;
  /** Waits (digests, ready) that keep the process alive. */
  #holds = 0;
  #failure: Error | undefined;

  constructor() {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { inFlight: this.#inFlight.buffer } });
    this.#worker.unref();
    this.#worker.on("message", (m: { block?: ArrayBuffer; id?: number; hex?: string }) => {
      if (m.block) {
        if (this.#spare.length < MAX_IN_FLIGHT) this.#spare.push(m.block);
      } else if (m.id !== undefined) this.#settle(m.id, (p) => p.resolve(m.hex!));
    });
    this.#worker.on("error", (error) => this.#fail(error));
    this.#worker.on("exit", (code) => this.#fail(new Error(`sha256 worker exited with code ${code}`)));
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  open(owner: object): number {
    const id = this.#nextId++;
    this.#dropped.register(owner, id, owner);
    return id;
  }

  block(): ArrayBuffer {
    return this.#spare.pop() ?? new ArrayBuffer(BLOCK_BYTES);
  }

  /** Hands a filled block to the worker, first waiting while too many are in flight. */
  send(id: number, block: ArrayBuffer, length: number, end: boolean): void {
    for (;;) {
      const n = Atomics.load(this.#inFlight, 0);
      if (n < MAX_IN_FLIGHT || this.#failure) break;
      // A worker that made no progress for a second may have died (its exit
      // event cannot arrive while this thread waits): post anyway, and let
      // the digest report the failure.
      if (Atomics.wait(this.#inFlight, 0, n, 1000) === "timed-out") break;
    }
    Atomics.add(this.#inFlight, 0, 1);
    this.#post({ id, block, length, end }, [block]);
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

  #hold(delta: number): void {
    this.#holds += delta;
    if (this.#holds === delta && delta > 0) this.#worker.ref();
    else if (this.#holds === 0) this.#worker.unref();
  }

  digest(owner: object, id: number, last: { block: ArrayBuffer; length: number } | undefined): Promise<string> {
    this.#dropped.unregister(owner);
    if (this.#failure) return Promise.reject(this.#failure);
    const answer = new Promise<string>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    // Awaited digests keep the process alive until they arrive.
    this.#hold(1);
    if (last) this.send(id, last.block, last.length, true);
    else this.#post({ id, end: true });
    return answer;
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
    this.#failure ??= error;
    for (const id of [...this.#pending.keys()]) this.#settle(id, (p) => p.reject(this.#failure!));
  }
}

/** An incremental SHA-256 whose hashing runs on the worker. */
export class WorkerSha256 {
  readonly #worker: HashWorker;
  readonly #id: number;
  #block: ArrayBuffer | undefined;
  #view: Uint8Array | undefined;
  #fill = 0;

  constructor(worker: HashWorker) {
    this.#worker = worker;
    this.#id = worker.open(this);
  }

  update(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.byteLength) {
      if (!this.#block) {
        this.#block = this.#worker.block();
        this.#view = new Uint8Array(this.#block);
      }
      const n = Math.min(BLOCK_BYTES - this.#fill, chunk.byteLength - at);
      this.#view!.set(at === 0 && n === chunk.byteLength ? chunk : chunk.subarray(at, at + n), this.#fill);
      this.#fill += n;
      at += n;
      if (this.#fill === BLOCK_BYTES) {
        const block = this.#block;
        this.#block = this.#view = undefined;
        this.#fill = 0;
        this.#worker.send(this.#id, block, BLOCK_BYTES, false);
      }
    }
  }

  /** Resolves when another block can go without waiting (for callers that can await rather than block). */
  ready(): Promise<void> {
    return this.#worker.ready();
  }

  digest(): Promise<string> {
    const last = this.#block && this.#fill > 0 ? { block: this.#block, length: this.#fill } : undefined;
    this.#block = this.#view = undefined;
    return this.#worker.digest(this, this.#id, last);
  }
}

// One worker for the process (like one thread pool): hashes of every bridge share it.
let shared: HashWorker | undefined;

/**
 * A hash on the process's shared worker (started on first use), or undefined
 * when no worker can run here, e.g. a runtime without worker_threads.
 */
export function workerSha256(): WorkerSha256 | undefined {
  try {
    if (!shared || shared.failed) shared = new HashWorker();
    return new WorkerSha256(shared);
  } catch {
    return undefined;
  }
}

/**
 * SHA-256 of bytes in memory, fed to the worker a block at a time between
 * turns of the event loop: the thread stays free to write the same bytes to a
 * socket meanwhile.
 */
export async function sha256InBackground(bytes: Uint8Array): Promise<string | undefined> {
  const hash = workerSha256();
  if (!hash) return undefined;
  for (let at = 0; at < bytes.byteLength; at += BLOCK_BYTES) {
    await hash.ready();
    hash.update(bytes.subarray(at, at + BLOCK_BYTES));
  }
  return hash.digest();
}
