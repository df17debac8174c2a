// Writing the Arrow IPC file format so that every reader accepts it.
//
// The format is: magic "ARROW1" + 2 padding bytes, the stream format (schema
// message, dictionary and record batch messages, end-of-stream marker), the
// footer, the footer's length, "ARROW1". apache-arrow's file writer leaves the
// schema message out and relies on the footer alone. pyarrow reads the footer
// and does not mind, but Arrow.jl never reads the footer: it skips the 8 magic
// bytes and reads the messages in order, and insists that the first is a
// schema. So we take apache-arrow's file, put the schema message (as the
// stream writer encodes it) right after the magic, and move the footer's block
// offsets by the length we inserted.

import { Table, tableToIPC } from "apache-arrow";
import { InternalError } from "@natsbridge/envelope";
import { FlatView } from "./flatbuffer.js";
import { messageAt } from "./ipc.js";

const MAGIC_AND_PADDING = 8;
const TRAILER = 4 + 6; // footer length (int32) + "ARROW1"
const BLOCK_SIZE = 24; // struct Block { offset: long; metaDataLength: int; (pad 4) bodyLength: long }
const FOOTER_DICTIONARIES = 2;
const FOOTER_RECORD_BATCHES = 3;

const fail = (why: string): never => {
  throw new InternalError(`apache-arrow wrote an Arrow file we could not complete: ${why}`);
};

/** The table in the Arrow IPC file format, starting with its schema message. */
export function encodeArrowTable(table: Table): Uint8Array {
  const file = tableToIPC(table, "file");
  const schemaMessage = firstMessage(tableToIPC(new Table(table.schema), "stream"));
  const out = new Uint8Array(file.byteLength + schemaMessage.byteLength);
  out.set(file.subarray(0, MAGIC_AND_PADDING));
  out.set(schemaMessage, MAGIC_AND_PADDING);
  out.set(file.subarray(MAGIC_AND_PADDING), MAGIC_AND_PADDING + schemaMessage.byteLength);
  shiftFooterBlocks(out, BigInt(schemaMessage.byteLength));
  return out;
}

/** The first encapsulated message of a stream (the schema: marker, length, metadata; no body). */
function firstMessage(stream: Uint8Array): Uint8Array {
  const { metadata, length } = messageAt(new FlatView(stream, fail), 0);
  return stream.subarray(0, metadata + length);
}

function shiftFooterBlocks(file: Uint8Array, by: bigint): void {
  const fb = new FlatView(file, fail);
  const footerLength = fb.i32(file.byteLength - TRAILER);
  const footer = fb.root(file.byteLength - TRAILER - footerLength);
  for (const index of [FOOTER_DICTIONARIES, FOOTER_RECORD_BATCHES]) {
    const { start, length } = fb.vectorField(footer, index);
    for (let i = 0; i < length; i++) {
      const offset = start + i * BLOCK_SIZE;
      fb.setI64(offset, fb.i64(offset) + by);
    }
  }
}
