import { describe, expect, it } from "vitest";
import type { Row } from "../src/plan.js";
import { type MatrixReport, renderMatrix, renderNotes, renderTotals, totals, vitestShaped } from "../src/report.js";
import type { CellResult } from "../src/runner.js";

const rows: Row[] = [
  { key: "text.direct", case: "text", transport: "direct" },
  { key: "table.direct", case: "table", transport: "direct" },
];
const cell = (row: string, producer: string, consumer: string, status: CellResult["status"], reason = ""): CellResult => ({
  row,
  label: row.replace(".", " · "),
  producer,
  consumer,
  status,
  reason,
});
const cells = [
  cell("text.direct", "ts", "ts", "pass"),
  cell("text.direct", "julia", "ts", "fail", '\'m\': expected "a", got "b"'),
  cell("table.direct", "ts", "ts", "pending", "pending @natsbridge/arrow"),
  cell("table.direct", "julia", "ts", "n/a", "no table"),
  cell("table.direct", "ts", "micropython-vm", "refused", "no table types (micropython-vm rejected it: ValueError)"),
  cell("text.direct", "python-reference", "micropython-vm", "known-issue", "surrogates"),
];
const columns = [
  { producer: "ts", consumer: "ts" },
  { producer: "julia", consumer: "ts" },
];

describe("matrix report", () => {
  it("renders one line per row and one column per producer→consumer pair", () => {
    const text = renderMatrix(rows, columns, cells, (r) => r.key);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/TS→TS\s+jl→TS/);
    expect(lines[2]).toMatch(/^text\.direct\s+│ pass\s+FAIL$/);
    expect(lines[3]).toMatch(/^table\.direct\s+│ pending\s+n\/a$/);
  });

  it("explains every cell that did not pass, failures first", () => {
    const notes = renderNotes(cells).split("\n");
    expect(notes[0]).toMatch(/^ {2}FAIL\s+text · direct julia→ts: 'm': expected/);
    expect(notes).toContainEqual(expect.stringMatching(/pending\s+pending @natsbridge\/arrow \[TS→TS ×1\]/));
    expect(notes).toContainEqual(expect.stringMatching(/n\/a\s+no table \[jl→TS ×1\]/));
  });

  it("counts cells, and shapes them like a vitest report for the test summary", () => {
    const t = totals(cells);
    expect(renderTotals(t)).toBe("1 passed, 1 failed, 1 refused as expected, 1 known issues, 1 pending, 0 unavailable, 1 not applicable");
    const report: MatrixReport = {
      startedAt: new Date(0).toISOString(),
      durationMs: 1,
      producers: [],
      consumers: [],
      rows: [],
      cells,
      totals: t,
      environment: {},
    };
    const v = vitestShaped(report) as Record<string, unknown> & { testResults: { assertionResults: { status: string }[] }[] };
    // A checked refusal passes; a known issue is pending, like the cells that did not run.
    expect(v).toMatchObject({ numPassedTests: 2, numFailedTests: 1, numPendingTests: 3, numTotalTests: 6, success: false });
    expect(v.testResults[0]!.assertionResults.map((a) => a.status)).toEqual([
      "passed",
      "failed",
      "pending",
      "pending",
      "passed",
      "pending",
    ]);
  });
});
