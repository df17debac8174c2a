// One body's chunks joined into one Uint8Array: filled in place once the
// body's length is known, else collected and joined once at the end. Used by
// the HTTP download (download.ts) and by store reads (store-read.ts).

import { concatBytes } from "@natsbridge/envelope";

export class BodyBuffer {
  #exact: Uint8Array | undefined;
  readonly #chunks: Uint8Array[] = [];
  #received = 0;

  /** Sizes the buffer when the length is known before the first chunk (and is at most `maxBytes`). */
  expect(size: number | undefined, maxBytes = Number.POSITIVE_INFINITY): void {
    if (this.#received === 0 && size !== undefined && Number.isSafeInteger(size) && size <= maxBytes) this.#exact = new Uint8Array(size);
  }

  push(chunk: Uint8Array): void {
    if (this.#exact && this.#received + chunk.byteLength <= this.#exact.byteLength) this.#exact.set(chunk, this.#received);
    else {
      // More bytes than expected (or no length known): switch to collecting chunks.
      if (this.#exact) {
        this.#chunks.push(this.#exact.subarray(0, this.#received));
        this.#exact = undefined;
      }
      this.#chunks.push(chunk);
    }
    this.#received += chunk.byteLength;
  }

  bytes(): Uint8Array {
    const exact = this.#exact;
    if (exact) return this.#received === exact.byteLength ? exact : exact.subarray(0, this.#received);
    return concatBytes(this.#chunks, this.#received);
  }
}
