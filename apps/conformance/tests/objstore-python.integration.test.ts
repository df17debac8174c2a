// TS ↔ Python over the JetStream Object Store, on the run's real nats-server:
// natsbridge sends with @natsbridge/objstore and the Python peer reads the
// nats-obj:// links with nats-py's object store; the Python peer uploads with
// `--upload nats-obj` and natsbridge reads them through the receiver's own
// connection. Every scripted case the Python reference can send, by link.
import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { arrowCodecs, tableToRows } from "@natsbridge/arrow";
import { createBridge, type NatsBridge, type ReceivedEnvelope } from "@natsbridge/core";
import { objectStore } from "@natsbridge/objstore";
import { findPython, REPO_ROOT } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { canonicalPayloads, comparePayloads } from "../src/canonical.js";
import { bytesDescription, caseTuples, expectedPayloads, loadCases } from "../src/cases.js";

const natsUrl = inject("natsUrl");
const cases = loadCases();
const PEER_DIR = join(REPO_ROOT, "apps", "interop-python");
const bucket = `py_interop_${process.pid}`;
// The types the Python reference has (no arrowtable/jsontable).
const PYTHON_TYPES = new Set(["text", "dictionary", "table", "image", "audio", "video", "binary"]);
const pythonCases = [...cases.values()].filter((c) => c.payloads.every((p) => PYTHON_TYPES.has(p.payload_type))).map((c) => c.name);
let bridge: NatsBridge;
let seq = 0;
const subject = () => `test.objstore.py.${process.pid}.${++seq}`;

beforeAll(() => {
  bridge = createBridge({ brokerUrl: natsUrl, codecs: arrowCodecs(), store: objectStore({ bucket }) });
});
afterAll(() => bridge?.close());

/** `python -m natsbridge_peer listen --count 1`, subscribed: `receipt` resolves with what it decoded. */
async function pythonListener(s: string): Promise<{ receipt: Promise<Record<string, unknown>> }> {
  const child = spawn(findPython(), ["-m", "natsbridge_peer", "listen", "--nats", natsUrl, "--subject", s, "--count", "1"], {
    cwd: PEER_DIR,
  });
  let stderr = "";
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('"ready": true')) resolve();
    });
    child.once("exit", (code) => reject(new Error(`python listen exited ${code} before it was ready:\n${stderr}`)));
  });
  const lines = createInterface({ input: child.stdout });
  const receipt = new Promise<Record<string, unknown>>((resolve, reject) => {
    lines.once("line", (line) => resolve(JSON.parse(line) as Record<string, unknown>));
    child.once("exit", (code) => reject(new Error(`python listen exited ${code} without a receipt:\n${stderr}`)));
  });
  const timer = setTimeout(() => child.kill(), 30_000);
  void receipt.finally(() => clearTimeout(timer)).catch(() => undefined);
  await ready;
  // Wrapped: an async function returning the promise itself would wait for it.
  return { receipt };
}

function pythonSend(s: string, caseName: string): Promise<string> {
  const args = [
    "-m",
    "natsbridge_peer",
    "send",
    "--nats",
    natsUrl,
    "--subject",
    s,
    "--case",
    caseName,
    "--transport",
    "link",
    "--upload",
    "nats-obj",
    "--obj-bucket",
    bucket,
  ];
  return new Promise((resolve, reject) =>
    execFile(findPython(), args, { cwd: PEER_DIR, timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

describe("TS ↔ Python through the JetStream Object Store", () => {
  it.each(pythonCases)("natsbridge → Python: %s by nats-obj:// link", async (name) => {
    const c = cases.get(name)!;
    const s = subject();
    const { receipt } = await pythonListener(s);
    const [sent] = await bridge.smartsend(s, caseTuples(c), {
      alwaysLink: true,
      flush: true,
    });
    for (const p of sent.payloads) expect(p.data).toMatch(new RegExp(`^nats-obj://${bucket}/`));
    const got = await receipt;
    expect(got.ok, String(got.error)).toBe(true);
    expect(comparePayloads(expectedPayloads(c), got.payloads as never)).toBeUndefined();
  });

  it("natsbridge → Python: 5 MB in 40 chunks of 128 KiB, streamed from an async iterable", async () => {
    const s = subject();
    const { receipt } = await pythonListener(s);
    const size = 5 * 1024 * 1024;
    const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 255);
    async function* chunks() {
      for (let i = 0; i < size; i += 300_000) yield bytes.subarray(i, i + 300_000);
    }
    await bridge.smartsend(s, [["big", chunks(), "binary"]], { flush: true });
    const got = await receipt;
    expect(got.ok, String(got.error)).toBe(true);
    expect(got.payloads).toEqual([{ dataname: "big", payload_type: "binary", value: bytesDescription(bytes) }]);
  });

  it.each(pythonCases)("Python → natsbridge: %s by nats-obj:// link, read through the receiver's connection", async (name) => {
    const c = cases.get(name)!;
    const s = subject();
    const receiver = createBridge({ brokerUrl: natsUrl, codecs: arrowCodecs(), stores: [objectStore({ bucket })] });
    try {
      const sub = await receiver.subscribe(s);
      await (await receiver.connection()).flush();
      const envelopeJson = await pythonSend(s, name);
      const sent = JSON.parse(envelopeJson) as { payloads: { transport: string; data: string }[] };
      for (const p of sent.payloads) {
        expect(p.transport).toBe("link");
        expect(p.data).toMatch(new RegExp(`^nats-obj://${bucket}/`));
      }
      let env: ReceivedEnvelope | undefined;
      for await (const e of sub) {
        env = e;
        break;
      }
      expect(comparePayloads(expectedPayloads(c), canonicalPayloads(env!.payloads, tableToRows as never))).toBeUndefined();
    } finally {
      await receiver.close();
    }
  });
});
