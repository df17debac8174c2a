// @natsbridge/plik against the Plik-compatible test server of
// @natsbridge/test-harness, which answers as a real plikd does (its own tests
// check that against ../shared/reference/plik-behaviour.md, and against a real
// plikd when PLIKD_BIN is set). The same suites on a real plikd:
// real-plik-tests/ (pnpm --filter @natsbridge/plik test:real-plik).

import { createBridge, type NatsBridgeError, type PayloadStream } from "@natsbridge/core";
import { pattern, testStore } from "@natsbridge/core/testing";
import { PLIK_USER_AGENT, plikOneshotUpload, plikReceiveOptions, plikStore } from "@natsbridge/plik";
import { freePort, type PlikCompatibleServer, startPlikCompatible } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** A Plik store on a port nothing listens on (with a user token, so that delete gets as far as asking). */
const unreachablePlik = async () => {
  const url = `http://127.0.0.1:${await freePort()}`;
  return { store: plikStore({ url, token: "tok-1", timeout: 5000 }), url: `${url}/file/upload-1/file-1/gone.bin` };
};

testStore({
  name: "plik one-shot (Plik-compatible test server)",
  capabilities: ["owns", "delete"],
  oneShot: true,
  create: async () => {
    const plik = await startPlikCompatible();
    return { store: plikStore({ url: plik.url }), cleanup: () => plik.close() };
  },
  failing: unreachablePlik,
});

testStore({
  name: "plik with TTL, not one-shot (Plik-compatible test server)",
  capabilities: ["owns", "delete"],
  create: async () => {
    const plik = await startPlikCompatible();
    return { store: plikStore({ url: plik.url, oneShot: false, ttl: 3600 }), cleanup: () => plik.close() };
  },
});

testStore({
  name: "plik with a user token (Plik-compatible test server refusing anonymous uploads)",
  capabilities: ["owns", "delete"],
  create: async () => {
    const plik = await startPlikCompatible({ tokens: ["tok-1"], requireToken: true });
    return { store: plikStore({ url: plik.url, token: "tok-1", oneShot: false }), cleanup: () => plik.close() };
  },
});

describe("plik API use", () => {
  let plik: PlikCompatibleServer;
  beforeAll(async () => {
    plik = await startPlikCompatible({ tokens: ["good"], defaultTtl: 3600, maxTtl: 86400 });
  });
  afterAll(() => plik.close());

  const put = (store: ReturnType<typeof plikStore>, body: Uint8Array | AsyncIterable<Uint8Array>, extra = {}) =>
    store.put({
      dataname: "report 2024.bin",
      payloadType: "binary",
      body,
      ...(body instanceof Uint8Array ? { size: body.byteLength } : {}),
      correlationId: "corr-p",
      msgId: "m",
      payloadId: "p",
      ...extra,
    });

  it("creates an upload, then POSTs the file as multipart part 'file' with X-UploadToken; the URL is /file/{upload}/{file}/{name}", async () => {
    plik.requests.length = 0;
    const { url, metadata } = await put(plikStore({ url: plik.url }), pattern(5000));
    const [create, add] = plik.requests;
    expect(create).toMatchObject({ method: "POST", path: "/upload" });
    const upload = [...plik.uploads.values()].at(-1)!;
    expect(upload.oneShot).toBe(true);
    expect(add).toMatchObject({ method: "POST", path: `/file/${upload.id}` });
    expect(add!.headers["x-uploadtoken"]).toBe(upload.uploadToken);
    expect(add!.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    const file = [...upload.files.values()][0]!;
    expect(url).toBe(`${plik.url}/file/${upload.id}/${file.id}/report%202024.bin`);
    expect(metadata).toEqual({ plik: { upload_id: upload.id, file_id: file.id, one_shot: true, ttl: 3600 } });
    // The upload token makes its holder admin of the upload: it must never travel.
    expect(JSON.stringify({ url, metadata })).not.toContain(upload.uploadToken);
  });

  it("identifies as a Plik command-line client on every call", async () => {
    plik.requests.length = 0;
    await put(plikStore({ url: plik.url }), pattern(10));
    expect(plik.requests.map((r) => r.headers["user-agent"])).toEqual([PLIK_USER_AGENT, PLIK_USER_AGENT]);
    expect(PLIK_USER_AGENT.startsWith("plik_client")).toBe(true);
  });

  it("streams: a sized stream goes out with an exact Content-Length, an unsized one chunked", async () => {
    plik.requests.length = 0;
    const bytes = pattern(300_000);
    async function* chunks() {
      for (let i = 0; i < bytes.byteLength; i += 65_536) yield bytes.subarray(i, i + 65_536);
    }
    await put(plikStore({ url: plik.url }), chunks(), { size: bytes.byteLength });
    const sized = plik.requests[1]!;
    expect(Number(sized.headers["content-length"])).toBe(sized.bodyBytes);
    expect(sized.bodyBytes).toBeGreaterThan(bytes.byteLength);
    plik.requests.length = 0;
    await put(plikStore({ url: plik.url }), chunks());
    expect(plik.requests[1]!.headers["transfer-encoding"]).toBe("chunked");
  });

  it("sends ttl and oneShot:false when asked", async () => {
    await put(plikStore({ url: plik.url, oneShot: false, ttl: 600 }), pattern(10));
    const upload = [...plik.uploads.values()].at(-1)!;
    expect(upload).toMatchObject({ oneShot: false, ttl: 600 });
  });

  it("a TTL over the server's maximum is UPLOAD_FAILED with Plik's status and message", async () => {
    const error = await put(plikStore({ url: plik.url, ttl: 10 * 86400 }), pattern(10)).catch((e: NatsBridgeError) => e);
    expect(error).toMatchObject({ code: "UPLOAD_FAILED", correlationId: "corr-p", details: { status: 400, step: "POST /upload" } });
    expect((error as Error).message).toContain("invalid TTL");
  });

  it("X-PlikToken: a valid token owns the upload, an invalid one is refused (403)", async () => {
    plik.requests.length = 0;
    await put(plikStore({ url: plik.url, token: "good" }), pattern(10));
    expect(plik.requests.every((r) => r.headers["x-pliktoken"] === "good")).toBe(true);
    expect([...plik.uploads.values()].at(-1)!.token).toBe("good");
    await expect(put(plikStore({ url: plik.url, token: "bad" }), pattern(10))).rejects.toMatchObject({
      code: "UPLOAD_FAILED",
      details: { status: 403 },
    });
  });

  it("an unreachable server is a rejected put (smartsend turns it into UPLOAD_FAILED)", async () => {
    await expect(put(plikStore({ url: "http://127.0.0.1:1" }), pattern(10))).rejects.toBeTruthy();
  });

  it("delete removes the whole upload with its upload token", async () => {
    const store = plikStore({ url: plik.url, oneShot: false });
    const { url } = await put(store, pattern(10));
    const id = new URL(url).pathname.split("/")[2]!;
    expect(plik.uploads.has(id)).toBe(true);
    plik.requests.length = 0;
    await store.delete!(url);
    expect(plik.uploads.has(id)).toBe(false);
    expect(plik.requests[0]).toMatchObject({ method: "DELETE", path: `/upload/${id}` });
  });
});

describe("the references' handler: plikOneshotUpload(fileserverUrl, dataname, bytes)", () => {
  let plik: PlikCompatibleServer;
  beforeAll(async () => {
    plik = await startPlikCompatible();
  });
  afterAll(() => plik.close());

  it("answers { status: 200, uploadid, fileid, url } like the references", async () => {
    const r = await plikOneshotUpload(plik.url, "data.arrow", pattern(100));
    expect(r.status).toBe(200);
    expect(r.url).toBe(`${plik.url}/file/${r.uploadid}/${r.fileid}/data.arrow`);
    expect(plik.uploads.get(r.uploadid)!.oneShot).toBe(true);
  });

  it("plugs into smartsend as uploadHandler; a failing server makes smartsend fail with UPLOAD_FAILED", async () => {
    const bridge = createBridge({ fileserverUrl: plik.url });
    const [env] = await bridge.smartsend("s", [["big", pattern(2000), "binary"]], {
      uploadHandler: plikOneshotUpload,
      alwaysLink: true,
      isPublish: false,
    });
    expect(env.payloads[0]!.data).toMatch(new RegExp(`^${plik.url}/file/`));
    plik.failWith = 503;
    try {
      await expect(
        bridge.smartsend("s", [["big", pattern(2000), "binary"]], { uploadHandler: plikOneshotUpload, alwaysLink: true, isPublish: false }),
      ).rejects.toMatchObject({ code: "UPLOAD_FAILED", details: { status: 503 } });
    } finally {
      plik.failWith = undefined;
    }
  });
});

describe("the one-shot trap, end to end through smartsend/smartreceive", () => {
  let plik: PlikCompatibleServer;
  beforeAll(async () => {
    plik = await startPlikCompatible();
  });
  afterAll(() => plik.close());
  const fast = { baseDelay: 5, maxDelay: 20 };

  it("one-shot: the first receiver gets the payload, a second receiver of the same message gets DOWNLOAD_FAILED (404, not retried)", async () => {
    const store = plikStore({ url: plik.url });
    const bridge = createBridge({ fileserverUrl: plik.url, store });
    const big = pattern(800_000, 5);
    const [, json] = await bridge.smartsend("s", [["big", big, "binary"]], { isPublish: false });
    const first = await bridge.smartreceive(json, fast);
    expect(Buffer.compare(first.payloads[0]![1] as Uint8Array, big)).toBe(0);
    expect(first.payloadInfo[0]!.metadata).toMatchObject({ plik: { one_shot: true } });
    const before = plik.requests.length;
    await expect(bridge.smartreceive(json, fast)).rejects.toMatchObject({ code: "DOWNLOAD_FAILED", details: { status: 404, attempts: 1 } });
    expect(plik.requests.length - before).toBe(1);
  });

  it("Plik's browser redirect is read as the real status even without the plik_client User-Agent", async () => {
    const store = plikStore({ url: plik.url });
    const bridge = createBridge({ fileserverUrl: plik.url, store });
    const [, json] = await bridge.smartsend("s", [["big", pattern(10), "binary"]], { isPublish: false, alwaysLink: true });
    await bridge.smartreceive(json, plikReceiveOptions);
    plik.requests.length = 0;
    const error = await bridge.smartreceive(json, fast).catch((e: NatsBridgeError) => e);
    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED", details: { status: 404 } });
    expect(plik.requests[0]!.headers["user-agent"]).toBe("natsbridge-js");
  });

  it("non-one-shot with a TTL: several receivers (fan-out) and a retried download all succeed", async () => {
    const store = plikStore({ url: plik.url, oneShot: false, ttl: 3600 });
    const bridge = createBridge({ fileserverUrl: plik.url, store });
    const big = pattern(800_000, 6);
    const [, json] = await bridge.smartsend("s", [["big", big, "binary"]], { isPublish: false });
    for (let i = 0; i < 3; i++) {
      const got = await bridge.smartreceive(json, fast);
      expect(Buffer.compare(got.payloads[0]![1] as Uint8Array, big)).toBe(0);
    }
    plik.failWith = 503;
    setTimeout(() => (plik.failWith = undefined), 60);
    const retried = await bridge.smartreceive(json, { baseDelay: 40, maxDelay: 80 });
    expect(Buffer.compare(retried.payloads[0]![1] as Uint8Array, big)).toBe(0);
  });

  it("streams a Plik link on receive, verified against the sender's sha256", async () => {
    const store = plikStore({ url: plik.url });
    const bridge = createBridge({ fileserverUrl: plik.url, store });
    const big = pattern(1_500_000, 7);
    const [, json] = await bridge.smartsend("s", [["big", new Blob([big]), "video"]], { isPublish: false });
    const env = await bridge.smartreceive(json, { stream: true });
    expect(Buffer.compare(await (env.payloads[0]![1] as PayloadStream).bytes(), big)).toBe(0);
  });
});
