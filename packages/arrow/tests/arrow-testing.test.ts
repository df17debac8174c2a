// Apache Arrow's integration gold files (../shared/arrow-testing/integration/
// from the repository root, or ARROW_TESTING_DIR): every case's IPC file and
// IPC stream read with our reader, every column compared with the case's
// .json.gz. The cases we refuse are listed below with their reason and must be
// refused with UNSUPPORTED_ARROW_FEATURE; anything else must be read and equal.
// A missing folder fails the run.

import { afterAll, describe, expect, it } from "vitest";
import { checkGoldFile, checksumMismatches, type GoldOutcome, goldFilesDir, listGoldCases, readGoldJson } from "./gold-files.js";

const BIG_ENDIAN = "big-endian data: apache-arrow reads little-endian data only";
const VIEW_TYPES = "a column type apache-arrow 21.2 cannot read (ListView, run-end encoding)";

/** Producer folder (or "*") → case → why we refuse it. */
const EXPECTED_REFUSALS: Record<string, Record<string, string>> = {
  "0.17.1": { generated_union: "a union in the pre-1.0 (metadata V4) layout, which apache-arrow cannot read" },
  // LargeList (generated_nested_large_offsets) and BinaryView/Utf8View (generated_binary_view) are read since apache-arrow 21.2.
  "cpp-21.0.0": {
    generated_list_view: VIEW_TYPES,
    generated_run_end_encoded: VIEW_TYPES,
  },
};
const refusalFor = (producer: string, name: string) => (producer === "1.0.0-bigendian" ? BIG_ENDIAN : EXPECTED_REFUSALS[producer]?.[name]);

const dir = goldFilesDir();
const cases = listGoldCases(dir); // throws, failing the file, when the folder is missing
const counts = { "read and equal": 0, "refused as expected": 0, failed: 0 };
const tally = (outcome: GoldOutcome, refusal: string | undefined) => {
  const ok = refusal ? outcome.outcome === "refused" && outcome.code === "UNSUPPORTED_ARROW_FEATURE" : outcome.outcome === "equal";
  counts[ok ? (refusal ? "refused as expected" : "read and equal") : "failed"]++;
};

afterAll(() => {
  console.log(
    `Arrow gold files (${dir}): ${counts["read and equal"]} read and equal, ` +
      `${counts["refused as expected"]} refused as expected (UNSUPPORTED_ARROW_FEATURE), ${counts.failed} failed`,
  );
});

describe("the gold files", () => {
  it("are all there, byte for byte as SHA256SUMS lists them", () => {
    expect(checksumMismatches(dir)).toEqual([]);
  });

  it("have an IPC file and an IPC stream for every case of the 7 producers", () => {
    expect(new Set(cases.map((c) => c.producer)).size).toBe(7);
    expect(cases.length).toBe(91);
    for (const c of cases)
      expect(
        c.files.map((f) => f.split(".").pop()),
        `${c.producer}/${c.name}`,
      ).toEqual(["arrow_file", "stream"]);
  });

  it("name only cases that exist in the expected refusals", () => {
    for (const [producer, names] of Object.entries(EXPECTED_REFUSALS)) {
      for (const name of Object.keys(names))
        expect(
          cases.some((c) => c.producer === producer && c.name === name),
          `${producer}/${name}`,
        ).toBe(true);
    }
  });
});

describe.each(cases.map((c) => [`${c.producer}/${c.name}`, c] as const))("%s", (_id, c) => {
  const refusal = refusalFor(c.producer, c.name);
  const json = readGoldJson(c.json);
  for (const file of c.files) {
    const kind = file.endsWith(".stream") ? "IPC stream" : "IPC file";
    if (refusal) {
      it(`${kind}: refused with UNSUPPORTED_ARROW_FEATURE (${refusal})`, () => {
        const outcome = checkGoldFile(file, json);
        tally(outcome, refusal);
        expect(outcome).toMatchObject({ outcome: "refused", code: "UNSUPPORTED_ARROW_FEATURE" });
      });
    } else {
      it(`${kind}: every column equals the JSON`, () => {
        const outcome = checkGoldFile(file, json);
        tally(outcome, undefined);
        expect(outcome).toEqual({ outcome: "equal" });
      });
    }
  }
});
