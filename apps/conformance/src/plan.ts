// The matrix: rows are (case, transport[, variant]), columns are
// producer→consumer pairs. Planning decides, without any I/O, which cells run
// and why the others cannot: "n/a" when a reference does not define the case
// (with the reason from its documentation), "unavailable" when the
// infrastructure cannot be had here, "pending" when a natsbridge package the
// cell needs is missing.

import type { CaseSpec } from "./cases.js";
import type { Fixture } from "./fixtures.js";
import type { PeerCapabilities } from "./peer.js";

export type RowTransport = "direct" | "link" | "link-plik";
export type CellStatus = "pass" | "fail" | "n/a" | "unavailable" | "pending";

export interface Row {
  key: string;
  case: string;
  transport: RowTransport;
  variant?: string;
}

export type Producer = { id: string; kind: "ts" } | { id: string; kind: "peer"; caps: PeerCapabilities } | { id: string; kind: "fixtures" };
export type Consumer =
  | { id: string; kind: "ts" }
  | { id: string; kind: "peer"; caps: PeerCapabilities }
  /** A consumer that cannot be run here at all (Julia live): every cell it has is "unavailable". */
  | { id: string; kind: "unavailable"; reason: string };

export const JULIA_UNAVAILABLE =
  "no Julia runtime obtainable here (no julia package in Debian's apt, no other source reachable); " +
  "Julia is covered as a producer by hand-derived fixtures only";

export type CellPlan =
  | { run: true; fixture?: Fixture; expectReject?: string }
  | { run: false; status: Exclude<CellStatus, "pass" | "fail">; reason: string };

export const ARROW_TYPES = new Set(["arrowtable", "table"]);

export const PLIK_UNAVAILABLE =
  "no Plik server obtainable here (Plik's Go module is refused by the Go proxy and Plik is not in apt); " +
  "live link cells use a plain HTTP PUT file server (nginx WebDAV) instead";

/** Why a reference does not produce a case, from its documented behaviour. */
const REFERENCE_GAPS: Record<string, (types: string[], transport: RowTransport, caseName: string) => string | undefined> = {
  julia: (types) =>
    types.includes("table") ? "the Julia reference has no 'table' type (its _serialize_data knows arrowtable and jsontable)" : undefined,
  micropython: (types, transport, caseName) => {
    const tables = types.filter((t) => t === "arrowtable" || t === "jsontable" || t === "table");
    if (tables.length) return `MicroPython supports no table types (${tables.join(", ")}): memory constraints`;
    if (transport === "link") return "MicroPython's file upload raises NotImplementedError: direct transport only";
    if (caseName === "dictionary-list") return "MicroPython's dictionary type takes a dict, not a top-level list";
    return undefined;
  },
  "python-reference": (types) => {
    const other = types.filter((t) => t === "arrowtable" || t === "jsontable");
    return other.length
      ? `the Python reference has the single type 'table'; ${other.join(", ")} is an unknown payload_type to it`
      : undefined;
  },
};

export function rowKey(caseName: string, transport: RowTransport, variant?: string): string {
  return variant ? `${caseName}.${transport}.${variant}` : `${caseName}.${transport}`;
}

export function rowLabel(row: Row): string {
  const t = row.transport === "link-plik" ? "link (Plik)" : row.transport;
  return [row.case, t, row.variant].filter(Boolean).join(" · ");
}

/** Every case direct and by link, the fixtures' variants, and one Plik row. */
export function buildRows(cases: Iterable<CaseSpec>, fixtures: readonly Fixture[]): Row[] {
  const rows: Row[] = [];
  const seen = new Set<string>();
  const add = (caseName: string, transport: RowTransport, variant?: string) => {
    const key = rowKey(caseName, transport, variant);
    if (seen.has(key)) return;
    seen.add(key);
    rows.push({ key, case: caseName, transport, ...(variant ? { variant } : {}) });
  };
  for (const c of cases) {
    add(c.name, "direct");
    for (const f of fixtures) if (f.case === c.name && f.transport === "direct" && f.variant) add(c.name, "direct", f.variant);
    add(c.name, "link");
    for (const f of fixtures) if (f.case === c.name && f.transport === "link" && f.variant) add(c.name, "link", f.variant);
  }
  add("binary", "link-plik");
  return rows;
}

function missing(types: string[], have: readonly string[]): string[] {
  return [...new Set(types.filter((t) => !have.includes(t)))];
}

export interface PlanContext {
  cases: Map<string, CaseSpec>;
  fixtures: readonly Fixture[];
  arrowAvailable: boolean;
}

export function planCell(row: Row, producer: Producer, consumer: Consumer, ctx: PlanContext): CellPlan {
  const spec = ctx.cases.get(row.case);
  if (!spec) return { run: false, status: "n/a", reason: `no case named ${row.case}` };
  const types = spec.payloads.map((p) => p.payload_type);
  const needsArrow = types.some((t) => ARROW_TYPES.has(t));
  const pendingArrow = { run: false, status: "pending", reason: "pending @natsbridge/arrow (arrowCodecs) for arrowtable/table" } as const;

  let fixture: Fixture | undefined;
  if (row.transport === "link-plik") {
    if (producer.kind === "fixtures") {
      return { run: false, status: "n/a", reason: "the fixtures' link rows already carry Plik-shaped URLs (served by the fixture server)" };
    }
    return { run: false, status: "unavailable", reason: PLIK_UNAVAILABLE };
  }
  if (producer.kind === "fixtures") {
    fixture = ctx.fixtures.find(
      (f) => f.producer === producer.id && f.case === row.case && f.transport === row.transport && (f.variant ?? undefined) === row.variant,
    );
    if (!fixture) {
      const why = row.variant
        ? `the ${row.variant} variant is not part of the ${producer.id} reference's documented behaviour`
        : REFERENCE_GAPS[producer.id]?.(types, row.transport, row.case);
      return { run: false, status: "n/a", reason: why ?? `no ${producer.id} fixture for ${rowLabel(row)}` };
    }
  } else if (row.variant) {
    return { run: false, status: "n/a", reason: `${row.variant} is a fixture-only variant; live producers emit encoding "base64"` };
  } else if (producer.kind === "ts") {
    if (needsArrow && !ctx.arrowAvailable) return pendingArrow;
  } else {
    const gaps = missing(types, producer.caps.produces);
    if (gaps.length) {
      const why = REFERENCE_GAPS[producer.caps.name]?.(gaps, row.transport, row.case);
      return { run: false, status: "n/a", reason: why ?? `${producer.id} does not produce ${gaps.join(", ")}` };
    }
    if (!producer.caps.transports.includes(row.transport)) {
      return { run: false, status: "n/a", reason: `${producer.id} does not send by ${row.transport}` };
    }
  }

  if (consumer.kind === "unavailable") return { run: false, status: "unavailable", reason: consumer.reason };
  if (consumer.kind === "ts") {
    if (needsArrow && !ctx.arrowAvailable) return pendingArrow;
    return { run: true, ...(fixture ? { fixture } : {}) };
  }
  const gaps = missing(types, consumer.caps.consumes);
  const expectReject = gaps.length
    ? (REFERENCE_GAPS[consumer.caps.name]?.(gaps, row.transport, row.case) ?? `${consumer.id} does not consume ${gaps.join(", ")}`)
    : fixture?.rejected_by?.[consumer.caps.name];
  return { run: true, ...(fixture ? { fixture } : {}), ...(expectReject ? { expectReject } : {}) };
}
