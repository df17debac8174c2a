// @natsbridge/s3: a claim-check store on Amazon S3 or any S3-compatible server.

export { defaultObjectKey, keySegment } from "./keys.js";
export { type BucketAddressing, bucketOrigins, formatS3Url, parseS3Url, type S3Location } from "./locate.js";
export {
  DEFAULT_KEY_PREFIX,
  DEFAULT_URL_EXPIRES_IN,
  MAX_URL_EXPIRES_IN,
  type S3Encryption,
  type S3StoreOptions,
} from "./options.js";
export { S3Store, s3Store } from "./store.js";
