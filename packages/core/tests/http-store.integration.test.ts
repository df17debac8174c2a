// The HTTP store against a real nginx (WebDAV PUT/DELETE): the shared store
// conformance suite, with and without an Authorization header on writes.
import { type AddressInfo, createServer, type Socket } from "node:net";
import { DEFAULT_UPLOAD_TIMEOUT, httpStore } from "@natsbridge/core";
import { testStore } from "@natsbridge/core/testing";
import { freePort, type NginxDav, startNginxDav } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

testStore({
  name: "http (nginx WebDAV)",
  capabilities: ["owns", "delete"],
  create: async () => {
    const server = await startNginxDav();
    return { store: httpStore({ baseUrl: `${server.url}/natsbridge` }), cleanup: () => server.dispose() };
  },
  // Nothing listens on a free port: every request is refused.
  failing: async () => {
    const base = `http://127.0.0.1:${await freePort()}/natsbridge`;
    return { store: httpStore({ baseUrl: base, timeout: 5000 }), url: `${base}/gone/blob.bin` };
  },
});

const TOKEN = "Bearer conformance-token";

testStore({
  name: "http with Authorization on writes (nginx WebDAV)",
  capabilities: ["owns", "delete"],
  create: async () => {
    const server = await startNginxDav({ authorization: TOKEN });
    return { store: httpStore({ baseUrl: server.url, headers: { authorization: TOKEN } }), cleanup: () => server.dispose() };
  },
});

describe("http store auth", () => {
  let server: NginxDav;
  beforeAll(async () => {
    server = await startNginxDav({ authorization: TOKEN });
  });
  afterAll(() => server.dispose());

  const put = (store: ReturnType<typeof httpStore>) =>
    store.put({
      dataname: "x.bin",
      payloadType: "binary",
      body: new Uint8Array(10),
      size: 10,
      correlationId: "c-auth",
      msgId: "m",
      payloadId: `p-${Math.random()}`,
    });

  it("an upload without the token is refused with UPLOAD_FAILED naming status 401", async () => {
    await expect(put(httpStore({ baseUrl: server.url }))).rejects.toMatchObject({
      code: "UPLOAD_FAILED",
      correlationId: "c-auth",
      details: { status: 401 },
    });
  });

  it("a wrong token is refused, the right one (from a function) accepted", async () => {
    await expect(put(httpStore({ baseUrl: server.url, headers: { authorization: "Bearer wrong" } }))).rejects.toMatchObject({
      code: "UPLOAD_FAILED",
    });
    const { url } = await put(httpStore({ baseUrl: server.url, headers: async () => ({ authorization: TOKEN }) }));
    expect(url.startsWith(server.url)).toBe(true);
  });

  it("an upload error names the URL without its query string (which may hold a credential)", async () => {
    const keyFor = () => "blob?sig=secret-signature";
    const error = await put(httpStore({ baseUrl: server.url, keyFor })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UPLOAD_FAILED" });
    expect((error as Error).message).toContain("?<redacted>");
    expect(JSON.stringify(error) + (error as Error).message).not.toContain("secret-signature");
  });

  it("the token never appears in the URL receivers get", async () => {
    const { url } = await put(httpStore({ baseUrl: server.url, headers: { authorization: TOKEN } }));
    expect(url).not.toContain("conformance-token");
  });
});

describe("http store failures say what happened, briefly, and fast", () => {
  const request = (size: number) => ({
    dataname: "x.bin",
    payloadType: "binary",
    body: new Uint8Array(size),
    size,
    correlationId: "c-fail",
    msgId: "m",
    payloadId: `p-${Math.random()}`,
  });

  it("nginx's 413 page becomes one line naming the status and what to change, not the HTML", async () => {
    // A location with nginx's usual 1 MB-style limit, here 1 KB.
    const server = await startNginxDav({
      extraServerConfig: "location /small/ { client_max_body_size 1k; dav_methods PUT; create_full_put_path on; }",
    });
    try {
      const error = (await httpStore({ baseUrl: `${server.url}/small` })
        .put(request(64 * 1024))
        .catch((e) => e)) as Error;
      expect(error).toMatchObject({ code: "UPLOAD_FAILED", details: { status: 413 } });
      expect(error.message).toMatch(
        /answered HTTP 413: 413 Request Entity Too Large \(the file server's body size limit: for nginx, raise client_max_body_size\)$/,
      );
      expect(error.message).not.toMatch(/<|nginx\//);
    } finally {
      await server.dispose();
    }
  });

  it("a file server that takes the connection and never answers: UPLOAD_FAILED after `timeout`, not minutes", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = performance.now();
      const error = await httpStore({ baseUrl: `http://127.0.0.1:${port}`, timeout: 300 })
        .put(request(10))
        .catch((e) => e);
      expect(error).toMatchObject({ code: "UPLOAD_FAILED", details: { timeout: 300 } });
      expect((error as Error).message).toMatch(/no answer for 300 ms/);
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it("the default upload timeout is one minute", () => {
    expect(DEFAULT_UPLOAD_TIMEOUT).toBe(60_000);
  });
});
