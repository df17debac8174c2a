// The link a blob in the object store travels as: `nats-obj://<bucket>/<name>`,
// the object name percent-encoded segment by segment (names hold "/" from
// `${payloadId}/${dataname}`). Any NATS client with the bucket's JetStream
// domain reads it: bucket and name are all it needs.

/** The URL scheme of object store links. */
export const OBJECT_URL_SCHEME = "nats-obj:";

/** Bucket names JetStream accepts (the stream is `OBJ_<bucket>`). */
export const BUCKET_NAME = /^[A-Za-z0-9_-]+$/;

export interface ObjectLocation {
  bucket: string;
  /** The object's name in the bucket, decoded. */
  name: string;
}

export function formatObjectUrl({ bucket, name }: ObjectLocation): string {
  return `${OBJECT_URL_SCHEME}//${bucket}/${name.split("/").map(encodeURIComponent).join("/")}`;
}

/** Bucket and name of a `nats-obj://bucket/name` URL; undefined for anything else. */
export function parseObjectUrl(url: string): ObjectLocation | undefined {
  if (typeof url !== "string") return undefined;
  const m = /^nats-obj:\/\/([^/?#]+)\/([^?#]+)$/i.exec(url);
  if (!m || !BUCKET_NAME.test(m[1]!)) return undefined;
  try {
    const name = m[2]!.split("/").map(decodeURIComponent).join("/");
    return name.length > 0 ? { bucket: m[1]!, name } : undefined;
  } catch {
    return undefined;
  }
}
