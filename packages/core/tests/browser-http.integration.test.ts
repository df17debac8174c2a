// The browser's fetch-based pieces, run in Node (which has fetch, Blob and Web
// Crypto too) against a real nginx with CORS: the browser httpStore through
// the shared store conformance suite, and a whole link round trip through a
// bridge on the browser platform. The same code runs in Chromium in
// apps/interop-browser.

import { connect, type NatsConnection } from "@nats-io/transport-node";
import { testStore } from "@natsbridge/core/testing";
import { freePort, type NginxDav, startNginxDav } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createBridge, httpStore } from "../src/browser.js";
import { browserPlatform } from "../src/platform/browser.js";

testStore({
  name: "http, browser variant (fetch, nginx WebDAV with CORS)",
  capabilities: ["owns", "delete"],
  create: async () => {
    const server = await startNginxDav({ cors: true });
    return { store: httpStore({ baseUrl: `${server.url}/natsbridge` }), cleanup: () => server.dispose() };
  },
  failing: async () => {
    const base = `http://127.0.0.1:${await freePort()}/natsbridge`;
    return { store: httpStore({ baseUrl: base, timeout: 5000 }), url: `${base}/gone/blob.bin` };
  },
});

describe("browser platform against real servers", () => {
  let nginx: NginxDav;
  let nc: NatsConnection;
  beforeAll(async () => {
    nginx = await startNginxDav({ cors: true });
    nc = await connect({ servers: inject("natsUrl") });
  });
  afterAll(async () => {
    await nc?.drain();
    await nginx?.dispose();
  });

  it("httpGet streams the body, and reports a redirect instead of following it", async () => {
    const store = httpStore({ baseUrl: nginx.url });
    const bytes = new Uint8Array(300_000).map((_, i) => i % 251);
    const { url } = await store.put({
      dataname: "a.bin",
      payloadType: "binary",
      body: bytes,
      size: bytes.byteLength,
      correlationId: "c",
      msgId: "m",
      payloadId: "p1",
    });
    const res = await browserPlatform.httpGet(url, { signal: new AbortController().signal, headers: { "user-agent": "x" } });
    expect(res.status).toBe(200);
    expect(res.headers["content-length"]).toBe(String(bytes.byteLength));
    let n = 0;
    for await (const chunk of res.body) n += chunk.byteLength;
    expect(n).toBe(bytes.byteLength);
    // nginx answers a directory without its slash with a 301 to the slashed URL.
    const dir = await browserPlatform.httpGet(`${nginx.url}/p1`, { signal: new AbortController().signal });
    expect(dir.status).toBeGreaterThanOrEqual(300);
    expect(dir.status).toBeLessThan(400);
    await dir.dump();
  });

  it("a link payload goes up with the browser store and comes back verified (sha256 from the small hash)", async () => {
    const bridge = createBridge({ connection: nc, fileserverUrl: nginx.url });
    const store = httpStore({ baseUrl: nginx.url });
    const big = new Uint8Array(2_000_000).map((_, i) => (i * 7) % 256);
    const sub = await bridge.subscribe("browser.platform.link");
    const [env] = await bridge.smartsend(
      "browser.platform.link",
      [
        ["msg", "hi", "text"],
        ["big", big, "binary"],
        ["streamed", new Blob([big.subarray(0, 100_000)]), "binary"],
      ],
      { store, sizeThreshold: 1000 },
    );
    expect(env.payloads.map((p) => p.transport)).toEqual(["direct", "link", "link"]);
    expect(env.payloads[2]!.metadata?.sha256).toMatch(/^[0-9a-f]{64}$/);
    for await (const received of sub) {
      expect(received.payloads[0]).toEqual(["msg", "hi", "text"]);
      expect(sameBytes(received.payloads[1]![1] as Uint8Array, big)).toBe(true);
      expect(sameBytes(received.payloads[2]![1] as Uint8Array, big.subarray(0, 100_000))).toBe(true);
      break;
    }
    sub.unsubscribe();
  });
});

// toEqual walks a large byte array element by element, slowly; this does not.
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}
