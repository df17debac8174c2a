// @natsbridge/cli: the `natsbridge` command, also callable from code
// (`main(argv)` resolves with the exit code).

export { type CliConfig, CONFIG_FILE_NAME, resolveConfig, STORE_KINDS, type StoreKind } from "./config.js";
export type { Io } from "./context.js";
export { readCsvRows } from "./csv.js";
export { type ExitCode, ExitCodes, exitCodeFor, UsageError } from "./exit-codes.js";
export { defaultIo, main, USAGE } from "./main.js";
export { buildPayloads, type PayloadArg, splitTypedPath } from "./payloads.js";
