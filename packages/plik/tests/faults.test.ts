// Plik faults, against the Plik-compatible test server of @natsbridge/test-harness
// (its failWith answers every request with an error status, which a real plikd
// cannot be made to do): tests of our side of the protocol. The same situations run against
// real servers for nginx (packages/core/tests/faults.integration.test.ts) and
// versitygw (packages/s3/tests/faults.integration.test.ts).

import { createBridge, type Logger, type NatsBridgeError, type PayloadTuple } from "@natsbridge/core";
import { pattern } from "@natsbridge/core/testing";
import { plikReceiveOptions, plikStore } from "@natsbridge/plik";
import { type PlikCompatibleServer, startPlikCompatible } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let plik: PlikCompatibleServer;
beforeAll(async () => {
  plik = await startPlikCompatible({ tokens: ["user-token-never-logged"], requireToken: true, defaultTtl: 3600, maxTtl: 86400 });
});
afterAll(() => plik?.close());

/** A logger at debug level that keeps every line as JSON (what pino would write). */
function recordingLogger(lines: string[], bindings: Record<string, unknown> = {}): Logger {
  const log = (obj: object, msg?: string) => void lines.push(JSON.stringify({ ...bindings, ...obj, msg }));
  return {
    debug: log,
    info: log,
    warn: log,
    error: log,
    child: (b) => recordingLogger(lines, { ...bindings, ...b }),
    isLevelEnabled: () => true,
  };
}

const bridgeFor = (token: string | undefined, logger?: Logger) =>
  createBridge({
    fileserverUrl: plik.url,
    store: plikStore({ url: plik.url, oneShot: false, ttl: 600, ...(token ? { token } : {}) }),
    ...plikReceiveOptions,
    ...(logger ? { logger } : {}),
  });
const big = (): PayloadTuple[] => [["big", pattern(600_000), "binary"]];

describe("Plik faults (Plik-compatible test server)", () => {
  it("user-token uploads: the token is required, sent as X-PlikToken, and the TTL is requested", async () => {
    await expect(bridgeFor(undefined).smartsend("s", big(), { isPublish: false })).rejects.toMatchObject({ code: "UPLOAD_FAILED" });
    const [env] = await bridgeFor("user-token-never-logged").smartsend("s", big(), { isPublish: false });
    expect(env.payloads[0]!.transport).toBe("link");
    expect([...plik.uploads.values()].at(-1)).toMatchObject({ token: "user-token-never-logged" });
  });

  it("failing at send: UPLOAD_FAILED", async () => {
    plik.failWith = 503;
    try {
      await expect(bridgeFor("user-token-never-logged").smartsend("s", big(), { isPublish: false })).rejects.toMatchObject({
        code: "UPLOAD_FAILED",
        dataname: "big",
      });
    } finally {
      plik.failWith = undefined;
    }
  });

  it("failing at receive, recovered within the retry window: success; failing for good: DOWNLOAD_FAILED after maxRetries", async () => {
    const bridge = bridgeFor("user-token-never-logged");
    const [, json] = await bridge.smartsend("s", big(), { isPublish: false });
    plik.failWith = 503;
    const env = await bridge.smartreceive(json, {
      baseDelay: 10,
      onDownloadRetry: () => {
        plik.failWith = undefined;
      },
    });
    expect(env.payloads[0]![1]).toEqual(pattern(600_000));

    plik.failWith = 503;
    const attempts: number[] = [];
    try {
      const error = (await bridge
        .smartreceive(json, { maxRetries: 3, baseDelay: 10, onDownloadRetry: (r) => void attempts.push(r.attempt) })
        .catch((e: unknown) => e)) as NatsBridgeError;
      expect(error).toMatchObject({ code: "DOWNLOAD_FAILED", details: { attempts: 3, status: 503 } });
    } finally {
      plik.failWith = undefined;
    }
    expect(attempts).toEqual([1, 2]);
  });

  it("the user token and upload tokens never reach the logs", async () => {
    const lines: string[] = [];
    const bridge = bridgeFor("user-token-never-logged", recordingLogger(lines));
    const [, json] = await bridge.smartsend("s", big(), { isPublish: false });
    await bridge.smartreceive(json);
    const uploadTokens = [...plik.uploads.values()].map((u) => (u as { uploadToken?: string }).uploadToken).filter(Boolean) as string[];
    expect(lines.length).toBeGreaterThan(3);
    const all = lines.join("");
    expect(all).not.toContain("user-token-never-logged");
    for (const t of uploadTokens) expect(all).not.toContain(t);
  });
});
