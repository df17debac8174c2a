import {
  draftDirectPayload,
  draftEnvelope,
  draftLinkPayload,
  envelopeByteLength,
  type PayloadDraft,
  parseEnvelope,
  writeEnvelope,
} from "@natsbridge/envelope";
import { describe, expect, it } from "vitest";

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0xff);
const utf8 = (s: string) => new TextEncoder().encode(s);

// Strings that need escaping or take 2, 3 and 4 UTF-8 bytes per character, a lone surrogate, control characters.
const AWKWARD = [
  "",
  "plain",
  'quo"te',
  "back\\slash",
  "tab\there",
  "nl\n",
  "\u0000\u001f\u007f",
  "é",
  "名前",
  "🎉 ok",
  "\ud800 lone",
  "</script>",
  "a\u2028b",
];

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

describe("writeEnvelope", () => {
  it("writes exactly JSON.stringify of the envelope, in bytes of the size the drafts announced", () => {
    const random = rng(7);
    const pick = () => AWKWARD[Math.floor(random() * AWKWARD.length)]!;
    for (let round = 0; round < 200; round++) {
      const envelope = draftEnvelope({
        sendTo: pick() || "s",
        senderName: pick(),
        receiverName: pick(),
        replyTo: pick(),
        msgPurpose: pick(),
        metadata: random() < 0.5 ? {} : { [pick()]: pick(), n: Math.floor(random() * 1e9), nested: { list: [pick(), null, true] } },
      });
      const payloads: PayloadDraft[] = [];
      const count = Math.floor(random() * 4);
      for (let i = 0; i < count; i++) {
        const id = `p${i}`;
        if (random() < 0.3) {
          const url = `http://h:8080/${pick()}?q="${pick()}"`;
          payloads.push(
            draftLinkPayload({ id, dataname: pick(), payloadType: "binary", url, size: 5, metadata: { sha256: "ab", [pick()]: 1 } }),
          );
        } else {
          const size = [0, 1, 2, 3, 100, 5000][Math.floor(random() * 6)]!;
          payloads.push(
            draftDirectPayload({
              id,
              dataname: pick(),
              payloadType: "text",
              bytes: bytes(size, i),
              metadata: random() < 0.5 ? { sha256: "cd" } : undefined,
            }),
          );
        }
      }
      const written = writeEnvelope(envelope, payloads);
      const expected = JSON.stringify(written.envelope);
      expect(written.json).toBe(expected);
      expect(written.bytes).toEqual(utf8(expected));
      expect(written.bytes.byteLength).toBe(envelopeByteLength(envelope, payloads));
    }
  });

  it("fills in the references' defaults, and direct payloads read back to their bytes", () => {
    const data = bytes(70_000);
    const envelope = draftEnvelope({ sendTo: "orders.new", correlationId: "c1" });
    const direct = draftDirectPayload({ id: "p1", dataname: "blob", payloadType: "binary", bytes: data, metadata: { sha256: "x" } });
    const written = writeEnvelope(envelope, [direct]);
    const parsed = parseEnvelope(written.bytes);
    expect(parsed).toMatchObject({
      correlation_id: "c1",
      send_to: "orders.new",
      msg_purpose: "chat",
      sender_name: "NATSBridge",
      reply_to: "",
      metadata: {},
    });
    expect(parsed.msg_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(parsed.payloads[0]).toMatchObject({
      id: "p1",
      transport: "direct",
      encoding: "base64",
      size: 70_000,
      metadata: { payload_bytes: 70_000, sha256: "x" },
    });
    expect(new Uint8Array(Buffer.from(parsed.payloads[0]!.data as string, "base64"))).toEqual(data);
  });

  it("counts a direct payload's base64 without producing it", () => {
    for (const n of [0, 1, 2, 3, 4, 999_999]) {
      const d = draftDirectPayload({ id: "i", dataname: "d", payloadType: "binary", bytes: new Uint8Array(n) });
      const written = writeEnvelope(draftEnvelope({ sendTo: "s" }), [d]);
      const one = JSON.stringify(written.envelope.payloads[0]);
      expect(d.byteLength).toBe(one.length);
    }
  });

  it("refuses metadata that JSON cannot hold, with INVALID_DATA naming it", () => {
    expect(() => draftEnvelope({ sendTo: "s", metadata: { n: 1n } })).toThrow(
      expect.objectContaining({ code: "INVALID_DATA", message: expect.stringMatching(/envelope metadata/) }),
    );
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => draftDirectPayload({ id: "i", dataname: "d", payloadType: "binary", bytes: bytes(1), metadata: cycle })).toThrow(
      expect.objectContaining({ code: "INVALID_DATA", message: expect.stringMatching(/payload 'd' metadata/) }),
    );
  });
});
