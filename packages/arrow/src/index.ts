// @natsbridge/arrow: Arrow IPC payloads (`arrowtable`, `table`) for NATSBridge,
// readable by pyarrow and Arrow.jl. The only natsbridge package that depends
// on apache-arrow; `jsontable` in @natsbridge/envelope needs none of this.

export { arrowCodecs, arrowtableCodec, tableCodec, type ArrowCodecOptions, type ArrowPayloadCodec } from "./codecs.js";
export { decodeArrowTable, ipcFormat, type IpcFormat } from "./ipc.js";
export { encodeArrowTable } from "./file-format.js";
export {
  isArrowTable,
  tableFromColumns,
  tableFromRows,
  toArrowTable,
  type ColumnInput,
  type ColumnsInput,
  type Row,
  type SchemaInput,
  type TableInput,
  type TableOptions,
} from "./table.js";
export { tableToRows, type TableToRowsOptions } from "./rows.js";
export { inferType } from "./infer.js";
export { registerArrowCompression } from "./compression.js";
/** The apache-arrow this package uses, so that Tables and types come from one copy of it. */
export * as arrow from "apache-arrow";
