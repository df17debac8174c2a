// Scenario 1 in a real browser: the page (headless Chromium, NATS websockets over the
// nats-server websocket port) sends text + avatar + a 3 MB file that goes by
// link through nginx (CORS), the Node responder answers with text, a generated
// image, a receipt and a 1.5 MB file by link, and the page shows the reply.

import { createHash } from "node:crypto";
import { type NginxDav, startNginxDav } from "@natsbridge/test-harness";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Responder, reportBytes, startResponder } from "../src/node/responder.js";
import { GENERATED_RGB, STRIPE_RGB } from "../src/protocol.js";
import { launchBrowser, near, openChat, screenshotColours } from "./browser.js";
import "./provided.js";

describe("page → Node responder → page", () => {
  let browser: Browser;
  let nginx: NginxDav;
  let responder: Responder;

  beforeAll(async () => {
    nginx = await startNginxDav({ cors: true });
    responder = await startResponder({ brokerUrl: inject("natsUrl"), fileserverUrl: nginx.url });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await responder?.close();
    await nginx?.dispose();
  });

  it("sends text + avatar + a large file by link, and renders the reply's text and generated image", async () => {
    const { page, errors } = await openChat(browser, inject("pageUrl"), { ws: inject("natsWsUrl"), files: nginx.url });
    const attachmentBytes = 3 * 1024 * 1024;
    const replyFileBytes = 1_500_000;
    const result = await page.evaluate((r) => window.chat.send(r), { text: "Hello! I'm Ton.", attachmentBytes, replyFileBytes });

    // What went out: small payloads inline, the file by link (uploaded from the page with CORS).
    expect(result.sent.transports).toEqual({ msg: "direct", avatar: "direct", attachment: "link", options: "direct" });
    expect(result.sent.attachmentSha256).toMatch(/^[0-9a-f]{64}$/);

    // What the backend got: the same bytes the page hashed while uploading.
    const receipt = result.reply!.receipt!;
    expect(receipt.text).toBe("Hello! I'm Ton.");
    expect(receipt.avatarBytes).toBeGreaterThan(100);
    expect(receipt.attachmentBytes).toBe(attachmentBytes);
    expect(receipt.attachmentSha256).toBe(result.sent.attachmentSha256);
    expect(receipt.transports).toEqual(result.sent.transports);

    // What came back: text and image inline, the large file by link (downloaded by the page with CORS).
    expect(result.reply!.senderName).toBe("chat-backend-node");
    expect(result.reply!.text).toMatch(/^Hello Ton! You said "Hello! I'm Ton\."/);
    expect(result.reply!.transports).toEqual({ msg: "direct", generated: "direct", receipt: "direct", report: "link" });
    const file = result.reply!.payloads.find((p) => p.dataname === "report")!;
    expect(file.bytes).toBe(replyFileBytes);
    expect(file.sha256).toBe(createHash("sha256").update(reportBytes(replyFileBytes)).digest("hex"));
    expect(result.reply!.payloads.find((p) => p.dataname === "generated")!.kind).toBe("image");

    // On the page: the reply text, and the generated picture's colours in a screenshot.
    const reply = page.locator(".entry.from-backend").last();
    await expect.poll(() => reply.locator("p.text").textContent()).toContain("Hello Ton!");
    const image = reply.locator("img");
    expect(await image.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([96, 96]);
    const [stripe, body] = await screenshotColours(page, image, "chat-node-reply", [
      [0.5, 0.1],
      [0.5, 0.7],
    ]);
    expect(near(stripe!, STRIPE_RGB), `stripe pixel ${stripe}`).toBe(true);
    expect(near(body!, GENERATED_RGB), `body pixel ${body}`).toBe(true);
    expect(errors).toEqual([]);
    expect(responder.handled).toHaveLength(1);
    await page.close();
  });
});
