import { decodeBase64, decodeUtf8, ErrorCodes, encodeBase64, NatsBridgeError, toBytes } from "@natsbridge/envelope";
import { describe, expect, it } from "vitest";

const sample = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);

describe("base64", () => {
  it.each([0, 1, 2, 3, 4, 5, 1000, 65537])("round-trips %i bytes", (n) => {
    const bytes = sample(n);
    const text = encodeBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString("base64"));
    expect(decodeBase64(text)).toEqual(bytes);
  });

  it("accepts missing padding and MIME line breaks", () => {
    expect(decodeBase64("aGk")).toEqual(new TextEncoder().encode("hi"));
    expect(decodeBase64("aGVs\nbG8=\n")).toEqual(new TextEncoder().encode("hello"));
  });

  it.each(["a", "abcde", "ab=c", "a@bc", "YWJj===", "YW==" + "x", "é", "ab cd!"])("rejects %j with DESERIALIZATION_ERROR", (bad) => {
    let error: unknown;
    try {
      decodeBase64(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NatsBridgeError);
    expect((error as NatsBridgeError).code).toBe(ErrorCodes.DESERIALIZATION_ERROR);
  });

  it("hands back bytes that own their buffer (no Node pool leaking through .buffer)", () => {
    const out = decodeBase64("AQID");
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(3);
  });
});

describe("utf8 and bytes", () => {
  it("rejects invalid UTF-8", () => {
    expect(() => decodeUtf8(new Uint8Array([0xff, 0xfe]))).toThrow(expect.objectContaining({ code: "DESERIALIZATION_ERROR" }));
  });
  it("accepts byte-like values and rejects others", () => {
    expect(toBytes(new ArrayBuffer(3)).byteLength).toBe(3);
    expect(toBytes(new Uint16Array(2)).byteLength).toBe(4);
    expect(toBytes(Buffer.from("ab"))).toEqual(Buffer.from("ab"));
    expect(() => toBytes("abc")).toThrow(expect.objectContaining({ code: "INVALID_DATA" }));
    expect(() => toBytes([1, 2, 3])).toThrow(expect.objectContaining({ code: "INVALID_DATA" }));
  });
});
