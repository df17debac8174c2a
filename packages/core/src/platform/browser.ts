// The browser platform: NATS over websockets, downloads with fetch, SHA-256
// from Web Crypto. Nothing here may import node:*, undici, @nats-io/transport-node
// or pino, or touch Buffer: the browser bundle test fails if any of them gets in.
//
// The websocket client is `wsconnect` from @nats-io/nats-core (nats.js v3, the
// successor of nats.ws): 42 KB gzip against nats.ws's 55 KB, which cannot be
// tree-shaken (one pre-bundled file with JetStream, KV and object store in
// it). A connection made with nats.ws still works when passed as `connection`.

import { wsconnect } from "@nats-io/nats-core";
import { consoleLogger } from "../logger.js";
import { readableChunks } from "../source.js";
import type { Sha256 } from "./sha256.js";
import type { HttpGetResult, Platform } from "./types.js";

// Web Crypto exists only in secure contexts (https, localhost); a page served
// over plain http from a LAN address has no crypto.subtle.
const subtle: SubtleCrypto | undefined = (globalThis as { crypto?: Crypto }).crypto?.subtle;

/** Below this size the pure-TS hash is as quick as a round trip into Web Crypto. */
const SUBTLE_MIN_BYTES = 4096;

// The pure-TS hash is loaded on first use: a page that sends and receives
// without checksums (or only large ones, through Web Crypto) never fetches it.
const loadSha256 = () => import("./sha256.js").then((m) => m.Sha256);

export const browserPlatform: Platform = {
  name: "browser",
  connect: wsconnect,
  async sha256(bytes) {
    if (subtle && bytes.byteLength >= SUBTLE_MIN_BYTES) {
      return hex(new Uint8Array(await subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)));
    }
    return new (await loadSha256())().update(bytes).hex();
  },
  // Web Crypto digests off the page's thread already.
  sha256Async(bytes) {
    return Promise.resolve(browserPlatform.sha256(bytes));
  },
  createSha256() {
    // Web Crypto has no incremental digest; streamed bodies hash chunk by chunk
    // here. Chunks that arrive before the hash is loaded wait for it (copied:
    // a stream may reuse its buffers).
    let hash: Sha256 | undefined;
    const early: Uint8Array[] = [];
    const ready = loadSha256().then((Hash) => {
      hash = new Hash();
      for (const chunk of early) hash.update(chunk);
      early.length = 0;
    });
    return {
      update: (chunk) => void (hash ? hash.update(chunk) : early.push(chunk.slice())),
      digest: async () => {
        await ready;
        return hash!.hex();
      },
    };
  },
  async httpGet(url, { signal, headers }): Promise<HttpGetResult> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: "GET",
        // A redirect is a response we inspect, never a hop to a host the allowlist has not seen.
        redirect: "manual",
        signal,
        headers: browserHeaders(headers),
        // Link URLs must work without credentials (Julia and Python fetch them bare).
        credentials: "omit",
        cache: "no-store",
      });
    } catch (error) {
      if (signal.aborted) throw error;
      // fetch says only "Failed to fetch" for refused connections and CORS refusals alike.
      throw new Error(
        `${(error as Error)?.message ?? String(error)} (network error, or the file server does not allow this page's origin by CORS)`,
        {
          cause: error,
        },
      );
    }
    const flat: Record<string, string | undefined> = {};
    res.headers.forEach((value, name) => {
      flat[name.toLowerCase()] = value;
    });
    // With redirect "manual" a browser hides the redirect: status 0, no headers.
    const status = res.type === "opaqueredirect" ? 302 : res.status;
    const body = res.body;
    return {
      status,
      headers: flat,
      body: body ? readableChunks(body) : empty(),
      dump: async () => {
        await body?.cancel().catch(() => undefined);
      },
    };
  },
  env: () => undefined,
  // Warnings and errors on the console; pages pass a logger (pino's browser build, or any object with its methods) for more.
  defaultLogger: () => consoleLogger,
};

/** Browsers refuse to let pages set User-Agent (Chrome drops it silently, others may throw). */
function browserHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() !== "user-agent") out[k] = v;
  return out;
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

async function* empty(): AsyncGenerator<Uint8Array> {}
