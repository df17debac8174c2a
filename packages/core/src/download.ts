// Downloading a link payload (after link-policy.ts allowed its URL): HTTP GET with
// exponential backoff (the references' 5 tries, 100 ms doubling to 5000 ms,
// plus jitter so that many receivers do not retry in lockstep), a time limit
// on the response headers and on every wait for the next body chunk, and a
// size limit checked before and while bytes arrive.
//
// The download is a stream of chunks. Buffered receives collect it; streamed
// receives hand it to the caller, and when a connection breaks after some
// bytes were delivered the next attempt resumes where it stopped (a Range
// request, or skipping the bytes already delivered when the server ignores
// Range), so the caller never sees a byte twice.
//
// The bridge imports this module on the first link payload: a page that only
// sends and receives direct payloads never loads it.

import { AbortedError, DownloadFailedError, isNatsBridgeError, SizeLimitExceededError, type WirePayload } from "@natsbridge/envelope";
import { type CollectedBody, collectBody } from "./body-buffer.js";
import { describeNetworkError, effectiveStatus, errorExcerpt, readErrorBody } from "./http-errors.js";
import { backoffDelay, DEFAULT_USER_AGENT } from "./link-policy.js";
import { redactUrl } from "./logger.js";
import { resolveDownload, type SmartReceiveOptions } from "./options.js";
import type { HttpGetResult, Platform } from "./platform/types.js";
import { abortableSleep, IdleTimer } from "./timers.js";

export interface DownloadOptions {
  maxRetries: number;
  baseDelay: number;
  maxDelay: number;
  /** Time limit in ms for the response headers and for each wait for the next chunk. */
  attemptTimeout: number;
  maxBytes: number;
  correlationId?: string;
  signal?: AbortSignal;
  /** Extra request headers (e.g. Authorization for a private file server). */
  headers?: Record<string, string>;
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void;
  /** Sees each delivered chunk once, in order (e.g. to hash while downloading). */
  onChunk?: (chunk: Uint8Array) => void;
  /** Fraction of each delay added at random. Default 0.2. */
  jitter?: number;
  /** Told before each wait between attempts (metrics, logs, tests of the schedule). */
  onRetry?: (retry: { attempt: number; delayMs: number; reason: string }) => void;
  /** Injected for tests: how to wait `ms` milliseconds. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected for tests: uniform random in [0, 1). */
  random?: () => number;
}

/** The download options of one link payload, from smartreceive's options (defaults as the references'). */
export function downloadOptions(payload: WirePayload, o: SmartReceiveOptions, correlationId: string): DownloadOptions {
  return {
    ...resolveDownload(o),
    correlationId,
    ...(o.downloadHeaders ? { headers: o.downloadHeaders } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onDownloadRetry
      ? { onRetry: (r: { attempt: number; delayMs: number; reason: string }) => o.onDownloadRetry!({ dataname: payload.dataname, ...r }) }
      : {}),
    ...(o.onDownloadProgress
      ? {
          onProgress: (receivedBytes: number, totalBytes: number | undefined) =>
            o.onDownloadProgress!({ dataname: payload.dataname, receivedBytes, totalBytes }),
        }
      : {}),
  };
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * The reason a file server gives in an error body, so that DOWNLOAD_FAILED can
 * say "AccessDenied: Request has expired" rather than a bare 403.
 */
async function errorDetail(res: HttpGetResult): Promise<string | undefined> {
  const text = await readErrorBody(res.body);
  await res.dump().catch(() => undefined);
  return errorExcerpt(text);
}

class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The whole link payload in memory. */
export async function downloadWithBackoff(platform: Platform, url: string, options: DownloadOptions): Promise<Uint8Array> {
  return (await downloadBody(platform, url, options, false)).bytes;
}

/** The whole link payload in memory, and its SHA-256 when `sha256`, computed as it arrives. */
export function downloadBody(platform: Platform, url: string, options: DownloadOptions, sha256: boolean): Promise<CollectedBody> {
  // More bytes than declared never reach the buffer: downloadStream refuses them.
  return collectBody(platform, { sha256, maxBytes: options.maxBytes }, (body) =>
    downloadStream(platform, url, options, (total) => body.expect(total)),
  );
}

/**
 * The link payload as a stream of chunks, with retries and resumption.
 * `onTotal` is told the full size once a response declares it.
 */
export async function* downloadStream(
  platform: Platform,
  url: string,
  options: DownloadOptions,
  onTotal?: (total: number | undefined) => void,
): AsyncGenerator<Uint8Array> {
  const maxRetries = Math.max(1, options.maxRetries);
  const reasons: string[] = [];
  let lastStatus: number | undefined;
  let delivered = 0;
  let attempts = 0;
  for (let attempt = 1; attempt <= maxRetries; attempt++) {
    attempts = attempt;
    throwIfAborted(options.signal, options.correlationId);
    const attemptAbort = new AbortController();
    const timer = new IdleTimer(options.attemptTimeout, attemptAbort);
    const signal = options.signal ? AbortSignal.any([options.signal, attemptAbort.signal]) : attemptAbort.signal;
    let body: AsyncIterator<Uint8Array> | undefined;
    // Where the body stood when an attempt broke, for the error's reasons.
    let bodyAt: string | undefined;
    try {
      const headers: Record<string, string> = { "user-agent": DEFAULT_USER_AGENT, ...lowerKeys(options.headers) };
      if (delivered > 0) headers.range = `bytes=${delivered}-`;
      timer.arm();
      const res = await platform.httpGet(url, { signal, headers });
      timer.disarm();
      const status = effectiveStatus(res.status, res.headers.location);
      lastStatus = status;
      if (status !== 200 && !(status === 206 && delivered > 0)) {
        const redirect = status >= 300 && status < 400;
        const detail = redirect ? undefined : await errorDetail(res);
        if (redirect) await res.dump();
        const reason = redirect ? `HTTP ${status} redirect not followed` : `HTTP ${status}${detail ? ` (${detail})` : ""}`;
        throw new AttemptError(reason, RETRYABLE_STATUS.has(status), status);
      }
      // Bytes of this response to drop: those delivered before, when the server ignored Range.
      let skip = 0;
      let total: number | undefined;
      if (status === 206) {
        const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers["content-range"] ?? "");
        if (!range || Number(range[1]) !== delivered) {
          await res.dump();
          throw new AttemptError(`HTTP 206 with unexpected Content-Range ${res.headers["content-range"] ?? "(none)"}`, false, status);
        }
        total = range[2] === "*" ? undefined : Number(range[2]);
      } else {
        skip = delivered;
        const length = res.headers["content-length"];
        // Only a plain non-negative integer is a length; anything else ("-5", "1e3") is ignored.
        total = length !== undefined && /^\s*\d+\s*$/.test(length) ? Number(length) : undefined;
      }
      if (total !== undefined && total > options.maxBytes) {
        await res.dump();
        throw sizeLimit(options, url, total);
      }
      onTotal?.(total);
      body = res.body[Symbol.asyncIterator]();
      const attemptStart = delivered;
      bodyAt = "";
      const where = () =>
        (bodyAt = ` after ${delivered - attemptStart} body bytes${total !== undefined ? ` of ${total - attemptStart}` : ""}`);
      for (;;) {
        timer.arm();
        const next = await body.next();
        timer.disarm();
        if (next.done) break;
        let chunk = next.value;
        if (skip > 0) {
          const drop = Math.min(skip, chunk.byteLength);
          skip -= drop;
          chunk = chunk.subarray(drop);
          if (chunk.byteLength === 0) continue;
        }
        if (delivered + chunk.byteLength > options.maxBytes) throw sizeLimit(options, url, undefined);
        if (total !== undefined && delivered + chunk.byteLength > total) {
          throw new AttemptError("body longer than its declared length", false, status);
        }
        delivered += chunk.byteLength;
        where();
        options.onChunk?.(chunk);
        options.onProgress?.(delivered, total);
        yield chunk;
      }
      body = undefined;
      if (skip > 0 || (total !== undefined && delivered < total)) {
        throw new AttemptError(`body truncated at ${delivered} of ${total ?? "?"} bytes`, true, status);
      }
      return;
    } catch (error) {
      if (isNatsBridgeError(error)) throw error; // size limit, abort: retrying cannot help
      if (options.signal?.aborted) throw new AbortedError("download aborted", { cause: error, correlationId: options.correlationId });
      const e =
        error instanceof AttemptError
          ? error
          : new AttemptError(
              `${timer.fired ? `no response for ${options.attemptTimeout} ms` : describeNetworkError(error)}${bodyAt ?? ""}`,
              true,
            );
      reasons.push(`attempt ${attempt}: ${e.message}`);
      if (!e.retryable) break;
      if (attempt < maxRetries) await waitBeforeRetry(options, attempt, e.message);
    } finally {
      timer.disarm();
      // The caller stopped reading, or this attempt failed: release the connection.
      if (body) await body.return?.().catch(() => undefined);
    }
  }
  throwIfAborted(options.signal, options.correlationId);
  throw new DownloadFailedError(
    `failed to download ${redactUrl(url)} after ${attempts} attempt(s): ${reasons[reasons.length - 1] ?? "unknown"}`,
    {
      correlationId: options.correlationId,
      details: { url: redactUrl(url), attempts, reasons, ...(lastStatus ? { status: lastStatus } : {}), receivedBytes: delivered },
    },
  );
}

function sizeLimit(options: DownloadOptions, url: string, declared: number | undefined) {
  return new SizeLimitExceededError(
    declared === undefined
      ? `link payload exceeds the ${options.maxBytes}-byte download limit`
      : `link payload is ${declared} bytes, over the ${options.maxBytes}-byte download limit`,
    { correlationId: options.correlationId, details: { url: redactUrl(url), limit: options.maxBytes, ...(declared ? { declared } : {}) } },
  );
}

function lowerKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

/** The backoff plus jitter after failed attempt `attempt`, told to onRetry first (store-read.ts shares it). */
export async function waitBeforeRetry(options: DownloadOptions, attempt: number, reason: string): Promise<void> {
  const delay = backoffDelay(attempt, options.baseDelay, options.maxDelay);
  const delayMs = Math.min(options.maxDelay, delay + delay * (options.jitter ?? 0.2) * (options.random ?? Math.random)());
  options.onRetry?.({ attempt, delayMs, reason });
  await (options.sleep ?? abortableSleep)(delayMs, options.signal);
}

export function throwIfAborted(signal: AbortSignal | undefined, correlationId: string | undefined): void {
  if (signal?.aborted) throw new AbortedError("operation aborted", { cause: signal.reason, correlationId });
}
