// The store built in docs/write-your-own-store.md, through the shared store
// conformance suite (@natsbridge/core/testing) with a real nginx serving the
// directory, then end to end through NATS.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createBridge } from "@natsbridge/core";
import { testStore } from "@natsbridge/core/testing";
import { freePort, type NginxDav, startNginxDav } from "@natsbridge/test-harness";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { directoryStore } from "../src/lib/directory-store.js";

testStore({
  name: "directory behind nginx",
  capabilities: ["owns", "delete"],
  create: async () => {
    const nginx = await startNginxDav();
    return { store: directoryStore({ directory: nginx.root, publicUrl: nginx.url }), cleanup: () => nginx.dispose() };
  },
  // A "directory" that is a file: nothing can be written or deleted below it, and nothing serves it.
  failing: async () => {
    const notADirectory = join(mkdtempSync(join(tmpdir(), "natsbridge-dirstore-")), "file");
    writeFileSync(notADirectory, "not a directory");
    const publicUrl = `http://127.0.0.1:${await freePort()}/claims`;
    return {
      store: directoryStore({ directory: notADirectory, publicUrl }),
      url: `${publicUrl}/gone/blob.bin`,
      cleanup: async () => rmSync(dirname(notADirectory), { recursive: true, force: true }),
    };
  },
});

let nginx: NginxDav;
beforeAll(async () => {
  nginx = await startNginxDav();
});
afterAll(() => nginx?.dispose());

it("carries a link payload through NATS", async () => {
  const store = directoryStore({ directory: nginx.root, publicUrl: `${nginx.url}/` });
  const bridge = createBridge({ brokerUrl: inject("natsUrl"), store });
  try {
    const sub = await bridge.subscribe("examples.directory-store");
    await (await bridge.connection()).flush();
    const bytes = Uint8Array.from({ length: 700_000 }, (_, i) => i & 0xff);
    const [sent] = await bridge.smartsend("examples.directory-store", [["blob", bytes, "binary"]]);
    expect(sent.payloads[0]!.transport).toBe("link");
    for await (const env of sub) {
      expect(env.payloads[0]![1]).toEqual(bytes);
      break;
    }
  } finally {
    await bridge.close();
  }
});
