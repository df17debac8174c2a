// Writing the Arrow IPC file format so that every reader accepts it.
//
// The format is: magic "ARROW1" + 2 padding bytes, the stream format (schema
// message, dictionary and record batch messages, end-of-stream marker), the
// footer, the footer's length, "ARROW1". apache-arrow's file writer leaves the
// schema message out and relies on the footer alone. pyarrow reads the footer
// and does not mind, but Arrow.jl never reads the footer: it skips the 8 magic
// bytes, reads the messages in order, and insists that the first is a schema.
// So our writer writes the schema message after the magic, as the stream
// writer does; the footer's block offsets follow, since the writer computes
// them from its position as it goes.

import { RecordBatchFileWriter, RecordBatchWriter, type Schema, type Table } from "apache-arrow";

type SchemaWriter = { _writeSchema(this: RecordBatchWriter, schema: Schema): RecordBatchWriter };
const writeSchemaMessage = (RecordBatchWriter.prototype as unknown as SchemaWriter)._writeSchema;

class SchemaFirstFileWriter extends RecordBatchFileWriter {
  protected override _writeSchema(schema: Schema): this {
    super._writeSchema(schema); // magic + padding
    writeSchemaMessage.call(this, schema);
    return this;
  }
}

/** The table in the Arrow IPC file format, starting with its schema message. */
export function encodeArrowTable(table: Table): Uint8Array {
  const writer = new SchemaFirstFileWriter();
  writer.writeAll(table);
  return writer.toUint8Array(true);
}
