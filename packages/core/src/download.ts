// Downloading a link payload: URL allowlist first, then HTTP GET with
// exponential backoff (the references' 5 tries, 100 ms doubling to 5000 ms,
// plus jitter so that many receivers do not retry in lockstep), a time limit
// per attempt that covers the body too, and a size limit checked before and
// while bytes arrive.

import {
  AbortedError,
  DownloadFailedError,
  isNatsBridgeError,
  SizeLimitExceededError,
  UrlNotAllowedError,
} from "@natsbridge/envelope";
import { redactUrl } from "./logger.js";
import type { Platform } from "./platform/types.js";

export interface LinkPolicy {
  /** Allowed origins, already normalized with `new URL(x).origin`. */
  allowedOrigins: ReadonlySet<string>;
  allowAnyHost: boolean;
}

export function buildLinkPolicy(origins: Iterable<string | undefined>, allowAnyHost = false): LinkPolicy {
  const allowed = new Set<string>();
  for (const o of origins) {
    if (!o) continue;
    try {
      allowed.add(new URL(o).origin);
    } catch {
      // An unparsable origin in the configuration allows nothing.
    }
  }
  return { allowedOrigins: allowed, allowAnyHost };
}

/** Throws UrlNotAllowedError unless `url` is http(s) on an allowed origin. Never fetches. */
export function checkLinkUrl(url: string, policy: LinkPolicy, correlationId?: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UrlNotAllowedError(`link URL is not a valid URL`, { correlationId, details: { url: "<unparsable>" } });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new UrlNotAllowedError(`link URL scheme ${parsed.protocol} is not allowed (only http and https)`, {
      correlationId,
      details: { url: redactUrl(url) },
    });
  }
  if (!policy.allowAnyHost && !policy.allowedOrigins.has(parsed.origin)) {
    throw new UrlNotAllowedError(
      `link URL origin ${parsed.origin} is not allowed; allowed: ${[...policy.allowedOrigins].join(", ") || "(none)"}. ` +
        `Add it with allowedOrigins, or set allowAnyHost.`,
      { correlationId, details: { url: redactUrl(url), origin: parsed.origin } },
    );
  }
  return parsed;
}

export interface DownloadOptions {
  maxRetries: number;
  baseDelay: number;
  maxDelay: number;
  attemptTimeout: number;
  maxBytes: number;
  correlationId?: string;
  signal?: AbortSignal;
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void;
  /** Fraction of each delay added at random. Default 0.2. */
  jitter?: number;
  /** Injected for tests: how to wait `ms` milliseconds. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected for tests: uniform random in [0, 1). */
  random?: () => number;
}

/** The delay before retry number `retry` (1-based), without jitter. */
export function backoffDelay(retry: number, baseDelay: number, maxDelay: number): number {
  return Math.min(baseDelay * 2 ** (retry - 1), maxDelay);
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

export async function downloadWithBackoff(platform: Platform, url: string, options: DownloadOptions): Promise<Uint8Array> {
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const jitter = options.jitter ?? 0.2;
  const reasons: string[] = [];
  let attempts = 0;
  for (let attempt = 1; attempt <= Math.max(1, options.maxRetries); attempt++) {
    attempts = attempt;
    throwIfAborted(options.signal, options.correlationId);
    try {
      return await downloadOnce(platform, url, options);
    } catch (error) {
      if (isNatsBridgeError(error)) throw error; // size limit, abort: retrying cannot help
      const e = error instanceof AttemptError ? error : new AttemptError(String(error), true);
      reasons.push(`attempt ${attempt}: ${e.message}`);
      if (!e.retryable) break;
      if (attempt < options.maxRetries) {
        const delay = backoffDelay(attempt, options.baseDelay, options.maxDelay);
        await sleep(Math.min(options.maxDelay, delay + delay * jitter * random()), options.signal);
      }
    }
  }
  throwIfAborted(options.signal, options.correlationId);
  throw new DownloadFailedError(
    `failed to download ${redactUrl(url)} after ${attempts} attempt(s): ${reasons[reasons.length - 1] ?? "unknown"}`,
    { correlationId: options.correlationId, details: { url: redactUrl(url), attempts, reasons } },
  );
}

async function downloadOnce(platform: Platform, url: string, options: DownloadOptions): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(options.attemptTimeout);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const res = await platform.httpGet(url, { signal });
    if (res.status !== 200) {
      await res.dump();
      const redirect = res.status >= 300 && res.status < 400;
      throw new AttemptError(
        redirect ? `HTTP ${res.status} redirect not followed` : `HTTP ${res.status}`,
        RETRYABLE_STATUS.has(res.status),
        res.status,
      );
    }
    const declared = res.headers["content-length"] === undefined ? undefined : Number(res.headers["content-length"]);
    if (declared !== undefined && declared > options.maxBytes) {
      await res.dump();
      throw new SizeLimitExceededError(`link payload is ${declared} bytes, over the ${options.maxBytes}-byte download limit`, {
        correlationId: options.correlationId,
        details: { url: redactUrl(url), declared, limit: options.maxBytes },
      });
    }
    return await readBody(res.body, declared, options);
  } catch (error) {
    if (error instanceof AttemptError || isNatsBridgeError(error)) throw error;
    if (options.signal?.aborted) throw new AbortedError("download aborted", { cause: error, correlationId: options.correlationId });
    const reason = timeout.aborted ? `timed out after ${options.attemptTimeout} ms` : describeNetworkError(error);
    throw new AttemptError(reason, true);
  }
}

async function readBody(
  body: AsyncIterable<Uint8Array>,
  declared: number | undefined,
  options: DownloadOptions,
): Promise<Uint8Array> {
  // With a declared length we fill one buffer in place; otherwise we collect
  // chunks and join them once at the end.
  const exact = declared !== undefined && Number.isSafeInteger(declared) ? new Uint8Array(declared) : undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of body) {
    received += chunk.byteLength;
    if (received > options.maxBytes) {
      throw new SizeLimitExceededError(`link payload exceeds the ${options.maxBytes}-byte download limit`, {
        correlationId: options.correlationId,
        details: { limit: options.maxBytes },
      });
    }
    if (exact) {
      if (received > exact.byteLength) throw new AttemptError("body longer than its Content-Length", false);
      exact.set(chunk, received - chunk.byteLength);
    } else chunks.push(chunk);
    options.onProgress?.(received, declared);
  }
  if (exact) {
    if (received !== exact.byteLength) throw new AttemptError(`body truncated at ${received} of ${exact.byteLength} bytes`, true);
    return exact;
  }
  const out = new Uint8Array(received);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e?.code ?? e?.cause?.code ?? e?.message ?? String(error);
}

function throwIfAborted(signal: AbortSignal | undefined, correlationId: string | undefined): void {
  if (signal?.aborted) throw new AbortedError("operation aborted", { cause: signal.reason, correlationId });
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
