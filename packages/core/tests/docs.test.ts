// The docs and the code agree: every error code has its section in
// docs/troubleshooting.md, and every section there is a code the code raises.
import { readFileSync } from "node:fs";
import { ErrorCodes } from "@natsbridge/core";
import { describe, expect, it } from "vitest";

const troubleshooting = readFileSync(new URL("../../../docs/troubleshooting.md", import.meta.url), "utf8");

describe("docs/troubleshooting.md", () => {
  it("has one section per error code, and no section for a code that does not exist", () => {
    const sections = [...troubleshooting.matchAll(/^### `([A-Z_]+)`$/gm)].map((m) => m[1]);
    expect([...sections].sort()).toEqual(Object.keys(ErrorCodes).sort());
  });
});
