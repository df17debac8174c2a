// Sends a 5 MB payload through S3 and receives it: the envelope carries a
// presigned URL, which the receive side downloads with a plain HTTP GET (no
// AWS signing, as Julia and Python receivers do), then deletes the blob since
// it is the only consumer. Small payloads stay inside the envelope.
//
//   S3_BUCKET=my-claims AWS_REGION=eu-west-1 NATS_URL=nats://127.0.0.1:4222 npx tsx packages/s3/examples/s3-link.ts
//   # an S3-compatible server: add S3_ENDPOINT=http://127.0.0.1:7070 (path-style is used then)
import { createBridge, deleteConsumed } from "@natsbridge/core";
import { s3Store } from "@natsbridge/s3";

const bucket = process.env.S3_BUCKET ?? "natsbridge-claims";
const endpoint = process.env.S3_ENDPOINT;
const store = s3Store({ bucket, ...(endpoint ? { endpoint, forcePathStyle: true } : {}), urlExpiresIn: 900 });

const subject = "demo.natsbridge.s3";
const bridge = createBridge({ store });
const subscription = await bridge.subscribe(subject);
await (await bridge.connection()).flush();

await bridge.smartsend(subject, [
  ["note", "the weights went through S3", "text"],
  ["small", new Uint8Array(1024).map((_, i) => i & 0xff), "binary"],
  ["big", new Uint8Array(5_000_000).fill(7), "binary"],
]);

for await (const envelope of subscription) {
  for (const [dataname, value, type] of envelope.payloads) {
    const info = envelope.payloadInfo.find((p) => p.dataname === dataname)!;
    const size = value instanceof Uint8Array ? `${value.byteLength} bytes` : JSON.stringify(value);
    console.log(`${dataname} (${type}, ${info.transport}): ${size}`);
  }
  const { deleted } = await deleteConsumed(store, envelope);
  console.log(`deleted ${deleted.length} blob(s) from s3://${bucket}`);
  break;
}
await bridge.close();
