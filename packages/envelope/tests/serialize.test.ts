import { createDirectPayload, createEnvelope, createLinkPayload, serializeEnvelope } from "@natsbridge/envelope";
import { describe, expect, it } from "vitest";

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 13) & 0xff);

describe("serializeEnvelope", () => {
  it("produces exactly JSON.stringify's text and its UTF-8 bytes, large payloads spliced in", () => {
    const big = createDirectPayload({ dataname: "böig ✓", payloadType: "binary", bytes: bytes(100_000) });
    const env = createEnvelope({
      sendTo: "s",
      senderName: "名前 🎉",
      metadata: { note: 'quotes " and \\ and \n' },
      payloads: [
        createDirectPayload({ dataname: "small", payloadType: "text", bytes: bytes(10) }),
        big,
        createLinkPayload({ dataname: "l", payloadType: "binary", url: 'http://h/x?a=1&b="2"', size: 9 }),
        createDirectPayload({ dataname: "big2", payloadType: "image", bytes: bytes(50_001) }),
      ],
    });
    for (const options of [{}, { knownBase64: new Set<object>([big]) }]) {
      const s = serializeEnvelope(env, options);
      expect(s.json).toBe(JSON.stringify(env));
      expect(s.bytes()).toEqual(new TextEncoder().encode(JSON.stringify(env)));
    }
  });

  it("leaves non-base64 data to JSON.stringify, so it is escaped", () => {
    const env = createEnvelope({ sendTo: "s", payloads: [] });
    env.payloads.push({ ...createDirectPayload({ dataname: "d", payloadType: "text", bytes: bytes(1) }), data: 'x"y'.repeat(3000) });
    const s = serializeEnvelope(env);
    expect(JSON.parse(s.json)).toEqual(JSON.parse(JSON.stringify(env)));
    expect(new TextDecoder().decode(s.bytes())).toBe(s.json);
  });
});
