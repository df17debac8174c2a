// vitest globalSetup: one versitygw (real SigV4 checks) for the package's test
// run, with one bucket created through the SDK.
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { startVersityGw } from "@natsbridge/test-harness";
import type { TestProject } from "vitest/node";
import "./provided.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const gw = await startVersityGw();
  const bucket = "natsbridge-test";
  const client = new S3Client({
    endpoint: gw.endpoint,
    region: gw.region,
    forcePathStyle: true,
    credentials: { accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    await gw.stop();
    throw e;
  } finally {
    client.destroy();
  }
  project.provide("s3", {
    endpoint: gw.endpoint,
    region: gw.region,
    accessKeyId: gw.accessKeyId,
    secretAccessKey: gw.secretAccessKey,
    bucket,
  });
  return () => gw.stop();
}
