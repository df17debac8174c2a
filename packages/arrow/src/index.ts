// @natsbridge/arrow: Arrow IPC payloads (`arrowtable`, `table`) for NATSBridge,
// readable by pyarrow and Arrow.jl. The only natsbridge package that depends
// on apache-arrow; `jsontable` in @natsbridge/envelope needs none of this.

/** The apache-arrow this package uses, so that Tables and types come from one copy of it. */
export * as arrow from "apache-arrow";
export { type ArrowCodecOptions, type ArrowPayloadCodec, arrowCodecs, arrowtableCodec, tableCodec } from "./codecs.js";
export { registerArrowCompression } from "./compression.js";
export { encodeArrowTable } from "./file-format.js";
export { inferType } from "./infer.js";
export { decodeArrowTable, type IpcFormat, ipcFormat } from "./ipc.js";
export { type TableToRowsOptions, tableToRows } from "./rows.js";
export {
  type ColumnInput,
  type ColumnsInput,
  isArrowTable,
  type Row,
  type SchemaInput,
  type TableInput,
  type TableOptions,
  tableFromColumns,
  tableFromRows,
  toArrowTable,
} from "./table.js";
