// The S3 claim-check store: a payload too large for NATS is uploaded with
// lib-storage's Upload (one PutObject, or a multipart upload streamed in parts
// for large bodies) and a presigned GET URL from s3-request-presigner goes into
// the envelope, so Julia, Python and browser receivers fetch it with a plain
// HTTP GET and no credentials. A receiver handed the store itself reads its
// URLs (presigned, even expired, and s3://) through the SDK with the store's
// credentials (`owns` + `get`); delete-after-consume is core's deleteConsumed.

import { DeleteObjectCommand, GetObjectCommand, type PutObjectCommandInput, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { ClaimCheckGetOptions, ClaimCheckPutRequest, ClaimCheckPutResult, ClaimCheckStore, GetBody } from "@natsbridge/core/store";
import { AbortedError, DeleteFailedError, DownloadFailedError, InvalidDataError, UploadFailedError } from "@natsbridge/envelope";
import { toUploadBody } from "./body.js";
import { defaultObjectKey, normalizePrefix } from "./keys.js";
import { type BucketAddressing, bucketOrigins, formatS3Url, locateObject, type S3Location } from "./locate.js";
import { checkOptions, DEFAULT_KEY_PREFIX, DEFAULT_URL_EXPIRES_IN, resolveRegion, type S3StoreOptions } from "./options.js";
import { describeS3Error } from "./s3-errors.js";

const MAX_KEY_BYTES = 1024;

export class S3Store implements ClaimCheckStore {
  readonly name = "s3";
  /** Payloads in memory come with their SHA-256, kept as the object's `sha256` metadata. */
  readonly sha256BeforePut = true;
  readonly client: S3Client;
  readonly bucket: string;
  readonly keyPrefix: string;
  /**
   * Origins of this store's presigned URLs: what a receiver without
   * credentials lists in `allowedOrigins` to fetch them with a plain GET.
   */
  readonly origins: readonly string[];
  readonly #options: S3StoreOptions;
  readonly #addressing: BucketAddressing;

  constructor(options: S3StoreOptions) {
    checkOptions(options);
    this.#options = options;
    this.bucket = options.bucket;
    this.keyPrefix = normalizePrefix(options.keyPrefix ?? DEFAULT_KEY_PREFIX);
    const region = resolveRegion(options);
    this.client =
      options.client ??
      new S3Client({
        ...options.clientConfig,
        ...(region ? { region } : {}),
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.forcePathStyle !== undefined ? { forcePathStyle: options.forcePathStyle } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
    this.#addressing = {
      bucket: options.bucket,
      region,
      endpoint: options.endpoint ?? (typeof options.clientConfig?.endpoint === "string" ? options.clientConfig.endpoint : undefined),
      forcePathStyle: options.forcePathStyle ?? options.clientConfig?.forcePathStyle ?? false,
    };
    this.origins = Object.freeze([...(options.origins ?? bucketOrigins(this.#addressing))]);
  }

  /** Upload one payload and return the URL that goes into the envelope. */
  async put(request: ClaimCheckPutRequest): Promise<ClaimCheckPutResult> {
    const context = { correlationId: request.correlationId, dataname: request.dataname };
    if (request.signal?.aborted) throw new AbortedError("upload aborted before it started", { ...context, cause: request.signal.reason });
    const key = (this.#options.key ?? defaultObjectKey)(request, this.keyPrefix);
    if (typeof key !== "string" || key.length === 0 || new TextEncoder().encode(key).byteLength > MAX_KEY_BYTES) {
      throw new UploadFailedError(`object key must be 1..${MAX_KEY_BYTES} bytes, got ${JSON.stringify(String(key).slice(0, 80))}`, context);
    }
    const where = formatS3Url({ bucket: this.bucket, key });
    await this.#upload(request, key, where);

    let url: string;
    try {
      url = this.#options.link === "s3" ? where : await this.presign(key);
    } catch (error) {
      // The blob is useless without its URL: remove it rather than leave it to the lifecycle rule.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch(() => undefined);
      const { reason, details } = describeS3Error(error);
      throw new UploadFailedError(`uploaded ${where} but could not presign its URL: ${reason}`, {
        ...context,
        cause: error,
        details: { bucket: this.bucket, key, ...details },
      });
    }
    const expiresIn = this.#options.urlExpiresIn ?? DEFAULT_URL_EXPIRES_IN;
    return {
      url,
      metadata: {
        s3_bucket: this.bucket,
        s3_key: key,
        ...(this.#options.link === "s3" ? {} : { url_expires_at: new Date(Date.now() + expiresIn * 1000).toISOString() }),
      },
    };
  }

  async #upload(request: ClaimCheckPutRequest, key: string, where: string): Promise<void> {
    const context = { correlationId: request.correlationId, dataname: request.dataname };
    const params: PutObjectCommandInput = {
      Bucket: this.bucket,
      Key: key,
      Body: toUploadBody(request.body),
      ContentType: "application/octet-stream",
      ...(Number.isSafeInteger(request.size) ? { ContentLength: request.size } : {}),
      ...(request.sha256 ? { Metadata: { sha256: request.sha256 } } : {}),
      ...this.#options.encryption,
    };
    const abortController = new AbortController();
    const upload = new Upload({
      client: this.client,
      params,
      abortController,
      leavePartsOnError: false,
      ...(this.#options.partSize ? { partSize: this.#options.partSize } : {}),
      ...(this.#options.queueSize ? { queueSize: this.#options.queueSize } : {}),
      ...(this.#options.tags ? { tags: [...this.#options.tags] } : {}),
    });
    if (request.onProgress) {
      const onProgress = request.onProgress;
      upload.on("httpUploadProgress", (p) => onProgress(p.loaded ?? 0, p.total ?? request.size));
    }
    const abort = () => abortController.abort();
    request.signal?.addEventListener("abort", abort, { once: true });
    try {
      await upload.done();
    } catch (error) {
      if (request.signal?.aborted) throw new AbortedError(`upload to ${where} aborted`, { ...context, cause: error });
      const { reason, details } = describeS3Error(error);
      throw new UploadFailedError(`upload of '${request.dataname}' to ${where} failed: ${reason}. Nothing was published.`, {
        ...context,
        cause: error,
        details: { bucket: this.bucket, key, ...details },
      });
    } finally {
      request.signal?.removeEventListener("abort", abort);
    }
  }

  /** A presigned GET URL for `key`, valid for `expiresIn` seconds (default: the store's urlExpiresIn). */
  presign(key: string, expiresIn = this.#options.urlExpiresIn ?? DEFAULT_URL_EXPIRES_IN): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn });
  }

  /** Bucket and key of a URL this store handed out (presigned or s3://); undefined for any other URL. */
  locate(url: string): S3Location | undefined {
    return locateObject(url, this.#addressing);
  }

  /** Delete the blob behind one of this store's URLs. S3 answers success for keys already gone. */
  async delete(url: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const location = this.locate(url);
    if (!location) {
      throw new InvalidDataError(`not a URL of this S3 store (bucket ${this.bucket}); nothing deleted`, {
        details: { origins: [...this.origins] },
      });
    }
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: location.key }), {
        ...(options.signal ? { abortSignal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) throw new AbortedError("delete aborted", { cause: error });
      const { reason, details } = describeS3Error(error);
      throw new DeleteFailedError(`could not delete ${formatS3Url(location)}: ${reason}`, {
        cause: error,
        details: { bucket: location.bucket, key: location.key, ...details },
      });
    }
  }

  /** Whether `url` is one of this store's (presigned or s3://, in its bucket). */
  owns(url: string): boolean {
    return this.locate(url) !== undefined;
  }

  /**
   * Read one of this store's blobs through the SDK (GetObject, from `offset`
   * with a Range): for receivers that hold credentials, so `s3://` links and
   * expired presigned URLs still read. What cannot pass (missing key, access
   * denied) is DOWNLOAD_FAILED with the S3 reason; an unreachable server, a
   * 5xx or a body broken mid-way is retried by the receiver from where it stopped.
   */
  async get(url: string, options: ClaimCheckGetOptions = {}): Promise<GetBody> {
    const { signal, offset = 0, correlationId } = options;
    const location = this.locate(url);
    if (!location) {
      throw new DownloadFailedError(`not a URL of this S3 store (bucket ${this.bucket})`, {
        correlationId,
        details: { origins: [...this.origins] },
      });
    }
    if (signal?.aborted) throw new AbortedError("download aborted before it started", { correlationId, cause: signal.reason });
    const where = formatS3Url(location);
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: location.bucket, Key: location.key, ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}) }),
        signal ? { abortSignal: signal } : {},
      );
      if (!res.Body) throw new Error("GetObject returned no body");
      // Node's body is a stream of Buffers already; elsewhere the SDK makes a web stream.
      const body = res.Body as unknown as Partial<AsyncIterable<Uint8Array>> & { transformToWebStream(): ReadableStream<Uint8Array> };
      return typeof body[Symbol.asyncIterator] === "function" ? (body as AsyncIterable<Uint8Array>) : body.transformToWebStream();
    } catch (error) {
      if (signal?.aborted) throw new AbortedError(`download of ${where} aborted`, { correlationId, cause: error });
      const { reason, details } = describeS3Error(error);
      // Asking for the rest of a blob that was read to its end.
      if (offset > 0 && details.s3Code === "InvalidRange") return new ReadableStream<Uint8Array>({ start: (c) => c.close() });
      // No answer, or a server error, may pass: a plain Error lets the receiver retry with its backoff.
      if (details.status === undefined || details.status >= 500 || details.status === 429 || details.status === 408) {
        throw new Error(`${where}: ${reason}`, { cause: error });
      }
      throw new DownloadFailedError(`failed to download ${where}: ${reason}`, {
        correlationId,
        cause: error,
        details: { bucket: location.bucket, key: location.key, ...details },
      });
    }
  }
}

/** An S3 claim-check store: `smartsend(subject, payloads, { store: s3Store({ bucket }) })`. */
export function s3Store(options: S3StoreOptions): S3Store {
  return new S3Store(options);
}
