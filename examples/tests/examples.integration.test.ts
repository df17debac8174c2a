// Every example, run as a subprocess the way its header says, against real
// servers: nats-server (global setup), nginx WebDAV, versitygw (S3) and the
// Python reference peer. Plik cannot be installed here (its Go module is
// refused by the Go proxy), so the Plik example runs against the
// Plik-compatible test server of @natsbridge/test-harness, and its flow runs
// once more against nginx through httpStore.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { httpStore } from "@natsbridge/core";
import {
  findPython,
  type NginxDav,
  type PlikCompatibleServer,
  startNginxDav,
  startPlikCompatible,
  startVersityGw,
  type VersityGw,
} from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { makeSampleFile, transferLargeFile } from "../src/lib/large-file.js";

const HERE = fileURLToPath(new URL("../", import.meta.url));
const natsUrl = inject("natsUrl");
let dav: NginxDav;
let gw: VersityGw;
let out: string;

beforeAll(async () => {
  [dav, gw] = await Promise.all([startNginxDav(), startVersityGw()]);
  const client = new S3Client({
    endpoint: gw.endpoint,
    region: gw.region,
    forcePathStyle: true,
    credentials: { accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey },
  });
  await client.send(new CreateBucketCommand({ Bucket: "examples" })).finally(() => client.destroy());
  out = mkdtempSync(join(tmpdir(), "natsbridge-examples-"));
});
afterAll(async () => {
  await dav?.dispose();
  await gw?.stop();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node --import tsx <file> [args]` in examples/, as `pnpm example` runs it (against the built packages). */
function run(file: string, args: string[], env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", file, ...args], {
    cwd: HERE,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 100_000);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe("examples", () => {
  it("chat: mixed payloads, the 2 MB document by link, the answer threaded", async () => {
    const r = await run("src/chat.ts", [], { NATS_URL: natsUrl, FILESERVER_URL: dav.url });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("large_document (binary, link): 2000000 bytes");
    expect(r.stdout).toContain("user_avatar (image, direct)");
    expect(r.stdout).toContain("chat: OK");
  });

  it("request-reply: three requests, three replies, one of them an error answer", async () => {
    const r = await run("src/request-reply.ts", [], { NATS_URL: natsUrl });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/read_sensor → \{"sensor_id":"sensor-001"/g)).toHaveLength(2);
    expect(r.stdout).toContain("request-reply: OK");
  });

  it("table-python: a table to pandas and back, graded", async () => {
    const r = await run("src/table-python.ts", [], { NATS_URL: natsUrl, PYTHON: findPython() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4\s+นิด\s+64\s+D/);
    expect(r.stdout).toContain("summary from python-grader");
    expect(r.stdout).toContain("table-python: OK");
  });

  it("large-file-s3: 12 MB streamed into S3 (multipart), fetched by presigned URL, deleted", async () => {
    const r = await run("src/large-file-s3.ts", [], {
      NATS_URL: natsUrl,
      S3_BUCKET: "examples",
      S3_ENDPOINT: gw.endpoint,
      AWS_ACCESS_KEY_ID: gw.accessKeyId,
      AWS_SECRET_ACCESS_KEY: gw.secretAccessKey,
      AWS_REGION: gw.region,
      SAMPLE_BYTES: "12000000",
      OUT_DIR: join(out, "s3"),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("X-Amz-Signature=");
    expect(r.stdout).toMatch(/OK: 12000000 bytes/);
    expect(readFileSync(join(out, "s3", "sample.bin")).byteLength).toBe(12_000_000);
  });

  it("large-file-plik without FILESERVER_URL says what it needs (exit 2)", async () => {
    const r = await run("src/large-file-plik.ts", [], { NATS_URL: natsUrl, FILESERVER_URL: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("needs FILESERVER_URL pointing at a Plik server");
  });
});

describe("large-file-plik (Plik-compatible test server)", () => {
  let plik: PlikCompatibleServer;
  beforeAll(async () => {
    plik = await startPlikCompatible();
  });
  afterAll(() => plik?.close());

  it("the example against the Plik-compatible test server: one-shot upload, streamed download, file gone after it", async () => {
    const r = await run("src/large-file-plik.ts", [], {
      NATS_URL: natsUrl,
      FILESERVER_URL: plik.url,
      SAMPLE_BYTES: "6000000",
      OUT_DIR: join(out, "plik"),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/OK: 6000000 bytes/);
    expect(r.stdout).toContain(`${plik.url}/file/`);
    const paths = plik.requests.map((q) => `${q.method} ${q.path.replace(/\/file\/[^/]+.*/, "/file/…")}`);
    expect(paths).toEqual(expect.arrayContaining(["POST /upload", "POST /file/…", "GET /file/…"]));
    const [upload] = [...plik.uploads.values()];
    expect(upload?.oneShot).toBe(true);
    expect([...upload!.files.values()][0]?.status).toBe("deleted");
  });

  it("the same flow against a real HTTP file server (nginx) through httpStore", async () => {
    const path = await makeSampleFile(8_000_000, "flow.bin");
    const lines: string[] = [];
    const result = await transferLargeFile({
      store: httpStore({ baseUrl: `${dav.url}/large` }),
      path,
      outDir: join(out, "http"),
      subject: `examples.large.${process.pid}`,
      receiveOptions: { fileserverUrl: dav.url },
      log: (l) => lines.push(l),
      brokerUrl: natsUrl,
    });
    expect(result.url.startsWith(`${dav.url}/large/`)).toBe(true);
    expect(result.receivedSha256).toBe(result.sentSha256);
    expect(createHash("sha256").update(readFileSync(result.savedAs)).digest("hex")).toBe(result.sentSha256);
    expect(lines.some((l) => l.startsWith("upload flow.bin:"))).toBe(true);
  });
});
