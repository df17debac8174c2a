// LZ4_FRAME and ZSTD body compression for Arrow IPC. pyarrow writes either when
// asked (`IpcWriteOptions(compression=...)`) and Arrow.jl with `compress=:lz4`
// or `:zstd`. apache-arrow reads compressed record batches only through codecs
// registered in its process-wide `compressionRegistry`, so we register pure-JS
// decoders: lz4js (LZ4 frames) and fzstd (Zstandard).
//
// We do not write compressed batches: apache-arrow 21 puts the compressed
// length where the format wants the uncompressed one, and pyarrow then fails
// with "Lz4 decompression buffer too small".

import { CompressionType, compressionRegistry } from "apache-arrow";
import { decompress as zstdDecompress } from "fzstd";
import { decompress as lz4Decompress } from "lz4js";

/**
 * apache-arrow views each decompressed buffer as a typed array
 * (Float64Array, BigInt64Array...) starting at the buffer's byteOffset, which
 * must be a multiple of 8. fzstd returns a subarray of its working buffer at
 * any offset, so an unaligned result is copied into a fresh buffer.
 */
export function aligned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
}

let registered = false;

/**
 * Registers LZ4_FRAME and ZSTD decoders with apache-arrow's (process-wide)
 * compression registry, so that compressed IPC data from pyarrow or Arrow.jl
 * can be read. Idempotent; codecs someone else registered first are kept, so
 * an application can plug in faster native ones. The codecs and
 * `decodeArrowTable` call this.
 */
export function registerArrowCompression(): void {
  if (registered) return;
  if (!compressionRegistry.get(CompressionType.LZ4_FRAME)) {
    compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: (data) => aligned(lz4Decompress(data)) });
  }
  if (!compressionRegistry.get(CompressionType.ZSTD)) {
    compressionRegistry.set(CompressionType.ZSTD, { decode: (data) => aligned(zstdDecompress(data)) });
  }
  registered = true;
}
