// Payload codecs turn a native value into the bytes of a payload and back. The
// registry is a plain object passed through options (never a global), so that
// @natsbridge/arrow can add `arrowtable` and `table` without this package
// depending on apache-arrow, and two bridges in one process can differ.

import { decodeUtf8, describe, encodeUtf8, ownBytes, toBytes } from "./bytes.js";
import { DeserializationError, InvalidDataError, MissingDependencyError, NatsBridgeError, UnknownPayloadTypeError } from "./errors.js";

export interface CodecContext {
  dataname: string;
  payloadType: string;
  correlationId?: string | undefined;
}

export interface PayloadCodec<In = unknown, Out = unknown> {
  /**
   * The `payload_type` this codec handles on the wire. Any string; to send
   * a type of your own with smartsend, also add it to PayloadTypes.
   */
  readonly type: string;
  /** Native value → payload bytes. Throws InvalidDataError for values of the wrong kind. */
  encode(value: In, context: CodecContext): Uint8Array | Promise<Uint8Array>;
  /** Payload bytes → native value. Throws DeserializationError for bytes it cannot read. */
  decode(bytes: Uint8Array, context: CodecContext): Out | Promise<Out>;
}

/**
 * Payload types the references define whose codec ships in a package of its
 * own (so that this one needs no Arrow library): without it registered, such a
 * payload is a missing dependency, not an unknown type.
 */
const PLUG_IN_CODECS: ReadonlyMap<string, { package: string; register: string }> = new Map(
  ["arrowtable", "table"].map((type) => [
    type,
    {
      package: "@natsbridge/arrow",
      register: 'import { arrowCodecs } from "@natsbridge/arrow" and createBridge({ codecs: arrowCodecs() })',
    },
  ]),
);

export class CodecRegistry {
  readonly #codecs = new Map<string, PayloadCodec>();

  constructor(codecs: Iterable<PayloadCodec> = defaultCodecs) {
    for (const codec of codecs) this.#codecs.set(codec.type, codec);
  }

  /**
   * The codec for `type`. MissingDependencyError for `arrowtable`/`table`
   * when @natsbridge/arrow's codecs are not registered, UnknownPayloadTypeError
   * for any other type without a codec.
   */
  get(type: string): PayloadCodec {
    const codec = this.#codecs.get(type);
    const plugIn = codec ? undefined : PLUG_IN_CODECS.get(type);
    if (plugIn) {
      throw new MissingDependencyError(
        `payload_type ${JSON.stringify(type)} needs ${plugIn.package}, whose codecs are not registered: install it, then ${plugIn.register}`,
        { details: { payloadType: type, package: plugIn.package } },
      );
    }
    if (!codec) {
      throw new UnknownPayloadTypeError(`unknown payload_type ${JSON.stringify(type)}; known: ${this.types().join(", ")}`, {
        details: { payloadType: type },
      });
    }
    return codec;
  }

  has(type: string): boolean {
    return this.#codecs.has(type);
  }

  types(): string[] {
    return [...this.#codecs.keys()];
  }

  /** A new registry with these codecs added; a codec for an existing type replaces it. */
  with(...codecs: PayloadCodec[]): CodecRegistry {
    return new CodecRegistry([...this.#codecs.values(), ...codecs]);
  }
}

/** The built-in codecs plus any extra ones (e.g. `arrowCodecs()` from @natsbridge/arrow). */
export function createCodecRegistry(...extra: PayloadCodec[]): CodecRegistry {
  return new CodecRegistry([...defaultCodecs, ...extra]);
}

/** Serialize one value with the codec for its type, adding payload context to errors. */
export async function encodeValue(registry: CodecRegistry, value: unknown, context: CodecContext): Promise<Uint8Array> {
  return encodeNow(registry, value, context);
}

/** Deserialize one payload's bytes with the codec for its type, adding payload context to errors. */
export async function decodeValue(registry: CodecRegistry, bytes: Uint8Array, context: CodecContext): Promise<unknown> {
  return decodeNow(registry, bytes, context);
}

/**
 * encodeValue without a promise when the codec needs none (every built-in
 * one): a sender awaits only what is really asynchronous. Errors, thrown or
 * rejected, carry the payload's context either way.
 */
export function encodeNow(registry: CodecRegistry, value: unknown, context: CodecContext): Uint8Array | Promise<Uint8Array> {
  return settle(() => registry.get(context.payloadType).encode(value, context), context, InvalidDataError, "could not serialize");
}

/** decodeValue without a promise when the codec needs none (see encodeNow). */
export function decodeNow(registry: CodecRegistry, bytes: Uint8Array, context: CodecContext): unknown {
  return settle(() => registry.get(context.payloadType).decode(bytes, context), context, DeserializationError, "could not deserialize");
}

function settle<T>(
  run: () => T | Promise<T>,
  context: CodecContext,
  Fallback: typeof InvalidDataError | typeof DeserializationError,
  verb: string,
): T | Promise<T> {
  let result: T | Promise<T>;
  try {
    result = run();
  } catch (error) {
    throw inContext(error, context, Fallback, verb);
  }
  if (isPromiseLike(result))
    return Promise.resolve(result).catch((error: unknown) => Promise.reject(inContext(error, context, Fallback, verb)));
  return result;
}

/** A promise or any thenable: what must be awaited. */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

function inContext(
  error: unknown,
  context: CodecContext,
  Fallback: typeof InvalidDataError | typeof DeserializationError,
  verb: string,
): NatsBridgeError {
  const where = { correlationId: context.correlationId, dataname: context.dataname };
  if (error instanceof NatsBridgeError) return error.withContext(where);
  // A third-party codec threw something untyped: wrap it so callers still get a code.
  return new Fallback(`${verb} payload '${context.dataname}' (${context.payloadType}): ${String(error)}`, {
    cause: error,
    ...where,
  });
}

// ---- built-in codecs -------------------------------------------------------

export const textCodec: PayloadCodec<string, string> = {
  type: "text",
  encode(value) {
    if (typeof value !== "string") throw new InvalidDataError(`text data must be a string, got ${describe(value)}`);
    return encodeUtf8(value);
  },
  decode(bytes) {
    return decodeUtf8(bytes);
  },
};

function encodeJson(value: unknown, type: string): Uint8Array {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    // BigInt, circular structures, throwing toJSON...
    throw new InvalidDataError(`${type} data is not JSON-serializable: ${String(cause)}`, { cause });
  }
  if (json === undefined) throw new InvalidDataError(`${type} data is not JSON-serializable (got ${describe(value)})`);
  return encodeUtf8(json);
}

function decodeJson(bytes: Uint8Array, type: string): unknown {
  const text = decodeUtf8(bytes);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new DeserializationError(`${type} payload is not valid JSON: ${String(cause)}`, { cause });
  }
}

/** `dictionary`: any JSON value (objects and top-level lists alike, as Python sends both). */
export const dictionaryCodec: PayloadCodec<unknown, unknown> = {
  type: "dictionary",
  encode(value) {
    return encodeJson(value, "dictionary");
  },
  decode(bytes) {
    return decodeJson(bytes, "dictionary");
  },
};

function isRow(row: unknown): boolean {
  return typeof row === "object" && row !== null && !Array.isArray(row);
}

/** `jsontable`: an array of row objects, as JSON. Needs no Arrow library. */
export const jsontableCodec: PayloadCodec<Record<string, unknown>[], Record<string, unknown>[]> = {
  type: "jsontable",
  encode(value) {
    if (!Array.isArray(value) || !value.every(isRow)) {
      throw new InvalidDataError(`jsontable data must be an array of row objects, got ${describe(value)}`);
    }
    return encodeJson(value, "jsontable");
  },
  decode(bytes) {
    const rows = decodeJson(bytes, "jsontable");
    if (!Array.isArray(rows)) throw new DeserializationError("jsontable payload is not a JSON array of rows");
    return rows as Record<string, unknown>[];
  },
};

function bytesCodec(type: "image" | "audio" | "video" | "binary"): PayloadCodec<Uint8Array, Uint8Array> {
  return {
    type,
    encode(value) {
      return toBytes(value, `${type} data`);
    },
    decode(bytes) {
      return ownBytes(bytes);
    },
  };
}

export const imageCodec = bytesCodec("image");
export const audioCodec = bytesCodec("audio");
export const videoCodec = bytesCodec("video");
export const binaryCodec = bytesCodec("binary");

/** The codecs every bridge has: everything but the Arrow table types. */
export const defaultCodecs: readonly PayloadCodec[] = Object.freeze([
  textCodec as PayloadCodec,
  dictionaryCodec,
  jsontableCodec as PayloadCodec,
  imageCodec as PayloadCodec,
  audioCodec as PayloadCodec,
  videoCodec as PayloadCodec,
  binaryCodec as PayloadCodec,
]);
