// Options of the S3 claim-check store, and their checks. Everything the SDK
// already knows how to do (credentials chain, retries, checksums) stays the
// SDK's: pass a ready `client`, or `clientConfig` for the one we build.

import type { PutObjectCommandInput, S3Client, S3ClientConfig, Tag } from "@aws-sdk/client-s3";
import type { ClaimCheckPutRequest } from "@natsbridge/core/store";
import { InvalidOptionError } from "@natsbridge/envelope";

/** Server-side encryption settings, passed through to every upload as they are. */
export type S3Encryption = Pick<
  PutObjectCommandInput,
  "ServerSideEncryption" | "SSEKMSKeyId" | "SSEKMSEncryptionContext" | "BucketKeyEnabled"
>;

export interface S3StoreOptions {
  /** The bucket blobs go to. It must exist. */
  bucket: string;
  /** Key prefix. Default "natsbridge"; "" for none. A lifecycle rule on this prefix expires old blobs. */
  keyPrefix?: string;
  /**
   * Object key for one payload. Default:
   * `<prefix>/<correlation_id>/<msg_id>/<payload id>-<dataname>` (dataname made key-safe).
   */
  key?: (request: ClaimCheckPutRequest, prefix: string) => string;
  /** A ready S3 client. When given, region/endpoint/forcePathStyle/credentials only describe it (for `origins`). */
  client?: S3Client;
  /** Region. Default: $AWS_REGION, else $AWS_DEFAULT_REGION, else "us-east-1" with a custom endpoint. */
  region?: string;
  /** An S3-compatible server's URL (MinIO, versitygw, Ceph, R2...). Default: AWS. */
  endpoint?: string;
  /** Path-style URLs (`https://host/bucket/key`), which most S3-compatible servers need. */
  forcePathStyle?: boolean;
  /** Credentials; default: the SDK's provider chain (env, shared files, IMDS, SSO...). */
  credentials?: S3ClientConfig["credentials"];
  /** Anything else for the S3Client we build (retries, request handler...). */
  clientConfig?: S3ClientConfig;
  /** Lifetime of the presigned GET URL in seconds, 1..604800 (SigV4's limit, 7 days). Default 3600. */
  urlExpiresIn?: number;
  /**
   * What goes into the envelope: "presigned" (default) is an HTTPS URL any
   * receiver can GET without credentials; "s3" is `s3://bucket/key`, for
   * receivers that all hold credentials and are given this store (`stores`),
   * which reads its links through the SDK.
   */
  link?: "presigned" | "s3";
  /** Server-side encryption (SSE-S3 or SSE-KMS). SSE-C is not offered: a presigned GET cannot carry the key. */
  encryption?: S3Encryption;
  /** Tags set on every blob (e.g. for a tag-filtered lifecycle rule). Costs one extra request per upload. */
  tags?: readonly Tag[];
  /** Multipart part size in bytes (min 5 MiB). Default: lib-storage's, 5 MiB. */
  partSize?: number;
  /** Parts uploaded at once. Memory in use is about queueSize × partSize. Default 4. */
  queueSize?: number;
  /**
   * Origins receivers should allow for this store's URLs. Default: derived from
   * endpoint, region, bucket and forcePathStyle, as the SDK builds its URLs.
   */
  origins?: readonly string[];
}

export const DEFAULT_KEY_PREFIX = "natsbridge";
export const DEFAULT_URL_EXPIRES_IN = 3600;
/** SigV4 presigned URLs cannot live longer than 7 days. */
export const MAX_URL_EXPIRES_IN = 604_800;
const MIN_PART_SIZE = 5 * 1024 * 1024;

export function checkOptions(options: S3StoreOptions): void {
  if (!options || typeof options.bucket !== "string" || options.bucket.length === 0) {
    throw new InvalidOptionError("s3Store needs a bucket name");
  }
  const expires = options.urlExpiresIn;
  if (expires !== undefined && (!Number.isInteger(expires) || expires < 1 || expires > MAX_URL_EXPIRES_IN)) {
    throw new InvalidOptionError(`urlExpiresIn must be a whole number of seconds in 1..${MAX_URL_EXPIRES_IN}, got ${String(expires)}`);
  }
  if (options.link !== undefined && options.link !== "presigned" && options.link !== "s3") {
    throw new InvalidOptionError(`link must be "presigned" or "s3", got ${JSON.stringify(options.link)}`);
  }
  if (options.partSize !== undefined && (!Number.isSafeInteger(options.partSize) || options.partSize < MIN_PART_SIZE)) {
    throw new InvalidOptionError(`partSize must be at least ${MIN_PART_SIZE} bytes (S3's minimum part), got ${String(options.partSize)}`);
  }
  if (options.queueSize !== undefined && (!Number.isSafeInteger(options.queueSize) || options.queueSize < 1)) {
    throw new InvalidOptionError(`queueSize must be a positive integer, got ${String(options.queueSize)}`);
  }
  if (options.endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch {
      throw new InvalidOptionError(`endpoint is not a URL: ${options.endpoint}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new InvalidOptionError(`endpoint must be http or https, got ${url.protocol}`);
    }
  }
}

export function resolveRegion(options: S3StoreOptions): string | undefined {
  const env = typeof process === "undefined" ? undefined : process.env;
  const configured = typeof options.clientConfig?.region === "string" ? options.clientConfig.region : undefined;
  return options.region ?? configured ?? env?.AWS_REGION ?? env?.AWS_DEFAULT_REGION ?? (options.endpoint ? "us-east-1" : undefined);
}
