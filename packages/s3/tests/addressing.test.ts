// Keys, origins and the way back from a URL to bucket/key, checked against the
// URLs the SDK's presigner really builds (presigning needs no network).
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { ClaimCheckPutRequest } from "@natsbridge/core/store";
import { defaultObjectKey, keySegment, parseS3Url, type S3StoreOptions, s3Store } from "@natsbridge/s3";
import { describe, expect, it } from "vitest";

const request = (over: Partial<ClaimCheckPutRequest> = {}): ClaimCheckPutRequest => ({
  dataname: "table.arrow",
  payloadType: "table",
  body: new Uint8Array(1),
  correlationId: "c0ffee00-0000-4000-8000-000000000001",
  msgId: "m5600000-0000-4000-8000-000000000002",
  payloadId: "p1d00000-0000-4000-8000-000000000003",
  ...over,
});
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

describe("object keys", () => {
  it("default: <prefix>/<correlation_id>/<msg_id>/<payload id>-<dataname>", () => {
    expect(defaultObjectKey(request(), "natsbridge")).toBe(
      "natsbridge/c0ffee00-0000-4000-8000-000000000001/m5600000-0000-4000-8000-000000000002/p1d00000-0000-4000-8000-000000000003-table.arrow",
    );
    expect(defaultObjectKey(request(), "")).toMatch(/^c0ffee00-/);
  });

  it("makes every segment safe: no slashes, dot segments, spaces or non-ASCII", () => {
    const key = defaultObjectKey(request({ correlationId: "..", msgId: "a/b", dataname: "résumé 1?.pdf" }), "p");
    expect(key.split("/")).toHaveLength(4);
    expect(key).toMatch(/^p\/_\/a_b\/p1d00000-0000-4000-8000-000000000003-r_sum__1_.pdf$/);
    expect(keySegment("")).toBe("_");
    expect(keySegment("x".repeat(500))).toHaveLength(200);
  });

  it("the store's prefix and a custom key function are used", async () => {
    const store = s3Store({ bucket: "b", region: "eu-west-1", keyPrefix: "/claims/tmp/", credentials });
    expect(store.keyPrefix).toBe("claims/tmp");
    const custom = s3Store({ bucket: "b", region: "eu-west-1", key: (r, prefix) => `${prefix}/${r.dataname}`, credentials });
    expect(custom.keyPrefix).toBe("natsbridge");
  });
});

describe("origins match the SDK's URLs", () => {
  const cases: [string, Partial<S3StoreOptions>][] = [
    ["AWS, virtual-hosted", { region: "eu-west-1" }],
    ["AWS us-east-1", { region: "us-east-1" }],
    ["AWS, path-style", { region: "eu-west-1", forcePathStyle: true }],
    ["custom IP endpoint (always path-style)", { endpoint: "http://127.0.0.1:9000" }],
    ["custom endpoint, path-style", { endpoint: "https://minio.example.com", forcePathStyle: true }],
    ["custom endpoint, virtual-hosted", { endpoint: "https://minio.example.com" }],
    ["custom endpoint with a base path", { endpoint: "https://gw.example.com/s3", forcePathStyle: true }],
  ];
  for (const bucket of ["claims-bucket", "dotted.bucket.name"]) {
    for (const [name, options] of cases) {
      // The SDK's endpoint rules throw "Invalid URL" for a dotted bucket on a
      // bare IP endpoint without forcePathStyle; that combination needs forcePathStyle.
      if (bucket.includes(".") && options.endpoint?.includes("127.0.0.1")) continue;
      it(`${name}, bucket ${bucket}`, async () => {
        const store = s3Store({ bucket, credentials, ...options });
        const key = "natsbridge/c/m/p-a b+c.bin";
        const url = await store.presign(key, 60);
        expect(store.origins).toEqual([new URL(url).origin]);
        expect(store.locate(url)).toEqual({ bucket, key });
        expect(store.locate(`s3://${bucket}/${key}`)).toEqual({ bucket, key });
        store.client.destroy();
      });
    }
  }

  it("a client passed in is described by region/endpoint for its origins", async () => {
    const client = new S3Client({ region: "ap-south-1", credentials });
    const store = s3Store({ bucket: "claims-bucket", client, region: "ap-south-1" });
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: "claims-bucket", Key: "k" }));
    expect(store.origins).toEqual([new URL(url).origin]);
    expect(s3Store({ bucket: "b", client, origins: ["https://cdn.example.com"] }).origins).toEqual(["https://cdn.example.com"]);
  });

  it("other URLs are not this store's", () => {
    const store = s3Store({ bucket: "claims-bucket", endpoint: "http://127.0.0.1:9000", credentials });
    expect(store.locate("http://127.0.0.1:9000/other-bucket/k")).toBeUndefined();
    expect(store.locate("http://127.0.0.1:9001/claims-bucket/k")).toBeUndefined();
    expect(store.locate("http://127.0.0.1:9000/claims-bucket/")).toBeUndefined();
    expect(store.locate("s3://other/k")).toBeUndefined();
    expect(store.locate("not a url")).toBeUndefined();
  });
});

describe("s3:// URLs", () => {
  it("parses bucket and key as written", () => {
    expect(parseS3Url("s3://b/a/b c.bin")).toEqual({ bucket: "b", key: "a/b c.bin" });
    expect(parseS3Url("s3://b/")).toBeUndefined();
    expect(parseS3Url("s3:///k")).toBeUndefined();
    expect(parseS3Url("https://b/k")).toBeUndefined();
  });
});

describe("options", () => {
  it.each([
    [{ bucket: "" }, /bucket/],
    [{ bucket: "b", urlExpiresIn: 0 }, /urlExpiresIn/],
    [{ bucket: "b", urlExpiresIn: 604_801 }, /604800/],
    [{ bucket: "b", urlExpiresIn: 1.5 }, /urlExpiresIn/],
    [{ bucket: "b", partSize: 1024 }, /partSize/],
    [{ bucket: "b", queueSize: 0 }, /queueSize/],
    [{ bucket: "b", endpoint: "ftp://x" }, /endpoint/],
    [{ bucket: "b", endpoint: "::" }, /endpoint/],
    [{ bucket: "b", link: "ftp" }, /link/],
  ])("%j is refused with INVALID_OPTION", (options, message) => {
    expect(() => s3Store(options as S3StoreOptions)).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", message: expect.stringMatching(message) }),
    );
  });
});
