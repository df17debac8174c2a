import { describe, expect, it } from "vitest";
import { LazyModule } from "../src/lazy-module.js";

describe("LazyModule", () => {
  it("imports once, then holds the module for synchronous use", async () => {
    let imports = 0;
    const lazy = new LazyModule(async () => ({ n: ++imports }));
    expect(lazy.value).toBeUndefined();
    const [a, b] = await Promise.all([lazy.load(), lazy.load()]);
    expect(a).toBe(b);
    expect(lazy.value).toBe(a);
    await lazy.load();
    expect(imports).toBe(1);
  });

  it("tries again after a failed import (a chunk that did not load)", async () => {
    let attempts = 0;
    const lazy = new LazyModule(async () => {
      attempts++;
      if (attempts === 1) throw new Error("chunk failed");
      return { ok: true };
    });
    await expect(lazy.load()).rejects.toThrow("chunk failed");
    expect(lazy.value).toBeUndefined();
    await expect(lazy.load()).resolves.toEqual({ ok: true });
    expect(attempts).toBe(2);
  });
});
