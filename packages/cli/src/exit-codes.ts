// Exit codes, so scripts can tell a typo from a dead server from a broken
// file server without parsing messages. They follow the error's stable
// `code` (packages/envelope/src/errors.ts); the table is in docs/packages/cli.md.

import { type ErrorCode, isNatsBridgeError } from "@natsbridge/envelope";

export const ExitCodes = {
  OK: 0,
  /** Anything without a more precise code (a bug, an unexpected failure). */
  ERROR: 1,
  /** Bad flags, arguments, config file or input files. */
  USAGE: 2,
  /** The NATS server could not be reached, refused the message, or cut a slow subscriber off. */
  CONNECTION: 3,
  /** A link payload could not be uploaded (or had to go by link and no store could take it). */
  UPLOAD: 4,
  /** A link payload could not be downloaded, or its bytes failed the size/checksum checks. */
  DOWNLOAD: 5,
  /** No reply (request: nobody listens, or no answer in time) or no message (listen --timeout) in time. */
  TIMEOUT: 6,
  /** A received message is not a valid envelope or has a payload that cannot be decoded. */
  INVALID_MESSAGE: 7,
  /** Stopped by Ctrl-C during a send or request. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];

const BY_ERROR_CODE: Partial<Record<ErrorCode, ExitCode>> = {
  INVALID_OPTION: ExitCodes.USAGE,
  INVALID_DATA: ExitCodes.USAGE,
  INVALID_SUBJECT: ExitCodes.USAGE,
  MISSING_DEPENDENCY: ExitCodes.USAGE,
  CONNECTION_FAILED: ExitCodes.CONNECTION,
  PUBLISH_FAILED: ExitCodes.CONNECTION,
  SLOW_CONSUMER: ExitCodes.CONNECTION,
  UPLOAD_FAILED: ExitCodes.UPLOAD,
  PAYLOAD_TOO_LARGE: ExitCodes.UPLOAD,
  DELETE_FAILED: ExitCodes.UPLOAD,
  DOWNLOAD_FAILED: ExitCodes.DOWNLOAD,
  URL_NOT_ALLOWED: ExitCodes.DOWNLOAD,
  CHECKSUM_MISMATCH: ExitCodes.DOWNLOAD,
  SIZE_MISMATCH: ExitCodes.DOWNLOAD,
  SIZE_LIMIT_EXCEEDED: ExitCodes.DOWNLOAD,
  REQUEST_TIMEOUT: ExitCodes.TIMEOUT,
  NO_RESPONDERS: ExitCodes.TIMEOUT,
  INVALID_ENVELOPE: ExitCodes.INVALID_MESSAGE,
  UNKNOWN_PAYLOAD_TYPE: ExitCodes.INVALID_MESSAGE,
  UNKNOWN_TRANSPORT: ExitCodes.INVALID_MESSAGE,
  UNSUPPORTED_ENCODING: ExitCodes.INVALID_MESSAGE,
  DESERIALIZATION_ERROR: ExitCodes.INVALID_MESSAGE,
  UNSUPPORTED_ARROW_FEATURE: ExitCodes.INVALID_MESSAGE,
  ABORTED: ExitCodes.INTERRUPTED,
};

/** Raised by the CLI itself for bad flags and arguments. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError) return ExitCodes.USAGE;
  if (isNatsBridgeError(error)) return BY_ERROR_CODE[error.code] ?? ExitCodes.ERROR;
  // node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes.
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) return ExitCodes.USAGE;
  return ExitCodes.ERROR;
}
