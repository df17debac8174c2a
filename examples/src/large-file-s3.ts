// The same large-file flow as large-file-plik.ts through S3 (or any
// S3-compatible server): the file is streamed into a multipart upload, the
// envelope carries a presigned GET URL (valid 15 minutes here), the receiver
// streams it to disk without any AWS credentials, then the blob is deleted.
//
//   S3_BUCKET=my-claims AWS_REGION=eu-west-1 NATS_URL=nats://127.0.0.1:4222 pnpm example large-file-s3 [file]
//   pnpm example large-file-s3                # starts nats-server and a local S3 server (versitygw) for you
//
// Credentials come from the AWS SDK's usual chain (AWS_ACCESS_KEY_ID, profiles,
// roles). For an S3-compatible server add S3_ENDPOINT=http://127.0.0.1:7070.
import { s3Store } from "@natsbridge/s3";
import { makeSampleFile, report, transferLargeFile } from "./lib/large-file.js";

const bucket = process.env.S3_BUCKET;
if (!bucket) {
  console.error("large-file-s3 needs S3_BUCKET (and AWS credentials); or run `pnpm example large-file-s3` for a local S3 server");
  process.exit(2);
}
const endpoint = process.env.S3_ENDPOINT;
const store = s3Store({ bucket, urlExpiresIn: 900, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
const path = process.argv[2] ?? (await makeSampleFile(Number(process.env.SAMPLE_BYTES ?? 64_000_000)));
const result = await transferLargeFile({ store, path, outDir: process.env.OUT_DIR ?? "received" });
await store.delete(result.url);
console.log(`deleted the blob from s3://${bucket}`);
process.exit(report(result) ? 0 : 1);
