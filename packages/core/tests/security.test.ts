// The receive path's defences, without network: the link-URL allowlist (no
// request to loopback, metadata or any other unlisted host, in every spelling
// the URL parser accepts), and size limits enforced before memory is
// allocated for the envelope or the download.

import { NatsBridge, type NatsBridgeError } from "@natsbridge/core";
import { buildLinkPolicy, checkLinkUrl } from "@natsbridge/core/store";
import { describe, expect, it, vi } from "vitest";
import { offlinePlatform } from "./offline-platform.js";

const FILE_SERVER = "http://files.example:8080";

/** A platform whose HTTP layer records requests and answers with a declared length and a body. */
function recordingPlatform(answer: { contentLength?: string; body?: Uint8Array } = {}) {
  const requests: string[] = [];
  let bodyRead = false;
  const platform = offlinePlatform(async (url) => {
    requests.push(url);
    return {
      status: 200,
      headers: answer.contentLength === undefined ? {} : { "content-length": answer.contentLength },
      body: (async function* () {
        bodyRead = true;
        if (answer.body) yield answer.body;
      })(),
      dump: async () => undefined,
    };
  });
  return { platform, requests, bodyRead: () => bodyRead };
}

const linkEnvelope = (url: string, size = 10) =>
  JSON.stringify({
    correlation_id: "sec-1",
    msg_id: "m1",
    payloads: [{ id: "p", dataname: "x", payload_type: "binary", transport: "link", encoding: "none", size, data: url, metadata: {} }],
  });

// Loopback, unspecified, private and metadata hosts in the spellings WHATWG URL normalizes.
const INTERNAL = [
  "http://127.0.0.1/x",
  "http://127.1/x",
  "http://2130706433/x",
  "http://0x7f000001/x",
  "http://017700000001/x",
  "http://localhost/x",
  "http://LOCALHOST./x",
  "http://[::1]/x",
  "http://[::ffff:127.0.0.1]/x",
  "http://0.0.0.0/x",
  "http://0/x",
  "http://10.0.0.5/x",
  "http://192.168.1.1/x",
  "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
  "http://2852039166/latest/meta-data/",
  "http://[fd00:ec2::254]/latest/meta-data/",
  "http://metadata.google.internal/computeMetadata/v1/",
  "http://files.example:8080@169.254.169.254/x",
  "http://files.example:8081/x",
  "https://files.example:8080/x",
];
const METADATA = [
  "http://169.254.169.254/latest/meta-data/",
  "http://2852039166/latest/meta-data/",
  "http://0xa9fea9fe/",
  "http://[fe80::1]/",
  "http://[::ffff:169.254.169.254]/",
  "http://[fd00:ec2::254]/latest/meta-data/",
  "http://metadata.google.internal/computeMetadata/v1/",
  "http://metadata.google.internal./computeMetadata/v1/",
  "http://100.100.100.200/latest/meta-data/",
];

describe("link URL allowlist (SSRF)", () => {
  const policy = buildLinkPolicy([FILE_SERVER]);

  it.each(INTERNAL)("the default policy refuses %s", (url) => {
    expect(() => checkLinkUrl(url, policy)).toThrow(expect.objectContaining({ code: "URL_NOT_ALLOWED" }));
  });

  it("the default policy allows the file server's own origin only", () => {
    expect(checkLinkUrl(`${FILE_SERVER}/blobs/a.bin`, policy).href).toBe(`${FILE_SERVER}/blobs/a.bin`);
  });

  it.each(METADATA)("allowAnyHost still refuses the metadata/link-local address %s", (url) => {
    expect(() => checkLinkUrl(url, buildLinkPolicy([FILE_SERVER], true))).toThrow(expect.objectContaining({ code: "URL_NOT_ALLOWED" }));
  });

  it("a metadata address listed explicitly is allowed (the operator's choice)", () => {
    expect(() => checkLinkUrl("http://169.254.169.254/x", buildLinkPolicy(["http://169.254.169.254"], true))).not.toThrow();
  });

  it("non-http schemes are refused under any policy", () => {
    for (const url of [
      "file:///etc/passwd",
      "ftp://files.example/x",
      "gopher://127.0.0.1:25/",
      "data:text/plain,hi",
      "javascript:alert(1)",
    ]) {
      expect(() => checkLinkUrl(url, buildLinkPolicy([FILE_SERVER], true)), url).toThrow(
        expect.objectContaining({ code: "URL_NOT_ALLOWED" }),
      );
    }
  });

  it("smartreceive never sends a request for a refused link (buffered or streamed)", async () => {
    const { platform, requests } = recordingPlatform();
    const bridge = new NatsBridge(platform, { fileserverUrl: FILE_SERVER });
    for (const url of [...INTERNAL, ...METADATA]) {
      for (const stream of [false, true]) {
        const error = await bridge.smartreceive(linkEnvelope(url), { stream }).catch((e: NatsBridgeError) => e);
        expect(error, url).toMatchObject({ code: "URL_NOT_ALLOWED", correlationId: "sec-1" });
      }
    }
    expect(requests).toEqual([]);
  });

  it("a loopback file server is one origin in all its spellings (localhost, 127.0.0.1, ::1), on its own scheme and port only", () => {
    for (const allowed of ["http://localhost:8080", "http://127.0.0.1:8080", "http://[::1]:8080"]) {
      const loopback = buildLinkPolicy([allowed]);
      for (const url of ["http://localhost:8080/a", "http://127.0.0.1:8080/a", "http://[::1]:8080/a", "http://LOCALHOST:8080/a"]) {
        expect(checkLinkUrl(url, loopback).href, `${url} under ${allowed}`).toBe(new URL(url).href);
      }
      for (const url of [
        "http://127.0.0.1:8081/a",
        "https://127.0.0.1:8080/a",
        "http://127.0.0.2:8080/a",
        "http://0.0.0.0:8080/a",
        "http://localhost.evil.example:8080/a",
      ]) {
        expect(() => checkLinkUrl(url, loopback), `${url} under ${allowed}`).toThrow(expect.objectContaining({ code: "URL_NOT_ALLOWED" }));
      }
    }
  });

  it("the default receiver (file server http://localhost:8080) takes links its local file server hands out as 127.0.0.1", async () => {
    const { platform, requests } = recordingPlatform({ body: new Uint8Array(10), contentLength: "10" });
    const env = await new NatsBridge(platform).smartreceive(linkEnvelope("http://127.0.0.1:8080/blobs/a.bin"));
    expect(env.payloads[0]![1]).toEqual(new Uint8Array(10));
    expect(requests).toEqual(["http://127.0.0.1:8080/blobs/a.bin"]);
  });

  it("the refusal says which receiver option allows the origin", async () => {
    const error = (await new NatsBridge(recordingPlatform().platform)
      .smartreceive(linkEnvelope("http://files.partner:9000/x"))
      .catch((e) => e)) as NatsBridgeError;
    expect(error).toMatchObject({ code: "URL_NOT_ALLOWED", details: { origin: "http://files.partner:9000", option: "allowedOrigins" } });
    expect(error.message).toContain('allowedOrigins: ["http://files.partner:9000"]');
  });

  it("the refusal names the origin, never the query string", async () => {
    const bridge = new NatsBridge(recordingPlatform().platform, { fileserverUrl: FILE_SERVER });
    const error = (await bridge.smartreceive(linkEnvelope("http://evil.example/x?token=abc123")).catch((e) => e)) as NatsBridgeError;
    expect(JSON.stringify(error) + error.message).not.toContain("abc123");
  });
});

describe("size limits before allocation", () => {
  it("an envelope over maxEnvelopeBytes is refused before it is parsed", async () => {
    const bridge = new NatsBridge(recordingPlatform().platform);
    const parse = vi.spyOn(JSON, "parse");
    try {
      const big = linkEnvelope(`${FILE_SERVER}/x`).padEnd(2_000_000, " ");
      await expect(bridge.smartreceive(big, { maxEnvelopeBytes: 1_000_000 })).rejects.toMatchObject({ code: "INVALID_ENVELOPE" });
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  it("a declared Content-Length over maxDownloadBytes is refused before any buffer is made or body read", async () => {
    // 3 GiB: under the 4 GiB default, so only the configured limit stands between it and a buffer.
    const { platform, bodyRead } = recordingPlatform({ contentLength: String(3 * 1024 ** 3) });
    const bridge = new NatsBridge(platform, { fileserverUrl: FILE_SERVER });
    const before = process.memoryUsage().arrayBuffers;
    await expect(bridge.smartreceive(linkEnvelope(`${FILE_SERVER}/x`), { maxDownloadBytes: 1024 ** 2 })).rejects.toMatchObject({
      code: "SIZE_LIMIT_EXCEEDED",
      details: { declared: 3 * 1024 ** 3, limit: 1024 ** 2 },
    });
    expect(bodyRead()).toBe(false);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 ** 2);
  });

  it("a body that runs past maxDownloadBytes without a length is cut off as it arrives", async () => {
    const { platform } = recordingPlatform({ body: new Uint8Array(2 * 1024 ** 2) });
    const bridge = new NatsBridge(platform, { fileserverUrl: FILE_SERVER });
    await expect(bridge.smartreceive(linkEnvelope(`${FILE_SERVER}/x`), { maxDownloadBytes: 1024 ** 2 })).rejects.toMatchObject({
      code: "SIZE_LIMIT_EXCEEDED",
    });
  });

  it("a huge declared payload size allocates nothing: the real bytes decide, and the mismatch is SIZE_MISMATCH", async () => {
    const { platform } = recordingPlatform({ contentLength: "3", body: Uint8Array.of(1, 2, 3) });
    const bridge = new NatsBridge(platform, { fileserverUrl: FILE_SERVER });
    await expect(bridge.smartreceive(linkEnvelope(`${FILE_SERVER}/x`, Number.MAX_SAFE_INTEGER))).rejects.toMatchObject({
      code: "SIZE_MISMATCH",
    });
  });
});
