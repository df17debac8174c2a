// A newcomer's first scripts, each run as its own process against a real
// nats-server: with the default logger, a message that could not be received
// shows up on stderr as a warning, and the script ends once it closes the
// shared connections (the one call docs/getting-started.md shows); the demo
// (pnpm demo) shows a payload going by link.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";

const natsUrl = inject("natsUrl");
const script = fileURLToPath(new URL("./fixtures/top-level-script.ts", import.meta.url));

const demo = fileURLToPath(new URL("../examples/demo.ts", import.meta.url));

function run(args: string[], env: Record<string, string>, file = script): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", file, ...args], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    // Not a timing assertion: a script that never exits must fail the test, not hang it.
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("a script with the top-level functions", () => {
  it("shows a dropped message on stderr with the default logger, and exits when done", async () => {
    const { code, stdout, stderr } = await run([`test.first-hour.${process.pid}`], { NATS_URL: natsUrl });
    expect(stdout).toContain("received: hello");
    expect(stderr).toMatch(/"level":40.*"code":"INVALID_ENVELOPE".*"msg":"subscribe: message dropped"/);
    expect(code).toBe(0);
  });

  it("NATSBRIDGE_LOG_LEVEL=error silences warnings", async () => {
    const { code, stderr } = await run([`test.first-hour.${process.pid}.quiet`], { NATS_URL: natsUrl, NATSBRIDGE_LOG_LEVEL: "error" });
    expect(stderr).not.toContain("message dropped");
    expect(code).toBe(0);
  });
});

describe("the demo", () => {
  it("sends one payload above the threshold by link, through the file server it starts, and shows it", async () => {
    const { code, stdout } = await run([], { NATS_URL: natsUrl }, demo);
    expect(stdout).toMatch(/receiver: {3}photo \(image, link, downloaded from http:\/\/127\.0\.0\.1:\d+\/claims\/[^)]+\): 600000 bytes/);
    expect(stdout).toMatch(/greeting \(text, direct\)/);
    expect(stdout).toContain("demo: OK");
    expect(code).toBe(0);
  });
});
