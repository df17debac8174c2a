import { describe, expect, it } from "vitest";
import { canonicalPayloads, canonicalValue, comparePayloads, firstDifference, plainCell } from "../src/canonical.js";
import { bytesDescription, expectedPayloads, loadCases, patternBytes } from "../src/cases.js";

describe("canonical values", () => {
  it("describes bytes by length and sha256", () => {
    expect(canonicalValue(new Uint8Array([1, 2, 3]))).toEqual({
      length: 3,
      sha256: "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81",
    });
    expect(bytesDescription(new Uint8Array()).sha256).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("turns int64 bigints into numbers only when exact", () => {
    expect(plainCell(5n)).toBe(5);
    expect(plainCell(2n ** 60n)).toBe("1152921504606846976");
    expect(plainCell(Number.NaN)).toBeNull();
    expect(plainCell(new Date(0))).toBe("1970-01-01T00:00:00.000Z");
  });

  it("describes an Arrow-like table as columns and rows, without pandas index columns", () => {
    const table = {
      schema: { fields: [{ name: "id" }, { name: "name" }, { name: "__index_level_0__" }] },
      numRows: 2,
      toArray: () => [
        { toJSON: () => ({ id: 1n, name: "a", __index_level_0__: 7n }) },
        { toJSON: () => ({ id: 2n, name: "b", __index_level_0__: 8n }) },
      ],
    };
    expect(canonicalValue(table)).toEqual({
      columns: ["id", "name"],
      rows: [
        [1, "a"],
        [2, "b"],
      ],
    });
  });

  it("keeps text and JSON values as they are", () => {
    expect(
      canonicalPayloads([
        ["m", "hi", "text"],
        ["d", { a: [1] }, "dictionary"],
      ]),
    ).toEqual([
      { dataname: "m", payload_type: "text", value: "hi" },
      { dataname: "d", payload_type: "dictionary", value: { a: [1] } },
    ]);
  });
});

describe("comparison", () => {
  it("ignores key order but not values, lengths or keys", () => {
    expect(firstDifference({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBeUndefined();
    expect(firstDifference({ a: 1 }, { a: 2 })).toBe("$.a: expected 1, got 2");
    expect(firstDifference([1, 2], [1])).toBe("$: expected 2 items, got 1");
    expect(firstDifference({ a: 1 }, { a: 1, b: 2 })).toBe("$: unexpected key(s) b");
    expect(firstDifference({ a: 1, c: 1 }, { a: 1 })).toBe("$: missing key(s) c");
    expect(firstDifference("x", 1)).toBe('$: expected "x", got 1');
    expect(firstDifference(null, {})).toBe("$: expected null, got {}");
  });

  it("names the payload that differs", () => {
    const expected = [{ dataname: "a", payload_type: "text", value: "x" }];
    expect(comparePayloads(expected, [{ dataname: "a", payload_type: "text", value: "x" }])).toBeUndefined();
    expect(comparePayloads(expected, [{ dataname: "b", payload_type: "text", value: "x" }])).toMatch(/dataname 'a', got 'b'/);
    expect(comparePayloads(expected, [{ dataname: "a", payload_type: "binary", value: "x" }])).toMatch(/type text, got binary/);
    expect(comparePayloads(expected, [])).toBe("expected 1 payload(s), got 0");
    expect(comparePayloads(expected, [{ dataname: "a", payload_type: "text", value: "y" }])).toBe(`'a': expected "x", got "y"`);
  });
});

describe("test vectors", () => {
  it("generates the same pattern bytes as the Python peer (prefix, then (i*seed+11)&0xff)", () => {
    expect([...patternBytes({ prefix_hex: "ff00", length: 5, seed: 2 })]).toEqual([0xff, 0x00, 15, 17, 19]);
    expect(patternBytes({ length: 0 }).byteLength).toBe(0);
  });

  it("covers every payload type, unicode, empty values, nesting, lists and a multi-payload message", () => {
    const cases = loadCases();
    const types = new Set([...cases.values()].flatMap((c) => c.payloads.map((p) => p.payload_type)));
    expect([...types].sort()).toEqual(["arrowtable", "audio", "binary", "dictionary", "image", "jsontable", "table", "text", "video"]);
    expect(expectedPayloads(cases.get("text-empty")!)[0]!.value).toBe("");
    expect(expectedPayloads(cases.get("binary-empty")!)[0]!.value).toMatchObject({ length: 0 });
    expect(Array.isArray(expectedPayloads(cases.get("dictionary-list")!)[0]!.value)).toBe(true);
    expect(cases.get("multi")!.payloads.length).toBeGreaterThan(2);
    expect(JSON.stringify([...cases.values()])).toMatch(/สวัสดี/);
  });
});
