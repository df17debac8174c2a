// lz4js ships no types. Only the two frame functions we call are declared.
declare module "lz4js" {
  /** Decompresses one LZ4 frame; the result is a fresh, exactly-sized Uint8Array. */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
  /** Compresses into one LZ4 frame. */
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
}
