// The MicroPython VM itself (the official MicroPython 1.27 WebAssembly build)
// running this app's MicroPython code, no server needed: the quirks of real
// MicroPython that hand-written fixtures missed, the reference's refusals as
// the VM raises them, and the hand-derived fixtures against what the VM writes.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@natsbridge/test-harness";
import { beforeAll, describe, expect, it } from "vitest";
import { type MicroPythonVm, startVm } from "../src/vm.js";

const FIXTURES = join(REPO_ROOT, "fixtures", "v1", "micropython");
const casesJson = readFileSync(join(REPO_ROOT, "fixtures", "v1", "cases.json"), "utf8");
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

let vm: MicroPythonVm;
beforeAll(async () => {
  vm = await startVm({ casesJson, config: { nats: "nats://localhost:4222", prefix: "P" } });
});

/** Runs MicroPython statements and returns what they printed. */
function py(code: string): string[] {
  const before = vm.output().length;
  vm.run(code);
  return vm.output().slice(before);
}

function send(request: Record<string, unknown>) {
  const out = vm.handle("send", bytes(JSON.stringify(request)));
  const reply = JSON.parse(text(out.find((m) => m.to === "")!.data)) as { ok: boolean; error?: string; msg_id?: string };
  return { reply, published: out.filter((m) => m.to !== "") };
}

describe("the VM", () => {
  it("is MicroPython 1.27 (WebAssembly)", () => {
    expect(vm.version).toMatch(/MicroPython v1\.27\.0/);
    expect(py("import sys\nprint(sys.implementation.name, sys.implementation._machine)")).toEqual(["micropython JS with Emscripten"]);
  });

  it("has the quirks the fixtures must follow", () => {
    const out = py(
      [
        "import json, binascii, time, base64",
        // dicts iterate in hash-table order: json.dumps does not keep insertion order
        'print(json.dumps({"lang": "th", "units": {"temp": "C"}}))',
        // b2a_base64 ends with a newline; base64 (frozen in from micropython-lib) does not
        'print(repr(binascii.b2a_base64(b"hi")), repr(base64.b64encode(b"hi")))',
        "print(time.strftime('%Y-%m-%dT%H:%M:%SZ', time.localtime()))",
        // the clock counts milliseconds
        "print(time.time_ns() % 1000000)",
        // a surrogate-pair escape becomes two lone surrogates
        'print(len(json.loads(\'"\\\\ud83d\\\\ude00"\')), len("😀"))',
      ].join("\n"),
    );
    expect(out[0]).toBe('{"units": {"temp": "C"}, "lang": "th"}');
    expect(out[1]).toBe("b'aGk=\\n' b'aGk='");
    expect(out[2]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(out[3]).toBe("0");
    expect(out[4]).toBe("2 1");
  });
});

describe("natsbridge_mpy in the VM", () => {
  it("answers hello with its capabilities: direct only, no table types, the 50 KB limit", () => {
    const [reply] = vm.handle("hello", new Uint8Array());
    expect(JSON.parse(text(reply!.data))).toMatchObject({
      name: "micropython",
      produces: ["text", "dictionary", "image", "audio", "video", "binary"],
      transports: ["direct"],
      refuses_with_errors: true,
      max_payload_bytes: 50_000,
    });
  });

  it("sends a payload of exactly 50 000 bytes and refuses 50 001 with MemoryError", () => {
    for (const [length, ok] of [
      [50_000, true],
      [50_001, false],
    ] as const) {
      const outcome = py(
        [
          "from natsbridge_mpy import NATSBridge",
          "try:",
          `    env, _ = NATSBridge().smartsend("s", [("blob", bytes(${length}), "binary")], is_publish=False)`,
          '    print("sent", env["payloads"][0]["size"])',
          "except MemoryError as e:",
          '    print("MemoryError:", e)',
        ].join("\n"),
      );
      expect(outcome).toEqual([ok ? `sent ${length}` : "MemoryError: Payload blob exceeds max size 50000"]);
    }
  });

  it("refuses table types, and the link path, with the reference's exceptions", () => {
    expect(send({ case: "table", subject: "s", transport: "direct" })).toEqual({
      reply: { ok: false, error: "ValueError: Unknown payload_type: table" },
      published: [],
    });
    expect(send({ case: "text", subject: "s", transport: "link" })).toEqual({
      reply: { ok: false, error: "NotImplementedError: File upload not implemented in MicroPython" },
      published: [],
    });
  });

  it("answers a link payload, an unknown type and bytes that are not an envelope with failed receipts, never a crash", () => {
    const receipt = (envelope: string) =>
      JSON.parse(text(vm.handle("envelope", bytes(envelope), "P.in.x")[0]!.data)) as { ok: boolean; error?: string };
    const env = (payload: Record<string, unknown>) =>
      JSON.stringify({ correlation_id: "c", msg_id: "m", payloads: [{ dataname: "d", encoding: "base64", ...payload }] });
    expect(receipt(env({ transport: "link", payload_type: "binary", data: "http://x/y" }))).toMatchObject({
      ok: false,
      error: "NotImplementedError: File download not implemented in MicroPython",
    });
    expect(receipt(env({ transport: "direct", payload_type: "jsontable", data: "W10=" }))).toMatchObject({
      ok: false,
      error: "ValueError: Unknown payload_type: jsontable",
    });
    expect(receipt("not json")).toMatchObject({ ok: false, error: expect.stringMatching(/^ValueError/) });
  });
});

describe("the hand-derived MicroPython fixtures against what the VM writes", () => {
  // Ids and the timestamp come from the clock; everything else must be byte for byte the VM's.
  const normalize = (envelope: string) =>
    envelope
      .trim()
      .replace(/"mp-[0-9a-f]+-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12,}"/g, '"ID"')
      .replace(/"timestamp": "[^"]+"/, '"timestamp": "TS"');
  const fixtures = readdirSync(FIXTURES).filter((d) => d.endsWith(".direct"));

  it("covers every case the VM sends directly", () => {
    const cases = (JSON.parse(casesJson) as { cases: { name: string }[] }).cases.map((c) => c.name);
    const sent = cases.filter((name) => send({ case: name, subject: `/natsbridge/conformance/${name}`, transport: "direct" }).reply.ok);
    expect(fixtures.map((d) => d.replace(/\.direct$/, "")).sort()).toEqual(sent.sort());
  });

  it.each(fixtures)("%s: same bytes as the VM's envelope (ids and timestamp aside)", (dir) => {
    const name = dir.replace(/\.direct$/, "");
    const subject = `/natsbridge/conformance/${name}`;
    const { reply, published } = send({ case: name, subject, transport: "direct" });
    expect(reply.ok).toBe(true);
    expect(published.map((m) => m.to)).toEqual([subject]);
    const fromVm = text(published[0]!.data);
    expect(normalize(fromVm)).toBe(normalize(readFileSync(join(FIXTURES, dir, "envelope.json"), "utf8")));
    // And the VM reads it back.
    const receipt = JSON.parse(text(vm.handle("envelope", published[0]!.data, "P.in.f")[0]!.data)) as { ok: boolean };
    expect(receipt.ok).toBe(true);
  });
});
