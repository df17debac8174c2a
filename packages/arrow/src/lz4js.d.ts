// lz4js ships no types. Only the function we call is declared.
declare module "lz4js" {
  /** Decompresses one LZ4 frame; the result is a fresh, exactly-sized Uint8Array. */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
}
