import { createHash } from "node:crypto";
import { connect } from "@nats-io/transport-node";
import { destination, pino } from "pino";
import { request } from "undici";
import { discardBody } from "../discard-body.js";
import type { Logger } from "../logger.js";
import { sha256InBackground, workerBody, workerSha256 } from "./body-worker.js";
import { probeNatsServers } from "./probe.js";
import type { Platform } from "./types.js";

// Smaller bodies hash on the calling thread: under ~2 ms of work, less than a trip to the worker.
const WORKER_MIN_BYTES = 4 * 1024 * 1024;

/**
 * Bodies from WORKER_MIN_BYTES on go through the body worker, unless
 * NATSBRIDGE_BODY_WORKER=off: on a machine whose cores are all busy, the
 * worker's extra copy costs more than the overlap gains (docs/performance.md).
 * Read per large body, so a change applies at once.
 */
function onWorker(size: number | undefined): boolean {
  if (size === undefined || size < WORKER_MIN_BYTES) return false;
  const setting = process.env.NATSBRIDGE_BODY_WORKER?.trim().toLowerCase();
  return !(setting === "off" || setting === "0" || setting === "false");
}

// One pino instance for every bridge without a logger of its own.
let defaultLogger: Logger | undefined;

export const nodePlatform: Platform = {
  name: "node",
  // An HTTP server on the NATS port fails at once instead of after the client's 20 s timeout.
  async connect(options) {
    const notNats = await probeNatsServers(options.servers);
    if (notNats) throw new Error(`${notNats}. Is that the NATS port (4222 by default)?`);
    return connect(options);
  },
  // Synchronous: node:crypto hashes in place, and a promise per payload costs more than a small hash.
  sha256(bytes) {
    return createHash("sha256").update(bytes).digest("hex");
  },
  async sha256Async(bytes) {
    const hex = onWorker(bytes.byteLength) ? await sha256InBackground(bytes).catch(() => undefined) : undefined;
    return hex ?? nodePlatform.sha256(bytes);
  },
  createSha256(size) {
    const hashing = onWorker(size) ? workerSha256() : undefined;
    if (hashing) return hashing;
    const hash = createHash("sha256");
    return {
      update: (chunk) => void hash.update(chunk),
      digest: async () => hash.digest("hex"),
    };
  },
  bodySink(size, sha256) {
    return onWorker(size) ? workerBody(size, sha256) : undefined;
  },
  async httpGet(url, { signal, headers }) {
    // undici's request() follows no redirects: a redirect is a response we
    // inspect, never a hop to a host the allowlist has not seen.
    const res = await request(url, { method: "GET", signal, headers: headers ?? {} });
    const flat: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(res.headers)) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
    return {
      status: res.statusCode,
      headers: flat,
      body: res.body,
      dump: async () => {
        await discardBody(res.body).catch(() => undefined);
      },
    };
  },
  env(name) {
    return process.env[name];
  },
  defaultLogger(level) {
    // Warnings and errors by default, on stderr (stdout belongs to the application).
    defaultLogger ??= pino({ name: "natsbridge", level: level || "warn" }, destination({ dest: 2, sync: true }));
    return defaultLogger;
  },
};
