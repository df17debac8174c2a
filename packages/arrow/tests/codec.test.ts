// The codecs' behaviour without Python: type inference, schemas, bad input
// and the typed errors it gets, unsupported Arrow features, alignment.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  arrow,
  arrowCodecs,
  arrowtableCodec,
  decodeArrowTable,
  encodeArrowTable,
  inferType,
  ipcFormat,
  tableCodec,
  tableFromColumns,
  tableFromRows,
  tableToRows,
  toArrowTable,
} from "@natsbridge/arrow";
import { createCodecRegistry, decodeValue, ErrorCodes, encodeValue, isNatsBridgeError } from "@natsbridge/envelope";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR } from "./helpers.js";

const fixture = (file: string) => new Uint8Array(readFileSync(join(FIXTURES_DIR, file)));
const roundTrip = (value: unknown, schema?: Parameters<typeof tableFromRows>[1]) =>
  decodeArrowTable(encodeArrowTable(toArrowTable(value, schema)));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isNatsBridgeError(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe("type inference", () => {
  it.each([
    [[], "Null"],
    [[null, undefined], "Null"],
    [[1, 2, null], "Int64"],
    [[1, 2.5], "Float64"],
    [[NaN, 1], "Float64"],
    [[1n, 2], "Int64"],
    [[2n ** 64n - 1n], "Uint64"],
    [["a", null], "Utf8"],
    [[true, null], "Bool"],
    [[new Date(0)], "Timestamp<MILLISECOND, UTC>"],
    [[new Uint8Array([1])], "Binary"],
    [[[1, 2], null, []], "List<Int64>"],
    [[{ a: 1, b: "x" }, { a: 2.5 }], "Struct<{a:Float64, b:Utf8}>"],
  ])("%o → %s", (values, type) => {
    expect(String(inferType(values, "c"))).toBe(type);
  });

  it("strings are Utf8, not the dictionary apache-arrow's tableFromJSON picks", () => {
    const table = tableFromRows([{ s: "x" }, { s: "x" }]);
    expect(String(arrow.tableFromJSON([{ s: "x" }]).schema.fields[0]!.type)).toMatch(/^Dictionary/);
    expect(String(table.schema.fields[0]!.type)).toBe("Utf8");
  });

  it("mixed kinds name the column and ask for a schema", () => {
    expect(() => inferType(["a", 1], "mixed")).toThrow(/column "mixed" mixes string and integer values; pass a schema/);
    expect(() => inferType([2n ** 64n], "huge")).toThrow(/outside the int64 and uint64 ranges/);
    expect(() => inferType([1.5, 1n], "x")).toThrow(/mixes/);
    expect(() => inferType([new Map()], "m")).toThrow(/unsupported kind \(Map\)/);
  });
});

describe("building tables", () => {
  it("rows: columns are the union of keys in first-seen order; missing keys are null", () => {
    const rows = tableToRows(roundTrip([{ a: 1 }, { b: "x", a: 2 }, {}]));
    expect(rows).toEqual([
      { a: 1, b: null },
      { a: 2, b: "x" },
      { a: null, b: null },
    ]);
  });

  it("int64 from numbers is exact across the whole range, negatives included", () => {
    const values = [0, -1, -(2 ** 40) - 5, 2 ** 53 + 2, -(2 ** 63), 2 ** 62 * 1.5, null];
    const got = tableToRows(roundTrip({ v: values })).map((r) => r.v);
    expect(got).toEqual([0, -1, -(2 ** 40) - 5, 2n ** 53n + 2n, -(2n ** 63n), 3n * 2n ** 61n, null]);
  });

  it("uint64 holds values past 2^63 from bigints", () => {
    const table = roundTrip({ v: [2n ** 64n - 1n, 0n, null] });
    expect(String(table.schema.fields[0]!.type)).toBe("Uint64");
    expect(tableToRows(table).map((r) => r.v)).toEqual([2n ** 64n - 1n, 0, null]);
  });

  it("Dates become UTC ms timestamps; a schema may ask for another unit, exactly", () => {
    const when = new Date("2262-04-11T23:47:16.854Z"); // near the end of the int64 ns range
    const ns = roundTrip({ t: [when, null] }, { schema: { t: new arrow.TimestampNanosecond() } });
    expect((ns.getChild("t")!.data[0]!.values as BigInt64Array)[0]).toBe(BigInt(when.getTime()) * 1_000_000n);
    expect(tableToRows(ns)[0]!.t).toEqual(when);
    const s = roundTrip({ t: [new Date(1999)] }, { schema: { t: new arrow.TimestampSecond() } });
    expect(tableToRows(s)[0]!.t).toEqual(new Date(1000));
  });

  it("all-null columns are kept (as Null, or as the type the schema gives)", () => {
    expect(String(roundTrip([{ a: 1, n: null }]).schema.fields[1]!.type)).toBe("Null");
    const typed = roundTrip([{ a: 1 }], { schema: { n: new arrow.Float64() } });
    expect(typed.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(["a:Int64", "n:Float64"]);
    expect(tableToRows(typed)).toEqual([{ a: 1, n: null }]);
  });

  it("nested values: lists of structs with int64 inside go through the builders", () => {
    const rows = [
      {
        items: [
          { id: 1, tags: ["a"] },
          { id: 2 ** 60, tags: [] },
        ],
      },
      { items: null },
    ];
    const got = tableToRows(roundTrip(rows));
    expect(got).toEqual([
      {
        items: [
          { id: 1, tags: ["a"] },
          { id: 2n ** 60n, tags: [] },
        ],
      },
      { items: null },
    ]);
  });

  it("typed-array columns are used as they are, Vectors too", () => {
    const f = new Float64Array([1, 2, 3]);
    const v = arrow.vectorFromArray(["a", "b", "c"], new arrow.Utf8());
    const table = tableFromColumns({ f, v, i: new Int16Array([1, 2, 3]) });
    expect(table.getChild("f")!.data[0]!.values).toBe(f);
    expect(table.schema.fields.map((x) => String(x.type))).toEqual(["Float64", "Utf8", "Int16"]);
  });

  it("bad input is INVALID_DATA, with the column and row named", () => {
    expect(codeOf(() => toArrowTable("rows"))).toBe(ErrorCodes.INVALID_DATA);
    const foreign = { schema: {}, batches: [], numRows: 0 }; // the shape of a Table from another apache-arrow copy
    expect(() => toArrowTable(foreign)).toThrow(/another copy of apache-arrow/);
    expect(codeOf(() => tableFromRows([1 as never]))).toBe(ErrorCodes.INVALID_DATA);
    expect(codeOf(() => tableFromColumns({ a: [1, 2], b: [1] }))).toBe(ErrorCodes.INVALID_DATA);
    expect(codeOf(() => tableFromColumns({ a: 5 as never }))).toBe(ErrorCodes.INVALID_DATA);
    expect(() => tableFromRows([{ n: 1 }, { n: "two" }], { schema: { n: new arrow.Int64() } })).toThrow(
      /column "n" \(Int64\) cannot hold string "two" at row 1/,
    );
    expect(() => tableFromRows([{ n: 1.5 }], { schema: { n: new arrow.Int32() } })).toThrow(/cannot hold number 1.5 at row 0/);
    expect(() => tableFromRows([{ n: 300 }], { schema: { n: new arrow.Uint8() } })).toThrow(/cannot hold number 300/);
    expect(() => tableFromRows([{ n: [1, "x"] }], { schema: { n: new arrow.List(new arrow.Field("i", new arrow.Int32())) } })).toThrow(
      /"x" is not a Int32 value/,
    );
    expect(() => tableFromRows([{ n: "x" }], { schema: { n: new arrow.Int32() } })).toThrow(
      /column "n" \(Int32\) cannot hold string "x" at row 0/,
    );
    const strict = new arrow.Schema([new arrow.Field("id", new arrow.Int64(), false)]);
    expect(() => tableFromRows([{ id: null }], { schema: strict })).toThrow(/not nullable in the schema but has 1 null/);
    expect(() => tableFromRows([{ id: 1, extra: 2 }], { schema: strict })).toThrow(/columns the schema does not: "extra"/);
    expect(() => tableFromRows([{ t: new Date(NaN) }])).toThrow(/cannot hold Date Invalid Date at row 0/);
  });

  it("encode errors through the registry name the payload", async () => {
    const registry = createCodecRegistry(...arrowCodecs());
    const error = await encodeValue(registry, [{ a: "x" }, { a: 1 }], {
      dataname: "prices",
      payloadType: "arrowtable",
      correlationId: "c-1",
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCodes.INVALID_DATA, dataname: "prices", correlationId: "c-1" });
  });

  it("per-dataname schemas can also be chosen by a function", async () => {
    const codecs = arrowCodecs({ schemas: (ctx) => (ctx.payloadType === "table" ? { n: new arrow.Int8() } : undefined) });
    const registry = createCodecRegistry(...codecs);
    const bytes = await encodeValue(registry, [{ n: 1 }], { dataname: "x", payloadType: "table" });
    expect(String(decodeArrowTable(bytes).schema.fields[0]!.type)).toBe("Int8");
  });
});

describe("decoding", () => {
  it("both codecs write the file format and read both formats", async () => {
    const rows = [{ a: 1 }];
    const ctx = { dataname: "t", payloadType: "table" };
    for (const codec of [arrowtableCodec, tableCodec]) {
      const bytes = await codec.encode(rows, ctx);
      expect(ipcFormat(bytes)).toBe("file");
      expect(tableToRows(await codec.decode(bytes, ctx))).toEqual(rows);
      const stream = arrow.tableToIPC(tableFromRows(rows), "stream");
      expect(ipcFormat(stream)).toBe("stream");
      expect(tableToRows(await codec.decode(stream, ctx))).toEqual(rows);
    }
  });

  it.each([
    ["empty", new Uint8Array(0)],
    ["random bytes", Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff)],
    ["magic only", new TextEncoder().encode("ARROW1\0\0")],
    ["a JSON table", new TextEncoder().encode('[{"a":1}]')],
    ["end-of-stream only", new Uint8Array([255, 255, 255, 255, 0, 0, 0, 0])],
    ["truncated file", fixture("pyarrow/types.arrow").subarray(0, 700)],
    ["truncated stream", fixture("julia-like/julia_dataframe.arrows").subarray(0, 900)],
  ])("%s is DESERIALIZATION_ERROR", (_name, bytes) => {
    expect(codeOf(() => decodeArrowTable(bytes))).toBe(ErrorCodes.DESERIALIZATION_ERROR);
  });

  it("through the registry, undecodable bytes carry the dataname", async () => {
    const registry = createCodecRegistry(...arrowCodecs());
    const error = await decodeValue(registry, new Uint8Array([1, 2, 3]), { dataname: "df", payloadType: "table" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCodes.DESERIALIZATION_ERROR, dataname: "df" });
  });

  const manifest = JSON.parse(readFileSync(join(FIXTURES_DIR, "manifest.json"), "utf8")) as {
    unsupported: { file: string; description: string }[];
  };
  it.each(manifest.unsupported)("$description from pyarrow is UNSUPPORTED_ARROW_FEATURE", ({ file }) => {
    expect(() => decodeArrowTable(fixture(file))).toThrow(/column type apache-arrow cannot read/);
    expect(codeOf(() => decodeArrowTable(fixture(file)))).toBe(ErrorCodes.UNSUPPORTED_ARROW_FEATURE);
  });

  it("big-endian data is UNSUPPORTED_ARROW_FEATURE, not misread", () => {
    expect(codeOf(() => decodeArrowTable(bigEndianSchemaStream()))).toBe(ErrorCodes.UNSUPPORTED_ARROW_FEATURE);
  });

  it("compressed batches without a registered codec are UNSUPPORTED_ARROW_FEATURE", () => {
    const { compressionRegistry, CompressionType } = arrow;
    const lz4 = compressionRegistry.get(CompressionType.LZ4_FRAME)!;
    compressionRegistry.set(CompressionType.LZ4_FRAME, null as never);
    try {
      expect(codeOf(() => decodeArrowTable(fixture("pyarrow/lz4.arrow")))).toBe(ErrorCodes.UNSUPPORTED_ARROW_FEATURE);
    } finally {
      compressionRegistry.set(CompressionType.LZ4_FRAME, lz4);
    }
    expect(decodeArrowTable(fixture("pyarrow/lz4.arrow")).numRows).toBe(600);
  });

  it("input at an odd byte offset is read (apache-arrow needs 8-byte alignment)", () => {
    for (const file of ["pyarrow/types.arrow", "pyarrow/zstd.arrow", "julia-like/julia_lz4.arrows"]) {
      const bytes = fixture(file);
      const odd = new Uint8Array(bytes.byteLength + 3).subarray(3);
      odd.set(bytes);
      expect(tableToRows(decodeArrowTable(odd))).toEqual(tableToRows(decodeArrowTable(bytes)));
    }
  });
});

/**
 * A stream whose schema message says big-endian (no fields), built by hand:
 * pyarrow and apache-arrow only write little-endian.
 */
function bigEndianSchemaStream(): Uint8Array {
  const fb = new DataView(new ArrayBuffer(48));
  fb.setUint32(0, 16, true); // root → Message table at 16
  // Message vtable at 4: size 10, object 12; version @8, header_type @10, header @4
  for (const [i, v] of [10, 12, 8, 10, 4].entries()) fb.setUint16(4 + 2 * i, v, true);
  fb.setInt32(16, 12, true); // table 16 → vtable 4
  fb.setUint32(20, 16, true); // header → Schema table at 36
  fb.setInt16(24, 4, true); // version V5
  fb.setUint8(26, 1); // header_type Schema
  // Schema vtable at 28: size 6, object 8; endianness @4
  for (const [i, v] of [6, 8, 4].entries()) fb.setUint16(28 + 2 * i, v, true);
  fb.setInt32(36, 8, true); // table 36 → vtable 28
  fb.setInt16(40, 1, true); // endianness Big
  const out = new Uint8Array(8 + 48 + 8);
  new DataView(out.buffer).setUint32(0, 0xffffffff, true);
  new DataView(out.buffer).setInt32(4, 48, true);
  out.set(new Uint8Array(fb.buffer), 8);
  new DataView(out.buffer).setUint32(56, 0xffffffff, true);
  return out;
}
