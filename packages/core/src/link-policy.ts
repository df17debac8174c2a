// Which link URLs a receiver may fetch, and the retry schedule: the part of
// downloading that every receive needs (each link URL is checked before any
// transfer starts), kept apart from download.ts, which is loaded on first use.

import { UrlNotAllowedError } from "@natsbridge/envelope";
import { redactUrl } from "./logger.js";

export interface LinkPolicy {
  /** Allowed origins, already normalized with `new URL(x).origin`. */
  allowedOrigins: ReadonlySet<string>;
  allowAnyHost: boolean;
}

/** The names of this machine's loopback interface, as the WHATWG URL parser writes them. */
const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

/**
 * The allowlist of link origins. A loopback origin allows its other
 * spellings too (same scheme and port): `http://localhost:8080`, the default
 * file server, also allows `http://127.0.0.1:8080` and `http://[::1]:8080`,
 * the URLs a file server on this machine hands out. Other hosts are taken
 * literally.
 */
export function buildLinkPolicy(origins: Iterable<string | undefined>, allowAnyHost = false): LinkPolicy {
  const allowed = new Set<string>();
  for (const o of origins) {
    if (!o) continue;
    try {
      const url = new URL(o);
      allowed.add(url.origin);
      if (LOOPBACK_HOSTS.includes(url.hostname)) {
        const port = url.port ? `:${url.port}` : "";
        for (const host of LOOPBACK_HOSTS) allowed.add(`${url.protocol}//${host}${port}`);
      }
    } catch {
      // An unparsable origin in the configuration allows nothing.
    }
  }
  return { allowedOrigins: allowed, allowAnyHost };
}

/**
 * Hosts that answer with cloud credentials (instance metadata services) or
 * that are link-local. Refused even under allowAnyHost unless their origin is
 * listed explicitly: no file server lives there, an attacker's link might.
 */
function isMetadataHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
  if (/^169\.254\.\d+\.\d+$/.test(host)) return true; // IPv4 link-local, AWS/GCP/Azure/OCI metadata
  if (host === "100.100.100.200") return true; // Alibaba Cloud metadata
  if (/^fe[89ab][0-9a-f]?:/.test(host)) return true; // IPv6 link-local fe80::/10
  if (/^::ffff:a9fe:[0-9a-f]{1,4}$/.test(host)) return true; // IPv4-mapped 169.254.x.x
  if (host === "fd00:ec2::254") return true; // AWS IPv6 metadata
  return host === "metadata.google.internal" || host === "metadata.goog" || host === "metadata";
}

/**
 * Link schemes that only a store reads, and the store that does: named in the
 * error a receiver without one gets, so that it says what to configure.
 */
const STORE_FOR_SCHEME: Readonly<Record<string, string>> = {
  "nats-obj:": "objectStore() from @natsbridge/objstore",
  "s3:": "s3Store() from @natsbridge/s3",
};

/**
 * Throws UrlNotAllowedError unless `url` is http(s) on an allowed origin. Never
 * fetches. allowAnyHost lifts the origin check, except for metadata and
 * link-local addresses, which must be listed to be reached.
 */
export function checkLinkUrl(url: string, policy: LinkPolicy, correlationId?: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UrlNotAllowedError(`link URL is not a valid URL`, { correlationId, details: { url: "<unparsable>" } });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    // Only a store reads other schemes; name the one to configure when we know it.
    const store = STORE_FOR_SCHEME[parsed.protocol];
    throw new UrlNotAllowedError(
      `link URL scheme ${parsed.protocol} is not allowed (only http and https${store ? `; no store given to this receiver reads it: pass ${store} in \`stores\`` : ""})`,
      { correlationId, details: { url: redactUrl(url), scheme: parsed.protocol, store } },
    );
  }
  if (policy.allowAnyHost && isMetadataHost(parsed.hostname) && !policy.allowedOrigins.has(parsed.origin)) {
    throw new UrlNotAllowedError(
      `link URL host ${parsed.hostname} is a link-local or cloud metadata address; allowAnyHost does not cover it. ` +
        `List its origin in allowedOrigins if it really is a file server.`,
      { correlationId, details: { url: redactUrl(url), origin: parsed.origin, option: "allowedOrigins" } },
    );
  }
  if (!policy.allowAnyHost && !policy.allowedOrigins.has(parsed.origin)) {
    throw new UrlNotAllowedError(
      `link URL origin ${parsed.origin} is not allowed; allowed: ${[...policy.allowedOrigins].join(", ") || "(none)"}. ` +
        `Allow it with the receiver option \`allowedOrigins: ["${parsed.origin}"]\` (or \`allowAnyHost: true\` to trust every sender).`,
      { correlationId, details: { url: redactUrl(url), origin: parsed.origin, option: "allowedOrigins" } },
    );
  }
  return parsed;
}

/** Sent unless the caller sets its own User-Agent. */
export const DEFAULT_USER_AGENT = "natsbridge-js";

/** The delay before retry number `retry` (1-based), without jitter. */
export function backoffDelay(retry: number, baseDelay: number, maxDelay: number): number {
  return Math.min(baseDelay * 2 ** (retry - 1), maxDelay);
}
