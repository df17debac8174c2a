// Node's body worker (src/platform/body-worker.ts): large link bodies hashed
// and assembled on a worker thread. The digests and bytes must be exactly
// what node:crypto and a plain concatenation give, whatever the chunking, and
// the worker must never keep a process alive that has nothing left to do.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { pattern } from "@natsbridge/core/testing";
import { describe, expect, it } from "vitest";
import { BodyCollector } from "../src/body-buffer.js";
import { sha256InBackground, workerBody, workerSha256 } from "../src/platform/body-worker.js";
import { nodePlatform } from "../src/platform/node.js";

const MiB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** `bytes` cut into chunks of the given sizes, cycling, so that chunks straddle the 1 MiB blocks. */
function* chunked(bytes: Uint8Array, sizes: number[]): Generator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < bytes.byteLength; i++) {
    const n = sizes[i % sizes.length]!;
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

describe("worker SHA-256", () => {
  it.each([
    ["1-byte and odd chunks", [1, 65_536, 3, MiB + 7, 100_003]],
    ["64 KiB chunks", [65_536]],
    ["one chunk larger than a block", [3 * MiB + 1]],
  ])("matches node:crypto for %s", async (_name, sizes) => {
    const bytes = pattern(Math.floor(5.5 * MiB), 7);
    const hash = workerSha256()!;
    for (const chunk of chunked(bytes, sizes)) hash.update(chunk);
    expect(await hash.digest()).toBe(sha(bytes));
  });

  it("hashes nothing as the empty digest", async () => {
    expect(await workerSha256()!.digest()).toBe(sha(new Uint8Array(0)));
  });

  it("runs many hashes at once without mixing their blocks", async () => {
    const bodies = [1, 2, 3, 4].map((seed) => pattern(2 * MiB + seed * 1000, seed));
    const hashes = bodies.map(() => workerSha256()!);
    for (let at = 0; at < 3 * MiB; at += 100_000) for (const [i, b] of bodies.entries()) hashes[i]!.update(b.subarray(at, at + 100_000));
    expect(await Promise.all(hashes.map((h) => h.digest()))).toEqual(bodies.map(sha));
  });

  it("sha256InBackground digests bytes in memory (20 MiB: more than the blocks in flight)", async () => {
    const bytes = pattern(20 * MiB + 5, 9);
    expect(await sha256InBackground(bytes)).toBe(sha(bytes));
    expect(await nodePlatform.sha256Async!(bytes)).toBe(sha(bytes));
    expect(await nodePlatform.sha256Async!(bytes.subarray(0, 1000))).toBe(sha(bytes.subarray(0, 1000)));
  });
});

describe("worker body assembly", () => {
  it("gives back the exact bytes and their digest", async () => {
    const bytes = pattern(6 * MiB + 11, 3);
    const body = workerBody(bytes.byteLength, true)!;
    for (const chunk of chunked(bytes, [65_536, 17, MiB])) body.push(chunk);
    const got = await body.finish();
    expect(got.bytes.byteLength).toBe(bytes.byteLength);
    expect(got.bytes.buffer.byteLength).toBe(bytes.byteLength); // the worker's buffer, handed over whole
    expect(Buffer.compare(got.bytes, bytes)).toBe(0);
    expect(got.sha256).toBe(sha(bytes));
  });

  it("grows past a size that was too small, and stops short of one that was too large", async () => {
    const bytes = pattern(5 * MiB, 4);
    const longer = workerBody(2 * MiB, false)!;
    for (const chunk of chunked(bytes, [300_000])) longer.push(chunk);
    const grown = await longer.finish();
    expect(Buffer.compare(grown.bytes, bytes)).toBe(0);
    expect(grown.sha256).toBeUndefined();
    const shorter = workerBody(8 * MiB, true)!;
    shorter.push(bytes);
    const short = await shorter.finish();
    expect(Buffer.compare(short.bytes, bytes)).toBe(0);
    expect(short.sha256).toBe(sha(bytes));
  });

  it("a discarded body leaves the worker serving the next ones", async () => {
    const bytes = pattern(3 * MiB, 5);
    const dropped = workerBody(bytes.byteLength, true)!;
    dropped.push(bytes.subarray(0, 2 * MiB + 5));
    dropped.discard();
    const body = workerBody(bytes.byteLength, true)!;
    body.push(bytes);
    expect((await body.finish()).sha256).toBe(sha(bytes));
  });

  it("a body the worker cannot allocate fails alone, with INTERNAL_ERROR at its end", async () => {
    const huge = workerBody(2 ** 50, true)!;
    huge.push(pattern(1000, 1));
    const other = workerBody(MiB, true)!;
    other.push(pattern(MiB, 2));
    await expect(huge.finish()).rejects.toMatchObject({ code: "INTERNAL_ERROR" });
    expect((await other.finish()).sha256).toBe(sha(pattern(MiB, 2)));
  });

  it("BodyCollector uses the worker for large bodies and this thread for small ones, with the same results", async () => {
    for (const size of [1000, 5 * MiB]) {
      const bytes = pattern(size, 6);
      const body = new BodyCollector(nodePlatform, true);
      body.expect(size);
      for (const chunk of chunked(bytes, [65_536])) body.push(chunk);
      const got = await body.result();
      expect(Buffer.compare(got.bytes, bytes)).toBe(0);
      expect(got.sha256).toBe(sha(bytes));
    }
  });
});

describe("the worker and the process's life", () => {
  const run = (code: string) =>
    spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      encoding: "utf8",
      timeout: 20_000,
    });
  const worker = fileURLToPath(new URL("../src/platform/body-worker.ts", import.meta.url));

  it("an awaited digest keeps the process alive until it arrives; then the process ends by itself", () => {
    const r = run(
      `import { sha256InBackground } from ${JSON.stringify(worker)};
       console.log(await sha256InBackground(new Uint8Array(40 * 1024 * 1024)));`,
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(sha(new Uint8Array(40 * MiB)));
  });

  it("a hash dropped half-way does not keep the process alive", () => {
    const r = run(
      `import { workerSha256 } from ${JSON.stringify(worker)};
       workerSha256().update(new Uint8Array(3 * 1024 * 1024));
       console.log("done");`,
    );
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("done");
  });
});

describe("NATSBRIDGE_BODY_WORKER", () => {
  const withSetting = async (value: string | undefined, body: () => Promise<void> | void) => {
    const before = process.env.NATSBRIDGE_BODY_WORKER;
    if (value === undefined) delete process.env.NATSBRIDGE_BODY_WORKER;
    else process.env.NATSBRIDGE_BODY_WORKER = value;
    try {
      await body();
    } finally {
      if (before === undefined) delete process.env.NATSBRIDGE_BODY_WORKER;
      else process.env.NATSBRIDGE_BODY_WORKER = before;
    }
  };

  it("large bodies go to the worker by default, small ones never", async () => {
    await withSetting(undefined, () => {
      const large = nodePlatform.bodySink!(8 * MiB, true);
      expect(large).toBeDefined();
      large!.discard();
      expect(nodePlatform.bodySink!(MiB, true)).toBeUndefined();
    });
  });

  it.each(["off", "0", "false", " OFF "])("=%j keeps every body on the calling thread, with the same digests", async (value) => {
    await withSetting(value, async () => {
      expect(nodePlatform.bodySink!(8 * MiB, true)).toBeUndefined();
      const bytes = pattern(5 * MiB, 3);
      expect(await nodePlatform.sha256Async!(bytes)).toBe(sha(bytes));
      const hash = nodePlatform.createSha256!(bytes.byteLength);
      hash.update(bytes);
      expect(await hash.digest()).toBe(sha(bytes));
    });
  });
});
