import { describe, expect, it } from "vitest";
import { renderHtml, STATUS_STYLE } from "../src/html-report.js";
import { CELL_STATUSES } from "../src/plan.js";
import { type MatrixReport, totals } from "../src/report.js";
import type { CellResult } from "../src/runner.js";

const cells: CellResult[] = [
  { row: "text.direct", label: "text · direct", producer: "ts", consumer: "ts", status: "pass", reason: "" },
  {
    row: "text.direct",
    label: "text · direct",
    producer: "ts",
    consumer: "micropython-vm",
    status: "refused",
    reason: 'a <b>"quoted"</b> & reason',
  },
  { row: "table.direct", label: "table · direct", producer: "ts", consumer: "ts", status: "fail", reason: "differs" },
];
const report: MatrixReport = {
  startedAt: "2026-01-02T03:04:05.000Z",
  durationMs: 1234,
  producers: ["ts"],
  consumers: ["ts", "micropython-vm"],
  rows: [
    { key: "text.direct", label: "text · direct", case: "text", transport: "direct", types: ["text"] },
    { key: "table.direct", label: "table · direct", case: "table", transport: "direct", types: ["table"] },
  ],
  cells,
  totals: totals(cells),
  environment: { nats: "nats://127.0.0.1:1" },
};

describe("the HTML report", () => {
  const html = renderHtml(report);

  it("is one self-contained page: no scripts, no external files", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/);
  });

  it("has a summary with every status and its count", () => {
    for (const status of CELL_STATUSES) {
      expect(html).toContain(`<li data-status="${status}" style="background:${STATUS_STYLE[status].background};`);
    }
    expect(html).toMatch(/data-status="refused"[^>]*><span class="count">1<\/span>refused as expected/);
  });

  it("has one cell per result with its status, the pair and the reason (escaped) on hover", () => {
    expect(html.match(/<td class="cell[^"]*" data-status=/g)).toHaveLength(3);
    expect(html).toContain('data-status="refused" data-producer="ts" data-consumer="micropython-vm"');
    expect(html).toContain('title="text · direct: TS→mpvm refused as expected — a &lt;b&gt;&quot;quoted&quot;&lt;/b&gt; &amp; reason"');
    expect(html).toContain('<span class="types">(table)</span>');
  });
});
