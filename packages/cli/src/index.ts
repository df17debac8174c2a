// @natsbridge/cli: the `natsbridge` command, also callable from code
// (`main(argv)` resolves with the exit code).
export { main, USAGE, defaultIo } from "./main.js";
export type { Io } from "./context.js";
export { ExitCodes, exitCodeFor, UsageError, type ExitCode } from "./exit-codes.js";
export { resolveConfig, CONFIG_FILE_NAME, STORE_KINDS, type CliConfig, type StoreKind } from "./config.js";
export { buildPayloads, splitTypedPath, type PayloadArg } from "./payloads.js";
export { readCsvRows } from "./csv.js";
