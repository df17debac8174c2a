// Options of the object store claim-check store, and their checks.

import type { NatsConnection } from "@nats-io/nats-core";
import { InvalidOptionError } from "@natsbridge/envelope";
import { BUCKET_NAME } from "./url.js";

/** A NATS connection, or a function that returns one (opened on first use). */
export type ConnectionSource = NatsConnection | (() => Promise<NatsConnection>);

export interface ObjectStoreOptions {
  /** The bucket blobs go to (letters, digits, `-`, `_`). Created on the first put if it does not exist. */
  bucket: string;
  /**
   * Seconds a blob lives (the bucket's `max_age`), set when the store creates
   * the bucket; an existing bucket with another TTL is refused with
   * INVALID_OPTION. Default: no expiry (delete blobs yourself, or with
   * delete-after-consume).
   */
  ttl?: number;
  /** Copies of each blob in a JetStream cluster (1..5), set when the store creates the bucket. Default 1. */
  replicas?: number;
  /** Bytes per chunk message, at most the server's max_payload (it is capped there). Default 128 KiB. */
  chunkSize?: number;
  /** Where the server keeps the bucket, set when the store creates it. Default "file". */
  storage?: "file" | "memory";
  /**
   * The connection to use. Default: the connection of the bridge that calls
   * the store (core hands it in), so a bridge's store needs none. Give one to
   * use the store outside a bridge, or to keep blobs on another server or
   * account than the messages.
   */
  connection?: ConnectionSource;
  /** Create the bucket when it does not exist. Default true; false refuses to send to a missing bucket. */
  create?: boolean;
}

export const DEFAULT_CHUNK_SIZE = 128 * 1024;

export function checkOptions(options: ObjectStoreOptions): void {
  if (!options || typeof options.bucket !== "string" || !BUCKET_NAME.test(options.bucket)) {
    throw new InvalidOptionError(`objectStore needs a bucket name of letters, digits, "-" and "_", got ${JSON.stringify(options?.bucket)}`);
  }
  const { ttl, replicas, chunkSize, storage } = options;
  if (ttl !== undefined && (!Number.isFinite(ttl) || ttl < 0))
    throw new InvalidOptionError(`ttl must be a number of seconds >= 0, got ${String(ttl)}`);
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 1 || replicas > 5)) {
    throw new InvalidOptionError(`replicas must be 1..5, got ${String(replicas)}`);
  }
  if (chunkSize !== undefined && (!Number.isSafeInteger(chunkSize) || chunkSize < 1024)) {
    throw new InvalidOptionError(`chunkSize must be a whole number of bytes >= 1024, got ${String(chunkSize)}`);
  }
  if (storage !== undefined && storage !== "file" && storage !== "memory") {
    throw new InvalidOptionError(`storage must be "file" or "memory", got ${JSON.stringify(storage)}`);
  }
}
