// Fuzzing the receive path: generated and mutated envelopes go into
// parseEnvelope and smartreceive, and every outcome is checked. The property:
// each input resolves, or rejects with a typed NatsBridgeError whose code is
// not INTERNAL_ERROR; nothing hangs, nothing pollutes Object.prototype, and
// the heap stays bounded.
//
// No network is ever used: the bridge runs on a fake platform whose httpGet
// answers from a table the generator fills (status, lying or huge
// Content-Length, chunked or broken bodies, stalls). Half the runs use the
// default allowlist (so links are refused before any request), half
// allowAnyHost against that fake.
//
// Shared by tests/fuzz.test.ts (a small seed-fixed sample) and scripts/fuzz.ts
// (the nightly-length run).

import { createHash } from "node:crypto";
import { encodeBase64, encodeUtf8, isNatsBridgeError, type JsonObject, parseEnvelope } from "@natsbridge/envelope";
import fc from "fast-check";
import { NatsBridge } from "../src/bridge.js";
import { silentLogger } from "../src/logger.js";
import type { SmartReceiveOptions } from "../src/options.js";
import { PayloadStream } from "../src/payload-stream.js";
import type { HttpGetResult, Platform } from "../src/platform/types.js";

/** How the fake file server answers one URL. */
export interface FakeResponse {
  status: number;
  /** Content-Length header as sent (may lie, be huge, negative or not a number); absent = none. */
  contentLength?: string;
  chunks: Uint8Array[];
  /** Throw (a reset connection) after the chunks. */
  breakAfter?: boolean;
  /** Never answer: the attempt timeout must cut it off. */
  stall?: boolean;
  /** Fail the connection outright. */
  refuse?: boolean;
}

export interface FuzzInput {
  /** What smartreceive is handed. */
  message: Uint8Array | string;
  responses: Record<string, FakeResponse>;
  stream: boolean;
  allowAnyHost: boolean;
}

const FILE_SERVER = "http://files.fuzz.test";
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** A platform with no network: answers come from the current input's table. */
export function fakePlatform(): Platform & { responses: Record<string, FakeResponse>; requests: number } {
  const platform = {
    name: "node" as const,
    responses: {} as Record<string, FakeResponse>,
    requests: 0,
    connect: () => Promise.reject(new Error("no NATS in the fuzzer")),
    sha256: async (bytes: Uint8Array) => sha256(bytes),
    createSha256() {
      const hash = createHash("sha256");
      return { update: (c: Uint8Array) => void hash.update(c), digest: async () => hash.digest("hex") };
    },
    env: () => undefined,
    defaultLogger: () => silentLogger,
    async httpGet(url: string, { signal }: { signal: AbortSignal }): Promise<HttpGetResult> {
      platform.requests++;
      // Own properties only: a URL such as ".../__proto__" must not find Object.prototype.
      const r = Object.hasOwn(platform.responses, url) ? platform.responses[url]! : { status: 404, chunks: [] };
      if (r.refuse) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      if (r.stall) {
        await new Promise<void>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
      }
      const headers: Record<string, string | undefined> = {};
      if (r.contentLength !== undefined) headers["content-length"] = r.contentLength;
      return {
        status: r.status,
        headers,
        body: (async function* () {
          for (const c of r.chunks) yield c;
          if (r.breakAfter) throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        })(),
        dump: async () => undefined,
      };
    },
  };
  return platform;
}

// ---- generators ------------------------------------------------------------

const KNOWN_TYPES = ["text", "dictionary", "jsontable", "image", "audio", "video", "binary"];
const payloadType = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...KNOWN_TYPES) },
  { weight: 1, arbitrary: fc.constantFrom("table", "arrowtable", "", "__proto__", "x".repeat(300)) },
);

const weirdString = fc.oneof(
  { weight: 20, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf") },
  // Very long strings, kept rare so the heap stays small.
  { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 300_000 }).map((n) => "A".repeat(n)) },
);

const weirdNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e300, -1, -0, 2 ** 53, 4 * 1024 ** 3, 1e21),
);

/** Any JSON value, including the shapes that break naive code. */
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: weirdString },
  { weight: 2, arbitrary: weirdNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: fc.constant(JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}')) },
);

const bodyBytes = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 256 }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => encodeUtf8(JSON.stringify(v))) },
  { weight: 2, arbitrary: fc.string({ maxLength: 80 }).map((s) => encodeUtf8(s)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 200_000 }).map((n) => new Uint8Array(n)) },
);

const fakeResponse = (body: Uint8Array): fc.Arbitrary<FakeResponse> =>
  fc
    .record({
      status: fc.oneof(
        { weight: 6, arbitrary: fc.constant(200) },
        { weight: 1, arbitrary: fc.constantFrom(206, 301, 404, 500, 503, 999, 0) },
      ),
      contentLength: fc.option(
        fc.oneof(
          fc.constant(String(body.byteLength)),
          fc.constant(String(body.byteLength + 7)),
          fc.constant(String(Math.max(0, body.byteLength - 3))),
          fc.constantFrom("1e300", "-5", "NaN", "abc", "9007199254740993", String(5 * 1024 ** 3), String(64 * 1024 ** 2)),
        ),
        { nil: undefined },
      ),
      chunks: fc.integer({ min: 1, max: 4 }).map((n) => splitInto(body, n)),
      breakAfter: fc.boolean().map((b) => b && body.byteLength % 3 === 0),
      stall: fc.integer({ min: 0, max: 199 }).map((n) => n === 0),
      refuse: fc.integer({ min: 0, max: 49 }).map((n) => n === 0),
    })
    .map((r) => {
      const out: FakeResponse = { status: r.status, chunks: r.chunks };
      if (r.contentLength !== undefined) out.contentLength = r.contentLength;
      if (r.breakAfter) out.breakAfter = true;
      if (r.stall) out.stall = true;
      if (r.refuse) out.refuse = true;
      return out;
    });

function splitInto(bytes: Uint8Array, n: number): Uint8Array[] {
  const size = Math.max(1, Math.ceil(bytes.byteLength / n));
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.byteLength; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** Usually the true size; sometimes a lie, a negative or an absurd one. */
const rareSizeLie = (off: number) =>
  fc.oneof({ weight: 30, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(off, -1, 1e300, 2 ** 53) });

interface PayloadSeed {
  payload: JsonObject;
  url?: string;
  response?: FakeResponse;
}

const directPayload: fc.Arbitrary<PayloadSeed> = fc
  .record({
    id: fc.uuid(),
    dataname: weirdString,
    payload_type: payloadType,
    encoding: fc.constantFrom("base64", "base64", "json", "arrow-ipc", "none", "hex"),
    body: bodyBytes,
    // Mostly real base64; sometimes anything at all (bad base64, objects, numbers...).
    data: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: weirdValue }),
    sizeDelta: rareSizeLie(1),
    withSha: fc.boolean(),
  })
  .map((r) => ({
    payload: {
      id: r.id,
      dataname: r.dataname,
      payload_type: r.payload_type,
      transport: "direct",
      encoding: r.encoding,
      size: r.body.byteLength + r.sizeDelta,
      data: r.data === undefined ? encodeBase64(r.body) : r.data,
      metadata: r.withSha ? { sha256: sha256(r.body) } : {},
    },
  }));

const linkPayload: fc.Arbitrary<PayloadSeed> = fc
  .record({
    id: fc.uuid(),
    dataname: weirdString,
    payload_type: payloadType,
    body: bodyBytes,
    path: fc.oneof(fc.uuid(), fc.constantFrom("__proto__", "constructor", "a/../../etc/passwd", "%00", "")),
    origin: fc.oneof(
      { weight: 6, arbitrary: fc.constant(FILE_SERVER) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "http://169.254.169.254",
          "http://127.0.0.1:22",
          "http://[::1]",
          "http://0.0.0.0",
          "http://2130706433",
          "file://",
          "gopher://files.fuzz.test",
          "javascript:",
          "http://files.fuzz.test@evil.test",
        ),
      },
    ),
    sizeDelta: rareSizeLie(5),
    withSha: fc.constantFrom(true, true, false),
    wrongSha: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  })
  .chain((r) =>
    fakeResponse(r.body).map((response): PayloadSeed => {
      const url = `${r.origin}/blobs/${r.path}`;
      return {
        url,
        response,
        payload: {
          id: r.id,
          dataname: r.dataname,
          payload_type: r.payload_type,
          transport: "link",
          encoding: "none",
          size: r.body.byteLength + r.sizeDelta,
          data: url,
          metadata: r.withSha ? { sha256: r.wrongSha ? "0".repeat(64) : sha256(r.body) } : {},
        },
      };
    }),
  );

const envelopeSeed = fc.record({
  correlation_id: fc.uuid(),
  msg_id: fc.uuid(),
  timestamp: fc.constant("2025-01-01T00:00:00.000Z"),
  send_to: weirdString,
  msg_purpose: fc.constantFrom("chat", "", "request"),
  sender_name: weirdString,
  metadata: fc.oneof(fc.constant({}), fc.dictionary(weirdString, weirdValue, { maxKeys: 4 })),
  payloads: fc.array(fc.oneof(directPayload, linkPayload), { maxLength: 4 }),
});

/** One edit to a parsed envelope: a field of the wrong type, a key removed, a hostile key added. */
type Edit =
  | { kind: "set"; path: number; value: unknown }
  | { kind: "delete"; path: number }
  | { kind: "addKey"; path: number; key: string; value: unknown };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), path: fc.nat(), value: weirdValue }),
  fc.record({ kind: fc.constant("delete" as const), path: fc.nat() }),
  fc.record({
    kind: fc.constant("addKey" as const),
    path: fc.nat(),
    key: fc.constantFrom("__proto__", "constructor", "prototype", "data", "size", "payloads", "metadata", "transport"),
    value: weirdValue,
  }),
);

/** Every (container, key) in the object, in a fixed order, so an edit can pick one by index. */
function slots(root: unknown): [Record<string, unknown>, string][] {
  const out: [Record<string, unknown>, string][] = [];
  const walk = (node: unknown, depth: number) => {
    if (depth > 6 || typeof node !== "object" || node === null) return;
    for (const key of Object.keys(node)) {
      out.push([node as Record<string, unknown>, key]);
      walk((node as Record<string, unknown>)[key], depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

function applyEdit(root: JsonObject, e: Edit): void {
  const all = slots(root);
  if (all.length === 0) return;
  const [container, key] = all[e.path % all.length]!;
  // A fresh copy each time: the same generated object inserted twice could end up inside itself.
  const value = e.kind === "delete" || e.value === undefined ? undefined : JSON.parse(JSON.stringify(e.value));
  if (e.kind === "set") container[key] = value;
  else if (e.kind === "delete") delete container[key];
  else {
    const target = typeof container[key] === "object" && container[key] !== null ? (container[key] as Record<string, unknown>) : container;
    // defineProperty, so "__proto__" becomes an own key and JSON.stringify writes it out.
    Object.defineProperty(target, e.key, { value, enumerable: true, writable: true, configurable: true });
  }
}

/** Edits to the serialized bytes: flips, cuts, splices, UTF-8 breakage. */
type ByteEdit = { kind: "flip" | "truncate" | "insert" | "utf8"; at: number; byte: number };
const byteEdit: fc.Arbitrary<ByteEdit> = fc.record({
  kind: fc.constantFrom("flip", "truncate", "insert", "utf8"),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
});

function applyByteEdits(bytes: Uint8Array, edits: ByteEdit[]): Uint8Array {
  let out = bytes;
  for (const e of edits) {
    if (out.byteLength === 0) break;
    const at = e.at % out.byteLength;
    if (e.kind === "flip") {
      out = out.slice();
      out[at] = out[at]! ^ (1 << (e.byte % 8));
    } else if (e.kind === "truncate") out = out.subarray(0, at);
    else {
      const extra = e.kind === "utf8" ? Uint8Array.of(0xc3 + (e.byte % 2) * 0x30) : Uint8Array.of(e.byte);
      const next = new Uint8Array(out.byteLength + extra.byteLength);
      next.set(out.subarray(0, at));
      next.set(extra, at);
      next.set(out.subarray(at), at + extra.byteLength);
      out = next;
    }
  }
  return out;
}

/** Nesting far deeper than any envelope has, as raw JSON text (built without recursion). */
const deepNesting: fc.Arbitrary<string> = fc
  .record({ depth: fc.integer({ min: 100, max: 200_000 }), where: fc.constantFrom("metadata", "data", "root", "payloads") })
  .map(({ depth, where }) => {
    const deep = "[".repeat(depth) + "]".repeat(depth);
    const deepObj = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    const value = depth % 2 ? deep : deepObj;
    if (where === "root") return value;
    if (where === "payloads") return `{"correlation_id":"c","payloads":${value}}`;
    if (where === "metadata") return `{"correlation_id":"c","metadata":${value},"payloads":[]}`;
    return `{"correlation_id":"c","payloads":[{"dataname":"d","payload_type":"dictionary","transport":"direct","encoding":"json","data":${value}}]}`;
  });

export const fuzzInput: fc.Arbitrary<FuzzInput> = fc
  .oneof(
    // Well-formed envelopes with hostile contents.
    { weight: 4, arbitrary: fc.tuple(envelopeSeed, fc.constant<Edit[]>([]), fc.constant<ByteEdit[]>([])) },
    // Wrong types, missing fields and hostile keys anywhere.
    { weight: 4, arbitrary: fc.tuple(envelopeSeed, fc.array(edit, { minLength: 1, maxLength: 4 }), fc.constant<ByteEdit[]>([])) },
    // Byte-level damage.
    { weight: 3, arbitrary: fc.tuple(envelopeSeed, fc.array(edit, { maxLength: 2 }), fc.array(byteEdit, { minLength: 1, maxLength: 5 })) },
  )
  .chain(([seed, edits, byteEdits]) =>
    fc.record({ stream: fc.boolean(), allowAnyHost: fc.boolean(), asString: fc.boolean() }).map((o): FuzzInput => {
      const responses: Record<string, FakeResponse> = {};
      for (const p of seed.payloads) if (p.url && p.response) responses[p.url] = p.response;
      const env: JsonObject = { ...seed, payloads: seed.payloads.map((p) => structuredClone(p.payload)) };
      for (const e of edits) applyEdit(env, e);
      const text = JSON.stringify(env);
      const message = byteEdits.length > 0 ? applyByteEdits(encodeUtf8(text), byteEdits) : o.asString ? text : encodeUtf8(text);
      return { message, responses, stream: o.stream, allowAnyHost: o.allowAnyHost };
    }),
  );

/** Inputs that are not envelopes at all. */
export const junkInput: fc.Arbitrary<FuzzInput> = fc
  .oneof(
    fc.uint8Array({ maxLength: 2048 }),
    fc.string({ unit: "binary", maxLength: 512 }),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? "null"),
    deepNesting,
    fc.constantFrom("", "null", "[]", "{}", '{"payloads":null}', '{"__proto__":{"payloads":[]}}', '{"payloads":{"length":1e9}}'),
  )
  .map((message) => ({ message, responses: {}, stream: false, allowAnyHost: false }));

export const anyInput: fc.Arbitrary<FuzzInput> = fc.oneof({ weight: 5, arbitrary: fuzzInput }, { weight: 1, arbitrary: junkInput });

// ---- the check -------------------------------------------------------------

export type Outcome = "ok" | "typed" | "untyped" | "crash" | "hang" | "pollution";

export interface FuzzTarget {
  platform: ReturnType<typeof fakePlatform>;
  bridge: NatsBridge;
  /** Per-input time limit in ms before the input counts as a hang. */
  hangAfter: number;
}

export function fuzzTarget(hangAfter = 5_000): FuzzTarget {
  const platform = fakePlatform();
  return { platform, bridge: new NatsBridge(platform), hangAfter };
}

const receiveOptions = (input: FuzzInput): SmartReceiveOptions => ({
  fileserverUrl: FILE_SERVER,
  allowAnyHost: input.allowAnyHost,
  stream: input.stream,
  maxRetries: 2,
  baseDelay: 1,
  maxDelay: 2,
  attemptTimeout: 20,
  maxDownloadBytes: 1024 * 1024,
  maxEnvelopeBytes: 4 * 1024 * 1024,
});

export interface CheckResult {
  outcome: Outcome;
  /** The code of a typed error, or a description of what went wrong. */
  detail: string;
}

/** Runs one input through parseEnvelope and smartreceive (reading every stream). */
export async function checkInput(target: FuzzTarget, input: FuzzInput): Promise<CheckResult> {
  target.platform.responses = input.responses;
  // parseEnvelope alone: typed error or an envelope, nothing else.
  try {
    parseEnvelope(input.message, { maxBytes: 4 * 1024 * 1024 });
  } catch (error) {
    if (!isNatsBridgeError(error)) return { outcome: "crash", detail: `parseEnvelope threw ${describeError(error)}` };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: "hang", detail: `no outcome within ${target.hangAfter} ms` }), target.hangAfter);
  });
  const run = (async (): Promise<CheckResult> => {
    try {
      const env = await target.bridge.smartreceive(input.message, receiveOptions(input));
      for (const [, value] of env.payloads) if (value instanceof PayloadStream) await value.bytes();
      return { outcome: "ok", detail: "ok" };
    } catch (error) {
      if (!isNatsBridgeError(error)) return { outcome: "crash", detail: describeError(error) };
      if (error.code === "INTERNAL_ERROR") return { outcome: "untyped", detail: error.message };
      return { outcome: "typed", detail: error.code };
    }
  })();
  const result = await Promise.race([run, hang]);
  clearTimeout(timer);
  if (polluted()) return { outcome: "pollution", detail: `Object.prototype gained ${Object.keys(Object.prototype).join(", ")}` };
  return result;
}

function polluted(): boolean {
  return Object.keys(Object.prototype).length > 0 || ({} as { polluted?: unknown }).polluted !== undefined;
}

function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? typeof error}: ${String(e?.message ?? error).slice(0, 300)}`;
}

// ---- a run -----------------------------------------------------------------

export interface FuzzReport {
  runs: number;
  seed: number;
  outcomes: Record<Outcome, number>;
  /** Typed error codes seen, with counts. */
  codes: Record<string, number>;
  /** Fake HTTP requests made (link downloads attempted). */
  requests: number;
  peakHeapBytes: number;
  peakRssBytes: number;
  /** Heap after a full GC at each progress point (needs node --expose-gc): flat means nothing accumulates. */
  retainedHeapBytes: number[];
  durationMs: number;
  /** The first few failing inputs, shortened, for the report. */
  failures: { outcome: Outcome; detail: string; message: string }[];
}

export interface FuzzRunOptions {
  runs: number;
  seed: number;
  /** Sample memory every this many inputs. Default 200. */
  sampleEvery?: number;
  onProgress?: (done: number, report: FuzzReport) => void;
  hangAfter?: number;
}

export async function runFuzz(options: FuzzRunOptions): Promise<FuzzReport> {
  const target = fuzzTarget(options.hangAfter);
  const report: FuzzReport = {
    runs: 0,
    seed: options.seed,
    outcomes: { ok: 0, typed: 0, untyped: 0, crash: 0, hang: 0, pollution: 0 },
    codes: {},
    requests: 0,
    peakHeapBytes: 0,
    peakRssBytes: 0,
    retainedHeapBytes: [],
    durationMs: 0,
    failures: [],
  };
  const sampleEvery = options.sampleEvery ?? 200;
  const started = performance.now();
  const sample = () => {
    const m = process.memoryUsage();
    report.peakHeapBytes = Math.max(report.peakHeapBytes, m.heapUsed);
    report.peakRssBytes = Math.max(report.peakRssBytes, m.rss);
  };
  await fc.assert(
    fc.asyncProperty(anyInput, async (input) => {
      const result = await checkInput(target, input);
      report.runs++;
      report.outcomes[result.outcome]++;
      if (result.outcome === "typed") report.codes[result.detail] = (report.codes[result.detail] ?? 0) + 1;
      else if (result.outcome !== "ok" && report.failures.length < 20) {
        const text = typeof input.message === "string" ? input.message : new TextDecoder().decode(input.message);
        report.failures.push({ outcome: result.outcome, detail: result.detail, message: text.slice(0, 500) });
      }
      if (report.runs % sampleEvery === 0) {
        sample();
        const gc = (globalThis as { gc?: () => void }).gc;
        if (gc && report.runs % (sampleEvery * 10) === 0) {
          gc();
          report.retainedHeapBytes.push(process.memoryUsage().heapUsed);
        }
        options.onProgress?.(report.runs, report);
      }
      return true;
    }),
    { numRuns: options.runs, seed: options.seed, endOnFailure: true },
  );
  sample();
  report.requests = target.platform.requests;
  report.durationMs = Math.round(performance.now() - started);
  return report;
}
