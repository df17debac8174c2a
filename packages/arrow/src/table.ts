// What `arrowtable` and `table` payloads accept, turned into an apache-arrow
// Table: a Table (or RecordBatch) as it is, an array of row objects, or an
// object of columns (arrays, typed arrays or apache-arrow Vectors).

import { InvalidDataError } from "@natsbridge/envelope";
import {
  type Data,
  DataType,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Vector,
} from "apache-arrow";
import { buildColumn } from "./columns.js";
import { describe, inferType, isPlainObject } from "./infer.js";

export type Row = Record<string, unknown>;

/** A column: plain values, a typed array (its element type is the column type), or an apache-arrow Vector. */
export type ColumnInput = readonly unknown[] | ArrayBufferView | Vector;
export type ColumnsInput = Record<string, ColumnInput>;

/**
 * A schema for rows or columns: a full apache-arrow Schema (or its fields),
 * which fixes the columns and their order, or a `{ column: DataType }` object
 * that sets the types of some columns and lets the others be inferred.
 */
export type SchemaInput = Schema | readonly Field[] | Record<string, DataType>;

export interface TableOptions {
  schema?: SchemaInput | undefined;
  /** Schema-level key/value metadata to attach (ignored when `schema` is a full Schema with its own). */
  metadata?: Record<string, string> | undefined;
}

/** Anything an `arrowtable` or `table` payload may be. */
export type TableInput = Table | RecordBatch | readonly Row[] | ColumnsInput;

/** apache-arrow Tables from another copy of the library fail `instanceof`; their shape does not. */
export function isArrowTable(value: unknown): value is Table {
  return (
    value instanceof Table ||
    (typeof value === "object" &&
      value !== null &&
      (value as Table).schema !== undefined &&
      Array.isArray((value as Table).batches) &&
      typeof (value as Table).numRows === "number")
  );
}

/** Any accepted value as a Table. */
export function toArrowTable(value: unknown, options: TableOptions = {}): Table {
  if (value instanceof Table) return value;
  if (isArrowTable(value)) {
    // Its batches and vectors fail apache-arrow's own instanceof checks too, so writing it would lose data.
    throw new InvalidDataError(
      "this Table comes from another copy of apache-arrow than @natsbridge/arrow's; build it with the `arrow` export of @natsbridge/arrow, or dedupe apache-arrow to one version",
    );
  }
  if (value instanceof RecordBatch) return new Table(value);
  if (Array.isArray(value)) return tableFromRows(value as Row[], options);
  if (isPlainObject(value)) return tableFromColumns(value as ColumnsInput, options);
  throw new InvalidDataError(
    `table data must be an apache-arrow Table, an array of row objects or an object of columns, got ${describe(value)}`,
  );
}

/**
 * A Table from row objects. Columns are the union of the rows' keys in the
 * order first seen (a key missing from a row is null there), unless a full
 * schema says otherwise. Strings become Utf8, never dictionaries.
 */
export function tableFromRows(rows: readonly Row[], options: TableOptions = {}): Table {
  if (!Array.isArray(rows)) throw new InvalidDataError(`rows must be an array of objects, got ${describe(rows)}`);
  const names = new Set<string>();
  rows.forEach((row, i) => {
    if (!isPlainObject(row)) throw new InvalidDataError(`row ${i} is ${describe(row)}, not a plain object`, { details: { row: i } });
    for (const key in row) names.add(key);
  });
  // Each column is gathered once: inference and building both read it.
  const gathered = new Map<string, unknown[]>();
  const column = (name: string) => {
    let values = gathered.get(name);
    if (!values) {
      values = rows.map((row) => row[name]);
      gathered.set(name, values);
    }
    return values;
  };
  return assemble([...names], column, rows.length, options);
}

/** A Table from an object of equally long columns. */
export function tableFromColumns(columns: ColumnsInput, options: TableOptions = {}): Table {
  if (!isPlainObject(columns)) throw new InvalidDataError(`columns must be a plain object, got ${describe(columns)}`);
  let length: number | undefined;
  for (const [name, values] of Object.entries(columns)) {
    if (!(Array.isArray(values) || ArrayBuffer.isView(values) || values instanceof Vector)) {
      throw new InvalidDataError(`column "${name}" must be an array, a typed array or a Vector, got ${describe(values)}`, {
        details: { column: name },
      });
    }
    const n = (values as { length: number }).length;
    if (length !== undefined && n !== length) {
      throw new InvalidDataError(`columns have different lengths: "${name}" has ${n}, the first column ${length}`, {
        details: { column: name },
      });
    }
    length = n;
  }
  return assemble(Object.keys(columns), (name) => columns[name], length ?? 0, options);
}

type ColumnSource = (name: string) => ColumnInput | unknown[] | undefined;

function assemble(names: string[], source: ColumnSource, length: number, options: TableOptions): Table {
  const fields = resolveFields(names, source, options.schema);
  const children = fields.map((field) => columnData(field, source(field.name), length));
  const metadata = new Map(Object.entries(options.metadata ?? {}));
  const schema =
    options.schema instanceof Schema && options.schema.metadata.size > 0
      ? new Schema(fields, options.schema.metadata)
      : new Schema(fields, metadata);
  if (length === 0) return new Table(schema);
  const struct = makeData({ type: new Struct(fields), length, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

function resolveFields(names: string[], source: ColumnSource, schema: SchemaInput | undefined): Field[] {
  if (schema instanceof Schema || Array.isArray(schema)) {
    const fields = schema instanceof Schema ? schema.fields : (schema as Field[]);
    const known = new Set(fields.map((f) => f.name));
    const extra = names.filter((n) => !known.has(n));
    if (extra.length > 0) {
      throw new InvalidDataError(`data has columns the schema does not: ${extra.map((n) => JSON.stringify(n)).join(", ")}`, {
        details: { columns: extra },
      });
    }
    return [...fields];
  }
  const types = schema ?? {};
  if (!isPlainObject(types) || !Object.values(types).every((t) => t instanceof DataType)) {
    throw new InvalidDataError("schema must be an apache-arrow Schema, an array of Fields or an object of DataTypes");
  }
  const all = [...names, ...Object.keys(types).filter((n) => !names.includes(n))];
  return all.map((name) => {
    const type = types[name] ?? typedArrayType(source(name)) ?? vectorType(source(name)) ?? inferType(plainValues(source(name)), name);
    return new Field(name, type, true);
  });
}

function columnData(field: Field, values: ColumnInput | unknown[] | undefined, length: number): Data {
  if (values === undefined) return buildColumn(field.name, field.type, { length }, field.nullable);
  if (values instanceof Vector) {
    if (values.data.length === 1 && String(values.type) === String(field.type)) return values.data[0]!;
    return buildColumn(field.name, field.type, values.toArray() as ArrayLike<unknown>, field.nullable);
  }
  if (ArrayBuffer.isView(values)) {
    const own = typedArrayType(values);
    if (own && String(own) === String(field.type)) {
      return makeData({ type: own as never, length, nullCount: 0, data: values as never });
    }
    return buildColumn(field.name, field.type, Array.from(values as unknown as ArrayLike<unknown>), field.nullable);
  }
  return buildColumn(field.name, field.type, values as ArrayLike<unknown>, field.nullable);
}

function plainValues(values: ColumnInput | unknown[] | undefined): ArrayLike<unknown> {
  if (values === undefined) return [];
  if (values instanceof Vector) return values.toArray() as ArrayLike<unknown>;
  return values as ArrayLike<unknown>;
}

function vectorType(values: unknown): DataType | undefined {
  return values instanceof Vector ? values.type : undefined;
}

/** The Arrow type of a typed-array column: its element type. */
function typedArrayType(values: unknown): DataType | undefined {
  if (!ArrayBuffer.isView(values)) return undefined;
  if (values instanceof Float64Array) return new Float64();
  if (values instanceof Float32Array) return new Float32();
  if (values instanceof Int32Array) return new Int32();
  if (values instanceof BigInt64Array) return new Int64();
  if (values instanceof Int16Array) return new Int16();
  if (values instanceof Int8Array) return new Int8();
  if (values instanceof Uint8Array) return new Uint8();
  if (values instanceof Uint16Array) return new Uint16();
  if (values instanceof Uint32Array) return new Uint32();
  if (values instanceof BigUint64Array) return new Uint64();
  throw new InvalidDataError(`unsupported column array ${describe(values)}`);
}
