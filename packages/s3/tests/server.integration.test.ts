// The server itself: proof that versitygw checks what the store's tests rely
// on (SigV4 signatures on requests and on presigned URLs, and presigned-URL
// expiry), so a passing store test means something.
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const s3 = inject("s3");
const clientWith = (secretAccessKey: string) =>
  new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey },
  });
const key = `server-check/${process.pid}/object.bin`;
let client: S3Client;

beforeAll(async () => {
  client = clientWith(s3.secretAccessKey);
  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: new Uint8Array([1, 2, 3]) }));
});
afterAll(() => client.destroy());

describe("versitygw validates signatures and expiry", () => {
  it("refuses a request signed with a wrong secret", async () => {
    const bad = clientWith("not-the-secret");
    await expect(bad.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).rejects.toMatchObject({
      name: "SignatureDoesNotMatch",
      $metadata: { httpStatusCode: 403 },
    });
    bad.destroy();
  });

  it("refuses an unsigned GET", async () => {
    const res = await fetch(`${s3.endpoint}/${s3.bucket}/${key}`);
    expect(res.status).toBe(403);
  });

  it("serves a presigned GET without credentials, and refuses it tampered", async () => {
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: s3.bucket, Key: key }), { expiresIn: 60 });
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(new Uint8Array(await ok.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));

    const tampered = new URL(url);
    tampered.searchParams.set("X-Amz-Expires", "120");
    expect((await fetch(tampered)).status).toBe(403);

    const badSig = new URL(url);
    const sig = badSig.searchParams.get("X-Amz-Signature")!;
    badSig.searchParams.set("X-Amz-Signature", (sig[0] === "0" ? "1" : "0") + sig.slice(1));
    expect((await fetch(badSig)).status).toBe(403);

    const presignedWrong = await getSignedUrl(clientWith("not-the-secret"), new GetObjectCommand({ Bucket: s3.bucket, Key: key }), {
      expiresIn: 60,
    });
    expect((await fetch(presignedWrong)).status).toBe(403);
  });

  it("refuses a presigned GET once it has expired", async () => {
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: s3.bucket, Key: key }), { expiresIn: 1 });
    expect((await fetch(url)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2_200));
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/expired/i);
  });
});
