// The page with Python peers: the reference-behaviour Python peer
// (apps/interop-python, `listen --echo`) receives text + avatar + an Arrow
// `table` from the page and sends them back, and the page renders them; and an
// `arrowtable` from the page — direct, and large enough to go by link through
// nginx — is decoded by pyarrow.

import { type NginxDav, startNginxDav } from "@natsbridge/test-harness";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AVATAR_RGB } from "../src/protocol.js";
import { launchBrowser, near, openChat, screenshotColours } from "./browser.js";
import { PYARROW_DECODER, PYTHON_PEER_DIR, type PythonProcess, startPython } from "./python.js";
import "./provided.js";

const ROWS = [
  { id: 1, name: "Ton", score: 9.5, ok: true },
  { id: 2, name: "Malee", score: 7.25, ok: false },
  { id: 3, name: "Nok", score: 8, ok: true },
];

describe("page ↔ Python", () => {
  let browser: Browser;
  let nginx: NginxDav;
  const pythons: PythonProcess[] = [];

  beforeAll(async () => {
    nginx = await startNginxDav({ cors: true });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await Promise.all(pythons.map((p) => p.stop()));
    await browser?.close();
    await nginx?.dispose();
  });

  it("page → Python reference peer (echo) → page: text, avatar and a pyarrow-read table come back and render", async () => {
    const prompt = "browser.python.prompt";
    const reply = "browser.python.reply";
    const peer = startPython(
      ["-m", "natsbridge_peer", "listen", "--nats", inject("natsUrl"), "--subject", prompt, "--echo", reply],
      PYTHON_PEER_DIR,
    );
    pythons.push(peer);
    await peer.waitForText('"ready": true');
    const { page, errors } = await openChat(browser, inject("pageUrl"), { ws: inject("natsWsUrl"), files: nginx.url, prompt, reply });

    const result = await page.evaluate((r) => window.chat.send(r), {
      text: "Hello from the browser, Python!",
      table: { dataname: "scores", type: "table" as const, rows: ROWS },
    });

    // The Python peer decoded everything (pyarrow read the table into pandas).
    const receipt = await peer.waitFor((m) => m.correlation_id === result.sent.correlationId);
    expect(receipt.ok, JSON.stringify(receipt)).toBe(true);
    const got = receipt.payloads as { dataname: string; payload_type: string; value: unknown }[];
    expect(got.find((p) => p.dataname === "msg")?.value).toBe("Hello from the browser, Python!");
    expect(got.find((p) => p.dataname === "scores")?.value).toEqual({
      columns: ["id", "name", "score", "ok"],
      rows: ROWS.map((r) => [r.id, r.name, r.score, r.ok]),
    });
    const sentAvatar = got.find((p) => p.dataname === "avatar")?.value as { length: number; sha256: string };

    // The echo, rendered by the page: same text, same avatar bytes, same table.
    expect(result.reply!.senderName).toBe("python-reference");
    expect(result.reply!.text).toBe("Hello from the browser, Python!");
    const avatar = result.reply!.payloads.find((p) => p.dataname === "avatar")!;
    expect([avatar.kind, avatar.bytes, avatar.sha256]).toEqual(["image", sentAvatar.length, sentAvatar.sha256]);
    const table = result.reply!.payloads.find((p) => p.dataname === "scores")!;
    expect(table.kind).toBe("table");
    expect(table.columns).toEqual(["id", "name", "score", "ok"]);
    expect(table.rows).toEqual(ROWS.map((r) => [r.id, r.name, r.score, r.ok]));

    const entry = page.locator(".entry.from-backend").last();
    await expect.poll(() => entry.locator("p.text").textContent()).toBe("Hello from the browser, Python!");
    expect(await entry.locator("table tbody tr").count()).toBe(3);
    const [corner] = await screenshotColours(page, entry.locator("img"), "chat-python-echo", [[0.1, 0.9]]);
    expect(near(corner!, AVATAR_RGB), `avatar pixel ${corner}`).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("an arrowtable from the page is read by pyarrow, direct and by link", async () => {
    const prompt = "browser.pyarrow";
    const decoder = startPython([PYARROW_DECODER, inject("natsUrl"), prompt], process.cwd());
    pythons.push(decoder);
    await decoder.waitFor((m) => m.ready === true);
    const { page, errors } = await openChat(browser, inject("pageUrl"), { ws: inject("natsWsUrl"), files: nginx.url, prompt });

    for (const [rows, transport] of [
      [3, "direct"],
      [40_000, "link"],
    ] as const) {
      const result = await page.evaluate(
        async ({ n }) => {
          const rows = Array.from({ length: n }, (_, i) => ({
            id: i,
            name: `row-${i}`,
            score: i / 4,
            ok: i % 3 === 0,
            note: i % 5 === 0 ? null : "x",
          }));
          return window.chat.send({ text: `${n} rows`, table: { dataname: "table", type: "arrowtable", rows }, awaitReply: false });
        },
        { n: rows },
      );
      expect(result.sent.transports.table).toBe(transport);
      const decoded = await decoder.waitFor((m) => m.correlation_id === result.sent.correlationId);
      expect(decoded.ok, JSON.stringify(decoded)).toBe(true);
      const [t] = decoded.tables as Record<string, unknown>[];
      expect(t).toMatchObject({ dataname: "table", payload_type: "arrowtable", transport, ipc_format: "file", num_rows: rows });
      expect(t!.schema).toEqual({ id: "int64", name: "string", score: "double", ok: "bool", note: "string" });
      expect((t!.first_rows as unknown[])[0]).toEqual({ id: 0, name: "row-0", score: 0, ok: true, note: null });
      expect(t!.last_row).toEqual({
        id: rows - 1,
        name: `row-${rows - 1}`,
        score: (rows - 1) / 4,
        ok: (rows - 1) % 3 === 0,
        note: (rows - 1) % 5 === 0 ? null : "x",
      });
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});
