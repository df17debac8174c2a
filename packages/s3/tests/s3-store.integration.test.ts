// The store against a real S3-compatible server (versitygw, which checks
// signatures and presigned-URL expiry): uploads, presigned links, streaming
// multipart, errors, delete, core's delete-after-consume and reads through the SDK.
import { HeadObjectCommand, ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { deleteConsumed } from "@natsbridge/core";
import type { NatsBridgeError } from "@natsbridge/envelope";
import { defaultObjectKey, type S3Store } from "@natsbridge/s3";
import { afterAll, describe, expect, it } from "vitest";
import { fetchBytes, generatedChunks, putRequest, randomBytes, s3, sha256Of, storeOnServer } from "./helpers.js";

const store = storeOnServer();
afterAll(() => store.client.destroy());

const head = (key: string) => store.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));

describe("put", () => {
  it("uploads bytes and returns a presigned URL that works without credentials", async () => {
    const body = randomBytes(100_000);
    const progress: [number, number | undefined][] = [];
    const result = await store.put(putRequest(body, { sha256: "f".repeat(64), onProgress: (s, t) => progress.push([s, t]) }));
    const url = new URL(result.url);
    expect(url.origin).toBe(s3.endpoint);
    expect(store.origins).toEqual([s3.endpoint]);
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get("X-Amz-Expires")).toBe("3600");
    expect(url.searchParams.get("X-Amz-Credential")).toContain(s3.accessKeyId);
    expect(result.url).not.toContain(s3.secretAccessKey);
    expect(await fetchBytes(result.url)).toEqual(body);

    const key = result.metadata!.s3_key as string;
    expect(key).toMatch(new RegExp(`^test-${process.pid}/corr-${process.pid}-\\d+/msg-\\d+/payload-\\d+-blob-\\d+\\.bin$`));
    expect(result.metadata).toMatchObject({ s3_bucket: s3.bucket });
    const expiresAt = Date.parse(result.metadata!.url_expires_at as string);
    expect(Math.abs(expiresAt - (Date.now() + 3600_000))).toBeLessThan(10_000);
    const h = await head(key);
    expect(h.ContentLength).toBe(100_000);
    expect(h.Metadata).toEqual({ sha256: "f".repeat(64) });
    expect(progress.at(-1)).toEqual([100_000, 100_000]);
  });

  it("honours urlExpiresIn", async () => {
    const short = storeOnServer({ urlExpiresIn: 90 });
    const { url } = await short.put(putRequest(randomBytes(10)));
    expect(new URL(url).searchParams.get("X-Amz-Expires")).toBe("90");
    short.client.destroy();
  });

  it("streams an AsyncIterable and a ReadableStream of unknown size (multipart beyond one part)", async () => {
    const size = 12 * 1024 * 1024 + 123;
    const expected = await sha256Of(generatedChunks(size, 300_000));
    const fromIterable = await store.put(putRequest(generatedChunks(size, 300_000)));
    const fromStream = await store.put(putRequest(readableOf(generatedChunks(size, 777_777))));
    for (const r of [fromIterable, fromStream]) {
      expect(await sha256Of(toChunks(await fetchBytes(r.url)))).toEqual(expected);
      // A multipart object's ETag is "<md5 of part md5s>-<parts>": 12 MiB in 5 MiB parts = 3.
      expect((await head(r.metadata!.s3_key as string)).ETag).toMatch(/-3"$/);
    }
  });

  it("uploads 100 MiB as a streamed multipart upload and the presigned URL returns the same bytes", async () => {
    const size = 100 * 1024 * 1024;
    const expected = await sha256Of(generatedChunks(size));
    let lastProgress = 0;
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const started = performance.now();
    const result = await store.put(
      putRequest(generatedChunks(size), {
        size,
        onProgress: (sent) => {
          lastProgress = sent;
          rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
        },
      }),
    );
    const uploadMs = performance.now() - started;
    expect(lastProgress).toBe(size);
    const h = await head(result.metadata!.s3_key as string);
    expect(h.ContentLength).toBe(size);
    expect(h.ETag).toMatch(/-20"$/); // 100 MiB in 5 MiB parts
    const res = await fetch(result.url);
    expect(res.status).toBe(200);
    expect(await sha256Of(res.body as unknown as AsyncIterable<Uint8Array>)).toEqual(expected);
    // Streamed, not buffered: the upload holds at most queueSize × partSize (4 × 5 MiB) at a time.
    const growthMiB = (rssPeak - rssBefore) / 1024 / 1024;
    console.info(`100 MiB multipart upload: ${Math.round(uploadMs)} ms, RSS growth ${growthMiB.toFixed(0)} MiB`);
    expect(growthMiB).toBeLessThan(100);
  }, 180_000);

  it("passes server-side encryption settings through to the request", async () => {
    const sse = storeOnServer({ encryption: { ServerSideEncryption: "AES256" } });
    const seen: Record<string, string>[] = [];
    sse.client.middlewareStack.add(
      (next) => async (args) => {
        seen.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return next(args);
      },
      { step: "finalizeRequest", name: "recordHeaders" },
    );
    await sse.put(putRequest(randomBytes(1000)));
    expect(seen.some((h) => h["x-amz-server-side-encryption"] === "AES256")).toBe(true);
    sse.client.destroy();
  });

  it("fails with UPLOAD_FAILED naming SignatureDoesNotMatch when the secret is wrong", async () => {
    const wrong = storeOnServer({ credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: "wrong-secret" } });
    const error = (await wrong.put(putRequest(randomBytes(1000))).catch((e: unknown) => e)) as NatsBridgeError;
    expect(error.code).toBe("UPLOAD_FAILED");
    expect(error.message).toMatch(/SignatureDoesNotMatch, HTTP 403/);
    expect(error.details).toMatchObject({ bucket: s3.bucket, s3Code: "SignatureDoesNotMatch", status: 403 });
    expect(JSON.stringify(error.toJSON())).not.toContain("wrong-secret");
    wrong.client.destroy();
  });

  it("fails with UPLOAD_FAILED naming NoSuchBucket for a missing bucket", async () => {
    const missing = storeOnServer({ bucket: "no-such-bucket-here" });
    await expect(missing.put(putRequest(randomBytes(10)))).rejects.toMatchObject({
      code: "UPLOAD_FAILED",
      details: { s3Code: "NoSuchBucket", status: 404 },
    });
    missing.client.destroy();
  });

  it("fails with UPLOAD_FAILED when the server is unreachable", async () => {
    const down = storeOnServer({ endpoint: "http://127.0.0.1:1", clientConfig: { maxAttempts: 1 } });
    await expect(down.put(putRequest(randomBytes(10)))).rejects.toMatchObject({
      code: "UPLOAD_FAILED",
      message: expect.stringMatching(/ECONNREFUSED/),
    });
    down.client.destroy();
  });

  it("stops with ABORTED when the signal fires, leaving no object", async () => {
    const controller = new AbortController();
    const request = putRequest(generatedChunks(40 * 1024 * 1024), {
      signal: controller.signal,
      onProgress: (sent) => {
        if (sent >= 5 * 1024 * 1024) controller.abort();
      },
    });
    await expect(store.put(request)).rejects.toMatchObject({ code: "ABORTED" });
    const key = defaultObjectKey(request, store.keyPrefix);
    await expect(head(key)).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    // lib-storage aborts the multipart upload once its in-flight parts return.
    await expect
      .poll(async () => (await store.client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: key }))).Uploads ?? [], {
        timeout: 10_000,
      })
      .toEqual([]);
    await expect(store.put(putRequest(randomBytes(1), { signal: controller.signal }))).rejects.toMatchObject({ code: "ABORTED" });
  });
});

describe("delete and delete-after-consume", () => {
  it("delete removes the blob behind a presigned URL", async () => {
    const { url } = await store.put(putRequest(randomBytes(1000)));
    await store.delete(url);
    expect((await fetch(url)).status).toBe(404);
    await expect(store.delete("https://elsewhere.example.com/x")).rejects.toMatchObject({ code: "INVALID_DATA" });
  });

  it("delete reports DELETE_FAILED with the S3 reason", async () => {
    const wrong = storeOnServer({ credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: "wrong-secret" } });
    const { url } = await store.put(putRequest(randomBytes(10)));
    await expect(wrong.delete(url)).rejects.toMatchObject({ code: "DELETE_FAILED", details: { s3Code: "SignatureDoesNotMatch" } });
    wrong.client.destroy();
  });

  it("core's deleteConsumed deletes this store's link blobs (presigned and s3://) and leaves the rest", async () => {
    const a = await store.put(putRequest(randomBytes(10)));
    const b = await storeOnServer({ link: "s3" }).put(putRequest(randomBytes(10)));
    const link = (data: string) => ({
      id: "i",
      dataname: "d",
      payload_type: "binary",
      transport: "link",
      encoding: "none",
      size: 10,
      data,
      metadata: {},
    });
    const result = await deleteConsumed(store, {
      payloadInfo: [
        link(a.url),
        { ...link(""), transport: "direct", data: undefined },
        link(b.url),
        link("http://fileserver.example.com/f/1/x.bin"),
        link("s3://another-bucket/key"),
      ] as never,
    });
    expect(result.deleted).toEqual([a.url, b.url]);
    expect(result.skipped).toEqual(["http://fileserver.example.com/f/1/x.bin", "s3://another-bucket/key"]);
    expect(result.failed).toEqual([]);
    expect((await fetch(a.url)).status).toBe(404);
  });
});

describe("reading through the SDK (receivers with credentials)", () => {
  const read = async (s: S3Store, url: string) => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of (await s.get(url)) as AsyncIterable<Uint8Array>) chunks.push(chunk);
    return Buffer.concat(chunks);
  };

  it('link: "s3" puts s3://bucket/key in the envelope, which the store owns and reads', async () => {
    const s3Links = storeOnServer({ link: "s3" });
    const body = randomBytes(5000);
    const result = await s3Links.put(putRequest(body));
    expect(result.url).toBe(`s3://${s3.bucket}/${result.metadata!.s3_key as string}`);
    expect(result.metadata).not.toHaveProperty("url_expires_at");
    expect(s3Links.owns(result.url)).toBe(true);
    expect(new Uint8Array(await read(s3Links, result.url))).toEqual(body);
    s3Links.client.destroy();
  });

  it("get reads this store's presigned URLs even once expired; missing keys are DOWNLOAD_FAILED with the S3 code", async () => {
    const shortLived = storeOnServer({ urlExpiresIn: 1 });
    const body = randomBytes(3000);
    const { url } = await shortLived.put(putRequest(body));
    await new Promise((r) => setTimeout(r, 2_200));
    expect((await fetch(url)).status).toBe(403);
    expect(new Uint8Array(await read(shortLived, url))).toEqual(body);
    expect(shortLived.owns("http://fileserver.example.com/f/x")).toBe(false);
    await expect(shortLived.get(`s3://${s3.bucket}/missing/key`)).rejects.toMatchObject({
      code: "DOWNLOAD_FAILED",
      details: { s3Code: "NoSuchKey", status: 404 },
    });
    shortLived.client.destroy();
  });
});

async function* toChunks(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function readableOf(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await it.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
  });
}
