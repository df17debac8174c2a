#!/usr/bin/env node
// Draws one trace as a waterfall (SVG) from Jaeger's HTTP API answer
// (GET /api/traces/<id>, or a file written by the Jaeger test with
// NATSBRIDGE_TRACE_OUT). The Jaeger the tests build has no web UI, so the
// pictures in docs/observability.md come from here.
//
//   node scripts/trace-waterfall.mjs trace.json > trace.svg
//   node scripts/trace-waterfall.mjs http://127.0.0.1:16686/api/traces/<id> > trace.svg

import { readFileSync } from "node:fs";

const source = process.argv[2];
if (!source) {
  console.error("usage: trace-waterfall.mjs <jaeger-trace.json | /api/traces/<id> URL> [title]");
  process.exit(2);
}
const answer = /^https?:/.test(source) ? await (await fetch(source)).json() : JSON.parse(readFileSync(source, "utf8"));
const trace = answer.data?.[0] ?? answer;
const title = process.argv[3] ?? `trace ${trace.traceID}`;

const tagsOf = (span) => Object.fromEntries(span.tags.map((t) => [t.key, t.value]));
const parentOf = (span) => span.references.find((r) => r.refType === "CHILD_OF")?.spanID;
const service = (span) => trace.processes[span.processID]?.serviceName ?? span.processID;

// Depth-first from the roots, children by start time: each span under its parent.
const children = new Map();
const ids = new Set(trace.spans.map((s) => s.spanID));
for (const s of trace.spans) {
  const p = ids.has(parentOf(s)) ? parentOf(s) : "";
  if (!children.has(p)) children.set(p, []);
  children.get(p).push(s);
}
// Start times may have millisecond resolution (the JS SDK's): siblings that
// start in the same millisecond go in pipeline order, payload by payload.
const STEP = { upload: 0, publish: 1, download: 0, verify: 1, decode: 2 };
const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
function pipelineRank(span) {
  const parent = byId.get(parentOf(span));
  const names = parent ? tagsOf(parent)["natsbridge.payload.datanames"] : undefined;
  const list = typeof names === "string" ? JSON.parse(names) : (names ?? []);
  const payload = list.indexOf(tagsOf(span)["natsbridge.payload.dataname"]);
  return (payload < 0 ? list.length : payload) * 10 + (STEP[span.operationName] ?? 5);
}
for (const list of children.values()) list.sort((a, b) => a.startTime - b.startTime || pipelineRank(a) - pipelineRank(b));
const rows = [];
const walk = (parent, depth) => {
  for (const s of children.get(parent) ?? []) {
    rows.push({ span: s, depth });
    walk(s.spanID, depth + 1);
  }
};
walk("", 0);

const start = Math.min(...trace.spans.map((s) => s.startTime));
const end = Math.max(...trace.spans.map((s) => s.startTime + s.duration));
const total = Math.max(end - start, 1);
const ms = (us) =>
  us >= 10_000 ? `${(us / 1000).toFixed(0)} ms` : us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${(us / 1000).toFixed(2)} ms`;

const services = [...new Set(rows.map((r) => service(r.span)))];
const palette = ["#3b7dd8", "#2e9e6a", "#a35bd6", "#d88a2b"];
const colour = (s) => palette[services.indexOf(s) % palette.length];
const ERROR = "#d64545";

const W = 1100;
const LABEL = 440;
const ROW = 30;
const TOP = 78;
const CHART = W - LABEL - 30;
const H = TOP + rows.length * ROW + 40;
const x = (us) => LABEL + ((us - start) / total) * CHART;
const esc = (v) => String(v).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** What the row says after the span name: the payload, or the message's payloads. */
function detail(tags) {
  if (tags["natsbridge.payload.dataname"] !== undefined) {
    const size = tags["natsbridge.payload.size"];
    return `${tags["natsbridge.payload.dataname"]}${size !== undefined ? `, ${size} B` : ""}`;
  }
  const transports = tags["natsbridge.payload.transports"];
  if (transports !== undefined) {
    const list = typeof transports === "string" ? JSON.parse(transports) : transports;
    return `${list.length} payloads: ${list.join(" + ")}`;
  }
  return "";
}

const out = [];
out.push(
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="13">`,
);
out.push(`<title>${esc(title)}</title>`); // the picture's accessible name
out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
out.push(`<text x="16" y="26" font-size="16" font-weight="bold" fill="#222">${esc(title)}</text>`);
const message = rows.map((r) => tagsOf(r.span)["messaging.message.id"]).find(Boolean);
out.push(
  `<text x="16" y="46" fill="#555">${rows.length} spans, ${ms(total)}, trace ${esc(trace.traceID)}${message ? `, msg ${esc(message)}` : ""} (from Jaeger's /api/traces)</text>`,
);
services.forEach((s, i) => {
  const lx = LABEL + i * 200;
  out.push(
    `<rect x="${lx}" y="54" width="12" height="12" rx="2" fill="${colour(s)}"/><text x="${lx + 18}" y="65" fill="#333">${esc(s)}</text>`,
  );
});
const errorLegend = LABEL + services.length * 200;
out.push(
  `<rect x="${errorLegend}" y="54" width="12" height="12" rx="2" fill="${ERROR}"/><text x="${errorLegend + 18}" y="65" fill="#333">error</text>`,
);

// Time grid.
for (let i = 0; i <= 4; i++) {
  const gx = LABEL + (i / 4) * CHART;
  out.push(`<line x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${H - 30}" stroke="#e3e3e3"/>`);
  out.push(`<text x="${gx}" y="${H - 14}" text-anchor="middle" fill="#777" font-size="11">${ms((total * i) / 4)}</text>`);
}

rows.forEach(({ span, depth }, i) => {
  const tags = tagsOf(span);
  const failed = tags.error === true || tags["otel.status_code"] === "ERROR";
  const y = TOP + i * ROW;
  if (i % 2 === 0) out.push(`<rect x="0" y="${y - 4}" width="${W}" height="${ROW}" fill="#f7f8fa"/>`);
  const name = `${span.operationName}${detail(tags) ? `  (${detail(tags)})` : ""}`;
  out.push(`<text x="${16 + depth * 18}" y="${y + 15}" fill="${failed ? ERROR : "#222"}">${esc(name)}</text>`);
  const bx = x(span.startTime);
  const bw = Math.max(2, (span.duration / total) * CHART);
  out.push(
    `<rect x="${bx.toFixed(1)}" y="${y + 2}" width="${bw.toFixed(1)}" height="${ROW - 12}" rx="3" fill="${failed ? ERROR : colour(service(span))}"/>`,
  );
  const label = `${ms(span.duration)}${failed && tags["error.type"] ? `  ${tags["error.type"]}` : ""}`;
  const after = bx + bw + 6;
  const fits = after + label.length * 7 < W - 4;
  out.push(
    `<text x="${(fits ? after : bx - 6).toFixed(1)}" y="${y + 15}" fill="#444" font-size="12" text-anchor="${fits ? "start" : "end"}">${esc(label)}</text>`,
  );
  // Events (retries, exceptions) as ticks on the bar.
  for (const log of span.logs ?? []) {
    const event = log.fields.find((f) => f.key === "event")?.value ?? "";
    const lx = x(log.timestamp);
    out.push(
      `<line x1="${lx.toFixed(1)}" y1="${y}" x2="${lx.toFixed(1)}" y2="${y + ROW - 8}" stroke="#111" stroke-width="2"><title>${esc(event)}</title></line>`,
    );
  }
});
out.push(`</svg>`);
process.stdout.write(`${out.join("\n")}\n`);
