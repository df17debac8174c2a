// biome-ignore-all lint/suspicious/noExplicitAny: the test walks parsed envelopes of any shape, as JSON.parse returns them
import { createDirectPayload, createEnvelope, directPayloadBytes, parseEnvelope, serializeEnvelope } from "@natsbridge/envelope";
import { describe, expect, it } from "vitest";
import { spliceParse } from "../src/splice-parse.js";

const bytes = (n: number, seed = 7) => Uint8Array.from({ length: n }, (_, i) => (i * seed + 3) & 0xff);
const utf8 = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder("utf-8", { fatal: true }).decode(b);

/** What parseEnvelope must return: the ordinary path, JSON.parse of the decoded text. */
const slow = (b: Uint8Array) => parseEnvelope(decode(b));

function bigEnvelope(extra: (env: Record<string, any>) => void = () => {}) {
  const env = createEnvelope({
    sendTo: "s",
    senderName: "送信者 🎉",
    payloads: [
      createDirectPayload({ dataname: "small", payloadType: "text", bytes: utf8("hi") }),
      createDirectPayload({ dataname: "big", payloadType: "binary", bytes: bytes(60_000) }),
      createDirectPayload({ dataname: "big2", payloadType: "image", bytes: bytes(9_000, 3) }),
    ],
  }) as Record<string, any>;
  extra(env);
  return env;
}

describe("parseEnvelope on large envelopes (spliced parse)", () => {
  it("gives exactly what the ordinary parse gives, and the payload bytes", () => {
    const env = bigEnvelope();
    const b = serializeEnvelope(env as never).bytes();
    expect(spliceParse(b, decode)?.spliced.size).toBe(2);
    const fast = parseEnvelope(b);
    expect(fast).toEqual(slow(b));
    expect(directPayloadBytes(fast.payloads[1]!)).toEqual(bytes(60_000));
    expect(directPayloadBytes(fast.payloads[2]!)).toEqual(bytes(9_000, 3));
  });

  it.each([
    ["Python-style spacing", (e: any) => e, (t: string) => t.replaceAll('":"', '": "').replaceAll('","', '", "')],
    ["a long base64 value in metadata", (e: any) => (e.metadata.thumb = Buffer.from(bytes(9000)).toString("base64")), (t: string) => t],
    [
      "a long base64 value under __proto__",
      (e: any) => (e.metadata = JSON.parse(`{"__proto__": "${Buffer.from(bytes(9000)).toString("base64")}"}`)),
      (t: string) => t,
    ],
    ["a long non-base64 string with escapes", (e: any) => (e.metadata.note = `${'a"b\\c\n'.repeat(2000)}ü✓`), (t: string) => t],
    ["a long base64 key", (e: any) => (e.metadata[Buffer.from(bytes(6000)).toString("base64")] = 1), (t: string) => t],
    ["base64 in an array", (e: any) => (e.metadata.list = [Buffer.from(bytes(9000)).toString("base64")]), (t: string) => t],
    [
      "URL-safe base64 data",
      (e: any) => (e.payloads[1].data = e.payloads[1].data.replaceAll("+", "-").replaceAll("/", "_")),
      (t: string) => t,
    ],
    [
      "MIME line breaks (escaped) in data",
      (e: any) => (e.payloads[1].data = e.payloads[1].data.replace(/(.{76})/g, "$1\n")),
      (t: string) => t,
    ],
    ["a string that looks like a marker", (e: any) => (e.metadata.m = "@nb:abc:0@"), (t: string) => t],
  ])("%s: same result as the ordinary parse", (_, mutate, retext) => {
    const env = bigEnvelope(mutate);
    const b = utf8(retext(JSON.stringify(env)));
    const fast = parseEnvelope(b);
    expect(fast).toEqual(slow(b));
    expect(directPayloadBytes(fast.payloads[1]!)).toEqual(directPayloadBytes(slow(b).payloads[1]!));
  });

  it.each([
    ["invalid UTF-8 outside the base64", (b: Uint8Array) => (b[10] = 0xff), "INVALID_ENVELOPE"],
    ["truncated JSON", (b: Uint8Array) => b.fill(0x20, b.length - 3), "INVALID_ENVELOPE"],
  ])("%s is still %s", (_, damage, code) => {
    const b = serializeEnvelope(bigEnvelope() as never)
      .bytes()
      .slice();
    damage(b);
    expect(() => parseEnvelope(b)).toThrow(expect.objectContaining({ code }));
  });

  it("a raw control character inside long base64 is refused as by JSON.parse", () => {
    const env = bigEnvelope();
    const text = JSON.stringify(env).replace(/"data":"([A-Za-z0-9+/]{100})/, '"data":"$1\t');
    expect(() => parseEnvelope(utf8(text))).toThrow(expect.objectContaining({ code: "INVALID_ENVELOPE" }));
  });

  it("bad base64 in a long value still fails at decoding, as before", () => {
    const env = bigEnvelope((e) => (e.payloads[1].data = `@@${e.payloads[1].data.slice(2)}`));
    const fast = parseEnvelope(utf8(JSON.stringify(env)));
    expect(() => directPayloadBytes(fast.payloads[1]!)).toThrow(expect.objectContaining({ code: "DESERIALIZATION_ERROR" }));
  });
});
