import {
  CodecRegistry,
  createCodecRegistry,
  decodeValue,
  ErrorCodes,
  encodeValue,
  MissingDependencyError,
  type PayloadCodec,
  UnknownPayloadTypeError,
} from "@natsbridge/envelope";
import { describe, expect, it } from "vitest";

const registry = createCodecRegistry();
const ctx = (payloadType: string) => ({ dataname: "x", payloadType, correlationId: "cid-1" });
const roundTrip = async (type: string, value: unknown) => decodeValue(registry, await encodeValue(registry, value, ctx(type)), ctx(type));

describe("built-in codecs", () => {
  it.each([
    ["text", "Hello, 世界! สวัสดี 🎉"],
    ["text", ""],
    ["dictionary", { a: 1, nested: { b: [1, 2, { c: null }] }, s: "ü" }],
    ["dictionary", [1, "two", { three: 3 }]],
    [
      "jsontable",
      [
        { id: 1, name: "a" },
        { id: 2, name: null },
      ],
    ],
    ["jsontable", []],
  ])("%s round-trips %j", async (type, value) => {
    expect(await roundTrip(type, value)).toEqual(value);
  });

  it.each(["image", "audio", "video", "binary"])("%s round-trips bytes, including zero bytes", async (type) => {
    const bytes = Uint8Array.from([0, 1, 2, 255]);
    expect(await roundTrip(type, bytes)).toEqual(bytes);
    expect(await roundTrip(type, new Uint8Array(0))).toEqual(new Uint8Array(0));
    expect(await roundTrip(type, bytes.buffer)).toEqual(bytes);
  });

  it("text serializes to UTF-8", async () => {
    expect(await encodeValue(registry, "é", ctx("text"))).toEqual(Uint8Array.from([0xc3, 0xa9]));
  });

  it.each([
    ["text", 42],
    ["text", null],
    ["binary", "not bytes"],
    ["image", [1, 2, 3]],
    ["dictionary", undefined],
    ["dictionary", { big: 10n }],
    ["jsontable", { not: "an array" }],
    ["jsontable", [1, 2]],
  ])("%s rejects %s with INVALID_DATA and payload context", async (type, value) => {
    await expect(encodeValue(registry, value, ctx(type))).rejects.toMatchObject({
      code: ErrorCodes.INVALID_DATA,
      correlationId: "cid-1",
      dataname: "x",
    });
  });

  it("circular dictionaries are INVALID_DATA, not a crash", async () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    await expect(encodeValue(registry, a, ctx("dictionary"))).rejects.toMatchObject({ code: "INVALID_DATA" });
  });

  it.each([
    ["dictionary", "{not json"],
    ["jsontable", '{"a":1}'],
    ["text", "\xff"],
  ])("%s rejects bad bytes with DESERIALIZATION_ERROR", async (type, text) => {
    const bytes = type === "text" ? Uint8Array.from([0xff]) : new TextEncoder().encode(text);
    await expect(decodeValue(registry, bytes, ctx(type))).rejects.toMatchObject({ code: ErrorCodes.DESERIALIZATION_ERROR });
  });
});

describe("CodecRegistry", () => {
  it("reports unknown types with UNKNOWN_PAYLOAD_TYPE", async () => {
    for (const type of ["hologram", "", "__proto__", "constructor", "toString"]) {
      expect(() => registry.get(type), type).toThrow(UnknownPayloadTypeError);
    }
    await expect(encodeValue(registry, 1, ctx("hologram"))).rejects.toMatchObject({ code: "UNKNOWN_PAYLOAD_TYPE" });
  });

  it.each(["arrowtable", "table"])(
    "%s without @natsbridge/arrow's codecs is MISSING_DEPENDENCY naming the package and how to register it, on send and on receive",
    async (type) => {
      expect(() => registry.get(type)).toThrow(MissingDependencyError);
      const sending = await encodeValue(registry, [{ a: 1 }], ctx(type)).catch((e: unknown) => e);
      const receiving = await decodeValue(registry, new Uint8Array([0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]), ctx(type)).catch(
        (e: unknown) => e,
      );
      for (const error of [sending, receiving]) {
        expect(error).toBeInstanceOf(MissingDependencyError);
        expect(error).toMatchObject({
          code: ErrorCodes.MISSING_DEPENDENCY,
          name: "MissingDependencyError",
          dataname: "x",
          correlationId: "cid-1",
          details: { payloadType: type, package: "@natsbridge/arrow" },
        });
        expect((error as Error).message).toContain("@natsbridge/arrow");
        expect((error as Error).message).toContain("createBridge({ codecs: arrowCodecs() })");
      }
    },
  );

  it("arrowtable and table decode normally once a codec for them is registered", async () => {
    const fake = (type: string): PayloadCodec => ({ type, encode: () => new Uint8Array([1]), decode: () => "a table" });
    const withArrow = registry.with(fake("arrowtable"), fake("table"));
    for (const type of ["arrowtable", "table"]) {
      expect(await decodeValue(withArrow, new Uint8Array([1]), ctx(type))).toBe("a table");
    }
  });

  it("adds codecs without touching other registries", async () => {
    const upper: PayloadCodec<string, string> = {
      type: "shout",
      encode: (v) => new TextEncoder().encode(v.toUpperCase()),
      decode: (b) => new TextDecoder().decode(b),
    };
    const extended = registry.with(upper as PayloadCodec);
    expect(extended.has("shout")).toBe(true);
    expect(registry.has("shout")).toBe(false);
    expect(new CodecRegistry().types()).toEqual(registry.types());
    const bytes = await encodeValue(extended, "hi", ctx("shout"));
    expect(await decodeValue(extended, bytes, ctx("shout"))).toBe("HI");
  });

  it("wraps untyped codec errors so callers still get a code", async () => {
    const broken: PayloadCodec = {
      type: "broken",
      encode: () => {
        throw new TypeError("boom");
      },
      decode: () => {
        throw new RangeError("bang");
      },
    };
    const r = createCodecRegistry(broken);
    await expect(encodeValue(r, 1, ctx("broken"))).rejects.toMatchObject({ code: "INVALID_DATA", cause: expect.any(TypeError) });
    await expect(decodeValue(r, new Uint8Array(), ctx("broken"))).rejects.toMatchObject({ code: "DESERIALIZATION_ERROR" });
  });
});
