import {
  createDirectPayload,
  createEnvelope,
  directPayloadBytes,
  ENVELOPE_STRING_FIELDS,
  ErrorCodes,
  InvalidEnvelopeError,
  parseEnvelope,
  parseTimestamp,
  type WireEnvelope,
} from "@natsbridge/envelope";
import { describe, expect, it } from "vitest";

const text = (s: string) => new TextEncoder().encode(s);

function sample(): WireEnvelope {
  return createEnvelope({
    sendTo: "/chat",
    correlationId: "corr-1",
    payloads: [createDirectPayload({ dataname: "msg", payloadType: "text", bytes: text("hi") })],
  });
}

describe("createEnvelope", () => {
  it("emits every field in the Julia reference order with the references' defaults", () => {
    const env = sample();
    expect(Object.keys(env)).toEqual([...ENVELOPE_STRING_FIELDS, "metadata", "payloads"]);
    expect(env).toMatchObject({ msg_purpose: "chat", sender_name: "NATSBridge", receiver_name: "", reply_to: "" });
    expect(Object.keys(env.payloads[0]!)).toEqual(["id", "dataname", "payload_type", "transport", "encoding", "size", "data", "metadata"]);
    expect(env.payloads[0]).toMatchObject({
      transport: "direct",
      encoding: "base64",
      size: 2,
      data: "aGk=",
      metadata: { payload_bytes: 2 },
    });
    expect(env.msg_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(parseTimestamp(env.timestamp)).toBeInstanceOf(Date);
  });
});

describe("parseEnvelope", () => {
  it("parses bytes, text and objects alike", () => {
    const json = JSON.stringify(sample());
    expect(parseEnvelope(text(json))).toEqual(JSON.parse(json));
    expect(parseEnvelope(json)).toEqual(JSON.parse(json));
    expect(parseEnvelope(JSON.parse(json))).toEqual(JSON.parse(json));
  });

  it("keeps unknown fields at both levels", () => {
    const raw = { ...sample(), x_trace: { span: 1 } } as Record<string, unknown>;
    (raw.payloads as Record<string, unknown>[])[0]!.x_extra = "kept";
    const env = parseEnvelope(JSON.stringify(raw));
    expect(env.x_trace).toEqual({ span: 1 });
    expect(env.payloads[0]!.x_extra).toBe("kept");
  });

  it("accepts a MicroPython envelope: no payload metadata, mp- ids, second-precision timestamp", () => {
    const mp = {
      correlation_id: "mp-0001a2b3-0004-0005-0006-000700080009",
      msg_id: "mp-0001a2b3-0004-0005-0006-00070008000a",
      timestamp: "2026-03-13T16:30:00Z",
      send_to: "/sensor",
      msg_purpose: "chat",
      sender_name: "NATSBridge",
      sender_id: "mp-x",
      receiver_name: "",
      receiver_id: "",
      reply_to: "",
      reply_to_msg_id: "",
      broker_url: "nats://localhost:4222",
      metadata: {},
      payloads: [
        { id: "mp-p", dataname: "data", payload_type: "dictionary", transport: "direct", encoding: "base64", size: 2, data: "e30=" },
      ],
    };
    const env = parseEnvelope(JSON.stringify(mp));
    expect(env.payloads[0]!.metadata).toEqual({});
    expect(env.correlation_id).toBe(mp.correlation_id);
  });

  it("fills in envelope string fields an implementation left out, and a missing encoding", () => {
    const env = parseEnvelope(
      JSON.stringify({ payloads: [{ dataname: "a", payload_type: "text", transport: "link", data: "http://x/y" }] }),
    );
    expect(env.reply_to).toBe("");
    expect(env.metadata).toEqual({});
    expect(env.payloads[0]!.encoding).toBe("none");
    expect(env.payloads[0]!.size).toBeUndefined();
  });

  it.each([
    ["garbage bytes", Uint8Array.from([0xff, 0x00, 0x12])],
    ["truncated JSON", '{"correlation_id": "a", "payloads": ['],
    ["a JSON array", "[1,2]"],
    ["a JSON string", '"hi"'],
    ["null", "null"],
    ["payloads not an array", '{"payloads": {}}'],
    ["missing payloads", '{"correlation_id": "c"}'],
    ["numeric msg_id", '{"msg_id": 5, "payloads": []}'],
    ["metadata as list", '{"metadata": [], "payloads": []}'],
    ["payload not an object", '{"payloads": [1]}'],
    ["payload without dataname", '{"payloads": [{"payload_type":"text","transport":"direct","data":""}]}'],
    ["negative size", '{"payloads": [{"dataname":"a","payload_type":"text","transport":"direct","data":"","size":-1}]}'],
    ["fractional size", '{"payloads": [{"dataname":"a","payload_type":"text","transport":"direct","data":"","size":1.5}]}'],
    ["payload metadata as string", '{"payloads": [{"dataname":"a","payload_type":"text","transport":"direct","data":"","metadata":"x"}]}'],
    ["payload without data", '{"payloads": [{"dataname":"a","payload_type":"text","transport":"direct"}]}'],
  ])("rejects %s with INVALID_ENVELOPE", (_, input) => {
    expect(() => parseEnvelope(input)).toThrow(InvalidEnvelopeError);
  });

  it("names the correlation id in errors once it is known", () => {
    expect(() => parseEnvelope('{"correlation_id":"c-9","payloads":[7]}')).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_ENVELOPE, correlationId: "c-9" }),
    );
  });

  it("enforces maxBytes before parsing", () => {
    expect(() => parseEnvelope("x".repeat(100), { maxBytes: 10 })).toThrow(expect.objectContaining({ code: "INVALID_ENVELOPE" }));
  });

  it("treats __proto__ keys as plain data", () => {
    const env = parseEnvelope('{"__proto__": {"polluted": true}, "payloads": [], "metadata": {"__proto__": {"x": 1}}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((env as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("directPayloadBytes", () => {
  const payload = (over: Record<string, unknown>) =>
    parseEnvelope({ payloads: [{ dataname: "d", payload_type: "dictionary", transport: "direct", data: "e30=", ...over }] }).payloads[0]!;

  it.each(["base64", "json", "arrow-ipc"])("reads base64 data labelled %s", (encoding) => {
    expect(directPayloadBytes(payload({ encoding }))).toEqual(text("{}"));
  });

  it("reads an inline JSON value labelled json", () => {
    expect(directPayloadBytes(payload({ encoding: "json", data: { a: 1 } }))).toEqual(text('{"a":1}'));
  });

  it("rejects unknown encodings and bad base64", () => {
    expect(() => directPayloadBytes(payload({ encoding: "gzip" }))).toThrow(expect.objectContaining({ code: "UNSUPPORTED_ENCODING" }));
    expect(() => directPayloadBytes(payload({ data: "!!!" }), "c1")).toThrow(
      expect.objectContaining({ code: "DESERIALIZATION_ERROR", correlationId: "c1", dataname: "d" }),
    );
    expect(() => directPayloadBytes(payload({ data: 12 }))).toThrow(expect.objectContaining({ code: "DESERIALIZATION_ERROR" }));
  });
});

describe("parseTimestamp", () => {
  it.each([
    ["2026-03-13T16:30:00.000Z", "2026-03-13T16:30:00.000Z"], // JS
    ["2026-03-13T16:30:00.123456Z", "2026-03-13T16:30:00.123Z"], // Python utcnow().isoformat() + "Z"
    ["2026-03-13T16:30:00.123", "2026-03-13T16:30:00.123Z"], // Julia, no zone: UTC
    ["2026-03-13T16:30:00Z", "2026-03-13T16:30:00.000Z"], // MicroPython
    ["2026-03-13T18:30:00+02:00", "2026-03-13T16:30:00.000Z"],
    ["2026-03-13 16:30", "2026-03-13T16:30:00.000Z"],
  ])("reads %s", (input, iso) => {
    expect(parseTimestamp(input)?.toISOString()).toBe(iso);
  });
  it("returns undefined for non-ISO text", () => {
    expect(parseTimestamp("yesterday")).toBeUndefined();
  });
});
