// Errors from the library, told in the CLI's flags instead of the library's option names.

import { createBridge, type NatsBridgeError } from "@natsbridge/core";
import { buildLinkPolicy, checkLinkUrl } from "@natsbridge/core/store";
import { describe, expect, it } from "vitest";
import { describeError } from "../src/commands/receive.js";

const thrown = async (f: () => unknown): Promise<NatsBridgeError> => {
  try {
    await f();
  } catch (e) {
    return e as NatsBridgeError;
  }
  throw new Error("did not throw");
};

describe("CLI messages in CLI terms", () => {
  it("URL_NOT_ALLOWED says --allow-origin with the origin, not allowedOrigins", async () => {
    const error = await thrown(() => checkLinkUrl("http://files.partner:9000/x?sig=1", buildLinkPolicy(["http://localhost:8080"])));
    const { code, message } = describeError(error);
    expect(code).toBe("URL_NOT_ALLOWED");
    expect(message).toContain("--allow-origin http://files.partner:9000");
    expect(message).toContain("--allow-any-host");
    expect(message).not.toMatch(/allowedOrigins|allowAnyHost/);
  });

  it("a metadata address under --allow-any-host says --allow-origin", async () => {
    const error = await thrown(() => checkLinkUrl("http://169.254.169.254/x", buildLinkPolicy([], true)));
    const { message } = describeError(error);
    expect(message).toContain("--allow-origin http://169.254.169.254");
    expect(message).not.toMatch(/allowedOrigins|allowAnyHost/);
  });

  it("a payload that needs a store says --store (and --size-threshold where it could help), not `store`/sizeThreshold", async () => {
    const bridge = createBridge();
    const big = await thrown(() => bridge.smartsend("a.b", [["big", new Uint8Array(600_000), "binary"]], { isPublish: false }));
    expect(describeError(big).message).toMatch(/use --store plik, http or s3, or raise --size-threshold\. Nothing was published\.$/);
    const streamed = await thrown(() => bridge.smartsend("a.b", [["s", new Blob([new Uint8Array(3)]), "binary"]], { isPublish: false }));
    expect(describeError(streamed).message).toMatch(/use --store plik, http or s3\. Nothing was published\.$/);
    for (const e of [big, streamed]) expect(describeError(e).message).not.toMatch(/sizeThreshold|`store`|plikStore/);
  });
});
