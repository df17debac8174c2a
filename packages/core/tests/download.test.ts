// Unit tests of the retry schedule and URL policy with a fake HTTP layer; the
// real-server behaviour is covered by the integration tests.

import type { Platform } from "@natsbridge/core";
import { backoffDelay, buildLinkPolicy, checkLinkUrl } from "@natsbridge/core/store";
import { describe, expect, it } from "vitest";
import { downloadWithBackoff } from "../src/download.js";
import { offlinePlatform } from "./offline-platform.js";

type Reply = number | "refused" | Uint8Array | { status: number; body: string };

function fakePlatform(replies: Reply[]): Platform & { calls: number } {
  const p: Platform & { calls: number } = Object.assign(
    offlinePlatform(async () => {
      const r = replies[Math.min(p.calls++, replies.length - 1)]!;
      if (r === "refused") throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      const body = r instanceof Uint8Array ? r : typeof r === "object" ? new TextEncoder().encode(r.body) : new Uint8Array();
      return {
        status: r instanceof Uint8Array ? 200 : typeof r === "object" ? r.status : r,
        headers: { "content-length": String(body.byteLength) },
        body: (async function* () {
          yield body;
        })(),
        dump: async () => {},
      };
    }),
    { calls: 0 },
  );
  return p;
}

const opts = (sleeps: number[]) => ({
  maxRetries: 5,
  baseDelay: 100,
  maxDelay: 5000,
  attemptTimeout: 1000,
  maxBytes: 1 << 20,
  correlationId: "c1",
  sleep: async (ms: number) => void sleeps.push(ms),
  random: () => 0,
});

describe("downloadWithBackoff", () => {
  it("retries 5xx and refused connections on the references' schedule, then succeeds", async () => {
    const sleeps: number[] = [];
    const p = fakePlatform(["refused", 503, 500, Uint8Array.from([1, 2, 3])]);
    expect(await downloadWithBackoff(p, "http://h/x", opts(sleeps))).toEqual(Uint8Array.from([1, 2, 3]));
    expect(p.calls).toBe(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it("gives DOWNLOAD_FAILED with url, attempts and correlation id after maxRetries", async () => {
    const sleeps: number[] = [];
    const p = fakePlatform([503]);
    const error = await downloadWithBackoff(p, "http://h/x?X-Amz-Signature=secret", opts(sleeps)).catch((e) => e);
    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED", correlationId: "c1", details: { attempts: 5 } });
    expect(error.details.url).toBe("http://h/x?<redacted>");
    expect(JSON.stringify(error)).not.toContain("secret");
    expect(sleeps).toEqual([100, 200, 400, 800]);
  });

  it("names the file server's reason from an S3-style or JSON error body, and nothing else from it", async () => {
    const xml =
      '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message>' +
      "<X-Amz-Expires>1</X-Amz-Expires><StringToSign>secret-ish</StringToSign></Error>";
    const e1 = await downloadWithBackoff(fakePlatform([{ status: 403, body: xml }]), "http://h/x", opts([])).catch((e) => e);
    expect(e1.message).toContain("HTTP 403 (AccessDenied: Request has expired)");
    expect(JSON.stringify(e1)).not.toContain("secret-ish");
    const e2 = await downloadWithBackoff(
      fakePlatform([{ status: 410, body: '{"message":"gone for good"}' }]),
      "http://h/x",
      opts([]),
    ).catch((e) => e);
    expect(e2.message).toContain("HTTP 410 (gone for good)");
    const e3 = await downloadWithBackoff(
      fakePlatform([{ status: 404, body: "<html>echo of /x?token=abc</html>" }]),
      "http://h/x",
      opts([]),
    ).catch((e) => e);
    expect(e3.message).toMatch(/HTTP 404: |HTTP 404$/);
    expect(JSON.stringify(e3)).not.toContain("token=abc");
  });

  it("does not retry a 404", async () => {
    const p = fakePlatform([404]);
    await expect(downloadWithBackoff(p, "http://h/x", opts([]))).rejects.toMatchObject({
      code: "DOWNLOAD_FAILED",
      details: { attempts: 1 },
    });
    expect(p.calls).toBe(1);
  });

  it("caps delays at maxDelay and adds bounded jitter", async () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, 100, 5000))).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    const sleeps: number[] = [];
    const p = fakePlatform([503]);
    await downloadWithBackoff(p, "http://h/x", { ...opts(sleeps), random: () => 0.999, maxRetries: 3 }).catch(() => undefined);
    expect(sleeps[0]).toBeGreaterThan(100);
    expect(sleeps[0]).toBeLessThanOrEqual(120);
  });

  it("refuses bodies over maxBytes without retrying", async () => {
    const p = fakePlatform([new Uint8Array(100)]);
    await expect(downloadWithBackoff(p, "http://h/x", { ...opts([]), maxBytes: 10 })).rejects.toMatchObject({
      code: "SIZE_LIMIT_EXCEEDED",
    });
    expect(p.calls).toBe(1);
  });
});

describe("link URL policy", () => {
  const policy = buildLinkPolicy(["http://files.local:8080", "https://bucket.s3.example.com"]);
  it("allows the configured origins", () => {
    expect(checkLinkUrl("http://files.local:8080/file/a/b/c", policy).pathname).toBe("/file/a/b/c");
    expect(checkLinkUrl("https://bucket.s3.example.com/k?sig=1", policy).host).toBe("bucket.s3.example.com");
  });
  it.each([
    "file:///etc/passwd",
    "ftp://files.local:8080/x",
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:8080/x",
    "http://files.local:9090/x",
    "not a url",
    "javascript:alert(1)",
  ])("refuses %s with URL_NOT_ALLOWED", (url) => {
    expect(() => checkLinkUrl(url, policy, "c")).toThrow(expect.objectContaining({ code: "URL_NOT_ALLOWED", correlationId: "c" }));
  });
  it("allowAnyHost still refuses non-http schemes", () => {
    const any = buildLinkPolicy([], true);
    expect(checkLinkUrl("http://anything:1/x", any).port).toBe("1");
    expect(() => checkLinkUrl("file:///x", any)).toThrow(expect.objectContaining({ code: "URL_NOT_ALLOWED" }));
  });
});
