// Reading a link payload through the store that owns it (link-reader.ts
// chose it): the store's `get` with the receiver's retry schedule, a time
// limit on each wait for the store, the size limit, and resumption from the
// byte reached after a broken read. Loaded on the first such link payload.

import { AbortedError, DownloadFailedError, isNatsBridgeError, SizeLimitExceededError, toBytes } from "@natsbridge/envelope";
import { type DownloadOptions, throwIfAborted, waitBeforeRetry } from "./download.js";
import { redactUrl } from "./logger.js";
import { readableChunks } from "./source.js";
import type { ClaimCheckGetOptions, ClaimCheckReader, ConnectionProvider, DownloadHandler, GetBody } from "./store.js";

/** The retry schedule handed to a download handler: the receive options' values, or the references' defaults. */
export interface HandlerRetries {
  maxRetries?: number | undefined;
  baseDelay?: number | undefined;
  maxDelay?: number | undefined;
}

// Read with the module, for buffered reads.
export { collectBody } from "./body-buffer.js";

/** A store's `get`, with the receiver's retries, time limit per chunk, size limit and resumption. */
export async function* readFromStore(
  reader: ClaimCheckReader,
  url: string,
  options: DownloadOptions,
  connection: ConnectionProvider,
): AsyncGenerator<Uint8Array> {
  const maxRetries = Math.max(1, options.maxRetries);
  const reasons: string[] = [];
  let delivered = 0;
  let attempts = 0;
  for (let attempt = 1; attempt <= maxRetries; attempt++) {
    attempts = attempt;
    throwIfAborted(options.signal, options.correlationId);
    const attemptAbort = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, attemptAbort.signal]) : attemptAbort.signal;
    const idle = (what: string) => idleLimit(options.attemptTimeout, attemptAbort, what);
    let body: AsyncIterator<Uint8Array> | undefined;
    try {
      const opened = await idle("the store to open the blob")(
        Promise.resolve(
          reader.get!(url, {
            signal,
            offset: delivered,
            connection,
            ...(options.correlationId ? { correlationId: options.correlationId } : {}),
          }),
        ),
      );
      body = iteratorOf(opened);
      for (;;) {
        const next = await idle("the next chunk")(body.next());
        if (next.done) break;
        const chunk = toBytes(next.value, `${reader.name} store chunk`);
        if (chunk.byteLength === 0) continue;
        if (delivered + chunk.byteLength > options.maxBytes) {
          throw new SizeLimitExceededError(`link payload exceeds the ${options.maxBytes}-byte download limit`, {
            correlationId: options.correlationId,
            details: { url: redactUrl(url), limit: options.maxBytes },
          });
        }
        delivered += chunk.byteLength;
        options.onChunk?.(chunk);
        options.onProgress?.(delivered, undefined);
        yield chunk;
      }
      body = undefined;
      return;
    } catch (error) {
      if (options.signal?.aborted) throw new AbortedError("download aborted", { cause: error, correlationId: options.correlationId });
      // The store decided: gone, refused, too large. Retrying cannot help.
      if (isNatsBridgeError(error)) throw error;
      const reason = `attempt ${attempt}: ${String((error as Error)?.message ?? error)}${delivered > 0 ? ` after ${delivered} bytes` : ""}`;
      reasons.push(reason);
      if (attempt < maxRetries) await waitBeforeRetry(options, attempt, reason);
    } finally {
      // The caller stopped reading, or this attempt failed: let the store release
      // what it holds. After a stall the store's read is still pending (and now
      // aborted), so its end is not waited for.
      const released = body?.return?.(undefined).catch(() => undefined);
      if (!attemptAbort.signal.aborted) await released;
    }
  }
  throwIfAborted(options.signal, options.correlationId);
  throw new DownloadFailedError(
    `failed to read ${redactUrl(url)} from the ${reader.name} store after ${attempts} attempt(s): ${reasons[reasons.length - 1] ?? "unknown"}`,
    {
      correlationId: options.correlationId,
      details: { url: redactUrl(url), store: reader.name, attempts, reasons, receivedBytes: delivered },
    },
  );
}

function iteratorOf(body: GetBody): AsyncIterator<Uint8Array> {
  if (body && typeof (body as ReadableStream<Uint8Array>).getReader === "function") {
    return readableChunks(body as ReadableStream<Uint8Array>)[Symbol.asyncIterator]();
  }
  if (body && typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === "function") {
    return (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  }
  throw new TypeError("store get() returned neither a ReadableStream nor an async iterable");
}

/** Rejects when `promise` takes longer than `ms`, aborting the attempt. */
function idleLimit(ms: number, attempt: AbortController, what: string) {
  return <T>(promise: Promise<T>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`no answer from ${what} for ${ms} ms`);
        attempt.abort(error);
        reject(error);
      }, ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  };
}

/** One call of a reference-style download handler (see downloadHandlerReader). */
export async function* readWithHandler(
  handler: DownloadHandler,
  retries: HandlerRetries,
  url: string,
  options: ClaimCheckGetOptions,
): AsyncGenerator<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = toBytes(
      await handler(url, retries.maxRetries ?? 5, retries.baseDelay ?? 100, retries.maxDelay ?? 5000, options.correlationId ?? ""),
      "download handler result",
    );
  } catch (cause) {
    if (isNatsBridgeError(cause)) throw cause;
    throw new DownloadFailedError(`download handler failed: ${String((cause as Error)?.message ?? cause)}`, {
      cause,
      correlationId: options.correlationId,
      details: { url: redactUrl(url) },
    });
  }
  yield options.offset ? bytes.subarray(options.offset) : bytes;
}
