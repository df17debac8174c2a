// LZ4_FRAME and ZSTD body compression for Arrow IPC. pyarrow writes either when
// asked (`IpcWriteOptions(compression=...)`) and Arrow.jl with `compress=:lz4`
// or `:zstd`. apache-arrow reads compressed record batches only through codecs
// registered in its process-wide `compressionRegistry`, so we register pure-JS
// ones: lz4js (frames, both ways) and fzstd (decompression only).

import { compressionRegistry, CompressionType } from "apache-arrow";
import { decompress as zstdDecompress } from "fzstd";
import { compress as lz4Compress, decompress as lz4Decompress } from "lz4js";

/**
 * apache-arrow views each decompressed buffer as a typed array
 * (Float64Array, BigInt64Array...) starting at the buffer's byteOffset, which
 * must be a multiple of 8. fzstd returns a subarray of its working buffer at
 * any offset, so an unaligned result is copied into a fresh buffer.
 */
export function aligned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
}

const lz4Codec = {
  encode: (data: Uint8Array) => lz4Compress(data),
  decode: (data: Uint8Array) => aligned(lz4Decompress(data)),
};

const zstdCodec = {
  decode: (data: Uint8Array) => aligned(zstdDecompress(data)),
};

let registered = false;

/**
 * Registers the LZ4_FRAME and ZSTD codecs with apache-arrow's (process-wide)
 * compression registry, so that compressed IPC data from pyarrow or Arrow.jl
 * can be read. Idempotent. Codecs someone else registered first are kept, so
 * an application can plug in faster native ones. `arrowCodecs()` calls this.
 */
export function registerArrowCompression(): void {
  if (registered) return;
  if (!compressionRegistry.get(CompressionType.LZ4_FRAME)) compressionRegistry.set(CompressionType.LZ4_FRAME, lz4Codec);
  if (!compressionRegistry.get(CompressionType.ZSTD)) compressionRegistry.set(CompressionType.ZSTD, zstdCodec);
  registered = true;
}

/** Body compressions we can write (ZSTD has no pure-JS encoder among our dependencies). */
export type WriteCompression = "lz4";

export function compressionTypeFor(compression: WriteCompression | null | undefined): CompressionType | null {
  if (!compression) return null;
  registerArrowCompression();
  return CompressionType.LZ4_FRAME;
}
