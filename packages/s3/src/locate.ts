// Where a bucket's objects live as URLs: the origin receivers must allow, and
// the way back from a URL this store handed out to its bucket and key (for
// delete and delete-after-consume). The SDK builds the URLs; these rules mirror
// its endpoint rules for S3 (virtual-hosted when the bucket is a plain DNS label
// and the host is not an IP address, path-style otherwise).

export interface S3Location {
  bucket: string;
  key: string;
}

export interface BucketAddressing {
  bucket: string;
  region: string | undefined;
  endpoint: string | undefined;
  forcePathStyle: boolean;
}

interface BucketBase {
  /** scheme://host[:port] of the bucket's URLs. */
  origin: string;
  /** Path before the key, ending in "/". */
  pathPrefix: string;
}

const DNS_LABEL_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function bucketBase(a: BucketAddressing): BucketBase | undefined {
  let endpoint: URL;
  if (a.endpoint) endpoint = new URL(a.endpoint);
  else if (a.region) endpoint = new URL(`https://s3.${a.region}.amazonaws.com`);
  else return undefined;
  const ipHost = IPV4.test(endpoint.hostname) || endpoint.hostname.startsWith("[");
  const pathStyle = a.forcePathStyle || ipHost || !DNS_LABEL_BUCKET.test(a.bucket);
  const basePath = endpoint.pathname.replace(/\/+$/, "");
  if (pathStyle) return { origin: endpoint.origin, pathPrefix: `${basePath}/${encodeKeySegment(a.bucket)}/` };
  const virtual = new URL(endpoint.href);
  virtual.hostname = `${a.bucket}.${endpoint.hostname}`;
  return { origin: virtual.origin, pathPrefix: `${basePath}/` };
}

/** The origins of this bucket's URLs (empty when neither endpoint nor region is known). */
export function bucketOrigins(a: BucketAddressing): string[] {
  const base = bucketBase(a);
  return base ? [base.origin] : [];
}

/** Bucket and key of an `s3://bucket/key` URL, or of an http(s) URL into this bucket. Undefined otherwise. */
export function locateObject(url: string, a: BucketAddressing): S3Location | undefined {
  const s3 = parseS3Url(url);
  if (s3) return s3.bucket === a.bucket ? s3 : undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const base = bucketBase(a);
  if (!base || parsed.origin !== base.origin || !parsed.pathname.startsWith(base.pathPrefix)) return undefined;
  const encodedKey = parsed.pathname.slice(base.pathPrefix.length);
  if (encodedKey.length === 0) return undefined;
  try {
    return { bucket: a.bucket, key: encodedKey.split("/").map(decodeURIComponent).join("/") };
  } catch {
    return undefined;
  }
}

/**
 * `s3://bucket/key` → { bucket, key }. The key is taken as written (the AWS
 * CLI convention: not percent-encoded). Undefined for anything else.
 */
export function parseS3Url(url: string): S3Location | undefined {
  if (typeof url !== "string" || !url.startsWith("s3://")) return undefined;
  const rest = url.slice("s3://".length);
  const slash = rest.indexOf("/");
  if (slash <= 0 || slash === rest.length - 1) return undefined;
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

export function formatS3Url(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

// The SDK's extended URI encoding of one path segment (RFC 3986 unreserved kept).
function encodeKeySegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
