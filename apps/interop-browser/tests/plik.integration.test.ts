// Plik from a page, in headless Chromium: @natsbridge/plik's browser entry
// (fetch + FormData) uploading through nginx as a CORS-adding reverse proxy,
// the typed refusal when a page talks to Plik directly (Plik sends no CORS
// headers), and Plik links sent by Node and downloaded by the page.
//
// The Plik behind the proxy is the Plik-compatible test server of
// @natsbridge/test-harness unless PLIKD_BIN points at a real plikd: CI cannot
// install Plik (see tools/test-harness/src/plik.ts). Test names say which one ran.

import { createBridge, type NatsBridge } from "@natsbridge/core";
import { plikStore } from "@natsbridge/plik";
import { type NginxDav, startAnyPlik, startNginxDav } from "@natsbridge/test-harness";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, openLab, realErrors } from "./browser.js";
import { pattern, receiveInNode, sha256 } from "./node-side.js";
import "./provided.js";

const KIND = process.env.PLIKD_BIN ? "real plikd" : "Plik-compatible test server";

describe(`Plik from a page (${KIND})`, () => {
  let browser: Browser;
  let page: Page;
  let plik: Awaited<ReturnType<typeof startAnyPlik>>;
  let proxy: NginxDav;
  let bridge: NatsBridge;
  let errors: string[];
  const ws = () => inject("natsWsUrl");

  beforeAll(async () => {
    plik = await startAnyPlik();
    // What a deployment puts in front of Plik for pages on other origins (docs/packages/plik.md).
    proxy = await startNginxDav({ cors: true, proxyPass: plik.url, proxyUserAgent: "plik_client (nginx)" });
    browser = await launchBrowser();
    ({ page, errors } = await openLab(browser, inject("pageUrl")));
    bridge = createBridge({ brokerUrl: inject("natsUrl"), fileserverUrl: proxy.url });
  });
  afterAll(async () => {
    await bridge?.close();
    await browser?.close();
    await proxy?.dispose();
    await plik?.dispose();
  });

  for (const [via, asBlob, size] of [
    ["store", false, 2_000_000],
    ["store", true, 3_000_000],
    ["handler", false, 700_000],
  ] as const) {
    it(`page → Plik through the CORS proxy (${via === "store" ? "plikStore" : "plikOneshotUpload"}, ${asBlob ? "a Blob" : "bytes"}, ${size} bytes) → Node`, async () => {
      const subject = `lab.plik.${via}.${size}`;
      const next = await receiveInNode(bridge, subject);
      const sent = await page.evaluate((r) => window.lab.plikSend(r), {
        ws: ws(),
        subject,
        plikUrl: proxy.url,
        size,
        seed: 11,
        via,
        asBlob,
      });
      expect(sent).not.toHaveProperty("error");
      expect((sent as { url: string }).url).toMatch(new RegExp(`^${proxy.url}/file/[^/]+/[^/]+/file$`));
      const env = await next();
      expect(env.payloads[0]).toEqual(["note", "from the page, by Plik", "text"]);
      const file = env.payloads[1]![1] as Uint8Array;
      expect(file.byteLength).toBe(size);
      expect(sha256(file)).toBe(sha256(pattern(size, 11)));
      expect(env.payloadInfo[1]!.transport).toBe("link");
    });
  }

  it("page → Plik directly (no CORS headers): UPLOAD_FAILED naming CORS, nothing published", async () => {
    const subject = "lab.plik.nocors";
    const sub = await bridge.subscribe(subject);
    // Known to the server before the page sends, so "nothing arrived" means nothing was published.
    await (await bridge.connection()).flush();
    const sent = await page.evaluate((r) => window.lab.plikSend(r), {
      ws: ws(),
      subject,
      plikUrl: plik.url,
      size: 10_000,
      seed: 1,
      via: "store" as const,
    });
    expect(sent).toMatchObject({ code: "UPLOAD_FAILED" });
    expect((sent as { error: string }).error).toMatch(/CORS/);
    // Nothing may arrive: the send failed before publishing.
    const nothing = await Promise.race([
      sub[Symbol.asyncIterator]()
        .next()
        .then(() => "a message"),
      new Promise((r) => setTimeout(() => r("nothing"), 500)),
    ]);
    expect(nothing).toBe("nothing");
    sub.unsubscribe();
    // Chromium logs the refused preflight; that is the point of this case.
    errors.length = 0;
  });

  for (const stream of [false, true]) {
    it(`Node → Plik → page: the page downloads the link through the proxy${stream ? " as a stream" : ""}`, async () => {
      const subject = `lab.plik.topage.${stream}`;
      const id = await page.evaluate((r) => window.lab.listen(r), { ws: ws(), subject, fileserverUrl: proxy.url, stream });
      const data = pattern(1_500_000, 5);
      const store = plikStore({ url: proxy.url, oneShot: false, ttl: 600 });
      await bridge.smartsend(
        subject,
        [
          ["note", "from Node", "text"],
          ["file", data, "binary"],
        ],
        { store, alwaysLink: true, flush: true },
      );
      const got = await page.evaluate((i) => window.lab.received(i), id);
      expect(got).toEqual({ note: "from Node", size: data.byteLength, sha256: sha256(data), streamed: stream });
      expect(realErrors(errors)).toEqual([]);
    });
  }
});
