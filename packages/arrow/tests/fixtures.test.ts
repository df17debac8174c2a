// Our reader against Arrow IPC written by real pyarrow: the committed golden
// fixtures (fixtures/arrow), and the same set written again right now by the
// installed pyarrow into a temporary directory.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { arrowCodecs, decodeArrowTable, ipcFormat, tableToRows } from "@natsbridge/arrow";
import { createCodecRegistry, decodeValue } from "@natsbridge/envelope";
import { afterAll, describe, expect, it } from "vitest";
import { type ExpectedTable, expectedForm, FIXTURES_DIR, runPython } from "./helpers.js";

interface Manifest {
  pyarrow: string;
  fixtures: { file: string; expected: string; format: "file" | "stream"; group: string; compression: string | null; description: string }[];
}

const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;

function checkFixture(dir: string, fixture: Manifest["fixtures"][number]) {
  const bytes = new Uint8Array(readFileSync(join(dir, fixture.file)));
  const expected = JSON.parse(readFileSync(join(dir, fixture.expected), "utf8")) as ExpectedTable;
  expect(ipcFormat(bytes)).toBe(fixture.format);
  const table = decodeArrowTable(bytes);
  expect(table.schema.fields.map((f) => f.name)).toEqual(expected.schema.map((f) => f.name));
  expect(table.numRows).toBe(expected.num_rows);
  // apache-arrow gives a batch-less table one empty placeholder batch.
  expect(table.batches.filter((b) => b.numRows > 0).length).toBe(expected.num_batches);
  expect([...table.schema.metadata.keys()].sort()).toEqual(expected.metadata_keys);
  const rows = tableToRows(table, { dropPandasIndex: false });
  expect(rows.map(expectedForm)).toEqual(expected.rows);
}

const committed = manifestOf(FIXTURES_DIR);

describe("committed fixtures (fixtures/arrow)", () => {
  it("cover both IPC formats, both producers and both compressions", () => {
    const formats = new Set(committed.fixtures.map((f) => f.format));
    const compressions = new Set(committed.fixtures.map((f) => f.compression));
    expect(formats).toEqual(new Set(["file", "stream"]));
    expect(compressions).toEqual(new Set([null, "lz4", "zstd"]));
  });

  it.each(committed.fixtures.map((f) => ({ ...f, name: f.file })))("$name: $description", (fixture) => {
    checkFixture(FIXTURES_DIR, fixture);
  });
});

describe("fixtures written now by the installed pyarrow", () => {
  const dir = mkdtempSync(join(tmpdir(), "natsbridge-arrow-fixtures-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  runPython("make_fixtures.py", [dir]);
  const live = manifestOf(dir);

  it("is the same set as the committed one", () => {
    expect(live.fixtures.map((f) => f.file)).toEqual(committed.fixtures.map((f) => f.file));
  });

  it.each(live.fixtures.map((f) => ({ ...f, name: f.file })))("$name", (fixture) => {
    checkFixture(dir, fixture);
  });
});

describe("what the fixtures look like through the codecs", () => {
  const registry = createCodecRegistry(...arrowCodecs());
  const read = (file: string, payloadType = "table") =>
    decodeValue(registry, new Uint8Array(readFileSync(join(FIXTURES_DIR, file))), { dataname: "t", payloadType }) as Promise<
      ReturnType<typeof decodeArrowTable>
    >;

  it("pandas: the index column is dropped from rows by default, kept in the Table", async () => {
    const table = await read("pyarrow/pandas_mixed.arrow");
    expect(table.schema.fields.map((f) => f.name)).toContain("__index_level_0__");
    expect(table.schema.metadata.get("pandas")).toContain('"index_columns": ["__index_level_0__"]');
    const [first] = tableToRows(table);
    expect(Object.keys(first!)).toEqual(["id", "score", "name", "active", "seen", "count"]);
  });

  it("int64: safe values are numbers, others bigint (or strings on request)", async () => {
    const table = await read("pyarrow/pandas_mixed.arrow");
    const counts = tableToRows(table).map((r) => r.count);
    expect(counts).toEqual([2n ** 62n + 1n, null, -(2n ** 63n), 9_007_199_254_740_993n, 7]);
    expect(tableToRows(table, { unsafeIntegers: "string" }).map((r) => r.count)).toEqual([
      "4611686018427387905",
      null,
      "-9223372036854775808",
      "9007199254740993",
      7,
    ]);
  });

  it("timestamps: ns with tz UTC become Dates floored to the ms, or numbers", async () => {
    const table = await read("pyarrow/pandas_mixed.arrow");
    expect(String(table.schema.fields.find((f) => f.name === "seen")!.type)).toBe("Timestamp<NANOSECOND, UTC>");
    const seen = tableToRows(table).map((r) => r.seen);
    expect(seen[2]).toEqual(new Date("2024-06-01T12:30:00.123Z"));
    expect(seen[3]).toEqual(new Date("1969-12-31T23:59:59.999Z"));
    expect(tableToRows(table, { dates: "number" })[0]!.seen).toBe(Date.UTC(2024, 0, 1));
  });

  it("large strings arrive as LargeUtf8 with their text", async () => {
    const table = await read("pyarrow/large_strings.arrow", "arrowtable");
    expect(String(table.schema.fields[0]!.type)).toBe("LargeUtf8");
    expect(table.getChild("text")!.get(1)).toBe("日本語テキスト");
  });

  it("Julia extension metadata is kept on the fields; values are the storage type", async () => {
    const table = await read("julia-like/julia_dataframe.arrows", "arrowtable");
    const kind = table.schema.fields.find((f) => f.name === "kind")!;
    expect(kind.metadata.get("ARROW:extension:name")).toBe("JuliaLang.Symbol");
    expect(String(kind.type)).toBe("Utf8");
    const initial = tableToRows(table).map((r) => String.fromCodePoint(r.initial as number));
    expect(initial).toEqual(["J", "é", "🎉"]);
  });

  it("empty and schema-only tables keep their columns", async () => {
    for (const file of ["pyarrow/empty_schema_only.arrow", "julia-like/julia_empty.arrows"]) {
      const table = await read(file);
      expect(table.numRows).toBe(0);
      expect(table.schema.fields.length).toBeGreaterThan(0);
      expect(tableToRows(table)).toEqual([]);
    }
  });

  it("every record batch is read, not only the first", async () => {
    const table = await read("julia-like/julia_partitioned.arrows", "arrowtable");
    expect(table.batches.length).toBe(5);
    expect(tableToRows(table).map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });
});
