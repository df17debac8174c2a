// The matrix: rows are (case, transport[, variant]), columns are
// producer→consumer pairs. Planning decides, without any I/O, which cells run
// and what they must show, and why the others cannot: "n/a" when a reference
// does not define the case (with the reason from its documentation),
// "unavailable" when the infrastructure cannot be had here, "pending" when a
// natsbridge package the cell needs is missing. A cell that runs may be
// expected to end in a refusal (the producer's or the consumer's reference
// refuses the case: checked, status "refused"), or in a documented
// difference between two references (checked, status "known-issue").

import type { CaseSpec } from "./cases.js";
import type { Fixture } from "./fixtures.js";
import type { PeerCapabilities } from "./peer.js";

export type RowTransport = "direct" | "link" | "link-plik";
export type CellStatus = "pass" | "fail" | "refused" | "known-issue" | "n/a" | "unavailable" | "pending";
export const CELL_STATUSES: readonly CellStatus[] = ["pass", "fail", "refused", "known-issue", "n/a", "unavailable", "pending"];

export interface Row {
  key: string;
  case: string;
  transport: RowTransport;
  variant?: string;
  /** Which Plik server the Plik row runs against, for its label ("plik-compatible test server", "real plikd"). */
  server?: string;
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

/** A documented way in which a consumer misreads what a producer sends: the cell checks that it happens exactly so. */
export interface KnownDifference {
  reason: string;
  /** What the consumer is known to decode instead of the expected value. */
  misread(expected: unknown): unknown;
}

export type CellPlan =
  | {
      run: true;
      fixture?: Fixture;
      /** The producer must refuse to send this (why, per its reference). */
      expectSendRefusal?: string;
      /** The error the producer's refusal must show, when its reference names it. */
      sendRefusalError?: RegExp;
      /** The consumer must refuse to decode this (why, per its reference). */
      expectReject?: string;
      /** The error the consumer's rejection must show, when its reference names it. */
      rejectError?: RegExp;
      known?: KnownDifference;
    }
  | { run: false; status: Exclude<CellStatus, "pass" | "fail" | "refused" | "known-issue">; reason: string };

export const ARROW_TYPES = new Set(["arrowtable", "table"]);

export const PLIK_UNAVAILABLE = "no Plik server for this run (start the conformance without --no-plik)";

/** MicroPython's payload limit (MAX_PAYLOAD_SIZE): larger payloads raise MemoryError before sending. */
export const MICROPYTHON_MAX_PAYLOAD = 50_000;

/** Why a reference does not produce a case, from its documented behaviour. */
const REFERENCE_GAPS: Record<string, (types: string[], transport: RowTransport, caseName: string) => string | undefined> = {
  julia: (types) =>
    types.includes("table") ? "the Julia reference has no 'table' type (its _serialize_data knows arrowtable and jsontable)" : undefined,
  micropython: (types, transport) => {
    const tables = types.filter((t) => t === "arrowtable" || t === "jsontable" || t === "table");
    if (tables.length) return `MicroPython supports no table types (${tables.join(", ")}): memory constraints`;
    if (transport !== "direct") return "MicroPython's file upload and download raise NotImplementedError: direct transport only";
    return undefined;
  },
  "python-reference": (types) => {
    const other = types.filter((t) => t === "arrowtable" || t === "jsontable");
    return other.length
      ? `the Python reference has the single type 'table'; ${other.join(", ")} is an unknown payload_type to it`
      : undefined;
  },
};

type GapKind = "types" | "size" | "upload" | "download";

/** The exceptions a reference's code raises for each gap (its error class and message). */
const REFERENCE_ERRORS: Record<string, Partial<Record<GapKind, RegExp>>> = {
  micropython: {
    types: /^ValueError: Unknown payload_type: /,
    size: /^MemoryError: Payload .* exceeds max size 50000$/,
    upload: /^NotImplementedError: File upload not implemented in MicroPython$/,
    download: /^NotImplementedError: File download not implemented in MicroPython$/,
  },
  "python-reference": { types: /^ValueError: Unknown payload_type: / },
};
const referenceError = (name: string, kind: GapKind) => REFERENCE_ERRORS[name]?.[kind];

export function rowKey(caseName: string, transport: RowTransport, variant?: string): string {
  return variant ? `${caseName}.${transport}.${variant}` : `${caseName}.${transport}`;
}

export function rowLabel(row: Row): string {
  const t = row.transport === "link-plik" ? `link (Plik${row.server ? `: ${row.server}` : ""})` : row.transport;
  return [row.case, t, row.variant].filter(Boolean).join(" · ");
}

/** Every case direct and by link, the fixtures' variants, and one Plik row (labelled with its server). */
export function buildRows(cases: Iterable<CaseSpec>, fixtures: readonly Fixture[], plikServer?: string): Row[] {
  const rows: Row[] = [];
  const seen = new Set<string>();
  const add = (caseName: string, transport: RowTransport, variant?: string) => {
    const key = rowKey(caseName, transport, variant);
    if (seen.has(key)) return;
    seen.add(key);
    const server = transport === "link-plik" && plikServer ? { server: plikServer } : {};
    rows.push({ key, case: caseName, transport, ...(variant ? { variant } : {}), ...server });
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
  /** False when the run has no Plik server: the Plik row is then unavailable. */
  plikAvailable?: boolean;
}

/** The bytes of a value spec's payload, where it can be known without encoding it (bytes specs). */
function payloadBytes(spec: CaseSpec): number {
  return Math.max(0, ...spec.payloads.map((p) => ("bytes" in p.value ? p.value.bytes.length : 0)));
}

/**
 * Why a live peer's reference cannot send this row (and the error it raises
 * then), or undefined when it can. In the order the references check: the
 * payload type when serializing, the size limit, then the upload.
 */
function sendGap(
  producer: Extract<Producer, { kind: "peer" }>,
  row: Row,
  spec: CaseSpec,
  types: string[],
): { reason: string; error?: RegExp } | undefined {
  const caps = producer.caps;
  const gaps = missing(types, caps.produces);
  const transport = row.transport === "direct" ? "direct" : "link";
  const withError = (reason: string, kind: GapKind) => {
    const error = referenceError(caps.name, kind);
    return { reason, ...(error ? { error } : {}) };
  };
  if (gaps.length)
    return withError(
      REFERENCE_GAPS[caps.name]?.(gaps, row.transport, row.case) ?? `${producer.id} does not produce ${gaps.join(", ")}`,
      "types",
    );
  if (caps.max_payload_bytes !== undefined && payloadBytes(spec) > caps.max_payload_bytes) {
    return withError(`${producer.id} refuses payloads over ${caps.max_payload_bytes} bytes (its MAX_PAYLOAD_SIZE)`, "size");
  }
  if (!caps.transports.includes(transport)) {
    return withError(
      REFERENCE_GAPS[caps.name]?.(types, row.transport, row.case) ?? `${producer.id} does not send by ${transport}`,
      "upload",
    );
  }
  if (row.transport === "link-plik" && !caps.uploads?.includes("plik")) return { reason: `${producer.id} does not upload to Plik` };
  return undefined;
}

/**
 * Documented differences between references, checked where they apply.
 * MicroPython's json.loads reads a \uD83D\uDE00 surrogate-pair escape as two
 * lone surrogates, and writes each as three bytes that are not UTF-8; CPython's
 * json.dumps (the Python reference, ensure_ascii) escapes every character
 * outside the BMP that way. A receipt decoder (TextDecoder) turns each lone
 * surrogate's three bytes into three U+FFFD.
 */
export const SURROGATE_PAIRS_MISREAD: KnownDifference = {
  reason:
    "MicroPython's json.loads does not join surrogate-pair escapes (\\ud83d\\ude00), which the Python reference's json.dumps writes " +
    "for every character outside the BMP: such characters arrive as two lone surrogates (docs/wire-format.md, MicroPython)",
  misread: function misread(value: unknown): unknown {
    if (typeof value === "string") return value.replace(/[\u{10000}-\u{10FFFF}]/gu, "\uFFFD".repeat(6));
    if (Array.isArray(value)) return value.map(misread);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [misread(k), misread(v)]));
    return value;
  },
};

function knownDifference(producer: Producer, consumer: Consumer, spec: CaseSpec): KnownDifference | undefined {
  const producerName = producer.kind === "peer" ? producer.caps.name : producer.id;
  const consumerName = consumer.kind === "peer" ? consumer.caps.name : consumer.id;
  const nonBmpInJson = spec.payloads.some(
    (p) => p.payload_type === "dictionary" && "json" in p.value && /[\u{10000}-\u{10FFFF}]/u.test(JSON.stringify(p.value.json)),
  );
  if (producerName === "python-reference" && consumerName === "micropython" && nonBmpInJson) return SURROGATE_PAIRS_MISREAD;
  return undefined;
}

export function planCell(row: Row, producer: Producer, consumer: Consumer, ctx: PlanContext): CellPlan {
  const spec = ctx.cases.get(row.case);
  if (!spec) return { run: false, status: "n/a", reason: `no case named ${row.case}` };
  const types = spec.payloads.map((p) => p.payload_type);
  const needsArrow = types.some((t) => ARROW_TYPES.has(t));
  const pendingArrow = { run: false, status: "pending", reason: "pending @natsbridge/arrow (arrowCodecs) for arrowtable/table" } as const;

  let fixture: Fixture | undefined;
  if (row.transport === "link-plik" && producer.kind === "fixtures") {
    return { run: false, status: "n/a", reason: "the fixtures' link rows already carry Plik-shaped URLs (served by the fixture server)" };
  }
  if (row.transport === "link-plik" && ctx.plikAvailable === false) return { run: false, status: "unavailable", reason: PLIK_UNAVAILABLE };
  if (producer.kind === "fixtures") {
    fixture = ctx.fixtures.find(
      (f) => f.producer === producer.id && f.case === row.case && f.transport === row.transport && (f.variant ?? undefined) === row.variant,
    );
    if (!fixture) {
      const why = row.variant
        ? `the ${row.variant} variant is not part of the ${producer.id} reference's documented behaviour`
        : (REFERENCE_GAPS[producer.id]?.(types, row.transport, row.case) ??
          (producer.id === "micropython" && payloadBytes(spec) > MICROPYTHON_MAX_PAYLOAD
            ? `MicroPython refuses payloads over ${MICROPYTHON_MAX_PAYLOAD} bytes (MAX_PAYLOAD_SIZE: MemoryError)`
            : undefined));
      return { run: false, status: "n/a", reason: why ?? `no ${producer.id} fixture for ${rowLabel(row)}` };
    }
  } else if (row.variant) {
    return { run: false, status: "n/a", reason: `${row.variant} is a fixture-only variant; live producers emit encoding "base64"` };
  } else if (producer.kind === "ts") {
    if (needsArrow && !ctx.arrowAvailable) return pendingArrow;
  } else {
    const gap = sendGap(producer, row, spec, types);
    if (gap && !producer.caps.refuses_with_errors) return { run: false, status: "n/a", reason: gap.reason };
    // A peer that answers what its reference cannot send with that reference's error: the refusal is the check.
    if (gap) return { run: true, expectSendRefusal: gap.reason, ...(gap.error ? { sendRefusalError: gap.error } : {}) };
  }

  if (consumer.kind === "unavailable") return { run: false, status: "unavailable", reason: consumer.reason };
  if (consumer.kind === "ts") {
    if (needsArrow && !ctx.arrowAvailable) return pendingArrow;
    return { run: true, ...(fixture ? { fixture } : {}) };
  }
  const gaps = missing(types, consumer.caps.consumes);
  const linkGap = row.transport !== "direct" && !consumer.caps.transports.includes("link");
  // The reference decodes payload by payload: an unknown type fails when its payload comes, a link when it is fetched.
  const name = consumer.caps.name;
  const [expectReject, rejectError] = gaps.length
    ? [
        REFERENCE_GAPS[name]?.(gaps, row.transport, row.case) ?? `${consumer.id} does not consume ${gaps.join(", ")}`,
        linkGap ? referenceError(name, "download") : referenceError(name, "types"),
      ]
    : linkGap
      ? [
          REFERENCE_GAPS[name]?.(types, row.transport, row.case) ?? `${consumer.id} does not receive by link`,
          referenceError(name, "download"),
        ]
      : [fixture?.rejected_by?.[name], undefined];
  const known = expectReject ? undefined : knownDifference(producer, consumer, spec);
  return {
    run: true,
    ...(fixture ? { fixture } : {}),
    ...(expectReject ? { expectReject } : {}),
    ...(rejectError ? { rejectError } : {}),
    ...(known ? { known } : {}),
  };
}
