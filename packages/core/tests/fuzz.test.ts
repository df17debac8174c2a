// The receive path against generated and mutated envelopes (fast-check, a
// fixed seed so failures reproduce): random bytes, deep nesting, huge declared
// sizes, wrong types in every field, bad base64, __proto__/constructor keys,
// very long strings, and link payloads answered by a fake file server that
// lies about lengths, breaks bodies or stalls. Every input must end in a value
// or a typed error other than INTERNAL_ERROR, without hanging, polluting
// Object.prototype or growing the heap without bound. The long run is
// `pnpm --filter @natsbridge/core run fuzz -- --runs 1000000`.
import { describe, expect, it } from "vitest";
import { runFuzz } from "../scripts/fuzz-harness.js";

describe("fuzzing smartreceive and parseEnvelope", () => {
  it("3000 seed-fixed inputs: 0 crashes, 0 untyped errors, 0 hangs, bounded heap", async () => {
    const report = await runFuzz({ runs: 3000, seed: 20250101, sampleEvery: 100 });
    expect(report.failures).toEqual([]);
    expect(report.outcomes).toMatchObject({ crash: 0, untyped: 0, hang: 0, pollution: 0 });
    expect(report.runs).toBe(3000);
    // The generator reaches every stage: parsing, decoding, downloading and verifying.
    expect(report.outcomes.ok).toBeGreaterThan(100);
    for (const code of [
      "INVALID_ENVELOPE",
      "DESERIALIZATION_ERROR",
      "DOWNLOAD_FAILED",
      "URL_NOT_ALLOWED",
      "SIZE_LIMIT_EXCEEDED",
      "UNKNOWN_PAYLOAD_TYPE",
    ]) {
      expect(report.codes[code], code).toBeGreaterThan(0);
    }
    expect(report.requests).toBeGreaterThan(100);
    expect(report.peakHeapBytes).toBeLessThan(768 * 1024 * 1024);
  }, 120_000);
});
