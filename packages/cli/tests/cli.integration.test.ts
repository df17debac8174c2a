// The built CLI against a real nats-server (global setup) and a real nginx
// WebDAV file server for link payloads: send, listen, request/respond,
// --save, -o json, config precedence and exit codes.

import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createEnvelope, createLinkPayload, serializeEnvelope } from "@natsbridge/envelope";
import { freePort, type NginxDav, startNginxDav } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { jsonLines, runCli, startCli } from "./run-cli.js";

const natsUrl = inject("natsUrl");
let dav: NginxDav;
let nc: NatsConnection;
let dir: string;
let seq = 0;
const subject = () => `cli.test.${process.pid}.${++seq}`;
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  dav = await startNginxDav();
  nc = await connect({ servers: natsUrl });
  dir = mkdtempSync(join(tmpdir(), "natsbridge-cli-"));
});
afterAll(async () => {
  await nc?.drain();
  await dav?.dispose();
});

const env = () => ({ NATS_URL: natsUrl, FILESERVER_URL: dav.url, NATSBRIDGE_STORE: "http" });

describe("usage errors exit 2", () => {
  it.each([
    [[], "Usage:"],
    [["frobnicate"], "unknown command"],
    [["send"], "needs a subject"],
    [["send", "a.b"], "needs at least one payload"],
    [["send", "a.b", "--text", "x", "--bogus"], "Unknown option"],
    [["send", "a.b", "--file", "/no/such/file.bin"], "cannot read /no/such/file.bin"],
    [["send", "a.b", "--json", "{not json"], "not valid JSON"],
    [["send", "a.b", "--text", "x", "--store", "ftp"], "unknown store"],
    [["send", "a.b", "--text", "x", "-o", "yaml"], "--output must be"],
    [["listen", "a.b", "--count", "zero"], "--count must be"],
    [["send", "a.b", "--text", "x", "--size-threshold=-5"], "--size-threshold must be a positive integer"],
  ])("natsbridge %j", async (args, message) => {
    const r = await runCli(args, { env: env() });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it("--help and --version exit 0", async () => {
    expect((await runCli(["--help"])).stdout).toContain("natsbridge send <subject>");
    expect((await runCli(["listen", "--help"])).code).toBe(0);
    expect((await runCli(["--version"])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("a malformed config file is a usage error naming the file", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, "{ nope");
    const r = await runCli(["send", "a.b", "--text", "x", "--config", file], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`config file ${file} is not valid JSON`);
  });
});

describe("send → listen", () => {
  it("one message with text, JSON, a file and a CSV table, in order; listen -o json reports each", async () => {
    const s = subject();
    const csv = join(dir, "scores.csv");
    writeFileSync(csv, "id,name,score,passed\n1,Ada,95.5,true\n2,สมชาย,,false\n3,李雷 🚀,70,true\n");
    const bin = join(dir, "blob.bin");
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff);
    writeFileSync(bin, bytes);
    const listener = startCli(["listen", s, "-n", "1", "-o", "json"], { env: env() });
    await listener.waitFor("listening on");
    const sent = await runCli(
      ["send", s, "--text", "hello", "--json", '{"lang":"en","n":[1,2]}', "--file", bin, "--table", csv, "-o", "json"],
      {
        env: env(),
      },
    );
    expect(sent.code, sent.stderr).toBe(0);
    const [report] = jsonLines(sent.stdout) as [{ msg_id: string; payloads: { dataname: string; transport: string }[] }];
    expect(report.payloads.map((p) => [p.dataname, p.transport])).toEqual([
      ["text", "direct"],
      ["json", "direct"],
      ["blob.bin", "direct"],
      ["scores", "direct"],
    ]);
    const got = await listener.done;
    expect(got.code, got.stderr).toBe(0);
    const [env1] = jsonLines(got.stdout) as [{ msg_id: string; payloads: Record<string, unknown>[] }];
    expect(env1.msg_id).toBe(report.msg_id);
    expect(env1.payloads).toMatchObject([
      { dataname: "text", payload_type: "text", value: "hello" },
      { dataname: "json", payload_type: "dictionary", value: { lang: "en", n: [1, 2] } },
      { dataname: "blob.bin", payload_type: "binary", bytes: 5000, sha256: sha256(bytes) },
      { dataname: "scores", payload_type: "arrowtable", num_rows: 3, columns: ["id", "name", "score", "passed"] },
    ]);
  });

  it("the human summary names every payload", async () => {
    const s = subject();
    const listener = startCli(["listen", s, "-n", "1"], { env: env() });
    await listener.waitFor("listening on");
    expect((await runCli(["send", s, "-t", "hi there", "--sender-name", "alice", "--purpose", "chat"], { env: env() })).code).toBe(0);
    const got = await listener.done;
    expect(got.stdout).toMatch(/● .+ msg [0-9a-f-]{36}/);
    expect(got.stdout).toContain("from alice (chat)");
    expect(got.stdout).toMatch(/text\s+text\s+direct\s+8 B\s+"hi there"/);
  });

  it("a large file goes by link (streamed upload to the HTTP store) and listen --save streams it to disk", async () => {
    const s = subject();
    const big = join(dir, "big.bin");
    const bytes = new Uint8Array(3 * 1024 * 1024 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
    writeFileSync(big, bytes);
    const out = mkdtempSync(join(dir, "save-"));
    const listener = startCli(["listen", s, "-n", "1", "--save", out, "-o", "json"], { env: env() });
    await listener.waitFor("listening on");
    const sent = await runCli(["send", s, "--file", big, "--text", "caption", "-o", "json"], { env: env() });
    expect(sent.code, sent.stderr).toBe(0);
    const sentPayloads = (jsonLines(sent.stdout)[0] as { payloads: { transport: string; url?: string }[] }).payloads;
    expect(sentPayloads[0]).toMatchObject({ transport: "link", url: expect.stringContaining(dav.url) });
    const got = await listener.done;
    expect(got.code, got.stderr).toBe(0);
    const report = jsonLines(got.stdout)[0] as { msg_id: string; payloads: { saved: string; transport: string }[] };
    expect(report.payloads[0]!.transport).toBe("link");
    const saved = readFileSync(report.payloads[0]!.saved);
    expect(saved.byteLength).toBe(bytes.byteLength);
    expect(sha256(saved)).toBe(sha256(bytes));
    expect(readFileSync(report.payloads[1]!.saved, "utf8")).toBe("caption");
    expect(readdirSync(join(out, report.msg_id)).sort()).toEqual(["big.bin", "text.txt"]);
  });

  it("a table saved by listen --save is a readable Arrow file that send --table takes back", async () => {
    const s = subject();
    const csv = join(dir, "t.csv");
    writeFileSync(csv, "a,b\n1,x\n2,y\n");
    const out = mkdtempSync(join(dir, "save-"));
    const listener = startCli(["listen", s, "-n", "1", "--save", out, "-o", "json"], { env: env() });
    await listener.waitFor("listening on");
    await runCli(["send", s, "--table", `${csv}:table`], { env: env() });
    const saved = (jsonLines((await listener.done).stdout)[0] as { payloads: { saved: string }[] }).payloads[0]!.saved;
    expect(saved.endsWith("t.arrow")).toBe(true);
    const s2 = subject();
    const again = startCli(["listen", s2, "-n", "1", "-o", "json"], { env: env() });
    await again.waitFor("listening on");
    expect((await runCli(["send", s2, "--table", saved], { env: env() })).code).toBe(0);
    expect(jsonLines((await again.done).stdout)[0]).toMatchObject({ payloads: [{ num_rows: 2, columns: ["a", "b"] }] });
  });
});

describe("request ↔ respond", () => {
  it("request prints the reply; respond answers with its own payloads", async () => {
    const s = subject();
    const responder = startCli(["respond", s, "-n", "1", "--text", "pong", "--json", '{"ok":true}'], { env: env() });
    await responder.waitFor("responding on");
    const r = await runCli(["request", s, "--text", "ping", "-o", "json", "--timeout", "10000"], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const reply = jsonLines(r.stdout)[0] as { msg_purpose: string; reply_to_msg_id: string; payloads: unknown[] };
    expect(reply.msg_purpose).toBe("reply");
    expect(reply.payloads).toMatchObject([
      { dataname: "text", value: "pong" },
      { dataname: "json", value: { ok: true } },
    ]);
    const answered = await responder.done;
    expect(answered.code, answered.stderr).toBe(0);
    expect(answered.stdout).toContain('"ping"');
  });

  it("respond without payloads echoes what it got, tables and bytes included", async () => {
    const s = subject();
    const csv = join(dir, "echo.csv");
    writeFileSync(csv, "x\n1\n2\n3\n");
    const responder = startCli(["respond", s, "-n", "1"], { env: env() });
    await responder.waitFor("(echo)");
    const r = await runCli(["request", s, "--text", "same", "--table", csv, "-o", "json"], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)[0]).toMatchObject({
      payloads: [
        { dataname: "text", value: "same" },
        { dataname: "echo", payload_type: "arrowtable", num_rows: 3 },
      ],
    });
    expect((await responder.done).code).toBe(0);
  });
});

describe("exit codes", () => {
  it("3 when the NATS server cannot be reached", async () => {
    const port = await freePort();
    const r = await runCli(["send", "x.y", "--text", "x", "--nats-url", `nats://127.0.0.1:${port}`, "-o", "json"]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ error: { code: "CONNECTION_FAILED", exit_code: 3 } });
  });

  it("4 when a link payload cannot be uploaded, and nothing is published", async () => {
    const s = subject();
    const listener = startCli(["listen", s, "--timeout", "1500", "-o", "json"], { env: env() });
    await listener.waitFor("listening on");
    const port = await freePort();
    const r = await runCli(["send", s, "--text", "x", "--always-link", "--fileserver-url", `http://127.0.0.1:${port}`], { env: env() });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain("UPLOAD_FAILED");
    const got = await listener.done;
    expect(got.code).toBe(0);
    expect(got.stdout).toBe("");
  });

  it("4 when a payload is too large for NATS and --store none", async () => {
    const big = join(dir, "two-mb.bin");
    writeFileSync(big, new Uint8Array(2 * 1024 * 1024));
    const r = await runCli(["send", "x.y", "--file", big, "--store", "none"], { env: env() });
    expect(r.code, r.stderr).toBe(4);
  });

  it("5 when a link payload cannot be downloaded; listen reports it and goes on", async () => {
    const s = subject();
    const listener = startCli(["listen", s, "-n", "2", "-o", "json"], { env: env() });
    await listener.waitFor("listening on");
    const missing = createEnvelope({
      sendTo: s,
      payloads: [
        createLinkPayload({ id: "p1", dataname: "gone.bin", payloadType: "binary", url: `${dav.url}/nothing/here.bin`, size: 10 }),
      ],
    });
    nc.publish(s, serializeEnvelope(missing).bytes());
    await nc.flush();
    expect((await runCli(["send", s, "--text", "still here"], { env: env() })).code).toBe(0);
    const got = await listener.done;
    expect(got.code).toBe(5);
    const [first, second] = jsonLines(got.stdout);
    expect(first).toMatchObject({ error: { code: "DOWNLOAD_FAILED", dataname: "gone.bin" } });
    expect(second).toMatchObject({ payloads: [{ value: "still here" }] });
  });

  it("5 when a link points outside the allowed origins (URL_NOT_ALLOWED), 0 once the origin is allowed", async () => {
    const s = subject();
    const listener = startCli(["listen", s, "-n", "1", "--fileserver-url", "http://127.0.0.1:9"], { env: env() });
    await listener.waitFor("listening on");
    expect((await runCli(["send", s, "--text", "x", "--always-link"], { env: env() })).code).toBe(0);
    const got = await listener.done;
    expect(got.code).toBe(5);
    expect(got.stderr).toContain("URL_NOT_ALLOWED");

    const s2 = subject();
    const allowed = startCli(["listen", s2, "-n", "1", "--fileserver-url", "http://127.0.0.1:9", "--allow-origin", dav.url], {
      env: env(),
    });
    await allowed.waitFor("listening on");
    expect((await runCli(["send", s2, "--text", "x", "--always-link"], { env: env() })).code).toBe(0);
    expect((await allowed.done).code).toBe(0);
  });

  it("6 when no reply comes (request: nobody listens, or no answer) or no message (listen --count --timeout)", async () => {
    // Nobody subscribes: the server says so at once.
    const r = await runCli(["request", subject(), "--text", "anyone?", "--timeout", "60000"], { env: env() });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("NO_RESPONDERS");
    // A subscriber that never answers: the timeout.
    const s = subject();
    const silent = nc.subscribe(s);
    await nc.flush();
    const t = await runCli(["request", s, "--text", "anyone?", "--timeout", "300"], { env: env() });
    silent.unsubscribe();
    expect(t.code).toBe(6);
    expect(t.stderr).toContain("REQUEST_TIMEOUT");
    const l = await runCli(["listen", subject(), "-n", "1", "--timeout", "300"], { env: env() });
    expect(l.code).toBe(6);
  });

  it("7 when a message is not an envelope", async () => {
    const s = subject();
    const listener = startCli(["listen", s, "-n", "1"], { env: env() });
    await listener.waitFor("listening on");
    nc.publish(s, new TextEncoder().encode("this is not JSON"));
    await nc.flush();
    const got = await listener.done;
    expect(got.code).toBe(7);
    expect(got.stderr).toContain("INVALID_ENVELOPE");
  });
});

describe("configuration", () => {
  it("flags beat env vars, env vars beat the config file, the file beats defaults", async () => {
    const deadPort = await freePort();
    const file = join(dir, "natsbridge.config.json");
    writeFileSync(file, JSON.stringify({ natsUrl: `nats://127.0.0.1:${deadPort}`, store: "http", fileserverUrl: dav.url }));
    // The file alone points at a dead server.
    expect((await runCli(["send", "c.d", "--text", "x"], { cwd: dir })).code).toBe(3);
    // NATS_URL overrides it.
    expect((await runCli(["send", "c.d", "--text", "x"], { cwd: dir, env: { NATS_URL: natsUrl } })).code).toBe(0);
    // --nats-url overrides NATS_URL.
    expect(
      (await runCli(["send", "c.d", "--text", "x", "-s", natsUrl], { cwd: dir, env: { NATS_URL: `nats://127.0.0.1:${deadPort}` } })).code,
    ).toBe(0);
    // The file's store and file server are used for links.
    const r = await runCli(["send", "c.d", "--text", "x", "--always-link", "-o", "json"], { cwd: dir, env: { NATS_URL: natsUrl } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(dav.url);
    // SIZE_THRESHOLD from the environment decides the transport.
    const small = await runCli(["send", "c.d", "--text", "twelve bytes", "-o", "json"], {
      cwd: dir,
      env: { NATS_URL: natsUrl, SIZE_THRESHOLD: "5" },
    });
    expect(JSON.parse(small.stdout)).toMatchObject({ payloads: [{ transport: "link" }] });
  });
});

describe("conformance alias", () => {
  it("outside a checkout it says where the suite runs (exit 2)", async () => {
    const r = await runCli(["conformance"], { cwd: tmpdir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("runs from a natsbridge checkout");
  });

  it("inside the checkout it runs `pnpm conformance` (here: its --help)", async () => {
    const r = await runCli(["conformance", "--", "--help"], { cwd: process.cwd() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("--peer NAME=COMMAND");
  });
});
