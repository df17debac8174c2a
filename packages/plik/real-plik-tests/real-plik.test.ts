// @natsbridge/plik against a real Plik server (plikd), with the same shared
// store suite and the behaviours the Plik-compatible test server imitates, so a
// drift between it and Plik shows up here (tools/test-harness/tests/
// plik-behaviour.test.ts compares the two request by request). Run with
// `PLIKD_BIN=/path/to/plikd pnpm --filter @natsbridge/plik test:real-plik`;
// it fails at once when plikd is missing. Not part of `npm test`: CI cannot
// install Plik (see tools/test-harness/src/plik.ts).

import { createBridge, type NatsBridgeError, type PayloadStream } from "@natsbridge/core";
import { pattern, testStore } from "@natsbridge/core/testing";
import { plikOneshotUpload, plikReceiveOptions, plikStore } from "@natsbridge/plik";
import { type NatsServer, type PlikServer, startNatsServer, startPlik } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

testStore({
  name: "plik one-shot (real plikd)",
  capabilities: ["owns", "delete"],
  oneShot: true,
  create: async () => {
    const plik = await startPlik();
    return { store: plikStore({ url: plik.url }), cleanup: () => plik.dispose() };
  },
});

testStore({
  name: "plik with TTL, not one-shot (real plikd)",
  capabilities: ["owns", "delete"],
  create: async () => {
    const plik = await startPlik();
    return { store: plikStore({ url: plik.url, oneShot: false, ttl: 3600 }), cleanup: () => plik.dispose() };
  },
});

testStore({
  name: "plik with a user token (real plikd refusing anonymous uploads)",
  capabilities: ["owns", "delete"],
  create: async () => {
    const plik = await startPlik({ requireToken: true });
    return { store: plikStore({ url: plik.url, token: plik.token!, oneShot: false }), cleanup: () => plik.dispose() };
  },
});

describe("real plikd: what the fake imitates", () => {
  let plik: PlikServer;
  let locked: PlikServer;
  beforeAll(async () => {
    [plik, locked] = await Promise.all([startPlik(), startPlik({ requireToken: true })]);
  });
  afterAll(async () => {
    await Promise.all([plik?.dispose(), locked?.dispose()]);
  });
  const fast = { baseDelay: 5, maxDelay: 20 };

  it("one-shot: the first receiver gets the payload, a second gets DOWNLOAD_FAILED 404 after one attempt", async () => {
    const bridge = createBridge({ fileserverUrl: plik.url, store: plikStore({ url: plik.url }) });
    const big = pattern(800_000, 5);
    const [, json] = await bridge.smartsend("s", [["big", big, "binary"]], { isPublish: false });
    const first = await bridge.smartreceive(json, fast);
    expect(Buffer.compare(first.payloads[0]![1] as Uint8Array, big)).toBe(0);
    await expect(bridge.smartreceive(json, fast)).rejects.toMatchObject({ code: "DOWNLOAD_FAILED", details: { status: 404, attempts: 1 } });
  });

  it("Plik's redirect for browser-like clients is read as the real status", async () => {
    const bridge = createBridge({ fileserverUrl: plik.url, store: plikStore({ url: plik.url }) });
    const [, json] = await bridge.smartsend("s", [["x", pattern(10), "binary"]], { isPublish: false, alwaysLink: true });
    await bridge.smartreceive(json, plikReceiveOptions);
    const url = JSON.parse(json).payloads[0].data as string;
    const raw = await fetch(url, { redirect: "manual", headers: { "user-agent": "Mozilla/5.0 Chrome/140" } });
    expect(raw.status).toBe(301);
    const error = await bridge
      .smartreceive(json, { ...fast, downloadHeaders: { "user-agent": "Mozilla/5.0 Chrome/140" } })
      .catch((e: NatsBridgeError) => e);
    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED", details: { status: 404 } });
  });

  it("a TTL over the server's maximum is UPLOAD_FAILED with Plik's status and message", async () => {
    const bridge = createBridge({ fileserverUrl: plik.url, store: plikStore({ url: plik.url, ttl: 90 * 86400 }) });
    const error = await bridge
      .smartsend("s", [["x", pattern(10), "binary"]], { isPublish: false, alwaysLink: true })
      .catch((e: NatsBridgeError) => e);
    expect(error).toMatchObject({ code: "UPLOAD_FAILED", details: { status: 400, step: "POST /upload" } });
    expect((error as Error).message).toMatch(/ttl/i);
  });

  it("a server refusing anonymous uploads: no token or a wrong token is UPLOAD_FAILED, nothing published", async () => {
    // Plik's answers (the fake gives the same): 400 "anonymous uploads are disabled", 403 "invalid token".
    for (const [token, status, text] of [
      [undefined, 400, "anonymous uploads are disabled"],
      ["00000000-0000-0000-0000-000000000000", 403, "invalid token"],
    ] as const) {
      const store = plikStore({ url: locked.url, ...(token ? { token } : {}) });
      const error = await createBridge({ store })
        .smartsend("s", [["x", pattern(10), "binary"]], { isPublish: false, alwaysLink: true })
        .catch((e: NatsBridgeError) => e);
      expect(error, `token ${token}`).toMatchObject({ code: "UPLOAD_FAILED", details: { status, step: "POST /upload" } });
      expect((error as Error).message).toContain(text);
    }
  });

  it("the references' handler answers { status: 200, uploadid, fileid, url }, and a refusal as its status", async () => {
    const ok = await plikOneshotUpload(plik.url, "a b.bin", pattern(1000));
    expect(ok).toMatchObject({ status: 200, uploadid: expect.any(String), fileid: expect.any(String) });
    expect(ok.url).toBe(`${plik.url}/file/${ok.uploadid}/${ok.fileid}/a%20b.bin`);
    const refused = await plikOneshotUpload(locked.url, "x.bin", pattern(10));
    expect(refused.status).toBe(400);
    expect(refused.url).toBe("");
  });

  it("non-one-shot with a TTL: fan-out readers all get the file; delete removes it", async () => {
    const store = plikStore({ url: plik.url, oneShot: false, ttl: 3600 });
    const bridge = createBridge({ fileserverUrl: plik.url, store });
    const big = pattern(800_000, 6);
    const [env, json] = await bridge.smartsend("s", [["big", big, "binary"]], { isPublish: false });
    for (let i = 0; i < 3; i++) expect(Buffer.compare((await bridge.smartreceive(json, fast)).payloads[0]![1] as Uint8Array, big)).toBe(0);
    await store.delete!(env.payloads[0]!.data as string);
    await expect(bridge.smartreceive(json, fast)).rejects.toMatchObject({ code: "DOWNLOAD_FAILED", details: { status: 404 } });
  });
});

describe("real plikd end to end over a real nats-server", () => {
  let plik: PlikServer;
  let nats: NatsServer;
  beforeAll(async () => {
    [plik, nats] = await Promise.all([startPlik(), startNatsServer()]);
  });
  afterAll(async () => {
    await Promise.all([plik?.dispose(), nats?.dispose()]);
  });

  it("a mixed message with a 20 MB file by link: published, received, verified by sha256 (buffered and streamed)", async () => {
    const bridge = createBridge({
      brokerUrl: nats.url,
      fileserverUrl: plik.url,
      store: plikStore({ url: plik.url, oneShot: false, ttl: 600 }),
    });
    try {
      const sub = await bridge.subscribe("real.plik");
      const big = pattern(20 * 1024 * 1024, 9);
      const started = performance.now();
      await bridge.smartsend(
        "real.plik",
        [
          ["note", "hello plik", "text"],
          ["big", new Blob([big]), "binary"],
        ],
        { flush: true },
      );
      const got = (await sub[Symbol.asyncIterator]().next()).value!;
      const ms = performance.now() - started;
      expect(got.payloads[0]).toEqual(["note", "hello plik", "text"]);
      expect(Buffer.compare(got.payloads[1]![1] as Uint8Array, big)).toBe(0);
      expect(got.payloadInfo[1]!.transport).toBe("link");
      console.log(`real plikd: 20 MiB sent by link and received in ${ms.toFixed(0)} ms`);
      // The same file again, received as a stream (checked against the sender's sha256 as it is read).
      const [, json] = await bridge.smartsend("real.plik.stream", [["big", new Blob([big]), "binary"]], { isPublish: false });
      const streamed = await bridge.smartreceive(json, { stream: true });
      expect(Buffer.compare(await (streamed.payloads[0]![1] as PayloadStream).bytes(), big)).toBe(0);
      sub.unsubscribe();
    } finally {
      await bridge.close();
    }
  });
});
