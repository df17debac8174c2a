// Unit tests of the streaming download: resumption after a broken body (Range
// honoured or ignored), stalled bodies, and Plik's error redirects, with a fake
// HTTP layer. Real-server behaviour is in link.integration.test.ts.
import { describe, expect, it } from "vitest";
import { downloadStream, downloadWithBackoff } from "../src/download.js";
import { offlinePlatform } from "./offline-platform.js";

interface Step {
  status: number;
  headers?: Record<string, string>;
  chunks?: Uint8Array[];
  /** Throw after yielding the chunks (a dropped connection). */
  breakAfter?: boolean;
  /** Hang after the chunks (a stalled server). */
  stall?: boolean;
}

function fake(steps: Step[]) {
  const requests: Record<string, string>[] = [];
  const platform = offlinePlatform(async (_url, { headers, signal }) => {
    requests.push(headers ?? {});
    const step = steps[Math.min(requests.length - 1, steps.length - 1)]!;
    return {
      status: step.status,
      headers: step.headers ?? {},
      body: (async function* () {
        for (const c of step.chunks ?? []) yield c;
        if (step.breakAfter) throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        if (step.stall) await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
      })(),
      dump: async () => {},
    };
  });
  return { platform, requests };
}

const opts = { maxRetries: 5, baseDelay: 1, maxDelay: 2, attemptTimeout: 200, maxBytes: 1 << 20, sleep: async () => {} };
const b = (...xs: number[]) => Uint8Array.from(xs);
async function collect(it: AsyncIterable<Uint8Array>) {
  const out: number[] = [];
  for await (const c of it) out.push(...c);
  return out;
}

describe("downloadStream", () => {
  it("resumes with a Range request after the body breaks, and delivers every byte once", async () => {
    const { platform, requests } = fake([
      { status: 200, headers: { "content-length": "6" }, chunks: [b(1, 2), b(3)], breakAfter: true },
      { status: 206, headers: { "content-range": "bytes 3-5/6" }, chunks: [b(4, 5, 6)] },
    ]);
    expect(await collect(downloadStream(platform, "http://h/x", opts))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(requests[0]!.range).toBeUndefined();
    expect(requests[1]!.range).toBe("bytes=3-");
    expect(requests[0]!["user-agent"]).toBe("natsbridge-js");
  });

  it("skips the bytes already delivered when the server ignores Range", async () => {
    const { platform } = fake([
      { status: 200, headers: { "content-length": "6" }, chunks: [b(1, 2, 3, 4)], breakAfter: true },
      { status: 200, headers: { "content-length": "6" }, chunks: [b(1, 2), b(3, 4, 5), b(6)] },
    ]);
    expect(await collect(downloadStream(platform, "http://h/x", opts))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("retries a truncated body (fewer bytes than Content-Length) in buffered mode too", async () => {
    const { platform } = fake([
      { status: 200, headers: { "content-length": "4" }, chunks: [b(1, 2)] },
      { status: 206, headers: { "content-range": "bytes 2-3/4" }, chunks: [b(3, 4)] },
    ]);
    expect([...(await downloadWithBackoff(platform, "http://h/x", opts))]).toEqual([1, 2, 3, 4]);
  });

  it("a stalled body is cut off after attemptTimeout and retried", async () => {
    const { platform, requests } = fake([
      { status: 200, headers: { "content-length": "2" }, chunks: [b(1)], stall: true },
      { status: 206, headers: { "content-range": "bytes 1-1/2" }, chunks: [b(2)] },
    ]);
    expect(await collect(downloadStream(platform, "http://h/x", { ...opts, attemptTimeout: 50 }))).toEqual([1, 2]);
    expect(requests).toHaveLength(2);
  });

  it("reads Plik's error redirect (301 to /#/?err=…&errcode=404) as a 404 and does not retry it", async () => {
    const { platform, requests } = fake([{ status: 301, headers: { location: "/#/?err=file not found&errcode=404&uri=/file/a/b/c" } }]);
    await expect(collect(downloadStream(platform, "http://h/file/a/b/c", opts))).rejects.toMatchObject({
      code: "DOWNLOAD_FAILED",
      details: { attempts: 1, status: 404 },
    });
    expect(requests).toHaveLength(1);
  });

  it("sends caller headers (e.g. Authorization) and lets them replace the User-Agent", async () => {
    const { platform, requests } = fake([{ status: 200, chunks: [b(1)] }]);
    await collect(downloadStream(platform, "http://h/x", { ...opts, headers: { Authorization: "Bearer t", "User-Agent": "mine" } }));
    expect(requests[0]).toMatchObject({ authorization: "Bearer t", "user-agent": "mine" });
  });

  it("stopping early releases the connection and makes no further requests", async () => {
    const { platform, requests } = fake([{ status: 200, chunks: [b(1), b(2), b(3)] }]);
    for await (const _ of downloadStream(platform, "http://h/x", opts)) break;
    expect(requests).toHaveLength(1);
  });
});
