// The `arrowtable` (Julia, JavaScript) and `table` (Python) payload codecs.
// Both carry Arrow IPC and behave the same: they send the IPC file format —
// what the Python reference's `ipc.open_file` needs; Arrow.jl reads it too —
// and receive either format as an apache-arrow Table.

import type { CodecContext, PayloadCodec } from "@natsbridge/envelope";
import type { Table } from "apache-arrow";
import { registerArrowCompression } from "./compression.js";
import { encodeArrowTable } from "./file-format.js";
import { decodeArrowTable } from "./ipc.js";
import { type SchemaInput, type TableInput, toArrowTable } from "./table.js";

export interface ArrowCodecOptions {
  /**
   * Schemas for payloads sent as rows or columns, by dataname, or one
   * function choosing by payload. Tables are sent with their own schema.
   */
  schemas?: Record<string, SchemaInput> | ((context: CodecContext) => SchemaInput | undefined);
}

export type ArrowPayloadCodec = PayloadCodec<TableInput, Table>;

// With this package in a program, `arrowtable` and `table` payloads are typed:
// rows, columns or a Table when sending, an apache-arrow Table when received.
declare module "@natsbridge/envelope" {
  interface ArrowTableTypes {
    send: TableInput;
    receive: Table;
  }
}

function arrowCodec(type: "arrowtable" | "table", options: ArrowCodecOptions): ArrowPayloadCodec {
  const schemaFor = (context: CodecContext): SchemaInput | undefined => {
    const { schemas } = options;
    if (typeof schemas === "function") return schemas(context);
    return schemas && Object.hasOwn(schemas, context.dataname) ? schemas[context.dataname] : undefined;
  };
  return {
    type,
    encode(value, context) {
      const table = toArrowTable(value, { schema: schemaFor(context) });
      return encodeArrowTable(table);
    },
    decode(bytes) {
      return decodeArrowTable(bytes);
    },
  };
}

/**
 * The codecs for `arrowtable` and `table`, to pass as `codecs` to
 * `createBridge`, `smartsend` or `smartreceive`. Also registers the LZ4_FRAME
 * and ZSTD decompressors with apache-arrow (see `registerArrowCompression`).
 */
export function arrowCodecs(options: ArrowCodecOptions = {}): PayloadCodec[] {
  registerArrowCompression();
  return [arrowCodec("arrowtable", options) as PayloadCodec, arrowCodec("table", options) as PayloadCodec];
}

/** `arrowtable` with default options. */
export const arrowtableCodec: ArrowPayloadCodec = arrowCodec("arrowtable", {});
/** `table` (the Python reference's name for Arrow tables) with default options. */
export const tableCodec: ArrowPayloadCodec = arrowCodec("table", {});
