// The golden fixtures, offline: every one decodes with natsbridge to what its
// expected.json says, its expected.json agrees with the test vectors, and each
// producer's fixtures have the shape that producer's reference emits.
import { arrowCodecs, tableToRows } from "@natsbridge/arrow";
import { createBridge, decodeBase64, ENVELOPE_STRING_FIELDS, type NatsBridge } from "@natsbridge/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalPayloads, comparePayloads } from "../src/canonical.js";
import { expectedPayloads, loadCases } from "../src/cases.js";
import { type Fixture, type FixtureServer, loadFixtures, materialize, startFixtureServer } from "../src/fixtures.js";

const fixtures = loadFixtures();
const cases = loadCases();
const byProducer = (p: string) => fixtures.filter((f) => f.producer === p);
const envelope = (f: Fixture) => JSON.parse(f.envelopeText) as Record<string, unknown> & { payloads: Record<string, unknown>[] };
const ENVELOPE_ORDER = [...ENVELOPE_STRING_FIELDS, "metadata", "payloads"];
const ARROW = new Set(["arrowtable", "table"]);
const PAYLOAD_ORDER = ["id", "dataname", "payload_type", "transport", "encoding", "size", "data", "metadata"];
// MicroPython's json.dumps writes dict keys in its hash-table order (seen in the MicroPython 1.27 VM).
const MICROPYTHON_ENVELOPE_ORDER = [
  "payloads",
  "send_to",
  "sender_name",
  "reply_to",
  "msg_id",
  "timestamp",
  "metadata",
  "correlation_id",
  "msg_purpose",
  "sender_id",
  "receiver_name",
  "reply_to_msg_id",
  "receiver_id",
  "broker_url",
];
const MICROPYTHON_PAYLOAD_ORDER = ["transport", "id", "dataname", "payload_type", "encoding", "data", "size"];

let server: FixtureServer;
let bridge: NatsBridge;
beforeAll(async () => {
  server = await startFixtureServer(fixtures);
  bridge = createBridge({ codecs: arrowCodecs(), allowedOrigins: [server.origin], maxRetries: 1 });
});
afterAll(async () => {
  await bridge.close();
  await server.close();
});

describe("fixture set", () => {
  it("has every producer", () => {
    for (const p of ["ts", "python", "julia", "micropython"]) expect(byProducer(p).length, p).toBeGreaterThan(5);
  });

  it.each(fixtures.map((f) => [f.id, f] as const))("%s: expected.json agrees with the test vectors", (_id, f) => {
    expect(f.expected).toEqual(expectedPayloads(cases.get(f.case)!));
  });

  it.each(fixtures.map((f) => [f.id, f] as const))("%s: decodes with natsbridge to expected.json", async (_id, f) => {
    const env = await bridge.smartreceive(materialize(f.envelopeText, server.origin));
    expect(comparePayloads(f.expected, canonicalPayloads(env.payloads, tableToRows as never))).toBeUndefined();
    expect(env.payloadInfo.every((p) => p.transport === f.transport)).toBe(true);
  });

  it.each(fixtures.map((f) => [f.id, f] as const))("%s: fields in the references' order", (_id, f) => {
    const env = envelope(f);
    const mp = f.producer === "micropython";
    expect(Object.keys(env)).toEqual(mp ? MICROPYTHON_ENVELOPE_ORDER : ENVELOPE_ORDER);
    for (const p of env.payloads) expect(Object.keys(p)).toEqual(mp ? MICROPYTHON_PAYLOAD_ORDER : PAYLOAD_ORDER);
  });
});

describe("Python reference shape (real pyarrow)", () => {
  it.each(byProducer("python").map((f) => [f.id, f] as const))("%s", (_id, f) => {
    expect(f.envelopeText.trim()).toMatch(/^[\x20-\x7e]+$/); // json.dumps: ASCII only
    expect(f.envelopeText.startsWith('{"correlation_id": "')).toBe(true); // ", " and ": " separators
    const env = envelope(f);
    expect(env.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    for (const p of env.payloads) {
      if (p.transport === "direct") {
        expect(p).toMatchObject({ encoding: "base64", metadata: { payload_bytes: p.size } });
        if (p.payload_type === "table") expect(new TextDecoder().decode(decodeBase64(p.data as string).subarray(0, 6))).toBe("ARROW1");
        if (p.payload_type === "dictionary") expect(new TextDecoder().decode(decodeBase64(p.data as string))).toMatch(/^[\x20-\x7e]*$/);
      } else expect(p).toMatchObject({ encoding: "none", metadata: {} });
    }
  });
});

describe("Julia reference shape (hand-derived)", () => {
  it.each(byProducer("julia").map((f) => [f.id, f] as const))("%s", (_id, f) => {
    expect(f.provenance).toMatch(/hand-derived/);
    expect(f.envelopeText.startsWith('{"correlation_id":"')).toBe(true); // JSON.json: compact
    const env = envelope(f);
    expect(env.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?$/); // no zone designator
    for (const p of env.payloads) {
      if (p.payload_type === "arrowtable" && typeof p.data === "string" && p.transport === "direct") {
        expect([...decodeBase64(p.data).subarray(0, 4)]).toEqual([0xff, 0xff, 0xff, 0xff]); // IPC stream, not file
      }
    }
  });
});

describe("MicroPython reference shape (hand-derived)", () => {
  it.each(byProducer("micropython").map((f) => [f.id, f] as const))("%s", (_id, f) => {
    expect(f.provenance).toMatch(/hand-derived/);
    const env = envelope(f);
    expect(env.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(env.correlation_id).toMatch(/^mp-[0-9a-f]{8,16}-[0-9a-f]{4}-[0-9a-f]{4}-0000-000000000000$/);
    expect(f.envelopeText.startsWith('{"payloads": [{"transport": "direct", "id": "mp-')).toBe(true); // ", " and ": " separators
    // The VM's clock counts milliseconds: every id of one smartsend is the same.
    expect(new Set([env.msg_id, env.sender_id, ...env.payloads.map((p) => p.id)])).toEqual(new Set([env.correlation_id]));
    for (const p of env.payloads) {
      expect(p).not.toHaveProperty("metadata");
      expect(p.id).toMatch(/^mp-/);
      expect(p).toMatchObject({ transport: "direct", encoding: "base64" });
      expect(p.size as number).toBeLessThanOrEqual(50_000);
      expect(["text", "dictionary", "image", "audio", "video", "binary"]).toContain(p.payload_type);
    }
  });
});

describe("natsbridge's own fixtures", () => {
  it("match what smartsend builds today (ids, timestamps and URLs aside)", async () => {
    const { caseTuples } = await import("../src/cases.js");
    for (const f of byProducer("ts")) {
      const [now] = await bridge.smartsend(`/natsbridge/conformance/${f.case}`, caseTuples(cases.get(f.case)!), {
        isPublish: false,
        brokerUrl: "nats://localhost:4222",
        alwaysLink: f.transport === "link",
        store: { name: "t", put: async (r) => ({ url: `{{FILESERVER_URL}}/${r.payloadId}/${r.dataname}` }) },
      });
      const strip = (e: Record<string, unknown> & { payloads: Record<string, unknown>[] }) => ({
        ...e,
        correlation_id: "",
        msg_id: "",
        sender_id: "",
        timestamp: "",
        // Arrow bytes may change with the writer (apache-arrow, @natsbridge/arrow) while meaning the
        // same table; the decode test above checks those payloads by value.
        payloads: e.payloads.map((p) =>
          ARROW.has(p.payload_type as string)
            ? { ...p, id: "", data: "", size: 0, metadata: {} }
            : { ...p, id: "", data: p.transport === "link" ? "" : p.data },
        ),
      });
      expect(strip(now as never), f.id).toEqual(strip(envelope(f)));
    }
  });
});
