// Payload data that is not in memory: a ReadableStream, an async iterable of
// byte chunks (Node streams are one), a Blob, or a file (`fileSource(path)`
// from the Node entry). Such data goes by link and is streamed to the store
// chunk by chunk; its SHA-256 and size are computed on the way through.

import { InvalidDataError, type PayloadType, type SendValue, toBytes } from "@natsbridge/envelope";
import type { Platform } from "./platform/types.js";

/** Marks objects that know how to open their bytes (files, and anything a user builds the same way). */
export const BYTE_SOURCE: unique symbol = Symbol.for("natsbridge.byteSource") as never;

export interface OpenedSource {
  /** Byte size when known before reading (files, Blobs). */
  size: number | undefined;
  chunks: AsyncIterable<Uint8Array>;
}

/**
 * Bytes that can be opened for reading, e.g. `fileSource(path)`. A source may
 * be opened more than once (a file can; a one-time stream cannot).
 */
export interface ByteSource {
  readonly [BYTE_SOURCE]: true;
  /** A name for logs and error messages. */
  readonly description?: string;
  open(signal?: AbortSignal): Promise<OpenedSource>;
  /**
   * The size, without reading: called before the transport is chosen, so that
   * a missing file or a size is reported before anything else happens.
   */
  stat?(): Promise<{ size: number }>;
}

/** What a sender can tell about stream data before reading it: its size when known, and what it is. */
export async function describeStreamData(data: StreamData): Promise<{ size: number | undefined; description: string }> {
  if (isByteSource(data))
    return { size: data.stat ? (await data.stat()).size : undefined, description: data.description ?? "a byte source" };
  if (isBlob(data)) return { size: data.size, description: "a Blob" };
  return { size: undefined, description: "a stream" };
}

/** Data for image/audio/video/binary payloads that is sent without buffering it. */
export type StreamData = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Blob | ByteSource;

/** The binary-family payload types: their value is the bytes, so they can travel as a stream. */
export const STREAMABLE_TYPES: ReadonlySet<string> = new Set(["image", "audio", "video", "binary"]);
export type StreamableType = "image" | "audio" | "video" | "binary";

/**
 * A payload as smartsend takes it: `[dataname, value, payload_type]`, the
 * value's type following the payload type (PayloadTypes), and for the binary
 * family stream data too.
 */
export type SendPayload = {
  [K in PayloadType]: [dataname: string, data: K extends StreamableType ? SendValue<K> | StreamData : SendValue<K>, payloadType: K];
}[PayloadType];

function isByteSource(value: unknown): value is ByteSource {
  return typeof value === "object" && value !== null && (value as { [BYTE_SOURCE]?: unknown })[BYTE_SOURCE] === true;
}

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== "undefined" && value instanceof Blob;
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof value === "object" && value !== null && typeof (value as ReadableStream).getReader === "function";
}

/** True for data that must be streamed rather than serialized: never for byte arrays or strings. */
export function isStreamData(value: unknown): value is StreamData {
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return false;
  return isByteSource(value) || isBlob(value) || isReadableStream(value) || Symbol.asyncIterator in value;
}

/** Opens stream data for reading; chunks of any byte-like kind come out as Uint8Array. */
export async function openStreamData(data: StreamData, signal?: AbortSignal): Promise<OpenedSource> {
  if (isByteSource(data)) {
    const opened = await data.open(signal);
    return { size: opened.size, chunks: checkedChunks(opened.chunks) };
  }
  if (isBlob(data)) return { size: data.size, chunks: readableChunks(data.stream() as ReadableStream<Uint8Array>) };
  // A ReadableStream is read through its reader: async iteration of web streams
  // is missing in some browsers, and the reader works everywhere.
  if (isReadableStream(data)) return { size: undefined, chunks: checkedChunks(readableChunks(data)) };
  return { size: undefined, chunks: checkedChunks(data) };
}

/**
 * The chunks of a store's put body, whatever its kind: for store authors, so a
 * store never needs to know whether it was handed bytes or a stream.
 * A Uint8Array comes out in slices of `sliceSize` (default 1 MiB).
 */
export async function* bodyChunks(
  body: Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  sliceSize = 1024 * 1024,
): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    for (let i = 0; i < body.byteLength; i += sliceSize) yield body.subarray(i, i + sliceSize);
  } else if (isReadableStream(body)) yield* readableChunks(body);
  else yield* body;
}

export async function* readableChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // Stopping early (abort, failed upload) cancels the source instead of leaving it locked.
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

async function* checkedChunks(chunks: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    if (typeof chunk === "string") {
      throw new InvalidDataError("a streamed binary payload yielded a string chunk; yield bytes (Uint8Array)");
    }
    yield toBytes(chunk, "stream chunk");
  }
}

/**
 * Passes chunks through while counting them and feeding an incremental
 * SHA-256, so the digest of a streamed upload is known the moment it ends.
 */
export class MeasuredStream {
  #bytes = 0;
  #finished = false;
  #reader: AsyncGenerator<Uint8Array> | undefined;
  readonly #hash: ReturnType<Platform["createSha256"]> | undefined;
  readonly #chunks: AsyncIterable<Uint8Array>;

  /** `size`: the source's length when known (large ones hash on a worker thread in Node). */
  constructor(chunks: AsyncIterable<Uint8Array>, platform: Platform, checksum: boolean, size?: number) {
    this.#chunks = chunks;
    this.#hash = checksum ? platform.createSha256(size) : undefined;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** True once the source was read to its end. */
  get finished(): boolean {
    return this.#finished;
  }

  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    this.#reader ??= this.#read();
    return this.#reader;
  }

  /**
   * Releases the source (closes the file) when a store stopped reading at
   * the announced length without asking for the end of the stream, as HTTP
   * clients sending a Content-Length do.
   */
  async close(): Promise<void> {
    await this.#reader?.return(undefined).catch(() => undefined);
  }

  async *#read(): AsyncGenerator<Uint8Array> {
    for await (const chunk of this.#chunks) {
      this.#hash?.update(chunk);
      this.#bytes += chunk.byteLength;
      yield chunk;
    }
    this.#finished = true;
  }

  /** Lower-case hex SHA-256 of everything that went through (call after `finished`). */
  digest(): Promise<string | undefined> {
    return this.#hash ? this.#hash.digest() : Promise.resolve(undefined);
  }
}
