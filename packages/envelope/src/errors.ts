// Every failure natsbridge reports is a NatsBridgeError with a stable `code`.
// One subclass per condition (as nats.js does), so callers can branch either on
// `instanceof` or on `err.code` — the code is what crosses process and language
// boundaries (logs, CLI exit codes, conformance reports), so it never changes.

/** Every error code natsbridge can report. Stable: never renamed or reused. */
export const ErrorCodes = {
  /** The message is not a valid NATSBridge v1 envelope (bad JSON, wrong field types). */
  INVALID_ENVELOPE: "INVALID_ENVELOPE",
  /** No codec is registered for the payload's `payload_type`. */
  UNKNOWN_PAYLOAD_TYPE: "UNKNOWN_PAYLOAD_TYPE",
  /** The payload's `transport` is neither `direct` nor `link`. */
  UNKNOWN_TRANSPORT: "UNKNOWN_TRANSPORT",
  /** The payload's `encoding` is not one natsbridge can read. */
  UNSUPPORTED_ENCODING: "UNSUPPORTED_ENCODING",
  /** The payload bytes could not be turned back into a value (bad base64, bad UTF-8, bad JSON). */
  DESERIALIZATION_ERROR: "DESERIALIZATION_ERROR",
  /** The value handed to smartsend does not fit its payload type (e.g. `binary` that is not bytes). */
  INVALID_DATA: "INVALID_DATA",
  /** The envelope would exceed the server's max_payload and no claim-check store is configured. */
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  /** A received payload or download is larger than the configured limit. */
  SIZE_LIMIT_EXCEEDED: "SIZE_LIMIT_EXCEEDED",
  /** Could not connect to the NATS server. */
  CONNECTION_FAILED: "CONNECTION_FAILED",
  /** The NATS client refused to publish the envelope. */
  PUBLISH_FAILED: "PUBLISH_FAILED",
  /** A subject (or reply subject, or queue group) breaks NATS's rules: empty tokens, whitespace, wildcards where a message is published. */
  INVALID_SUBJECT: "INVALID_SUBJECT",
  /** A request found no subscriber on its subject: the server said so at once. */
  NO_RESPONDERS: "NO_RESPONDERS",
  /** No reply arrived in time for a request. */
  REQUEST_TIMEOUT: "REQUEST_TIMEOUT",
  /**
   * A subscriber fell behind: the NATS server cut its connection off and dropped
   * the messages it held for it (server side), or messages piled up in the
   * client faster than the subscription's loop took them (client side).
   */
  SLOW_CONSUMER: "SLOW_CONSUMER",
  /** The claim-check store did not accept an upload; nothing was published. */
  UPLOAD_FAILED: "UPLOAD_FAILED",
  /** A link payload could not be downloaded after all retries. */
  DOWNLOAD_FAILED: "DOWNLOAD_FAILED",
  /** The claim-check store could not delete a blob (cleanup, delete-after-consume). */
  DELETE_FAILED: "DELETE_FAILED",
  /** A link URL is outside the allowed schemes/hosts and was not fetched. */
  URL_NOT_ALLOWED: "URL_NOT_ALLOWED",
  /** The downloaded or decoded bytes do not match the sender's sha256. */
  CHECKSUM_MISMATCH: "CHECKSUM_MISMATCH",
  /** The downloaded or decoded bytes do not match the sender's declared size. */
  SIZE_MISMATCH: "SIZE_MISMATCH",
  /** The operation was aborted through an AbortSignal. */
  ABORTED: "ABORTED",
  /** An Arrow IPC feature natsbridge does not read (e.g. a compression codec it lacks). */
  UNSUPPORTED_ARROW_FEATURE: "UNSUPPORTED_ARROW_FEATURE",
  /** A package this payload needs is not installed or not registered (`arrowtable`/`table` without @natsbridge/arrow's codecs). */
  MISSING_DEPENDENCY: "MISSING_DEPENDENCY",
  /** An option or environment variable has an invalid value. */
  INVALID_OPTION: "INVALID_OPTION",
  /** A bug in natsbridge or a plug-in: an error with no code of its own, wrapped so callers still get one. */
  INTERNAL_ERROR: "INTERNAL_ERROR",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface NatsBridgeErrorOptions {
  cause?: unknown;
  /** The envelope's correlation id, when the failure happened inside one message. */
  correlationId?: string;
  /** The payload's dataname, when the failure concerns one payload. */
  dataname?: string;
  /** Structured facts about the failure (url, attempts, sizes...). Never secrets. */
  details?: Record<string, unknown>;
}

export class NatsBridgeError extends Error {
  readonly code: ErrorCode;
  readonly correlationId: string | undefined;
  readonly dataname: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: NatsBridgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "NatsBridgeError";
    this.code = code;
    this.correlationId = options.correlationId;
    this.dataname = options.dataname;
    this.details = options.details ?? {};
  }

  /**
   * A copy of this error that also names the message and payload it happened in.
   * Codecs throw without knowing the correlation id; the receive loop adds it.
   */
  withContext(context: { correlationId?: string | undefined; dataname?: string | undefined }): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.defineProperties(copy, Object.getOwnPropertyDescriptors(this));
    Object.defineProperty(copy, "correlationId", { value: this.correlationId ?? context.correlationId, enumerable: true });
    Object.defineProperty(copy, "dataname", { value: this.dataname ?? context.dataname, enumerable: true });
    return copy;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      correlationId: this.correlationId,
      dataname: this.dataname,
      details: this.details,
    };
  }
}

/** True for any error natsbridge raised (checks the shape, so it works across package copies). */
export function isNatsBridgeError(error: unknown): error is NatsBridgeError {
  return (
    error instanceof NatsBridgeError ||
    (error instanceof Error &&
      typeof (error as unknown as { code?: unknown }).code === "string" &&
      Object.hasOwn(ErrorCodes, (error as unknown as { code: string }).code))
  );
}

// One class per condition. Each fixes its code and name.
function defineError<C extends ErrorCode>(code: C, name: string) {
  const cls = class extends NatsBridgeError {
    declare readonly code: C;
    constructor(message: string, options?: NatsBridgeErrorOptions) {
      super(code, message, options);
      this.name = name;
    }
  };
  Object.defineProperty(cls, "name", { value: name });
  return cls;
}

export const InvalidEnvelopeError = defineError(ErrorCodes.INVALID_ENVELOPE, "InvalidEnvelopeError");
export const UnknownPayloadTypeError = defineError(ErrorCodes.UNKNOWN_PAYLOAD_TYPE, "UnknownPayloadTypeError");
export const UnknownTransportError = defineError(ErrorCodes.UNKNOWN_TRANSPORT, "UnknownTransportError");
export const UnsupportedEncodingError = defineError(ErrorCodes.UNSUPPORTED_ENCODING, "UnsupportedEncodingError");
export const DeserializationError = defineError(ErrorCodes.DESERIALIZATION_ERROR, "DeserializationError");
export const InvalidDataError = defineError(ErrorCodes.INVALID_DATA, "InvalidDataError");
export const PayloadTooLargeError = defineError(ErrorCodes.PAYLOAD_TOO_LARGE, "PayloadTooLargeError");
export const SizeLimitExceededError = defineError(ErrorCodes.SIZE_LIMIT_EXCEEDED, "SizeLimitExceededError");
export const ConnectionFailedError = defineError(ErrorCodes.CONNECTION_FAILED, "ConnectionFailedError");
export const PublishFailedError = defineError(ErrorCodes.PUBLISH_FAILED, "PublishFailedError");
export const InvalidSubjectError = defineError(ErrorCodes.INVALID_SUBJECT, "InvalidSubjectError");
export const NoRespondersError = defineError(ErrorCodes.NO_RESPONDERS, "NoRespondersError");
export const RequestTimeoutError = defineError(ErrorCodes.REQUEST_TIMEOUT, "RequestTimeoutError");
export const SlowConsumerError = defineError(ErrorCodes.SLOW_CONSUMER, "SlowConsumerError");
export const UploadFailedError = defineError(ErrorCodes.UPLOAD_FAILED, "UploadFailedError");
export const DownloadFailedError = defineError(ErrorCodes.DOWNLOAD_FAILED, "DownloadFailedError");
export const UrlNotAllowedError = defineError(ErrorCodes.URL_NOT_ALLOWED, "UrlNotAllowedError");
export const ChecksumMismatchError = defineError(ErrorCodes.CHECKSUM_MISMATCH, "ChecksumMismatchError");
export const SizeMismatchError = defineError(ErrorCodes.SIZE_MISMATCH, "SizeMismatchError");
export const AbortedError = defineError(ErrorCodes.ABORTED, "AbortedError");
export const UnsupportedArrowFeatureError = defineError(ErrorCodes.UNSUPPORTED_ARROW_FEATURE, "UnsupportedArrowFeatureError");
export const MissingDependencyError = defineError(ErrorCodes.MISSING_DEPENDENCY, "MissingDependencyError");
export const InvalidOptionError = defineError(ErrorCodes.INVALID_OPTION, "InvalidOptionError");
export const InternalError = defineError(ErrorCodes.INTERNAL_ERROR, "InternalError");
export const DeleteFailedError = defineError(ErrorCodes.DELETE_FAILED, "DeleteFailedError");

/**
 * The error with the message and payload it happened in: ours gain the
 * context (withContext); anything else is a bug somewhere below us, wrapped
 * as INTERNAL_ERROR that keeps the original message and the error as `cause`.
 */
export function errorInContext(
  error: unknown,
  context: { correlationId?: string | undefined; dataname?: string | undefined },
): NatsBridgeError {
  if (error instanceof NatsBridgeError) return error.withContext(context);
  if (isNatsBridgeError(error)) return error; // from another copy of this package: keep it as it is
  return new InternalError(`unexpected error: ${String((error as Error)?.message ?? error)}`, { cause: error, ...context });
}
