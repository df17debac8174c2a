import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeArrowTable, isArrowTable, tableFromRows } from "@natsbridge/arrow";
import { buildPayloads, readCsvRows, splitTypedPath } from "@natsbridge/cli";
import { isStreamData } from "@natsbridge/core/store";
import { describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "natsbridge-cli-payloads-"));
const file = (name: string, content: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const opts = { sizeThreshold: 1000, alwaysLink: false };

describe("payloads from flags", () => {
  it("keeps the order given and makes datanames unique", () => {
    const tuples = buildPayloads(
      [
        { flag: "text", value: "a" },
        { flag: "json", value: "[1,2]" },
        { flag: "text", value: "b" },
      ],
      opts,
    );
    expect(tuples).toEqual([
      ["text", "a", "text"],
      ["json", [1, 2], "dictionary"],
      ["text_2", "b", "text"],
    ]);
  });

  it("types files by :type, else by extension, else binary", () => {
    const png = file("pic.png", new Uint8Array([1, 2, 3]));
    const raw = file("data.bin", new Uint8Array([4]));
    const notes = file("notes.md", "# hi");
    const conf = file("conf.json", '{"a":1}');
    const tuples = buildPayloads(
      [
        { flag: "file", value: png },
        { flag: "file", value: raw },
        { flag: "file", value: `${raw}:audio` },
        { flag: "file", value: notes },
        { flag: "file", value: conf },
      ],
      opts,
    );
    expect(tuples.map(([n, , t]) => [n, t])).toEqual([
      ["pic.png", "image"],
      ["data.bin", "binary"],
      ["data.bin_2", "audio"],
      ["notes.md", "text"],
      ["conf.json", "dictionary"],
    ]);
    expect(tuples[3]![1]).toBe("# hi");
    expect(tuples[4]![1]).toEqual({ a: 1 });
  });

  it("streams files at or above the threshold from disk (they go by link), reads smaller ones", () => {
    const big = file("big.bin", new Uint8Array(1000));
    const small = file("small.bin", new Uint8Array(999));
    const [bigTuple, smallTuple] = buildPayloads(
      [
        { flag: "file", value: big },
        { flag: "file", value: small },
      ],
      opts,
    );
    expect(isStreamData(bigTuple![1])).toBe(true);
    expect(smallTuple![1]).toBeInstanceOf(Uint8Array);
    const [linked] = buildPayloads([{ flag: "file", value: small }], { ...opts, alwaysLink: true });
    expect(isStreamData(linked![1])).toBe(true);
  });

  it("reads --table CSV and JSON as rows, Arrow as a Table, named after the file", () => {
    const csv = file("scores.csv", "id,name\n1,a\n");
    const rows = file("rows.json", '[{"x":1}]');
    const [first, second, third] = buildPayloads(
      [
        { flag: "table", value: csv },
        { flag: "table", value: `${rows}:jsontable` },
        { flag: "table", value: `${csv}:table` },
      ],
      opts,
    );
    expect(first).toEqual(["scores", [{ id: 1, name: "a" }], "arrowtable"]);
    expect(second).toEqual(["rows", [{ x: 1 }], "jsontable"]);
    expect(third![2]).toBe("table");
    expect(third![1]).toEqual([{ id: 1, name: "a" }]);
    const arrowFile = file("t.arrow", encodeArrowTable(tableFromRows([{ k: 1 }])));
    const [fromArrow] = buildPayloads([{ flag: "table", value: arrowFile }], opts);
    expect(fromArrow![0]).toBe("t");
    expect(isArrowTable(fromArrow![1])).toBe(true);
    expect(() => buildPayloads([{ flag: "table", value: `${csv}:binary` }], opts)).toThrow("type must be arrowtable, table or jsontable");
    expect(() => buildPayloads([{ flag: "table", value: file("x.arrow", "not arrow") }], opts)).toThrow("not an Arrow IPC file");
  });

  it("splits path:type only on known types (Windows drive letters and odd names stay paths)", () => {
    expect(splitTypedPath("a.bin:video")).toEqual({ path: "a.bin", type: "video" });
    expect(splitTypedPath("C:\\data\\a.bin")).toEqual({ path: "C:\\data\\a.bin", type: undefined });
    expect(splitTypedPath("weird:name")).toEqual({ path: "weird:name", type: undefined });
  });

  it("a mistyped :type is an unknown type, not a missing file; a file really named so is still read", () => {
    const txt = file("notes.txt", "hello");
    expect(() => buildPayloads([{ flag: "file", value: `${txt}:txet` }], opts)).toThrow(
      /--file .*notes\.txt:txet: unknown payload type 'txet' \(known: text, dictionary/,
    );
    expect(() => buildPayloads([{ flag: "table", value: `${txt}:tabel` }], opts)).toThrow(/unknown payload type 'tabel'/);
    const odd = file("odd:name", "x");
    expect(buildPayloads([{ flag: "file", value: odd }], opts)[0]).toEqual(["odd:name", new Uint8Array([120]), "binary"]);
  });

  it("--json @file reads the file", () => {
    const p = file("payload.json", '{"deep":{"x":[true,null]}}');
    expect(buildPayloads([{ flag: "json", value: `@${p}` }], opts)[0]![1]).toEqual({ deep: { x: [true, null] } });
  });
});

describe("CSV", () => {
  it("gives each column one type; empty cells are null", () => {
    expect(readCsvRows("n,f,b,s,mixed\n1,1.5,true,x,1\n,2,FALSE,,a\n", "t.csv")).toEqual([
      { n: 1, f: 1.5, b: true, s: "x", mixed: "1" },
      { n: null, f: 2, b: false, s: null, mixed: "a" },
    ]);
  });

  it("reports bad CSV as a usage error", () => {
    expect(() => readCsvRows('a,b\n"unterminated,1\n', "bad.csv")).toThrow("bad.csv is not valid CSV");
    expect(() => readCsvRows("a,b\n", "empty.csv")).toThrow("has no data rows");
  });
});
