// Arrow IPC bytes → apache-arrow Table (writing is in file-format.ts).
//
// Reading accepts both IPC formats — the file format (pyarrow's `ipc.new_file`,
// what the Python reference sends) and the stream format (Arrow.jl's
// `Arrow.write(io, df)`, apache-arrow's default) — and every record batch.

import { DeserializationError, UnsupportedArrowFeatureError } from "@natsbridge/envelope";
import { type DataType, MetadataVersion, type Table, Type, tableFromIPC } from "apache-arrow";
import { aligned, registerArrowCompression } from "./compression.js";
import { FlatView } from "./flatbuffer.js";

const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

export type IpcFormat = "file" | "stream";

/** Which IPC format the bytes are in, judged by their first bytes. */
export function ipcFormat(bytes: Uint8Array): IpcFormat {
  return FILE_MAGIC.every((b, i) => bytes[i] === b) ? "file" : "stream";
}

/**
 * Reads Arrow IPC bytes (file or stream format) into a Table with all their
 * record batches. Throws DeserializationError for bytes that are not Arrow IPC
 * and UnsupportedArrowFeatureError for valid Arrow that apache-arrow cannot
 * represent (big-endian data, list-view and run-end-encoded types).
 */
export function decodeArrowTable(bytes: Uint8Array): Table {
  registerArrowCompression();
  if (!(bytes instanceof Uint8Array)) throw new DeserializationError("Arrow IPC data must be bytes");
  // apache-arrow views buffers as typed arrays in place; they need 8-byte alignment.
  const input = aligned(bytes);
  const format = ipcFormat(input);
  const version = checkSchemaMessage(input, format);
  let table: Table;
  try {
    table = tableFromIPC(input);
  } catch (error) {
    throw translateArrowError(error, format);
  }
  // Before format 1.0 (metadata V4) unions had a validity buffer; apache-arrow
  // reads them with the V5 layout and fails later, on first access.
  if (version < MetadataVersion.V5 && table.schema.fields.some((f) => hasUnion(f.type))) {
    throw new UnsupportedArrowFeatureError(
      `Arrow IPC ${format} has a union column in the pre-1.0 (metadata V4) layout, which apache-arrow cannot read`,
      {
        details: { feature: "v4-union" },
      },
    );
  }
  return table;
}

function hasUnion(type: DataType): boolean {
  return type.typeId === Type.Union || (type.children ?? []).some((child) => hasUnion(child.type));
}

/** apache-arrow throws plain Errors; give each a stable code. */
export function translateArrowError(error: unknown, format: IpcFormat): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/compressed but codec not found/i.test(message)) {
    return new UnsupportedArrowFeatureError(
      `Arrow IPC ${format} has compressed record batches and no codec for their compression is registered (${message})`,
      { cause: error, details: { feature: "compression" } },
    );
  }
  const type = /Unrecognized type: "([^"]*)" \((\d+)\)/.exec(message);
  if (type) {
    const name = type[1] === "undefined" ? `type id ${type[2]}` : type[1];
    return new UnsupportedArrowFeatureError(
      `Arrow IPC ${format} uses a column type apache-arrow cannot read: ${name} (e.g. ListView, LargeListView, RunEndEncoded); cast it on the sending side`,
      { cause: error, details: { feature: "type", typeId: Number(type[2]) } },
    );
  }
  if (/Unrecognized Message (header|type)/i.test(message)) {
    return new UnsupportedArrowFeatureError(`Arrow IPC ${format} contains a message apache-arrow cannot read (${message})`, {
      cause: error,
      details: { feature: "message" },
    });
  }
  return new DeserializationError(`payload is not valid Arrow IPC ${format} data: ${message}`, { cause: error });
}

// ---- the schema message, read by hand -------------------------------------
// apache-arrow turns garbage and empty input into an empty table, and ignores
// the schema's endianness. The first message of both formats (right after the
// 8-byte magic in the file format) must be a Schema; we check that and its
// endianness.

const MESSAGE_HEADER_SCHEMA = 1;
const ENDIANNESS_BIG = 1;

/** Start of the message's flatbuffer and its declared length, after the optional 0xFFFFFFFF marker. */
function messageAt(fb: FlatView, at: number): { metadata: number; length: number } {
  const prefix = fb.u32(at) === 0xffffffff ? 8 : 4; // Arrow < 0.15 wrote the length first, with no marker
  return { metadata: at + prefix, length: fb.i32(at + prefix - 4) };
}

/** Checks that the first message is a little-endian schema; returns the message's metadata version. */
function checkSchemaMessage(bytes: Uint8Array, format: IpcFormat): MetadataVersion {
  const fail = (why: string): never => {
    throw new DeserializationError(`payload is not valid Arrow IPC ${format} data: ${why}`, {
      details: { byteLength: bytes.byteLength },
    });
  };
  if (bytes.byteLength === 0) fail("no bytes");
  const fb = new FlatView(bytes, fail);
  const { metadata, length } = messageAt(fb, format === "file" ? 8 : 0);
  if (length <= 0) fail(length === 0 ? "the stream ends before any schema" : "bad message length");
  if (metadata + length > bytes.byteLength) fail(`schema message of ${length} bytes runs past the end`);
  const message = fb.root(metadata);
  const headerType = fb.field(message, 1);
  if (!headerType || fb.u8(headerType) !== MESSAGE_HEADER_SCHEMA) fail("the first message is not a schema");
  const schema = fb.tableField(message, 2);
  if (!schema) fail("the schema message has no schema");
  const endianness = fb.field(schema, 0);
  if (endianness && fb.u16(endianness) === ENDIANNESS_BIG) {
    throw new UnsupportedArrowFeatureError(
      `Arrow IPC ${format} data is big-endian; apache-arrow reads little-endian data only (pyarrow and Arrow.jl write little-endian)`,
      { details: { feature: "endianness" } },
    );
  }
  const version = fb.field(message, 0);
  return version ? (fb.u16(version) as MetadataVersion) : MetadataVersion.V1;
}
