// S3 down at send and at receive, for real: a versitygw of this file's own
// (the run's shared one must stay up for the other files) that is stopped and
// started again on the same port and data directory. Down at send →
// UPLOAD_FAILED and nothing published; down at receive and back within the
// retry window → the presigned link downloads; down for good →
// DOWNLOAD_FAILED after exactly the configured attempts, with the backoff
// schedule seen through onDownloadRetry.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createBridge, type NatsBridge, type NatsBridgeError } from "@natsbridge/core";
import { backoffDelay } from "@natsbridge/core/store";
import { pattern } from "@natsbridge/core/testing";
import { type S3Store, s3Store } from "@natsbridge/s3";
import { findBinary, freePort, type ManagedProcess, startProcess, VERSITYGW_INSTALL_HINT, waitForPort } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const natsUrl = inject("natsUrl");
const ACCESS = "faults-access";
const SECRET = "faults-secret-0123456789abcdef";
const dir = mkdtempSync(join(tmpdir(), "natsbridge-s3-faults-"));
let port: number;
let gw: ManagedProcess | undefined;
let store: S3Store;
let bridge: NatsBridge;
let nc: NatsConnection;
let seq = 0;

async function startGw() {
  gw = startProcess(findBinary("versitygw", "VERSITYGW_BIN", VERSITYGW_INSTALL_HINT), [
    "--port",
    `127.0.0.1:${port}`,
    "--access",
    ACCESS,
    "--secret",
    SECRET,
    "--region",
    "us-east-1",
    "--quiet",
    "posix",
    join(dir, "data"),
  ]);
  await waitForPort(port, 15_000, () => gw!.alive());
}
const stopGw = async () => gw?.stop();

beforeAll(async () => {
  mkdirSync(join(dir, "data"));
  port = await freePort();
  await startGw();
  store = s3Store({
    bucket: "faults",
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS, secretAccessKey: SECRET },
    // One SDK attempt per call, so a dead server fails fast (the receiver retries reads with its own backoff).
    clientConfig: { maxAttempts: 1 },
  });
  await store.client.send(new CreateBucketCommand({ Bucket: "faults" }));
  bridge = createBridge({ brokerUrl: natsUrl, store });
  nc = await connect({ servers: natsUrl });
});
afterAll(async () => {
  await bridge?.close();
  await nc?.drain();
  store?.client.destroy();
  await stopGw();
  rmSync(dir, { recursive: true, force: true });
});

describe("S3 (versitygw) down", () => {
  it("at send: UPLOAD_FAILED, and nothing is published", async () => {
    const subject = `s3.faults.${process.pid}.${++seq}`;
    const seen: unknown[] = [];
    const sub = nc.subscribe(subject, { callback: (_, m) => void seen.push(m) });
    await nc.flush();
    await stopGw();
    try {
      await expect(bridge.smartsend(subject, [["big", pattern(600_000), "binary"]], { correlationId: "s3-down" })).rejects.toMatchObject({
        code: "UPLOAD_FAILED",
        correlationId: "s3-down",
        dataname: "big",
      });
    } finally {
      await startGw();
    }
    await (await bridge.connection()).flush();
    await nc.flush();
    sub.unsubscribe();
    expect(seen).toEqual([]);
  });

  it("at receive, back within the retry window: the presigned link downloads", async () => {
    const [, json] = await bridge.smartsend("unused", [["big", pattern(600_000), "binary"]], { isPublish: false });
    await stopGw();
    let restarting: Promise<void> | undefined;
    const retries: number[] = [];
    try {
      const env = await bridge.smartreceive(json, {
        maxRetries: 10,
        baseDelay: 100,
        maxDelay: 400,
        onDownloadRetry: (r) => {
          retries.push(r.attempt);
          restarting ??= startGw();
        },
      });
      expect(env.payloads[0]![1]).toEqual(pattern(600_000));
    } finally {
      await (restarting ?? startGw());
    }
    expect(retries.length).toBeGreaterThanOrEqual(1);
  });

  it("for good: DOWNLOAD_FAILED after exactly maxRetries attempts, waits on the backoff schedule", async () => {
    const [, json] = await bridge.smartsend("unused", [["big", pattern(600_000), "binary"]], { isPublish: false });
    await stopGw();
    const delays: number[] = [];
    let error: NatsBridgeError;
    try {
      error = (await bridge
        .smartreceive(json, { maxRetries: 4, baseDelay: 30, maxDelay: 1000, onDownloadRetry: (r) => void delays.push(r.delayMs) })
        .catch((e: unknown) => e)) as NatsBridgeError;
    } finally {
      await startGw();
    }
    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED", dataname: "big", details: { attempts: 4 } });
    expect(delays).toHaveLength(3);
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(backoffDelay(i + 1, 30, 1000));
      expect(d).toBeLessThanOrEqual(backoffDelay(i + 1, 30, 1000) * 1.2);
    });
    // The presigned query string stays out of the error.
    expect(JSON.stringify(error) + error.message).not.toContain("X-Amz-Signature=");
  });
});
