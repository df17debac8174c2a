// What the store's readers and writer need of one bucket on one connection:
// its stream's name and subjects, whether replicas answer reads (Direct Get),
// and the JetStream handles to publish, get and purge with.

import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { Base64UrlPaddedCodec, type ObjectStore } from "@nats-io/obj";

export interface BucketHandles {
  bucket: string;
  /** `OBJ_<bucket>`. */
  stream: string;
  /** The connection as @nats-io/jetstream needs it. */
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /**
   * The stream has `allow_direct` (every bucket @nats-io/obj and the Go and
   * Python clients create has): any replica answers a Direct Get, so reads
   * need neither the stream's leader nor a consumer.
   */
  allowDirect: boolean;
}

/** The bucket as one connection sees it: its handles, the @nats-io/obj handle (create, status, delete) and its TTL (0 = none). */
export interface OpenBucket extends BucketHandles {
  objects: ObjectStore;
  ttlNanos: number;
}

/** The subject an object's meta message lives on (the name base64url-encoded with padding, as every NATS client does). */
export function metaSubject(bucket: string, name: string): string {
  return `$O.${bucket}.M.${Base64UrlPaddedCodec.encode(name)}`;
}

/** The subject an object's chunks live on, named by the nuid its meta message records. */
export function chunkSubject(bucket: string, nuid: string): string {
  return `$O.${bucket}.C.${nuid}`;
}

/** An object's meta message as the NATS clients write it (the JSON fields the readers use). */
export interface ObjectMeta {
  name: string;
  bucket: string;
  nuid: string;
  size: number;
  chunks: number;
  /** `SHA-256=<base64url, padded>` of the whole object. */
  digest?: string;
  deleted?: boolean;
  options?: { max_chunk_size?: number; link?: unknown };
}
