import { base64Length } from "@natsbridge/core";
import { describe, expect, it } from "vitest";
import { selectTransport, type TransportCandidate } from "../src/transport.js";

const c = (dataname: string, size: number): TransportCandidate => ({ dataname, size, overhead: 200 });
const policy = { sizeThreshold: 500_000, maxPayload: 1_048_576, envelopeOverhead: 400, canLink: true };

describe("selectTransport", () => {
  it("follows the references' rule: size < threshold is direct, otherwise link", () => {
    expect(selectTransport([c("a", 499_999), c("b", 500_000), c("c", 0)], policy)).toEqual(["direct", "link", "direct"]);
  });

  it("alwaysLink sends everything by link", () => {
    expect(selectTransport([c("a", 1), c("b", 2)], { ...policy, alwaysLink: true })).toEqual(["link", "link"]);
  });

  it("moves the largest direct payloads to link until the envelope fits max_payload", () => {
    // Three 400 KB payloads are each under the threshold, but 3 × 533 KB of base64 is not under 1 MiB.
    const plan = selectTransport([c("a", 400_000), c("b", 450_000), c("c", 300_000)], policy);
    expect(plan).toEqual(["direct", "link", "direct"]);
    const total = 400 + base64Length(400_000) + base64Length(300_000) + 400;
    expect(total).toBeLessThan(policy.maxPayload);
  });

  it("a 900 KB payload under a raised threshold still goes by link on a 1 MiB server", () => {
    expect(selectTransport([c("big", 900_000)], { ...policy, sizeThreshold: 10_000_000 })).toEqual(["link"]);
  });

  it("without a store, a payload that must go by link is PAYLOAD_TOO_LARGE before anything happens", () => {
    expect(() =>
      selectTransport([c("big", 900_000)], { ...policy, sizeThreshold: 10_000_000, canLink: false, correlationId: "c1" }),
    ).toThrow(expect.objectContaining({ code: "PAYLOAD_TOO_LARGE", correlationId: "c1" }));
    expect(() => selectTransport([c("big", 600_000)], { ...policy, canLink: false })).toThrow(/no claim-check store/);
  });

  it("fails when even links cannot fit (thousands of payloads)", () => {
    const many = Array.from({ length: 1000 }, (_, i) => c(`p${i}`, 10));
    expect(() => selectTransport(many, { ...policy, maxPayload: 100_000, alwaysLink: true })).toThrow(
      expect.objectContaining({ code: "PAYLOAD_TOO_LARGE" }),
    );
  });
});
