// A claim-check store on a JetStream Object Store bucket: a payload too large
// for a NATS message is written into the bucket in chunks (@nats-io/obj), and
// a `nats-obj://<bucket>/<name>` link travels in the envelope. Receivers read
// it back through NATS — no second server to run and secure. The store uses
// the connection of the bridge that calls it (core hands it in), so it works
// wherever the bridge does: Node over TCP, browsers over websockets.
//
// Blobs are read as often as anyone likes (fan-out safe) until the bucket's
// TTL expires them or delete-after-consume (core's deleteConsumed) removes
// them. Plain HTTP receivers (the Julia, Python, JavaScript references) cannot
// read these links: see docs/packages/objstore.md.
//
// Reads use JetStream Direct Get (direct-read.ts): any replica answers, no
// consumer is created, and reads carry on through a failover of the bucket's
// stream. A bucket without `allow_direct` is read through an ordered consumer.
// Writes are the store's own (write.ts), so that a write cut off by a failover
// purges what it wrote once the stream answers again (leftovers.ts).

import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type NatsConnection, nanos } from "@nats-io/nats-core";
import { type ObjectInfo, type ObjectStore, Objm, StorageType } from "@nats-io/obj";
import {
  bodyChunks,
  type ClaimCheckDeleteOptions,
  type ClaimCheckGetOptions,
  type ClaimCheckPutRequest,
  type ClaimCheckPutResult,
  type ClaimCheckStore,
  type ConnectionProvider,
  safeFileName,
} from "@natsbridge/core/store";
import {
  AbortedError,
  DeleteFailedError,
  DownloadFailedError,
  InvalidDataError,
  InvalidOptionError,
  isNatsBridgeError,
  type NatsBridgeError,
  UploadFailedError,
} from "@natsbridge/envelope";
import { type BucketHandles, chunkSubject, type OpenBucket } from "./bucket.js";
import { readChunks, readMeta } from "./direct-read.js";
import { checkOptions, DEFAULT_CHUNK_SIZE, type ObjectStoreOptions } from "./options.js";
import { formatObjectUrl, parseObjectUrl } from "./url.js";
import { ObjectWriteError, writeObject } from "./write.js";

/** Chunk messages a read asks the server for at once: bounds the memory a read holds. */
const READ_AHEAD_BYTES = 1024 * 1024;
/** How long the server keeps a read's consumer once nothing uses it (its delete was lost). */
const READ_CONSUMER_INACTIVE_MS = 10_000;

export class NatsObjectStore implements ClaimCheckStore {
  readonly name = "objstore";
  readonly bucket: string;
  readonly #options: ObjectStoreOptions;
  /** The bucket, opened (or created) once per connection. */
  readonly #buckets = new WeakMap<object, Promise<OpenBucket>>();

  constructor(options: ObjectStoreOptions) {
    checkOptions(options);
    this.#options = options;
    this.bucket = options.bucket;
  }

  /** `nats-obj://` links into this store's bucket. */
  owns(url: string): boolean {
    return parseObjectUrl(url)?.bucket === this.bucket;
  }

  /** Write one payload into the bucket, streamed chunk by chunk; the link names bucket and object. */
  async put(request: ClaimCheckPutRequest): Promise<ClaimCheckPutResult> {
    const where = { correlationId: request.correlationId, dataname: request.dataname };
    if (request.signal?.aborted) throw new AbortedError("upload aborted before it started", { ...where, cause: request.signal.reason });
    // ASCII only: @nats-io/obj encodes non-Latin-1 names wrongly (and Latin-1 ones unlike the Go and
    // Python clients, which encode UTF-8), so the dataname goes percent-encoded into the object name.
    const name = `${request.payloadId}/${encodeURIComponent(safeFileName(request.dataname))}`;
    try {
      const nc = await this.#connection(request.connection);
      const bucket = await this.#open(nc, this.#options.create !== false);
      const total = request.size ?? (request.body instanceof Uint8Array ? request.body.byteLength : undefined);
      await writeObject(bucket, {
        name,
        chunkSize: this.#options.chunkSize ?? DEFAULT_CHUNK_SIZE,
        // Shown by `nats object info`: which message the blob belongs to.
        metadata: {
          dataname: request.dataname,
          payload_type: request.payloadType,
          correlation_id: request.correlationId,
          msg_id: request.msgId,
        },
        body: bodyChunks(request.body),
        onStored: (bytes) => request.onProgress?.(bytes, total),
        signal: request.signal,
      });
      const ttl = bucket.ttlNanos / 1e9;
      return {
        url: formatObjectUrl({ bucket: this.bucket, name }),
        metadata: {
          nats_obj_bucket: this.bucket,
          nats_obj_name: name,
          ...(ttl > 0 ? { expires_at: new Date(Date.now() + ttl * 1000).toISOString() } : {}),
        },
      };
    } catch (thrown) {
      // A write that failed has purged what it wrote, or says it could not (cleanupError).
      const failure = thrown instanceof ObjectWriteError ? thrown.failure : undefined;
      const cause = failure ? failure.cause : thrown;
      if (failure?.cleanupError) {
        throw new UploadFailedError(
          `upload of '${request.dataname}' to object store bucket ${this.bucket} failed: ${message(cause)}. Nothing was published, ` +
            `but what the upload wrote could not be purged (${message(failure.cleanupError)}): ${failure.subjects.join(", ")} may hold an orphan.`,
          { ...where, cause, details: { bucket: this.bucket, name, leftovers: failure.subjects } },
        );
      }
      if (request.signal?.aborted) throw new AbortedError(`upload to bucket ${this.bucket} aborted`, { ...where, cause });
      if (isNatsBridgeError(cause)) throw cause.withContext(where);
      throw new UploadFailedError(
        `upload of '${request.dataname}' to object store bucket ${this.bucket} failed: ${message(cause)}. Nothing was published.`,
        {
          ...where,
          cause,
          details: { bucket: this.bucket, name },
        },
      );
    }
  }

  /**
   * Read a blob, from `offset` (the chunks before it are received and
   * skipped: the server cannot seek inside an object). A missing bucket or
   * object is DOWNLOAD_FAILED; a broken connection or a read that stops short
   * is retried by the receiver from where it stopped.
   */
  async get(url: string, options: ClaimCheckGetOptions = {}): Promise<AsyncIterable<Uint8Array>> {
    const { signal, offset = 0, correlationId } = options;
    const location = parseObjectUrl(url);
    if (!location || location.bucket !== this.bucket) {
      throw new DownloadFailedError(`not a link into object store bucket ${this.bucket}`, { correlationId, details: { url } });
    }
    if (signal?.aborted) throw new AbortedError("download aborted before it started", { correlationId, cause: signal.reason });
    const given = await this.#connection(options.connection);
    let bucket: OpenBucket;
    try {
      bucket = await this.#open(given, false);
    } catch (error) {
      throw isNotFound(error) ? this.#gone(location.name, correlationId, "the bucket does not exist") : error;
    }
    if (bucket.allowDirect) {
      let meta: Awaited<ReturnType<typeof readMeta>>;
      try {
        meta = await readMeta(bucket, location.name);
      } catch (error) {
        // A name no NATS client can encode into a subject (@nats-io/obj's encoder takes Latin-1 only) names no object.
        if (error instanceof DOMException && error.name === "InvalidCharacterError") meta = undefined;
        else throw error;
      }
      if (!meta || meta.deleted) throw this.#gone(location.name, correlationId, "deleted, expired, or never stored");
      const aborted = () => new AbortedError("download aborted", { correlationId, cause: signal?.reason });
      return readChunks(bucket, meta, { offset, signal, aborted });
    }
    const info = await bucket.objects.info(location.name);
    if (!info || info.deleted) throw this.#gone(location.name, correlationId, "deleted, expired, or never stored");
    return this.#chunksThroughConsumer(bucket, info, offset, signal, correlationId);
  }

  /** Delete a blob (its chunks are purged). Already gone, or its bucket, counts as deleted. */
  async delete(url: string, options: ClaimCheckDeleteOptions = {}): Promise<void> {
    const location = parseObjectUrl(url);
    if (!location || location.bucket !== this.bucket) {
      throw new InvalidDataError(`not a link into object store bucket ${this.bucket}; nothing deleted`, { details: { url } });
    }
    try {
      const bucket = await this.#open(await this.#connection(options.connection), false);
      options.signal?.throwIfAborted();
      await bucket.objects.delete(location.name);
    } catch (cause) {
      if (isNotFound(cause)) return;
      if (options.signal?.aborted) throw new AbortedError("delete aborted", { cause });
      if (isNatsBridgeError(cause)) throw cause;
      throw new DeleteFailedError(`could not delete ${url}: ${message(cause)}`, {
        cause,
        details: { bucket: this.bucket, name: location.name },
      });
    }
  }

  /** The store's own connection if it was given one, else the calling bridge's. */
  async #connection(fromBridge: ConnectionProvider | undefined): Promise<NatsConnection> {
    const own = this.#options.connection;
    if (own) return typeof own === "function" ? own() : own;
    // Core's connection type is its client's; @nats-io/obj needs only the NATS protocol calls every client has.
    if (fromBridge) return (await fromBridge()) as unknown as NatsConnection;
    throw new InvalidOptionError(
      "objectStore has no NATS connection: use it through a bridge (smartsend, smartreceive, subscribe, consume), or pass `connection`",
    );
  }

  /** The bucket on this connection: opened once, created first when `create` and it is missing. */
  #open(nc: NatsConnection, create: boolean): Promise<OpenBucket> {
    let opening = this.#buckets.get(nc);
    if (!opening) {
      opening = this.#openOnce(nc, create);
      this.#buckets.set(nc, opening);
      // A failure (a missing bucket, a dropped connection) is not remembered: the next call tries again.
      opening.catch(() => this.#buckets.delete(nc));
    }
    return opening;
  }

  async #openOnce(given: NatsConnection, create: boolean): Promise<OpenBucket> {
    const nc = asV3Connection(given);
    const stream = `OBJ_${this.bucket}`;
    const objm = new Objm(nc);
    let objects: ObjectStore;
    try {
      objects = await objm.open(this.bucket);
    } catch (error) {
      if (!create || !isNotFound(error)) throw error;
      const { ttl, replicas, storage } = this.#options;
      objects = await objm.create(this.bucket, {
        ...(ttl ? { ttl: nanos(ttl * 1000) } : {}),
        ...(replicas ? { replicas } : {}),
        storage: storage === "memory" ? StorageType.Memory : StorageType.File,
      });
    }
    const status = await objects.status();
    if (create) this.#checkBucket(status.ttl, status.replicas);
    return {
      bucket: this.bucket,
      stream,
      nc,
      js: jetstream(nc),
      jsm: await jetstreamManager(nc, { checkAPI: false }),
      allowDirect: status.streamInfo.config.allow_direct === true,
      objects,
      ttlNanos: status.ttl,
    };
  }

  /** A sender asking for a TTL or replica count the existing bucket does not have is told, not ignored. */
  #checkBucket(ttlNanos: number, replicas: number): void {
    const { ttl, replicas: wanted } = this.#options;
    if (ttl !== undefined && Math.round(ttlNanos / 1e6) !== Math.round(ttl * 1000)) {
      throw new InvalidOptionError(
        `bucket ${this.bucket} exists with a TTL of ${ttlNanos / 1e9} s, not the ${ttl} s asked for; change the bucket (nats object edit) or the option`,
        { details: { bucket: this.bucket, ttl: ttlNanos / 1e9 } },
      );
    }
    if (wanted !== undefined && replicas !== wanted) {
      throw new InvalidOptionError(`bucket ${this.bucket} exists with ${replicas} replica(s), not the ${wanted} asked for`, {
        details: { bucket: this.bucket, replicas },
      });
    }
  }

  /**
   * The object's chunks through an ordered consumer on its chunk subject, for
   * buckets without `allow_direct`, asked for a few at a time: the server
   * sends more only as they are read, so a slow reader holds at most
   * READ_AHEAD_BYTES.
   */
  async *#chunksThroughConsumer(
    bucket: BucketHandles,
    info: ObjectInfo,
    offset: number,
    signal: AbortSignal | undefined,
    correlationId: string | undefined,
  ): AsyncGenerator<Uint8Array> {
    if (info.chunks === 0 || offset >= info.size) return;
    const chunkSize = info.options?.max_chunk_size || DEFAULT_CHUNK_SIZE;
    // One ordered consumer per read, deleted when the read ends. A delete lost
    // (say, to a failover) leaves it to the server's inactive threshold, kept
    // short: the library's default (5 min) let 1,000 reads pile up 1,000
    // consumers on the bucket's stream, and the server then refuses new ones.
    const consumer = await bucket.js.consumers.get(bucket.stream, {
      filter_subjects: chunkSubject(bucket.bucket, info.nuid),
      inactive_threshold: READ_CONSUMER_INACTIVE_MS,
    });
    const messages = await consumer.consume({ max_messages: Math.max(2, Math.ceil(READ_AHEAD_BYTES / chunkSize)) });
    const stop = () => {
      void messages.stop();
      void consumer.delete().catch(() => undefined);
    };
    signal?.addEventListener("abort", stop, { once: true });
    let skip = offset;
    let chunks = 0;
    let bytes = 0;
    try {
      for await (const m of messages) {
        const data = m.data;
        chunks++;
        bytes += data.byteLength;
        if (skip >= data.byteLength) skip -= data.byteLength;
        else {
          yield skip > 0 ? data.subarray(skip) : data;
          skip = 0;
        }
        if (chunks >= info.chunks) break;
      }
      if (signal?.aborted) throw new AbortedError("download aborted", { correlationId, cause: signal.reason });
      // A plain Error: the receiver retries the read from the byte it reached.
      if (chunks !== info.chunks || bytes !== info.size) throw new Error(`object read stopped after ${bytes} of ${info.size} bytes`);
    } finally {
      signal?.removeEventListener("abort", stop);
      stop();
    }
  }

  #gone(name: string, correlationId: string | undefined, why: string): NatsBridgeError {
    return new DownloadFailedError(`no object ${JSON.stringify(name)} in bucket ${this.bucket} (${why})`, {
      correlationId,
      details: { bucket: this.bucket, name },
    });
  }
}

/** A claim-check store on a JetStream Object Store bucket: `smartsend(subject, payloads, { store: objectStore({ bucket }) })`. */
export function objectStore(options: ObjectStoreOptions): NatsObjectStore {
  return new NatsObjectStore(options);
}

/**
 * The connection with the close listeners @nats-io/jetstream's consumers
 * register. Connections from nats.js v3 have them; those of the v2 clients
 * (`nats`, `nats.ws`, which a bridge or a page may hand in) do not, so they
 * are added from `closed()`. Everything else goes to the connection itself.
 */
function asV3Connection(nc: NatsConnection): NatsConnection {
  if (typeof (nc as Partial<CloseListeners>).addCloseListener === "function") return nc;
  const listeners = new Set<CloseListener>();
  void nc.closed().then((error) => {
    for (const l of listeners) l.connectionClosedCallback(error ?? undefined);
  });
  const added: CloseListeners = {
    addCloseListener: (l) => void listeners.add(l),
    removeCloseListener: (l) => void listeners.delete(l),
  };
  return new Proxy(nc, {
    get(target, prop) {
      if (prop === "addCloseListener" || prop === "removeCloseListener") return added[prop];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

interface CloseListener {
  connectionClosedCallback(error?: Error): void;
}

/** What nats.js v3 connections have beyond the public NatsConnection type. */
interface CloseListeners {
  addCloseListener(listener: CloseListener): void;
  removeCloseListener(listener: CloseListener): void;
}

function isNotFound(error: unknown): boolean {
  const e = error as { message?: string; name?: string; code?: number | string; api_error?: { err_code?: number } };
  // 10059: stream not found (the bucket's stream, OBJ_<bucket>).
  return e?.api_error?.err_code === 10059 || e?.name === "StreamNotFoundError" || /not found/i.test(String(e?.message ?? ""));
}

function message(error: unknown): string {
  return String((error as Error)?.message ?? error);
}
