import { draftDirectPayload, draftEnvelope, draftLinkPayload, type PayloadDraft, writeEnvelope } from "@natsbridge/core";
import { describe, expect, it } from "vitest";
import { selectTransport, type TransportCandidate } from "../src/transport.js";

// Candidates measured the way smartsend measures them: from the envelope package's drafts.
const header = draftEnvelope({ sendTo: "orders.new", correlationId: "c1" });
const bytes = (n: number) => new Uint8Array(n);
const direct = (dataname: string, size: number) =>
  draftDirectPayload({ id: `id-${dataname}`, dataname, payloadType: "binary", bytes: bytes(size) });
const link = (dataname: string, size: number, url = "") =>
  draftLinkPayload({ id: `id-${dataname}`, dataname, payloadType: "binary", url, size, metadata: { payload_bytes: size } });
const candidate = (dataname: string, size: number): TransportCandidate => ({
  dataname,
  size,
  directBytes: direct(dataname, size).byteLength,
  linkBytes: () => link(dataname, size).byteLength,
});
const policy = { sizeThreshold: 500_000, maxPayload: 1_048_576, envelopeBytes: header.byteLength, canLink: true };

/** The bytes of the envelope a plan produces (links with an empty URL, as selectTransport counts them). */
function writtenSize(sizes: [string, number][], plan: string[]): number {
  const drafts: PayloadDraft[] = sizes.map(([name, size], i) => (plan[i] === "direct" ? direct(name, size) : link(name, size)));
  return writeEnvelope(header, drafts).bytes.byteLength;
}

describe("selectTransport", () => {
  it("follows the references' rule: size < threshold is direct, otherwise link", () => {
    expect(selectTransport([candidate("a", 499_999), candidate("b", 500_000), candidate("c", 0)], policy)).toEqual([
      "direct",
      "link",
      "direct",
    ]);
  });

  it("alwaysLink sends everything by link", () => {
    expect(selectTransport([candidate("a", 1), candidate("b", 2)], { ...policy, alwaysLink: true })).toEqual(["link", "link"]);
  });

  it("moves the largest direct payloads to link until the envelope fits max_payload", () => {
    // Three payloads each under the threshold, whose base64 together is over 1 MiB.
    const sizes: [string, number][] = [
      ["a", 400_000],
      ["b", 450_000],
      ["c", 300_000],
    ];
    const plan = selectTransport(
      sizes.map(([n, s]) => candidate(n, s)),
      policy,
    );
    expect(plan).toEqual(["direct", "link", "direct"]);
    expect(writtenSize(sizes, plan)).toBeLessThanOrEqual(policy.maxPayload);
    expect(writtenSize(sizes, ["direct", "direct", "direct"])).toBeGreaterThan(policy.maxPayload);
  });

  it("counts exactly: an envelope of exactly max_payload bytes stays direct, one byte more moves a payload", () => {
    const sizes: [string, number][] = [
      ["名前 ✓", 30_000],
      ['b"q', 20_000],
    ];
    const exact = writtenSize(sizes, ["direct", "direct"]);
    const candidates = sizes.map(([n, s]) => candidate(n, s));
    expect(selectTransport(candidates, { ...policy, maxPayload: exact })).toEqual(["direct", "direct"]);
    expect(selectTransport(candidates, { ...policy, maxPayload: exact - 1 })).toEqual(["link", "direct"]);
  });

  it("a 900 KB payload under a raised threshold still goes by link on a 1 MiB server", () => {
    expect(selectTransport([candidate("big", 900_000)], { ...policy, sizeThreshold: 10_000_000 })).toEqual(["link"]);
  });

  it("without a store, a payload that must go by link is PAYLOAD_TOO_LARGE before anything happens", () => {
    expect(() =>
      selectTransport([candidate("big", 900_000)], { ...policy, sizeThreshold: 10_000_000, canLink: false, correlationId: "c1" }),
    ).toThrow(expect.objectContaining({ code: "PAYLOAD_TOO_LARGE", correlationId: "c1" }));
    expect(() => selectTransport([candidate("big", 600_000)], { ...policy, canLink: false })).toThrow(/no claim-check store/);
  });

  it("fails when even links cannot fit (thousands of payloads), naming the least the envelope would take", () => {
    const many = Array.from({ length: 1000 }, (_, i) => candidate(`p${i}`, 10));
    const least = writtenSize(
      many.map((c) => [c.dataname, c.size]),
      many.map(() => "link"),
    );
    expect(() => selectTransport(many, { ...policy, maxPayload: 100_000, alwaysLink: true })).toThrow(
      expect.objectContaining({ code: "PAYLOAD_TOO_LARGE", details: { bytes: least, maxPayload: 100_000 } }),
    );
  });
});
