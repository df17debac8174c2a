// The browser as a conformance peer: `pnpm conformance -- --peer browser="node
// --import tsx ../interop-browser/src/peer/cli.ts"`. Builds
// the peer page, opens it in headless Chromium, and lets it speak the peer
// protocol over NATS websockets. The suite's nats-server has no websocket listener, so
// a websocket endpoint is put in front of it here (src/node/ws-proxy.ts).
// Link payloads need CORS on the file server and the fixture server.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromiumLaunchOptions, REPO_ROOT } from "@natsbridge/test-harness";
import { chromium } from "playwright-core";
import { buildAndServePages } from "../node/page-server.js";
import { startWsProxy } from "../node/ws-proxy.js";
import type { CaseSpec } from "./cases.js";

const { values } = parseArgs({
  options: {
    nats: { type: "string", default: "nats://127.0.0.1:4222" },
    ws: { type: "string" },
    prefix: { type: "string" },
    "fileserver-url": { type: "string", default: "http://127.0.0.1:8080" },
    upload: { type: "string", default: "http-put" },
  },
});
if (!values.prefix) throw new Error("--prefix is required");
if (values.upload !== "http-put") console.error(`browser peer: upload ${values.upload} is not supported, using http-put`);

const cases = (JSON.parse(readFileSync(join(REPO_ROOT, "fixtures", "v1", "cases.json"), "utf8")) as { cases: CaseSpec[] }).cases;
const proxy = values.ws ? undefined : await startWsProxy(values.nats!);
const pages = await buildAndServePages();
const browser = await chromium.launch(chromiumLaunchOptions());
const cleanup = async () => {
  await browser.close().catch(() => undefined);
  await pages.close();
  await proxy?.close();
};
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => void cleanup().then(() => process.exit(0)));

try {
  const page = await browser.newPage();
  page.on("console", (m) => console.error(`[chromium ${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => console.error(`[chromium pageerror] ${String(e)}`));
  await page.goto(`${pages.url}peer.html`);
  await page.waitForFunction(() => window.peer !== undefined);
  const ws = values.ws ?? proxy!.url;
  await page.evaluate((config) => window.peer.start(config), {
    ws,
    prefix: values.prefix!,
    fileserverUrl: values["fileserver-url"]!,
    cases,
  });
  console.log(JSON.stringify({ ready: true, name: "browser-chromium", chromium: browser.version(), ws }));
  await page.evaluate(() => window.peer.stopped);
} catch (error) {
  console.error(`browser peer failed: ${String((error as Error)?.stack ?? error)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
