// The HTML report of the last conformance run (reports/conformance-matrix.html,
// written by `pnpm conformance --html`), opened in headless Chromium: its
// counts must be the JSON report's, every cell must carry its status and its
// reason on hover, and a screenshot is kept (reports/conformance-matrix.png).
// A missing report fails: run the conformance with --html first
// (`pnpm --filter @natsbridge/conformance run conformance:ci` does both).

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromiumLaunchOptions } from "@natsbridge/test-harness";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CELL_STATUSES } from "../src/plan.js";
import type { MatrixReport } from "../src/report.js";

const REPORT_DIR = process.env.CONFORMANCE_REPORT_DIR ?? fileURLToPath(new URL("../reports/", import.meta.url));
const HTML = join(REPORT_DIR, "conformance-matrix.html");
const JSON_REPORT = join(REPORT_DIR, "conformance-matrix.json");
const SCREENSHOT = join(REPORT_DIR, "conformance-matrix.png");

for (const file of [HTML, JSON_REPORT]) {
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`pnpm conformance --html\` first (or the conformance:ci script)`);
}
const report = JSON.parse(readFileSync(JSON_REPORT, "utf8")) as MatrixReport;

describe("the HTML conformance report in Chromium", () => {
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  beforeAll(async () => {
    browser = await chromium.launch(chromiumLaunchOptions());
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
    page.on("pageerror", (e) => void errors.push(String(e)));
    await page.goto(pathToFileURL(HTML).href);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("was written by the same run as the JSON report", async () => {
    expect(await page.title()).toBe("NATSBridge conformance matrix");
    expect(await page.locator(".meta").textContent()).toContain(report.startedAt);
  });

  it("shows the JSON report's totals in its summary, one per status", async () => {
    for (const status of CELL_STATUSES) {
      const shown = await page.locator(`#summary li[data-status="${status}"] .count`).textContent();
      expect(Number(shown), status).toBe(report.totals[status]);
    }
  });

  it("has one coloured cell per cell of the JSON report, counted by status", async () => {
    const counted = await page.evaluate(() => {
      const counts: Record<string, number> = {};
      for (const td of Array.from(document.querySelectorAll<HTMLElement>("#matrix td[data-status]"))) {
        counts[td.dataset.status!] = (counts[td.dataset.status!] ?? 0) + 1;
      }
      return counts;
    });
    for (const status of CELL_STATUSES) expect(counted[status] ?? 0, status).toBe(report.totals[status]);
    expect(Object.values(counted).reduce((a, b) => a + b, 0)).toBe(report.cells.length);
    // Distinct statuses get distinct colours.
    const colours = await page.evaluate(() => {
      const byStatus: Record<string, string> = {};
      for (const td of Array.from(document.querySelectorAll<HTMLElement>("#matrix td[data-status]")))
        byStatus[td.dataset.status!] = getComputedStyle(td).backgroundColor;
      return byStatus;
    });
    expect(new Set(Object.values(colours)).size).toBe(Object.keys(colours).length);
  });

  it("gives every cell its status and reason on hover (title)", async () => {
    const titles = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>("#matrix td[data-status]"), (td) => ({
        row: td.closest("tr")!.dataset.row!,
        producer: td.dataset.producer!,
        consumer: td.dataset.consumer!,
        title: td.title,
      })),
    );
    const byKey = new Map(titles.map((t) => [`${t.row}|${t.producer}|${t.consumer}`, t.title]));
    for (const cell of report.cells) {
      const title = byKey.get(`${cell.row}|${cell.producer}|${cell.consumer}`);
      expect(title, `${cell.row} ${cell.producer}→${cell.consumer}`).toBeDefined();
      expect(title).toContain(cell.label);
      if (cell.reason) expect(title).toContain(cell.reason);
    }
  });

  it("lays out producers × consumers as columns and every row of the run", async () => {
    expect(await page.locator("#matrix thead th.producer[colspan]").count()).toBe(report.producers.length);
    expect(await page.locator("#matrix tbody tr").count()).toBe(report.rows.length);
    const firstRow = page.locator("#matrix tbody tr").first();
    expect(await firstRow.locator("td").count()).toBe(report.producers.length * report.consumers.length);
  });

  it("renders without errors, and is kept as a screenshot", async () => {
    expect(errors).toEqual([]);
    const png = await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    console.log(`screenshot: ${SCREENSHOT}`);
  });
});
