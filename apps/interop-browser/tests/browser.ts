// Headless Chromium (Debian's, through playwright-core) for the page tests:
// open the chat page with its settings, collect console errors, and read the
// colour of screenshot pixels (decoded in the page itself, so Node needs no
// PNG decoder).

import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromiumLaunchOptions } from "@natsbridge/test-harness";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";

export const SCREENSHOT_DIR = fileURLToPath(new URL("../reports/screenshots/", import.meta.url));

export function launchBrowser(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions());
}

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught exceptions so far. */
  errors: string[];
}

/** Opens `url` in a new page that records its console errors and uncaught exceptions. */
async function openRecording(browser: Browser, url: string, options?: Parameters<Browser["newPage"]>[0]): Promise<OpenedPage> {
  const page = await browser.newPage(options);
  const errors: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
  page.on("pageerror", (e) => void errors.push(String(e)));
  await page.goto(url);
  return { page, errors };
}

export async function openChat(browser: Browser, pageUrl: string, settings: Record<string, string>): Promise<OpenedPage> {
  const { page, errors } = await openRecording(browser, `${pageUrl}?${new URLSearchParams(settings)}`, {
    viewport: { width: 900, height: 1400 },
  });
  // The page module awaits its codecs before it defines window.chat.
  await page.waitForFunction(() => window.chat !== undefined);
  await page.evaluate(() => window.chat.ready);
  return { page, errors };
}

/** Opens the lab page (src/lab). */
export async function openLab(browser: Browser, pageUrl: string): Promise<OpenedPage> {
  const opened = await openRecording(browser, `${pageUrl}lab.html`);
  await opened.page.waitForFunction(() => window.lab !== undefined);
  return opened;
}

export type Rgb = [number, number, number];

/**
 * Takes a screenshot (saved under reports/screenshots/<name>.png) and returns
 * the colour at each point, given as fractions of the element's box.
 */
export async function screenshotColours(page: Page, element: Locator, name: string, points: [number, number][]): Promise<Rgb[]> {
  await element.scrollIntoViewIfNeeded();
  const box = await element.boundingBox();
  if (!box) throw new Error(`${name}: the element is not visible`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const png = await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png` });
  const at = points.map(([fx, fy]) => ({ x: Math.round(box.x + fx * box.width), y: Math.round(box.y + fy * box.height) }));
  return page.evaluate(
    async ({ b64, at }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const g = canvas.getContext("2d")!;
      g.drawImage(bitmap, 0, 0);
      return at.map(({ x, y }) => Array.from(g.getImageData(x, y, 1, 1).data.subarray(0, 3)) as [number, number, number]);
    },
    { b64: png.toString("base64"), at },
  );
}

/** True when every channel is within `tolerance` of the expected colour. */
export function near(actual: Rgb, expected: readonly number[], tolerance = 4): boolean {
  return actual.every((v, i) => Math.abs(v - expected[i]!) <= tolerance);
}

// nats-server 2.9 answers a client's websocket close with a close frame whose
// status code is reserved (1005); Chromium logs that as a console error on
// every deliberate close. Anything else a page logs fails the tests.
const CLOSE_FRAME_NOISE = /WebSocket connection to '.*' failed: Received a broken close frame containing a reserved status code/;

/** The console errors that count: all but the close-frame noise above. */
export const realErrors = (errors: readonly string[]) => errors.filter((e) => !CLOSE_FRAME_NOISE.test(e));
