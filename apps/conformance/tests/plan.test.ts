import { describe, expect, it } from "vitest";
import { loadCases } from "../src/cases.js";
import type { Fixture } from "../src/fixtures.js";
import type { PeerCapabilities } from "../src/peer.js";
import {
  buildRows,
  type Consumer,
  PLIK_UNAVAILABLE,
  type Producer,
  planCell,
  type Row,
  rowLabel,
  SURROGATE_PAIRS_MISREAD,
} from "../src/plan.js";

const cases = loadCases();
const python: PeerCapabilities = {
  name: "python-reference",
  produces: ["text", "dictionary", "table", "image", "audio", "video", "binary"],
  consumes: ["text", "dictionary", "table", "image", "audio", "video", "binary"],
  transports: ["direct", "link"],
};
const ts: Producer & Consumer = { id: "ts", kind: "ts" };
const py = { id: "python-reference", kind: "peer" as const, caps: python };
const julia: Producer = { id: "julia", kind: "fixtures" };
const mp: Producer = { id: "micropython", kind: "fixtures" };

function fixture(producer: string, name: string, transport: "direct" | "link", extra: Partial<Fixture> = {}): Fixture {
  return {
    producer,
    case: name,
    transport,
    provenance: "test",
    id: `${producer}/${name}.${transport}`,
    dir: "/nowhere",
    envelopeText: "{}",
    expected: [],
    ...extra,
  };
}
const fixtures = [
  fixture("julia", "text", "direct"),
  fixture("julia", "dictionary-nested", "direct", { variant: "inline-json", rejected_by: { "python-reference": "base64 only" } }),
];
const ctx = { cases, fixtures, arrowAvailable: true };
const row = (name: string, transport: Row["transport"], variant?: string): Row => ({
  key: `${name}.${transport}`,
  case: name,
  transport,
  ...(variant ? { variant } : {}),
});

describe("rows", () => {
  it("has every case direct and by link, fixture variants after their base row, and one Plik row", () => {
    const rows = buildRows(cases.values(), fixtures);
    const keys = rows.map((r) => r.key);
    expect(keys).toContain("text.direct");
    expect(keys).toContain("text.link");
    expect(keys.indexOf("dictionary-nested.direct.inline-json")).toBe(keys.indexOf("dictionary-nested.direct") + 1);
    expect(keys.at(-1)).toBe("binary.link-plik");
    expect(rowLabel(rows.at(-1)!)).toBe("binary · link (Plik)");
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("planning a cell", () => {
  it("runs what both sides support", () => {
    expect(planCell(row("text", "direct"), ts, py, ctx)).toEqual({ run: true });
    expect(planCell(row("text", "direct"), julia, ts, ctx)).toMatchObject({ run: true, fixture: { id: "julia/text.direct" } });
  });

  it("says which reference lacks a type, and why", () => {
    expect(planCell(row("table", "direct"), julia, ts, ctx)).toMatchObject({
      run: false,
      status: "n/a",
      reason: expect.stringMatching(/Julia reference has no 'table'/),
    });
    expect(planCell(row("jsontable", "direct"), py, ts, ctx)).toMatchObject({
      status: "n/a",
      reason: expect.stringMatching(/single type 'table'/),
    });
    expect(planCell(row("text", "link"), mp, ts, ctx)).toMatchObject({
      status: "n/a",
      reason: expect.stringMatching(/NotImplementedError/),
    });
    expect(planCell(row("arrowtable", "direct"), mp, ts, ctx)).toMatchObject({
      status: "n/a",
      reason: expect.stringMatching(/no table types/),
    });
  });

  it("runs a cell the consumer's reference rejects, expecting the rejection", () => {
    expect(planCell(row("jsontable", "direct"), ts, py, ctx)).toMatchObject({
      run: true,
      expectReject: expect.stringMatching(/unknown payload_type/),
    });
    const variant = row("dictionary-nested", "direct", "inline-json");
    expect(planCell(variant, julia, py, ctx)).toMatchObject({ run: true, expectReject: "base64 only" });
    expect(planCell(variant, ts, py, ctx)).toMatchObject({
      run: false,
      status: "n/a",
      reason: expect.stringMatching(/fixture-only variant/),
    });
  });

  it("runs the Plik row for live producers that upload to Plik, unavailable only when the run has no Plik server", () => {
    expect(planCell(row("binary", "link-plik"), ts, ts, ctx)).toEqual({ run: true });
    expect(planCell(row("binary", "link-plik"), { ...py, caps: { ...python, uploads: ["http-put", "plik"] } }, ts, ctx)).toEqual({
      run: true,
    });
    expect(planCell(row("binary", "link-plik"), py, ts, ctx)).toEqual({
      run: false,
      status: "n/a",
      reason: "python-reference does not upload to Plik",
    });
    expect(planCell(row("binary", "link-plik"), ts, ts, { ...ctx, plikAvailable: false })).toEqual({
      run: false,
      status: "unavailable",
      reason: PLIK_UNAVAILABLE,
    });
    expect(planCell(row("binary", "link-plik"), julia, ts, ctx)).toMatchObject({ status: "n/a" });
  });

  it("labels the Plik row with the server it runs on", () => {
    const rows = buildRows(cases.values(), fixtures, "plik-compatible test server");
    expect(rowLabel(rows.at(-1)!)).toBe("binary · link (Plik: plik-compatible test server)");
  });

  it("marks every cell of a consumer that cannot run here unavailable, after the producer's own gaps", () => {
    const jl: Consumer = { id: "julia", kind: "unavailable", reason: "no Julia" };
    expect(planCell(row("text", "direct"), ts, jl, ctx)).toEqual({ run: false, status: "unavailable", reason: "no Julia" });
    expect(planCell(row("table", "direct"), julia, jl, ctx)).toMatchObject({ status: "n/a" });
  });

  it("keeps Arrow cells pending while @natsbridge/arrow is missing", () => {
    const noArrow = { ...ctx, arrowAvailable: false };
    expect(planCell(row("table", "direct"), ts, py, noArrow)).toMatchObject({ status: "pending" });
    expect(planCell(row("table", "direct"), py, ts, noArrow)).toMatchObject({ status: "pending" });
    expect(planCell(row("table", "direct"), py, py, noArrow)).toEqual({ run: true });
  });

  describe("a peer that refuses with its reference's errors (the MicroPython VM)", () => {
    const mpCaps: PeerCapabilities = {
      name: "micropython",
      produces: ["text", "dictionary", "image", "audio", "video", "binary"],
      consumes: ["text", "dictionary", "image", "audio", "video", "binary"],
      transports: ["direct"],
      uploads: [],
      refuses_with_errors: true,
      max_payload_bytes: 50_000,
    };
    const vm = { id: "micropython-vm", kind: "peer" as const, caps: mpCaps };

    it("is asked to send what its reference cannot, and must refuse with that reference's error", () => {
      expect(planCell(row("table", "direct"), vm, ts, ctx)).toMatchObject({
        run: true,
        expectSendRefusal: expect.stringMatching(/no table types/),
        sendRefusalError: /^ValueError: Unknown payload_type: /,
      });
      expect(planCell(row("text", "link"), vm, ts, ctx)).toMatchObject({
        run: true,
        sendRefusalError: expect.objectContaining({ source: expect.stringMatching(/File upload/) }),
      });
      expect(planCell(row("binary-over-50k", "direct"), vm, ts, ctx)).toMatchObject({
        run: true,
        sendRefusalError: expect.objectContaining({ source: expect.stringMatching(/MemoryError/) }),
      });
      // The size check comes before the upload in the reference's smartsend.
      expect(planCell(row("binary-over-50k", "link"), vm, ts, ctx)).toMatchObject({
        sendRefusalError: expect.objectContaining({ source: expect.stringMatching(/MemoryError/) }),
      });
      expect(planCell(row("binary", "direct"), vm, ts, ctx)).toEqual({ run: true });
    });

    it("must reject link payloads it cannot fetch, and types it does not know", () => {
      expect(planCell(row("binary", "link"), ts, vm, ctx)).toMatchObject({
        run: true,
        expectReject: expect.stringMatching(/NotImplementedError/),
        rejectError: expect.objectContaining({ source: expect.stringMatching(/File download/) }),
      });
      expect(planCell(row("jsontable", "direct"), ts, vm, ctx)).toMatchObject({
        run: true,
        rejectError: /^ValueError: Unknown payload_type: /,
      });
      expect(planCell(row("binary-over-50k", "direct"), ts, vm, ctx)).toEqual({ run: true });
    });

    it("expects the documented surrogate-pair misreading from the Python reference's escaped JSON", () => {
      expect(planCell(row("dictionary-nested", "direct"), py, vm, ctx)).toMatchObject({ run: true, known: SURROGATE_PAIRS_MISREAD });
      expect(planCell(row("dictionary-nested", "direct"), ts, vm, ctx)).toEqual({ run: true });
      expect(SURROGATE_PAIRS_MISREAD.misread({ tags: ["a😀", "温度"] })).toEqual({ tags: [`a${"\uFFFD".repeat(6)}`, "温度"] });
    });
  });

  it("judges an external peer by the capabilities it declares", () => {
    const mine = {
      id: "mine",
      kind: "peer" as const,
      caps: { name: "mine", produces: ["text"], consumes: ["text"], transports: ["direct"] },
    };
    expect(planCell(row("binary", "direct"), mine, ts, ctx)).toMatchObject({ status: "n/a", reason: "mine does not produce binary" });
    expect(planCell(row("text", "link"), mine, ts, ctx)).toMatchObject({ status: "n/a", reason: "mine does not send by link" });
    expect(planCell(row("binary", "direct"), ts, mine, ctx)).toMatchObject({ run: true, expectReject: "mine does not consume binary" });
  });
});
