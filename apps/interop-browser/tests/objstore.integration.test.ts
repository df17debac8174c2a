// The JetStream Object Store from a page, in headless Chromium against the
// run's nats-server (websocket + JetStream): @natsbridge/objstore writes and
// reads link payloads over the page's own websocket connection — no file
// server, no CORS — and Node is on the other side over TCP. A page given no
// store for the link gets the typed refusal naming the store to configure.

import { createBridge, type NatsBridge } from "@natsbridge/core";
import { objectStore } from "@natsbridge/objstore";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, openLab, realErrors } from "./browser.js";
import { pattern, receiveInNode, sha256 } from "./node-side.js";
import "./provided.js";

const bucket = `browser_${process.pid}`;

describe("the object store from a page", () => {
  let browser: Browser;
  let page: Page;
  let bridge: NatsBridge;
  let errors: string[];
  const ws = () => inject("natsWsUrl");

  beforeAll(async () => {
    browser = await launchBrowser();
    ({ page, errors } = await openLab(browser, inject("pageUrl")));
    bridge = createBridge({ brokerUrl: inject("natsUrl"), store: objectStore({ bucket }) });
  });
  afterAll(async () => {
    await bridge?.close();
    await browser?.close();
  });

  for (const [asBlob, size] of [
    [false, 2_000_000],
    [true, 3_000_000],
  ] as const) {
    it(`page → Node: ${size} bytes (${asBlob ? "a Blob, streamed" : "bytes"}) into the bucket over the page's websocket, read in Node through its own connection`, async () => {
      const subject = `lab.obj.topnode.${size}`;
      const next = await receiveInNode(bridge, subject);
      const sent = await page.evaluate((r) => window.lab.objSend(r), { ws: ws(), subject, bucket, size, seed: 13, asBlob });
      expect(sent).not.toHaveProperty("error");
      expect((sent as { url: string }).url).toMatch(new RegExp(`^nats-obj://${bucket}/[0-9a-f-]+/file$`));
      const env = await next();
      expect(env.payloads[0]).toEqual(["note", "from the page, by object store", "text"]);
      const file = env.payloads[1]![1] as Uint8Array;
      expect(file.byteLength).toBe(size);
      expect(sha256(file)).toBe(sha256(pattern(size, 13)));
      expect(env.payloadInfo[1]).toMatchObject({
        transport: "link",
        metadata: { sha256: sha256(pattern(size, 13)), nats_obj_bucket: bucket },
      });
      expect(realErrors(errors)).toEqual([]);
    });
  }

  for (const stream of [false, true]) {
    it(`Node → page: the page reads the link through its own websocket connection${stream ? " as a stream" : ""}`, async () => {
      const subject = `lab.obj.topage.${stream}`;
      const id = await page.evaluate((r) => window.lab.listen(r), { ws: ws(), subject, bucket, stream });
      const data = pattern(2_500_000, 5);
      await bridge.smartsend(
        subject,
        [
          ["note", "from Node", "text"],
          ["file", data, "binary"],
        ],
        { alwaysLink: true, flush: true },
      );
      const got = await page.evaluate((i) => window.lab.received(i), id);
      expect(got).toEqual({ note: "from Node", size: data.byteLength, sha256: sha256(data), streamed: stream });
      expect(realErrors(errors)).toEqual([]);
    });
  }

  it("a page given no object store: URL_NOT_ALLOWED naming objectStore() from @natsbridge/objstore", async () => {
    const subject = "lab.obj.nostore";
    const id = await page.evaluate((r) => window.lab.listen(r), { ws: ws(), subject });
    await bridge.smartsend(
      subject,
      [
        ["note", "from Node", "text"],
        ["file", pattern(600_000, 1), "binary"],
      ],
      { flush: true },
    );
    const got = await page.evaluate((i) => window.lab.received(i), id);
    expect(got).toMatchObject({ code: "URL_NOT_ALLOWED" });
    expect((got as { error: string }).error).toContain("objectStore() from @natsbridge/objstore");
    expect(realErrors(errors)).toEqual([]);
  });
});
