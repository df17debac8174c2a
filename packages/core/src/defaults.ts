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

/**
 * httpStore (Node): an upload gives up when the file server leaves it without
 * an answer (no response headers, no body accepted) for this long. One
 * minute: a file server that says nothing for that long is down or stuck,
 * while a slow but moving upload is never cut off.
 */
export const DEFAULT_UPLOAD_TIMEOUT = 60_000;
/**
 * httpStore in browsers: fetch has no idle timeout, so the limit covers the
 * whole upload, and is longer.
 */
export const DEFAULT_BROWSER_UPLOAD_TIMEOUT = 600_000;

/**
 * Link downloads inside subscribe and consume, where one message's download
 * holds up the messages behind it (or a slot of `concurrency`): a file server
 * silent for 10 s is down or stuck, and three attempts are enough to ride out
 * a restart. A stalled link then costs about 30 s instead of the five
 * minutes the references' schedule with a 60 s limit allows; JetStream
 * consumers retry later by redelivery anyway. smartreceive called on its
 * own keeps DOWNLOAD_DEFAULTS. Options passed to the bridge or the call win.
 */
export const SUBSCRIBER_DOWNLOAD_DEFAULTS = {
  maxRetries: 3,
  baseDelay: 100,
  maxDelay: 1000,
  attemptTimeout: 10_000,
} as const;

/** How long `request` waits for the reply. */
export const DEFAULT_REQUEST_TIMEOUT = 30_000;
