// The browser platform's pieces that run in Node as well: the incremental
// SHA-256 (checked against node:crypto) and Web Crypto's one-shot digest.

import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { browserPlatform } from "../src/platform/browser.js";
import { Sha256 } from "../src/platform/sha256.js";

const nodeHex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("Sha256 (pure TypeScript, incremental)", () => {
  it("matches the FIPS 180-4 examples", () => {
    const enc = new TextEncoder();
    expect(new Sha256().update(enc.encode("abc")).hex()).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(new Sha256().hex()).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(new Sha256().update(enc.encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).hex()).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("matches node:crypto for every length around the block and padding edges, in any chunking", () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = randomBytes(n);
      expect(new Sha256().update(bytes).hex(), `length ${n}`).toBe(nodeHex(bytes));
      const cut = Math.floor(n / 3);
      const split = new Sha256()
        .update(bytes.subarray(0, cut))
        .update(bytes.subarray(cut, 2 * cut))
        .update(bytes.subarray(2 * cut));
      expect(split.hex(), `length ${n} in three chunks`).toBe(nodeHex(bytes));
    }
  });

  it("hashes a large body fed in odd-sized chunks", () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const h = new Sha256();
    for (let i = 0; i < bytes.byteLength; i += 65_537) h.update(bytes.subarray(i, i + 65_537));
    expect(h.hex()).toBe(nodeHex(bytes));
  });

  it("refuses updates after the digest", () => {
    const h = new Sha256();
    h.hex();
    expect(() => h.update(new Uint8Array(1))).toThrow();
  });
});

describe("browserPlatform", () => {
  it("sha256 (Web Crypto for large inputs, the small hash for small ones) and createSha256 agree with node:crypto", async () => {
    for (const n of [0, 10, 4095, 4096, 1_000_000]) {
      const bytes = randomBytes(n);
      expect(await browserPlatform.sha256(bytes)).toBe(nodeHex(bytes));
      const inc = browserPlatform.createSha256();
      inc.update(bytes.subarray(0, n >> 1));
      inc.update(bytes.subarray(n >> 1));
      expect(await inc.digest()).toBe(nodeHex(bytes));
    }
  });

  it("reads no environment", () => {
    expect(browserPlatform.env("NATS_URL")).toBeUndefined();
  });
});
