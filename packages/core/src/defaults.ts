// Every default of the send and receive paths, in one place. Options
// (options.ts) say what each one means; docs/packages/core.md lists them.

export const DEFAULT_BROKER_URL = "nats://localhost:4222";
export const DEFAULT_FILESERVER_URL = "http://localhost:8080";
/** 0.5 MB, as requirements.md and architecture.md set for desktop platforms. */
export const DEFAULT_SIZE_THRESHOLD = 500_000;
/** nats-server's default max_payload, used when no connection tells us better. */
export const DEFAULT_MAX_PAYLOAD = 1_048_576;

/** Receivers refuse envelopes larger than this. */
export const DEFAULT_MAX_ENVELOPE_BYTES = 64 * 1024 * 1024;
/** Receivers refuse link downloads larger than this. */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 4 * 1024 * 1024 * 1024;

/**
 * Link downloads: the references' schedule (5 attempts, 100 ms doubling up to
 * 5 s) and a limit on each wait for the server (headers, next chunk).
 */
export const DOWNLOAD_DEFAULTS = {
  maxRetries: 5,
  baseDelay: 100,
  maxDelay: 5000,
  attemptTimeout: 60_000,
} as const;

/** How long `request` waits for the reply. */
export const DEFAULT_REQUEST_TIMEOUT = 30_000;
