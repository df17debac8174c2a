// A link payload handed to the caller as a stream instead of bytes (receive
// option `stream`). Nothing is downloaded until the caller starts reading;
// size and SHA-256 are checked as the bytes go by, and a mismatch is thrown
// from the stream itself — after the last chunk for a checksum, as soon as
// the bytes run past the announced size for a size. Write to a temporary
// place and commit only once iteration ends without an error.

import { ChecksumMismatchError, concatBytes, InvalidDataError, SizeMismatchError } from "@natsbridge/envelope";
import type { Platform } from "./platform/types.js";

export interface PayloadStreamInfo {
  dataname: string;
  payloadType: string;
  /** The link URL. */
  url: string;
  /** Byte size announced by the sender, when it gave one. */
  size: number | undefined;
  /** SHA-256 (hex) announced by the sender, when it gave one. */
  sha256: string | undefined;
}

export interface PayloadStreamChecks {
  platform: Platform;
  /** Check size and sha256 against the announced ones. */
  verify: boolean;
  correlationId: string;
}

/** A received link payload as a single-use stream of byte chunks. */
export class PayloadStream implements AsyncIterable<Uint8Array> {
  readonly dataname: string;
  readonly payloadType: string;
  readonly url: string;
  readonly size: number | undefined;
  readonly sha256: string | undefined;
  readonly #open: () => AsyncIterable<Uint8Array>;
  readonly #checks: PayloadStreamChecks;
  #used = false;
  #iterator: AsyncIterator<Uint8Array> | undefined;

  constructor(info: PayloadStreamInfo, open: () => AsyncIterable<Uint8Array>, checks: PayloadStreamChecks) {
    this.dataname = info.dataname;
    this.payloadType = info.payloadType;
    this.url = info.url;
    this.size = info.size;
    this.sha256 = info.sha256;
    this.#open = open;
    this.#checks = checks;
  }

  /** Starts the download. A stream can be read once. */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#used) {
      throw new InvalidDataError(`payload stream '${this.dataname}' was already read; a stream can be read once`, {
        correlationId: this.#checks.correlationId,
        dataname: this.dataname,
      });
    }
    this.#used = true;
    this.#iterator = this.#verified()[Symbol.asyncIterator]();
    return this.#iterator;
  }

  /** The same bytes as a WHATWG ReadableStream (pull-based: reads only as fast as the consumer). */
  readable(): ReadableStream<Uint8Array> {
    const iterator = this[Symbol.asyncIterator]();
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const next = await iterator.next();
            if (next.done) controller.close();
            else controller.enqueue(next.value);
          } catch (error) {
            controller.error(error);
          }
        },
        async cancel() {
          await iterator.return?.();
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** Reads the whole payload into memory (verified). */
  async bytes(): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of this) {
      chunks.push(chunk);
      total += chunk.byteLength;
    }
    return chunks.length === 1 ? chunks[0]! : concatBytes(chunks, total);
  }

  /** Stops a download in progress, or makes sure none starts. */
  async cancel(): Promise<void> {
    if (!this.#used) {
      this.#used = true;
      return;
    }
    await this.#iterator?.return?.();
  }

  async *#verified(): AsyncGenerator<Uint8Array> {
    const { platform, verify, correlationId } = this.#checks;
    const where = { correlationId, dataname: this.dataname };
    // Hashed on this thread, chunk by chunk as the reader takes them: measured
    // against a worker thread, that was as fast on an idle machine and much
    // faster on a busy one (docs/performance.md, link transport).
    const hash = verify && this.sha256 ? platform.createSha256() : undefined;
    let received = 0;
    for await (const chunk of this.#open()) {
      received += chunk.byteLength;
      if (verify && this.size !== undefined && received > this.size) {
        throw new SizeMismatchError(`payload '${this.dataname}' is longer than the ${this.size} bytes its envelope says`, {
          ...where,
          details: { expected: this.size, actual: received },
        });
      }
      hash?.update(chunk);
      yield chunk;
    }
    if (verify && this.size !== undefined && received !== this.size) {
      throw new SizeMismatchError(`payload '${this.dataname}' is ${received} bytes but its envelope says ${this.size}`, {
        ...where,
        details: { expected: this.size, actual: received },
      });
    }
    if (hash) {
      const actual = await hash.digest();
      if (actual !== this.sha256!.toLowerCase()) {
        throw new ChecksumMismatchError(`payload '${this.dataname}' sha256 does not match its metadata`, {
          ...where,
          details: { expected: this.sha256, actual },
        });
      }
    }
  }
}
