// Fast paths for tableToRows: the common column types read straight from a
// chunk's buffers instead of apache-arrow's per-value getters. int64 and
// timestamps are read as two 32-bit halves, so no BigInt is made unless a
// value needs one, and timestamps are floored to milliseconds exactly (the
// getters go through a lossy double for nanoseconds). ASCII text is decoded
// once per chunk and cut with substring.

import { type Data, type DataType, type Date_, DateUnit, type Timestamp, TimeUnit, Type } from "apache-arrow";

const TWO_32 = 2 ** 32;
const SAFE_HI = 2 ** 21; // |hi| < 2^21 ⇔ |value| < 2^53
const decoder = new TextDecoder();

export interface ChunkOptions {
  /** What an int64 that a number cannot hold exactly becomes. */
  unsafe: (v: bigint) => unknown;
  /** What a millisecond timestamp becomes. */
  date: (ms: number) => unknown;
}

/** Writes `out[base + i]` for every row of the chunk. */
type ChunkReader = (out: unknown[], base: number) => void;

/** A fast reader for this chunk's type, or undefined to use the generic path. */
export function chunkReader(data: Data, options: ChunkOptions): ChunkReader | undefined {
  const type = data.type as DataType;
  const read = valueReader(data, type, options);
  if (!read) return undefined;
  const { length, offset, nullBitmap, nullCount } = data;
  return (out, base) => {
    for (let i = 0; i < length; i++) {
      const bit = offset + i;
      out[base + i] = nullCount > 0 && nullBitmap && !((nullBitmap[bit >> 3]! >> (bit & 7)) & 1) ? null : read(i);
    }
  };
}

function valueReader(data: Data, type: DataType, options: ChunkOptions): ((i: number) => unknown) | undefined {
  const values = data.values as ArrayLike<number> & ArrayBufferView;
  switch (type.typeId) {
    case Type.Float:
      if (values instanceof Float64Array || values instanceof Float32Array) return (i) => values[i];
      return undefined;
    case Type.Int: {
      const { bitWidth, isSigned } = type as unknown as { bitWidth: number; isSigned: boolean };
      if (bitWidth < 64) return (i) => values[i];
      const words = int32Words(values);
      const big = values as unknown as BigInt64Array;
      return (i) => {
        const hi = isSigned ? words[2 * i + 1]! : words[2 * i + 1]! >>> 0;
        if (hi >= -SAFE_HI && hi < SAFE_HI) {
          const v = hi * TWO_32 + (words[2 * i]! >>> 0);
          if (Number.isSafeInteger(v)) return v;
        }
        return options.unsafe(big[i]!);
      };
    }
    case Type.Timestamp: {
      const toMs = msFromInt64(int32Words(values), (type as Timestamp).unit);
      return (i) => options.date(toMs(i));
    }
    case Type.Date: {
      // DateDay: one int32 of days; DateMillisecond: an int64 as two int32s.
      if ((type as Date_).unit === DateUnit.DAY) return (i) => options.date(values[i]! * 86_400_000);
      const toMs = msFromInt64(int32Words(values), TimeUnit.MILLISECOND);
      return (i) => options.date(toMs(i));
    }
    case Type.Bool:
      return (i) => {
        const bit = data.offset + i;
        return ((values[bit >> 3]! >> (bit & 7)) & 1) === 1;
      };
    case Type.Utf8:
      return utf8Reader(data);
  }
  return undefined;
}

function int32Words(values: ArrayBufferView): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.byteLength >> 2);
}

/** floor(value / divisor) for a 64-bit value given as hi·2^32 + lo, exactly, in doubles. */
function msFromInt64(words: Int32Array, unit: TimeUnit): (i: number) => number {
  if (unit === TimeUnit.SECOND) return (i) => (words[2 * i + 1]! * TWO_32 + (words[2 * i]! >>> 0)) * 1000;
  if (unit === TimeUnit.MILLISECOND) return (i) => words[2 * i + 1]! * TWO_32 + (words[2 * i]! >>> 0);
  const divisor = unit === TimeUnit.MICROSECOND ? 1_000 : 1_000_000;
  const whole = Math.floor(TWO_32 / divisor);
  const rest = TWO_32 % divisor;
  return (i) => {
    const hi = words[2 * i + 1]!;
    const x = hi * rest + (words[2 * i]! >>> 0); // |x| < 2^53: exact
    let q = Math.floor(x / divisor);
    if (q * divisor > x) q--;
    else if ((q + 1) * divisor <= x) q++;
    return hi * whole + q;
  };
}

/** Utf8: an all-ASCII chunk is decoded once and sliced; otherwise one decode per value. */
function utf8Reader(data: Data): (i: number) => string {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const start = offsets[0]!;
  const end = offsets[data.length]!;
  let ascii = true;
  for (let k = start; k < end; k++) {
    if (bytes[k]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    const text = decoder.decode(bytes.subarray(start, end));
    return (i) => text.substring(offsets[i]! - start, offsets[i + 1]! - start);
  }
  return (i) => decoder.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!));
}
