// The matrix as a table for people, and as JSON for machines: our own report
// (every cell with its status and reason) and a vitest-shaped summary that
// scripts/summarize-tests.mjs adds to the test total.

import { CELL_STATUSES, type CellStatus, type Row } from "./plan.js";
import type { CellResult } from "./runner.js";

export interface Column {
  producer: string;
  consumer: string;
}

export interface MatrixReport {
  startedAt: string;
  durationMs: number;
  producers: string[];
  consumers: string[];
  rows: { key: string; label: string; case?: string; transport?: string; types?: string[] }[];
  cells: CellResult[];
  totals: Record<CellStatus, number>;
  environment: Record<string, string>;
}

const SHORT: Record<string, string> = { ts: "TS", "python-reference": "py", julia: "jl", micropython: "mp", "micropython-vm": "mpvm" };
const MARK: Record<CellStatus, string> = {
  pass: "pass",
  fail: "FAIL",
  refused: "refused",
  "known-issue": "known",
  "n/a": "n/a",
  unavailable: "unavail",
  pending: "pending",
};

export function shortName(id: string): string {
  return SHORT[id] ?? id;
}

export function totals(cells: readonly CellResult[]): Record<CellStatus, number> {
  const t = Object.fromEntries(CELL_STATUSES.map((s) => [s, 0])) as Record<CellStatus, number>;
  for (const c of cells) t[c.status]++;
  return t;
}

export function renderMatrix(
  rows: readonly Row[],
  columns: readonly Column[],
  cells: readonly CellResult[],
  labelOf: (r: Row) => string,
): string {
  const byKey = new Map(cells.map((c) => [`${c.row}|${c.producer}|${c.consumer}`, c]));
  const headers = columns.map((c) => `${shortName(c.producer)}→${shortName(c.consumer)}`);
  const labelWidth = Math.max(10, ...rows.map((r) => width(labelOf(r))));
  const colWidth = Math.max(7, ...headers.map(width));
  const line = (label: string, values: string[]) =>
    `${pad(label, labelWidth)} │ ${values.map((v) => pad(v, colWidth)).join(" ")}`.trimEnd();
  const out = [line("case · transport", headers), `${"─".repeat(labelWidth)}─┼─${"─".repeat((colWidth + 1) * headers.length - 1)}`];
  for (const r of rows) {
    out.push(
      line(
        labelOf(r),
        columns.map((c) => {
          const cell = byKey.get(`${r.key}|${c.producer}|${c.consumer}`);
          return cell ? MARK[cell.status] : "";
        }),
      ),
    );
  }
  return out.join("\n");
}

/** Non-passing cells grouped by status and reason, so that one cause reads once. */
export function renderNotes(cells: readonly CellResult[]): string {
  const groups = new Map<string, CellResult[]>();
  for (const c of cells) {
    if (c.status === "pass") continue;
    const key = `${c.status}\u0000${c.status === "fail" ? `${c.label} ${c.producer}→${c.consumer}: ${c.reason}` : c.reason}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const order: CellStatus[] = ["fail", "known-issue", "pending", "unavailable", "refused", "n/a"];
  const lines: string[] = [];
  for (const status of order) {
    for (const [key, group] of groups) {
      if (!key.startsWith(`${status}\u0000`)) continue;
      const text = key.slice(status.length + 1);
      const where = status === "fail" ? "" : ` [${summarizeWhere(group)}]`;
      lines.push(`  ${MARK[status].padEnd(7)} ${text}${where}`);
    }
  }
  return lines.join("\n");
}

function summarizeWhere(group: readonly CellResult[]): string {
  const pairs = new Map<string, number>();
  for (const c of group) {
    const k = `${shortName(c.producer)}→${shortName(c.consumer)}`;
    pairs.set(k, (pairs.get(k) ?? 0) + 1);
  }
  return [...pairs].map(([k, n]) => `${k} ×${n}`).join(", ");
}

export function renderTotals(t: Record<CellStatus, number>): string {
  return (
    `${t.pass} passed, ${t.fail} failed, ${t.refused} refused as expected, ${t["known-issue"]} known issues, ` +
    `${t.pending} pending, ${t.unavailable} unavailable, ${t["n/a"]} not applicable`
  );
}

/**
 * vitest's JSON report shape, one "test" per cell, so the repository's test
 * summary counts cells. A refusal that was checked counts as passed; known
 * issues, like cells that did not run, as pending.
 */
export function vitestShaped(report: MatrixReport): Record<string, unknown> {
  const t = report.totals;
  return {
    numTotalTests: report.cells.length,
    numPassedTests: t.pass + t.refused,
    numFailedTests: t.fail,
    numPendingTests: t.pending + t.unavailable + t["n/a"] + t["known-issue"],
    numTodoTests: 0,
    success: t.fail === 0,
    startTime: Date.parse(report.startedAt),
    testResults: [
      {
        name: "conformance matrix",
        status: t.fail === 0 ? "passed" : "failed",
        assertionResults: report.cells.map((c) => ({
          title: `${c.label} ${c.producer}→${c.consumer}`,
          fullName: `conformance ${c.label} ${c.producer}→${c.consumer}`,
          status: c.status === "pass" || c.status === "refused" ? "passed" : c.status === "fail" ? "failed" : "pending",
          failureMessages: c.status === "fail" ? [c.reason] : [],
          duration: c.ms ?? 0,
        })),
      },
    ],
  };
}

// Display width: CJK/emoji are not in labels, so string length is close enough,
// except for the arrows and box characters which are one column each.
function width(text: string): number {
  return [...text].length;
}

function pad(text: string, n: number): string {
  return text + " ".repeat(Math.max(0, n - width(text)));
}
