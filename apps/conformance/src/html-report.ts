// The matrix as one self-contained HTML page (no scripts, no external files):
// a summary on top (totals per status, environment), then producers ×
// consumers × cases (with their payload types) × transports, one coloured
// cell per status with its reason on hover (title), then the reasons grouped.
// `pnpm conformance --html` writes it next to the JSON reports.

import { CELL_STATUSES, type CellStatus } from "./plan.js";
import type { MatrixReport } from "./report.js";
import { renderNotes, shortName } from "./report.js";

export const STATUS_STYLE: Record<CellStatus, { label: string; mark: string; background: string; colour: string }> = {
  pass: { label: "passed", mark: "✓", background: "#b9e4bf", colour: "#14532d" },
  fail: { label: "failed", mark: "✗", background: "#f87171", colour: "#450a0a" },
  refused: { label: "refused as expected", mark: "R", background: "#bfdbfe", colour: "#1e3a8a" },
  "known-issue": { label: "known issue", mark: "K", background: "#fcd34d", colour: "#713f12" },
  "n/a": { label: "not applicable", mark: "·", background: "#f1f1f1", colour: "#6b7280" },
  unavailable: { label: "unavailable", mark: "U", background: "#d6c7bd", colour: "#44332a" },
  pending: { label: "pending", mark: "P", background: "#e9d5ff", colour: "#581c87" },
};

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const CSS = `
body { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 16px; color: #111; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
.meta { color: #444; margin: 0 0 12px; }
.summary { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 12px; padding: 0; list-style: none; }
.summary li { border-radius: 6px; padding: 6px 10px; font-weight: 600; }
.summary .count { font-size: 18px; margin-right: 6px; }
.environment { margin: 0 0 16px; border-collapse: collapse; }
.environment th { text-align: left; padding: 1px 12px 1px 0; color: #444; font-weight: 600; vertical-align: top; }
.environment td { padding: 1px 0; }
table.matrix { border-collapse: collapse; }
.matrix th, .matrix td { border: 1px solid #fff; }
.matrix thead th { background: #374151; color: #fff; font-weight: 600; padding: 3px 4px; }
.matrix thead th.producer { border-left: 3px solid #fff; }
.matrix tbody th { text-align: left; font-weight: 500; white-space: nowrap; padding: 1px 8px 1px 4px; background: #f9fafb; }
.matrix tbody th .types { color: #6b7280; font-weight: 400; }
.matrix tbody tr.case-start th, .matrix tbody tr.case-start td { border-top: 2px solid #d1d5db; }
.matrix td.cell { width: 30px; min-width: 30px; height: 20px; text-align: center; font-weight: 700; cursor: help; }
.matrix td.first { border-left: 3px solid #fff; }
.legend { margin: 10px 0; }
.legend span { display: inline-block; padding: 1px 8px; margin-right: 6px; border-radius: 4px; font-weight: 600; }
pre.notes { white-space: pre-wrap; background: #f9fafb; padding: 8px; border: 1px solid #e5e7eb; }
`;

function cellStyle(status: CellStatus): string {
  const s = STATUS_STYLE[status];
  return `background:${s.background};color:${s.colour}`;
}

export function renderHtml(report: MatrixReport): string {
  const byKey = new Map(report.cells.map((c) => [`${c.row}|${c.producer}|${c.consumer}`, c]));
  const consumers = report.consumers;
  const total = report.cells.length;

  const summary = CELL_STATUSES.map((status) => {
    const s = STATUS_STYLE[status];
    return `<li data-status="${status}" style="${cellStyle(status)}"><span class="count">${report.totals[status]}</span>${escapeHtml(s.label)}</li>`;
  }).join("");
  const environment = Object.entries(report.environment)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("");

  const producerHeads = report.producers
    .map(
      (p) => `<th class="producer" colspan="${consumers.length}">from ${escapeHtml(shortName(p))} <small>(${escapeHtml(p)})</small></th>`,
    )
    .join("");
  const consumerHeads = report.producers
    .map((_, _i) =>
      consumers
        .map((c, j) => `<th class="${j === 0 ? "producer" : ""}" title="${escapeHtml(c)}">${escapeHtml(shortName(c))}</th>`)
        .join(""),
    )
    .join("");

  let lastCase: string | undefined;
  const body = report.rows
    .map((row) => {
      const caseName = row.case ?? row.key.split(".")[0];
      const start = caseName !== lastCase;
      lastCase = caseName;
      const types = row.types?.length ? ` <span class="types">(${escapeHtml([...new Set(row.types)].join(", "))})</span>` : "";
      const cells = report.producers
        .map((p) =>
          consumers
            .map((c, j) => {
              const cell = byKey.get(`${row.key}|${p}|${c}`);
              const first = j === 0 ? " first" : "";
              if (!cell) return `<td class="cell${first}"></td>`;
              const s = STATUS_STYLE[cell.status];
              const title = `${row.label}: ${shortName(p)}→${shortName(c)} ${s.label}${cell.reason ? ` — ${cell.reason}` : ""}`;
              const who = `data-producer="${escapeHtml(p)}" data-consumer="${escapeHtml(c)}"`;
              return `<td class="cell${first}" data-status="${cell.status}" ${who} style="${cellStyle(cell.status)}" title="${escapeHtml(title)}">${s.mark}</td>`;
            })
            .join(""),
        )
        .join("");
      return `<tr class="${start ? "case-start" : ""}" data-row="${escapeHtml(row.key)}"><th>${escapeHtml(row.label)}${types}</th>${cells}</tr>`;
    })
    .join("\n");

  const legend = CELL_STATUSES.map((status) => {
    const s = STATUS_STYLE[status];
    return `<span style="${cellStyle(status)}">${s.mark} ${escapeHtml(s.label)}</span>`;
  }).join("");
  const notes = renderNotes(report.cells);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>NATSBridge conformance matrix</title>
<style>${CSS}</style>
</head>
<body>
<h1>NATSBridge conformance matrix</h1>
<p class="meta">${total} cells (producer → consumer × case × transport), run ${escapeHtml(report.startedAt)} in ${(report.durationMs / 1000).toFixed(1)} s. Hover over a cell for its reason.</p>
<ul class="summary" id="summary">${summary}</ul>
<table class="environment">${environment}</table>
<div class="legend">${legend}</div>
<table class="matrix" id="matrix">
<thead>
<tr><th rowspan="2">case · transport (payload types)</th>${producerHeads}</tr>
<tr>${consumerHeads}</tr>
</thead>
<tbody>
${body}
</tbody>
</table>
${notes ? `<h2>Why cells did not pass</h2>\n<pre class="notes">${escapeHtml(notes)}</pre>` : ""}
</body>
</html>
`;
}
