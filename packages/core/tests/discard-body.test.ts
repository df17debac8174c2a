// discardBody lets go of a response body on every runtime: undici's dump()
// where it exists, else (Bun's undici stand-in) the stream is destroyed.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { discardBody } from "../src/discard-body.js";

describe("discardBody", () => {
  it("calls undici's dump() when the body has one", async () => {
    const calls: string[] = [];
    await discardBody({ dump: async () => void calls.push("dump"), destroy: () => calls.push("destroy") });
    expect(calls).toEqual(["dump"]);
  });

  it("destroys a plain Readable without dump() (Bun's undici bodies)", async () => {
    const body = Readable.from([new Uint8Array(16)]);
    await discardBody(body);
    expect(body.destroyed).toBe(true);
  });

  it("passes dump()'s rejection on to the caller", async () => {
    const error = new Error("socket gone");
    await expect(discardBody({ dump: () => Promise.reject(error) })).rejects.toBe(error);
  });
});
