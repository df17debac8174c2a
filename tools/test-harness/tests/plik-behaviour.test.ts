// One test per behaviour in ../shared/reference/plik-behaviour.md (what a real
// plikd answered, status codes and bodies included), run against the
// Plik-compatible test server always, and against a real plikd as well when
// PLIKD_BIN points at one. A difference between the two fails here.

import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PLIK_COMPATIBLE_KIND, type PlikServerOptions, startPlik, startPlikCompatible } from "../src/index.js";

interface Server {
  url: string;
  token?: string;
  dispose(): Promise<void>;
}

const servers: [string, (o: PlikServerOptions) => Promise<Server>][] = [[PLIK_COMPATIBLE_KIND, (o) => startPlikCompatible(o)]];
if (process.env.PLIKD_BIN) servers.push(["real plikd", (o) => startPlik(o)]);

const CLI = { "user-agent": "curl/8.14.1" };
const BROWSER = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0" };
const MAX_TTL = 86_400;
const MAX_FILE = 1_000_000;

describe.each(servers)("%s", (_kind, start) => {
  let plik: Server;
  let locked: Server;
  beforeAll(async () => {
    [plik, locked] = await Promise.all([
      start({ defaultTtl: 600, maxTtl: MAX_TTL, maxFileSize: MAX_FILE }),
      start({ requireToken: true, defaultTtl: 600, maxTtl: MAX_TTL }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plik?.dispose(), locked?.dispose()]);
  });

  const createUpload = (body: string | undefined, headers: Record<string, string> = {}, server = plik) =>
    fetch(`${server.url}/upload`, { method: "POST", headers: { ...CLI, ...headers }, ...(body !== undefined ? { body } : {}) });

  async function newUpload(params: Record<string, unknown>, server = plik, headers: Record<string, string> = {}) {
    const res = await createUpload(JSON.stringify(params), headers, server);
    expect(res.status, await res.clone().text()).toBe(200);
    return JSON.parse(await res.text()) as { id: string; uploadToken: string; ttl: number; oneShot: boolean };
  }

  const addFile = (uploadId: string, data: Uint8Array<ArrayBuffer>, name: string, uploadToken?: string, server = plik) => {
    const form = new FormData();
    form.append("file", new Blob([data]), name);
    return fetch(`${server.url}/file/${uploadId}`, {
      method: "POST",
      headers: { ...CLI, ...(uploadToken ? { "x-uploadtoken": uploadToken } : {}) },
      body: form,
    });
  };

  async function uploadedFile(params: Record<string, unknown>, data = new Uint8Array([1, 2, 3, 250]), name = "data.bin") {
    const upload = await newUpload(params);
    const res = await addFile(upload.id, data, name, upload.uploadToken);
    expect(res.status).toBe(200);
    const file = JSON.parse(await res.text()) as { id: string };
    return { upload, file, url: `${plik.url}/file/${upload.id}/${file.id}/${name}`, data };
  }

  const get = (url: string, headers: Record<string, string> = CLI, method = "GET") => fetch(url, { method, headers, redirect: "manual" });

  describe("upload flow", () => {
    it("POST /upload {OneShot:true}: 200, a JSON upload sent as text/plain", async () => {
      const res = await createUpload(JSON.stringify({ OneShot: true }));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      const upload = JSON.parse(await res.text());
      expect(upload.id).toMatch(/^[A-Za-z0-9]{16}$/);
      expect(upload.uploadToken).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(upload).toMatchObject({ oneShot: true, ttl: 600, files: null });
      expect(Date.parse(upload.expireAt)).toBeGreaterThan(Date.now());
    });

    it("POST /upload with an empty body: 200 with the defaults", async () => {
      const res = await createUpload(undefined);
      expect(res.status).toBe(200);
      expect(JSON.parse(await res.text())).toMatchObject({ ttl: 600, oneShot: false });
    });

    it("POST /upload {bad: 400 unable to deserialize request body", async () => {
      const res = await createUpload("{bad");
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/^unable to deserialize request body : /);
    });

    it("POST /upload with a TTL over MaxTTL: 400 invalid TTL", async () => {
      const res = await createUpload(JSON.stringify({ ttl: MAX_TTL + 1 }));
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(`unable to create upload : invalid TTL. (maximum allowed is : ${MAX_TTL})`);
    });

    it("POST /upload with an infinite TTL while MaxTTL > 0: 400 cannot set infinite TTL", async () => {
      const res = await createUpload(JSON.stringify({ ttl: -1 }));
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("cannot set infinite TTL");
    });

    it("POST /file/{id} with X-UploadToken: 200, a JSON file sent as text/plain", async () => {
      const upload = await newUpload({});
      const data = new TextEncoder().encode("hello plik");
      const res = await addFile(upload.id, data, "hello.txt", upload.uploadToken);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      const file = JSON.parse(await res.text());
      expect(file).toMatchObject({
        fileName: "hello.txt",
        status: "uploaded",
        fileSize: data.byteLength,
        fileMd5: createHash("md5").update(data).digest("hex"),
      });
      expect(file.id).toMatch(/^[A-Za-z0-9]+$/);
      expect(typeof file.fileType).toBe("string");
    });

    it("POST /file/{id} without X-UploadToken, or with a wrong one: 403", async () => {
      const upload = await newUpload({});
      for (const token of [undefined, "wrong-token"]) {
        const res = await addFile(upload.id, new Uint8Array([1]), "x.bin", token);
        expect(res.status, String(token)).toBe(403);
        expect(await res.text()).toContain("you are not allowed to add file to this upload");
      }
    });

    it("a file over MaxFileSize: 400 file too big", async () => {
      const upload = await newUpload({});
      const res = await addFile(upload.id, new Uint8Array(MAX_FILE + 1), "big.bin", upload.uploadToken);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("file too big (limit is set to 1.0 MB)");
    });
  });

  describe("downloads", () => {
    it("one-shot, first GET: 200, the same bytes, no-cache headers and a Content-Disposition", async () => {
      const { url, data } = await uploadedFile({ OneShot: true });
      const res = await get(url);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(data);
      expect(res.headers.get("cache-control")).toBe("no-cache, no-store, must-revalidate");
      expect(res.headers.get("pragma")).toBe("no-cache");
      expect(res.headers.get("expires")).toBe("0");
      expect(res.headers.get("content-disposition")).toBe('filename="data.bin"');
    });

    it("one-shot, second GET from a command-line client: 404 not available : deleted", async () => {
      const { url, file } = await uploadedFile({ OneShot: true });
      expect((await get(url)).status).toBe(200);
      const again = await get(url, { "user-agent": "python-urllib/3.13" });
      expect(again.status).toBe(404);
      expect(await again.text()).toContain(`file data.bin (${file.id}) is not available : deleted`);
    });

    it("one-shot, second GET from any other client: 301 to the web app, which answers 405", async () => {
      const { url } = await uploadedFile({ OneShot: true });
      expect((await get(url)).status).toBe(200);
      const again = await get(url, BROWSER);
      expect(again.status).toBe(301);
      const location = again.headers.get("location")!;
      // The message and the URI go into the web app's URL as they are.
      expect(location).toMatch(/^\/#\/\?err=file data\.bin \([A-Za-z0-9]+\) is not available : deleted&errcode=404&uri=\/file\//);
      // Followed (fetch's default), the redirect ends at GET /, refused without a web interface.
      const followed = await fetch(url, { headers: BROWSER });
      expect(followed.status).toBe(405);
    });

    it("HEAD does not use up a one-shot; after the GET, HEAD is 404", async () => {
      const { url, data } = await uploadedFile({ OneShot: true });
      const head = await get(url, CLI, "HEAD");
      expect(head.status).toBe(200);
      const first = await get(url);
      expect(first.status).toBe(200);
      expect(new Uint8Array(await first.arrayBuffer())).toEqual(data);
      expect((await get(url, CLI, "HEAD")).status).toBe(404);
    });

    it("not one-shot, {ttl: 600}: every GET gets the same bytes", async () => {
      const { url, data } = await uploadedFile({ ttl: 600 });
      for (let i = 0; i < 3; i++) {
        const res = await get(url);
        expect(res.status).toBe(200);
        expect(new Uint8Array(await res.arrayBuffer())).toEqual(data);
      }
    });

    it("a wrong file name in the URL: 400 invalid file name", async () => {
      const { upload, file } = await uploadedFile({});
      const res = await get(`${plik.url}/file/${upload.id}/${file.id}/other.bin`);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("invalid file name");
    });

    it("an unknown file id or upload id: 404 not found", async () => {
      const { upload } = await uploadedFile({});
      const noFile = await get(`${plik.url}/file/${upload.id}/AAAAAAAAAAAAAAAA/data.bin`);
      expect(noFile.status).toBe(404);
      expect(await noFile.text()).toContain("file AAAAAAAAAAAAAAAA not found");
      const noUpload = await get(`${plik.url}/file/BBBBBBBBBBBBBBBB/AAAAAAAAAAAAAAAA/data.bin`);
      expect(noUpload.status).toBe(404);
      expect(await noUpload.text()).toContain("upload BBBBBBBBBBBBBBBB not found");
    });

    it("after its TTL has run out: 404 has expired", async () => {
      const { upload, url } = await uploadedFile({ ttl: 2 });
      expect((await get(url)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 3000));
      const res = await get(url);
      expect(res.status).toBe(404);
      expect(await res.text()).toContain(`upload ${upload.id} has expired`);
    });
  });

  describe("delete, health, config", () => {
    it("DELETE /upload/{id} with X-UploadToken: 200 ok; a GET after it: 404 upload not found", async () => {
      const { upload, url } = await uploadedFile({ ttl: 600 });
      const res = await fetch(`${plik.url}/upload/${upload.id}`, {
        method: "DELETE",
        headers: { ...CLI, "x-uploadtoken": upload.uploadToken },
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("ok");
      const after = await get(url);
      expect(after.status).toBe(404);
      expect(await after.text()).toContain(`upload ${upload.id} not found`);
    });

    it("GET /health: 200 ok", async () => {
      const res = await get(`${plik.url}/health`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("ok\n");
    });

    it("GET /config: 200, JSON with maxFileSize, defaultTTL, maxTTL and the feature flags", async () => {
      const res = await get(`${plik.url}/config`);
      expect(res.status).toBe(200);
      const config = JSON.parse(await res.text());
      expect(config).toMatchObject({ maxFileSize: MAX_FILE, defaultTTL: 600, maxTTL: MAX_TTL, feature_authentication: "disabled" });
      expect(config.feature_one_shot).toEqual(expect.any(String));
    });
  });

  describe('FeatureAuthentication = "forced"', () => {
    it("POST /upload with no token: 400 anonymous uploads are disabled", async () => {
      const res = await createUpload("{}", {}, locked);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("unable to create upload : anonymous uploads are disabled");
    });

    it("POST /upload with an unknown X-PlikToken: 403 invalid token", async () => {
      const res = await createUpload("{}", { "x-pliktoken": "00000000-0000-0000-0000-000000000000" }, locked);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("invalid token");
    });

    it("with a valid X-PlikToken: 200; the file upload needs only X-UploadToken; the download needs no auth", async () => {
      const upload = await newUpload({ ttl: 600 }, locked, { "x-pliktoken": locked.token! });
      const data = new Uint8Array([9, 8, 7]);
      const added = await addFile(upload.id, data, "t.bin", upload.uploadToken, locked);
      expect(added.status).toBe(200);
      const file = JSON.parse(await added.text()) as { id: string };
      const res = await get(`${locked.url}/file/${upload.id}/${file.id}/t.bin`);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(data);
    });
  });
});
