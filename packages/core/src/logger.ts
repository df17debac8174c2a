// Correlation-id logging, pino-shaped. Silent unless the caller passes a logger
// or sets NATSBRIDGE_LOG_LEVEL (Node); at `debug` every step of a send or
// receive logs one line carrying `correlation_id`, like the references'
// log_trace. pino itself is created by the Node platform (platform/node.ts).

/** The part of a pino logger natsbridge uses; any pino instance fits. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
  /** pino's level check; used to skip building per-message child loggers when debug is off. */
  isLevelEnabled?(level: string): boolean;
}

const noop = () => undefined;
/** A logger that drops everything; what the hot path uses when debug logging is off. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => silentLogger };

/** A child logger bound to one message's correlation id, or the silent logger when debug is off. */
export function messageLogger(logger: Logger, correlationId: string): Logger {
  if (logger.isLevelEnabled && !logger.isLevelEnabled("debug")) return silentLogger;
  return logger.child({ correlation_id: correlationId });
}

/**
 * Link URLs may carry credentials (presigned query strings, tokens in paths a
 * store chooses); logs get the origin and path only.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? "?<redacted>" : ""}`;
  } catch {
    return "<unparsable url>";
  }
}
