// A real S3-compatible server for integration tests: versitygw with its posix
// backend in a temp directory, on a free loopback port, with fixed root keys.
// It checks SigV4 signatures (headers and presigned query strings) and the
// expiry of presigned URLs, which is what the S3 store's tests rely on; moto
// and similar mocks do not.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBinary } from "./binaries.js";
import { freePort } from "./ports.js";
import { startProcess, waitUntilListening } from "./process.js";

export const VERSITYGW_INSTALL_HINT =
  "Install it with `bash scripts/setup.sh s3` (go install github.com/versity/versitygw/cmd/versitygw@v1.7.0 into .tools/bin), or set VERSITYGW_BIN.";

export interface VersityGw {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Temp directory: `data/` is the posix backend's root (one sub-directory per bucket). */
  dir: string;
  /** Stop the server and remove its directory. */
  stop(): Promise<void>;
}

export interface VersityGwOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
}

export async function startVersityGw(options: VersityGwOptions = {}): Promise<VersityGw> {
  const bin = findBinary("versitygw", "VERSITYGW_BIN", VERSITYGW_INSTALL_HINT);
  const dir = mkdtempSync(join(tmpdir(), "natsbridge-versitygw-"));
  const data = join(dir, "data");
  mkdirSync(data);
  const port = await freePort();
  const accessKeyId = options.accessKeyId ?? "natsbridge-test-access";
  const secretAccessKey = options.secretAccessKey ?? "natsbridge-test-secret-key-0123456789";
  const region = options.region ?? "us-east-1";
  const proc = startProcess(bin, [
    "--port",
    `127.0.0.1:${port}`,
    "--access",
    accessKeyId,
    "--secret",
    secretAccessKey,
    "--region",
    region,
    "--quiet",
    "posix",
    data,
  ]);
  try {
    await waitUntilListening(proc, "versitygw", [port]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    accessKeyId,
    secretAccessKey,
    region,
    dir,
    stop: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
