// What a file server's error response says, as a short readable excerpt for
// UPLOAD_FAILED and DOWNLOAD_FAILED: "413 Request Entity Too Large", not the
// whole nginx HTML page. Browser-safe (no Node imports).

import { concatBytes } from "@natsbridge/envelope";

/** Longest excerpt kept. */
const EXCERPT_CHARS = 160;
/** Bytes of an error body read at most. */
const BODY_LIMIT = 4096;

export interface ExcerptOptions {
  /**
   * Keep plain text too. Off for downloads: a link's server is the sender's
   * choice and its text may echo request details (tokens); structured S3/JSON
   * error fields and an HTML page's title are kept either way.
   */
  plainText?: boolean;
}

/** A short excerpt of an error body, or undefined when it says nothing useful. */
export function errorExcerpt(body: string, options: ExcerptOptions = {}): string | undefined {
  const text = body.slice(0, BODY_LIMIT);
  const clean = (v: string | undefined) => {
    const t = v?.replace(/\s+/g, " ").trim();
    if (!t) return undefined;
    return t.length > EXCERPT_CHARS ? `${t.slice(0, EXCERPT_CHARS - 1)}…` : t;
  };
  // S3-style XML: <Code>AccessDenied</Code><Message>Request has expired</Message>
  const code = clean(/<Code>([^<]*)<\/Code>/.exec(text)?.[1]);
  const message = clean(/<Message>([^<]*)<\/Message>/.exec(text)?.[1]);
  if (code || message) return [code, message].filter(Boolean).join(": ");
  // JSON: {"error": "...", "message": "..."}
  if (/^\s*[{[]/.test(text)) {
    try {
      const json = JSON.parse(text) as { error?: unknown; message?: unknown };
      const parts = [json.error, json.message].filter((v): v is string => typeof v === "string").map((v) => clean(v));
      return parts.filter(Boolean).join(": ") || undefined;
    } catch {
      // Not JSON after all (or cut off): fall through.
    }
  }
  // HTML: the page's title or first heading, e.g. nginx's "413 Request Entity Too Large".
  if (/<(html|head|body|title|h1)[\s>]/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1] ?? /<h1[^>]*>([^<]*)<\/h1>/i.exec(text)?.[1];
    return clean(title) ?? (options.plainText ? clean(text.replace(/<[^>]*>/g, " ")) : undefined);
  }
  return options.plainText ? clean(text) : undefined;
}

/** The start of a response body as text (for errorExcerpt); an unreadable body is "". */
export async function readErrorBody(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size >= BODY_LIMIT) break;
    }
  } catch {
    // An unreadable error body just means no excerpt.
  }
  return new TextDecoder().decode(concatBytes(chunks, size).subarray(0, BODY_LIMIT));
}

/** What a status means for an upload, when the file server said nothing better. */
export function uploadStatusHint(status: number): string {
  if (status === 413) return " (the file server's body size limit: for nginx, raise client_max_body_size)";
  if (status === 401 || status === 403) return " (the file server wants credentials: the store's headers or token)";
  if (status === 405) return " (the file server does not take this method: for nginx, `dav_methods PUT DELETE`)";
  return "";
}

/**
 * Plik answers errors to clients it takes for browsers with a 301 to its web
 * app, carrying the real status as `errcode=` in the Location. Reading it back
 * keeps a deleted one-shot file a 404 (not retried) and a server error a 5xx.
 */
export function effectiveStatus(status: number, location: string | undefined): number {
  if (status >= 300 && status < 400 && location) {
    const m = /[?&]errcode=(\d{3})(?:&|$)/.exec(location);
    if (m) return Number(m[1]);
  }
  return status;
}

/** A network failure in a few words: its code (ECONNREFUSED) and message. */
export function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const message = e?.message ?? e?.cause?.message;
  if (code && message && !message.includes(code)) return `${code} (${message.slice(0, 120)})`;
  return code ?? message ?? String(error);
}
