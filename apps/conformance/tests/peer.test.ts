import { describe, expect, it } from "vitest";
import { splitCommand } from "../src/peer.js";

describe("splitCommand", () => {
  it("splits on whitespace and honours quotes", () => {
    expect(splitCommand("node my-peer.mjs serve")).toEqual(["node", "my-peer.mjs", "serve"]);
    expect(splitCommand(`python -m "my peer" 'a b' ""`)).toEqual(["python", "-m", "my peer", "a b", ""]);
    expect(splitCommand("  julia   --project=. peer.jl  ")).toEqual(["julia", "--project=.", "peer.jl"]);
  });

  it("refuses an unbalanced quote", () => {
    expect(() => splitCommand(`node "peer.mjs`)).toThrow(/unbalanced quote/);
  });
});
