// What we write, read by the real pyarrow exactly as the Python reference
// reads `table` payloads: ipc.open_file(...).read_all().to_pandas(). One
// Python process reads every case; each test then checks its own file.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  arrow,
  arrowCodecs,
  arrowtableCodec,
  encodeArrowTable,
  ipcFormat,
  tableCodec,
  tableFromColumns,
  tableFromRows,
  tableToRows,
} from "@natsbridge/arrow";
import { createCodecRegistry, encodeValue } from "@natsbridge/envelope";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedForm, type PyarrowRead, pyarrowRead } from "./helpers.js";

const ctx = (payloadType: string, dataname = "t") => ({ dataname, payloadType });

const rows = [
  {
    id: 1,
    price: 9.5,
    name: "Ada",
    active: true,
    when: new Date("2024-01-02T03:04:05.678Z"),
    big: 2n ** 62n,
    tags: ["a", "b"],
    pos: { x: 1.5, y: -2 },
  },
  { id: 2, price: -0.25, name: "Grace 李", active: false, when: null, big: 2 ** 60, tags: [], pos: null },
  { id: 3, price: null, name: null, active: null, when: new Date(0), big: null, tags: null, pos: { x: null, y: 3 } },
  { id: 4, name: "", big: -(2n ** 63n), tags: ["ü"], pos: { x: 0, y: 0 } }, // price, active, when missing
].map((r) => ({ ...r, nothing: null }));

/** The rows with every column present, as pyarrow should read them (int64 past 2^53 as bigint). */
const fullRows = rows.map((r) => ({
  id: r.id,
  price: "price" in r ? r.price : null,
  name: r.name,
  active: "active" in r ? r.active : null,
  when: "when" in r ? r.when : null,
  big: typeof r.big === "number" ? BigInt(r.big) : r.big,
  tags: r.tags,
  pos: r.pos,
  nothing: null,
}));

const cases: Record<string, () => Uint8Array | Promise<Uint8Array>> = {
  rowsArrowtable: () => arrowtableCodec.encode(rows, ctx("arrowtable")),
  rowsTable: () => tableCodec.encode(rows, ctx("table")),
  columns: () =>
    tableCodec.encode(
      {
        f64: new Float64Array([1.5, 2.5, 3.5]),
        i64: new BigInt64Array([1n, -(2n ** 63n), 2n ** 63n - 1n]),
        i32: new Int32Array([7, 8, 9]),
        text: ["x", null, "z"],
        when: [new Date(1_000), new Date(2_000), null],
      },
      ctx("table"),
    ),
  foreignTable: () =>
    tableCodec.encode(
      arrow.tableFromJSON([
        { city: "Oslo", n: 1 },
        { city: "Lima", n: 2 },
        { city: "Oslo", n: 3 },
      ]),
      ctx("table"),
    ),
  typeMap: () =>
    encodeValue(
      createCodecRegistry(...arrowCodecs({ schemas: { prices: { id: new arrow.Int32(), when: new arrow.TimestampMicrosecond() } } })),
      rows,
      ctx("arrowtable", "prices"),
    ),
  fullSchema: () =>
    tableCodec.encode(
      [
        { code: "A1", qty: 5 },
        { code: "B2", qty: 7 },
      ],
      ctx("table"),
    ),
  schemaOnly: () =>
    encodeArrowTable(
      tableFromRows([], {
        schema: new arrow.Schema([new arrow.Field("id", new arrow.Int64(), false), new arrow.Field("label", new arrow.Utf8(), true)]),
      }),
    ),
  noColumns: () => tableCodec.encode([], ctx("table")),
  manyBatches: () => {
    const part = (from: number) =>
      tableFromColumns({
        n: Float64Array.from({ length: 1000 }, (_, i) => from + i),
        s: Array.from({ length: 1000 }, (_, i) => `row ${from + i}`),
      });
    return encodeArrowTable(part(0).concat(part(1000), part(2000)));
  },
  largeUtf8: () => encodeArrowTable(tableFromColumns({ text: ["α", null, "β".repeat(1000)] }, { schema: { text: new arrow.LargeUtf8() } })),
};
// fullSchema with a real Schema (order, nullability and metadata come from it).
cases.fullSchema = () =>
  encodeArrowTable(
    tableFromRows(
      [
        { qty: 5, code: "A1" },
        { qty: 7, code: "B2" },
      ],
      {
        schema: new arrow.Schema(
          [new arrow.Field("code", new arrow.Utf8(), false), new arrow.Field("qty", new arrow.Int16(), false)],
          new Map([["source", "natsbridge"]]),
        ),
      },
    ),
  );

const read: Record<string, PyarrowRead> = {};
const bytes: Record<string, Uint8Array> = {};
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "natsbridge-arrow-write-"));
  const names = Object.keys(cases);
  const files = await Promise.all(
    names.map(async (name) => {
      bytes[name] = await cases[name]!();
      const file = join(dir, `${name}.arrow`);
      writeFileSync(file, bytes[name]);
      return file;
    }),
  );
  for (const [i, result] of pyarrowRead(files).entries()) read[names[i]!] = result;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ok = (name: string) => {
  const r = read[name]!;
  expect(r.error, `pyarrow failed on ${name}`).toBeUndefined();
  return r;
};
const types = (r: PyarrowRead) => Object.fromEntries(r.schema.map((f) => [f.name, f.type]));

describe("pyarrow's ipc.open_file reads what we write", () => {
  it("every case is the IPC file format", () => {
    for (const [name, b] of Object.entries(bytes)) expect(ipcFormat(b), name).toBe("file");
  });

  it.each(["rowsArrowtable", "rowsTable"])(
    "%s: rows arrive with Utf8 strings, all-null columns, int64 past 2^53, UTC timestamps",
    (name) => {
      const r = ok(name);
      expect(types(r)).toEqual({
        id: "int64",
        price: "double",
        name: "string",
        active: "bool",
        when: "timestamp[ms, tz=UTC]",
        big: "int64",
        tags: "list<item: string>",
        pos: "struct<x: double, y: int64>",
        nothing: "null",
      });
      expect(r.rows).toEqual(fullRows.map(expectedForm));
      expect(r.pandas_rows).toBe(4);
      expect(r.pandas_dtypes).toMatchObject({ id: "int64", name: "object", when: "datetime64[ms, UTC]", nothing: "object" });
    },
  );

  it("columns: typed arrays keep their element types", () => {
    const r = ok("columns");
    expect(types(r)).toEqual({ f64: "double", i64: "int64", i32: "int32", text: "string", when: "timestamp[ms, tz=UTC]" });
    expect(r.rows.map((row) => row.i64)).toEqual([1, { $bigint: "-9223372036854775808" }, { $bigint: "9223372036854775807" }]);
  });

  it("an apache-arrow Table is sent as it is (dictionary strings included)", () => {
    const r = ok("foreignTable");
    expect(types(r).city).toMatch(/^dictionary<values=string/);
    expect(r.rows.map((row) => row.city)).toEqual(["Oslo", "Lima", "Oslo"]);
  });

  it("a per-dataname type map overrides inference for those columns only", () => {
    const r = ok("typeMap");
    expect(types(r)).toMatchObject({ id: "int32", when: "timestamp[us]", name: "string" });
    expect(r.rows.map((row) => row.when)).toEqual(fullRows.map((row) => expectedForm(row.when)));
  });

  it("a full Schema fixes order, types, nullability and metadata", () => {
    const r = ok("fullSchema");
    expect(r.schema).toEqual([
      { name: "code", type: "string", nullable: false },
      { name: "qty", type: "int16", nullable: false },
    ]);
    expect(r.schema_metadata).toEqual({ source: "natsbridge" });
    expect(r.rows).toEqual([
      { code: "A1", qty: 5 },
      { code: "B2", qty: 7 },
    ]);
  });

  it("schema-only and column-less tables are valid files", () => {
    expect(ok("schemaOnly")).toMatchObject({
      num_rows: 0,
      schema: [
        { name: "id", type: "int64" },
        { name: "label", type: "string" },
      ],
    });
    expect(ok("noColumns")).toMatchObject({ num_rows: 0, schema: [] });
  });

  it("a table of several record batches arrives whole", () => {
    const r = ok("manyBatches");
    expect(r.num_batches).toBe(3);
    expect(r.num_rows).toBe(3000);
    expect(r.rows[2999]).toEqual({ n: 2999, s: "row 2999" });
  });

  it("every file also reads as Arrow.jl reads files: schema first, footer ignored", () => {
    for (const name of Object.keys(cases)) {
      const r = ok(name);
      expect(r.sequential, name).toEqual({ num_rows: r.num_rows, num_columns: r.schema.length });
    }
  });

  it("LargeUtf8 is written when the schema asks for it", () => {
    const r = ok("largeUtf8");
    expect(types(r)).toEqual({ text: "large_string" });
    expect(r.rows[2]).toEqual({ text: "β".repeat(1000) });
  });
});

describe("our own reader reads it back", () => {
  it("rows → arrowtable → rows gives the same values (missing keys as null)", async () => {
    const table = await arrowtableCodec.decode(bytes.rowsArrowtable!, ctx("arrowtable"));
    expect(tableToRows(table).map(expectedForm)).toEqual(fullRows.map(expectedForm));
    expect(tableToRows(table)[0]!.big).toBe(2n ** 62n);
    expect(tableToRows(table)[1]!.big).toBe(2n ** 60n);
    expect(tableToRows(table)[0]!.id).toBe(1);
  });
});
