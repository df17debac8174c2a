// Correlation-id logging, pino-shaped. Warnings and errors always reach the
// logger (a dropped message, blobs kept after an unknown publish outcome):
// the default logger shows them, and only debug output is off unless asked
// for (`logger`, or NATSBRIDGE_LOG_LEVEL=debug on Node). At `debug` every
// step of a send or receive logs one line carrying `correlation_id`, like the
// references' log_trace. pino itself is created by the Node platform
// (platform/node.ts).

/** The part of a pino logger natsbridge uses; any pino instance fits. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
  /** pino's level check; used to skip building debug lines nobody will see. */
  isLevelEnabled?(level: string): boolean;
}

const noop = () => undefined;
/** A logger that drops everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => silentLogger };

/**
 * The default logger where pino is not loaded (browsers): warnings and
 * errors on the console, nothing else.
 */
export const consoleLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (obj, msg) => console.warn(`natsbridge: ${msg ?? ""}`, obj),
  error: (obj, msg) => console.error(`natsbridge: ${msg ?? ""}`, obj),
  child: () => consoleLogger,
  isLevelEnabled: (level) => level === "warn" || level === "error",
};

/**
 * The log of one message: every line carries its correlation id. `debug` is
 * undefined unless debug logging is on; call it as `log.debug?.({...}, "...")`
 * so that a send or receive builds no log objects when nobody reads them.
 */
export class MessageLog {
  readonly debug: ((obj: object, msg: string) => void) | undefined;
  readonly #logger: Logger;
  readonly #correlationId: string;

  constructor(logger: Logger, correlationId: string) {
    this.#logger = logger;
    this.#correlationId = correlationId;
    if (!logger.isLevelEnabled || logger.isLevelEnabled("debug")) {
      const child = logger.child({ correlation_id: correlationId });
      this.debug = (obj, msg) => child.debug(obj, msg);
    }
  }

  warn(obj: object, msg: string): void {
    this.#logger.warn({ correlation_id: this.#correlationId, ...obj }, msg);
  }

  error(obj: object, msg: string): void {
    this.#logger.error({ correlation_id: this.#correlationId, ...obj }, msg);
  }
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
