// Large link bodies handled on a worker thread (Node): the SHA-256 of what is
// uploaded and, for downloads kept in memory, their hash and their assembly
// into one buffer. (Streamed receives hash in place: their chunks go to the
// application anyway, and the extra copy did not pay off on a busy machine.)
//
// Why: node:crypto hashes at about 1.7 GB/s, but synchronously, and filling
// a fresh 100 MB buffer costs about as much again (page faults and copying);
// both ran on the thread that also moves the bytes through the socket, and
// added ~60 ms each to a 100 MB upload or download. Here the calling thread
// only copies each chunk into a recycled 1 MiB block (hot memory, no page
// faults) and hands the block over; the worker hashes it and copies it into
// the body's buffer, which it hands back, without a copy, at the end.
//
// Blocks in flight are bounded (MAX_IN_FLIGHT): when the worker falls
// behind, `update` waits for it (Atomics.wait), so a slow worker costs time,
// never memory. The worker keeps the process alive only while someone awaits
// it. A session dropped without being finished (a failed transfer) is
// discarded, or forgotten by the worker once the session is collected.

import { BLOCK_BYTES, BodyWorker, type SessionResult } from "./body-worker-thread.js";

/** One body's chunks, copied into blocks for the worker. */
class WorkerSession {
  readonly #worker: BodyWorker;
  readonly #id: number;
  #block: ArrayBuffer | undefined;
  #view: Uint8Array | undefined;
  #fill = 0;

  constructor(worker: BodyWorker, what: { hash: boolean; size?: number | undefined }) {
    this.#worker = worker;
    this.#id = worker.open(this, what);
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
      if (this.#fill === BLOCK_BYTES) this.#flush();
    }
  }

  /** Resolves when another block can go without waiting (for callers that can await rather than block). */
  ready(): Promise<void> {
    return this.#worker.ready();
  }

  finish(): Promise<SessionResult> {
    this.#flush();
    return this.#worker.finish(this, this.#id);
  }

  discard(): void {
    if (this.#block) this.#worker.recycle(this.#block);
    this.#block = this.#view = undefined;
    this.#worker.discard(this, this.#id);
  }

  #flush(): void {
    const block = this.#block;
    if (!block) return;
    const length = this.#fill;
    this.#block = this.#view = undefined;
    this.#fill = 0;
    if (length > 0) this.#worker.send(this.#id, block, length);
    else this.#worker.recycle(block);
  }
}

// One worker for the process (like one thread pool): every bridge's bodies share it.
let shared: BodyWorker | undefined;

/** A session on the shared worker (started on first use), or undefined where no worker can run. */
function session(what: { hash: boolean; size?: number | undefined }): WorkerSession | undefined {
  try {
    if (!shared || shared.failed) shared = new BodyWorker();
    return new WorkerSession(shared, what);
  } catch {
    return undefined;
  }
}

/** An incremental SHA-256 hashed on the worker, or undefined where no worker can run. */
export function workerSha256(): { update(chunk: Uint8Array): void; digest(): Promise<string> } | undefined {
  const s = session({ hash: true });
  return s && { update: (chunk) => s.update(chunk), digest: async () => (await s.finish()).hex! };
}

/**
 * SHA-256 of bytes in memory, fed to the worker a block at a time between
 * turns of the event loop: the thread stays free to write the same bytes to a
 * socket meanwhile. Undefined where no worker can run.
 */
export async function sha256InBackground(bytes: Uint8Array): Promise<string | undefined> {
  const s = session({ hash: true });
  if (!s) return undefined;
  for (let at = 0; at < bytes.byteLength; at += BLOCK_BYTES) {
    await s.ready();
    s.update(bytes.subarray(at, at + BLOCK_BYTES));
  }
  return (await s.finish()).hex;
}

/** A body of about `size` bytes assembled (and hashed, when asked) on the worker. */
export function workerBody(size: number, sha256: boolean) {
  const s = session({ hash: sha256, size });
  if (!s) return undefined;
  return {
    push: (chunk: Uint8Array) => s.update(chunk),
    finish: async () => {
      const { buffer, length, hex } = await s.finish();
      return { bytes: new Uint8Array(buffer!, 0, length), sha256: hex };
    },
    discard: () => s.discard(),
  };
}
