// Runs src/smoke.ts in another runtime against a real nats-server and a real
// nginx WebDAV server started here on free loopback ports (and stopped by
// PID), and hands back the runtime's report and what the file server holds.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type NatsServer, type NginxDav, startNatsServer, startNginxDav } from "@natsbridge/test-harness";
import type { SmokeReport } from "../src/payloads.ts";

const APP_DIR = fileURLToPath(new URL("..", import.meta.url));
const RUN_TIMEOUT_MS = 60_000;

export interface SmokeRun {
  report: SmokeReport;
  exitCode: number | null;
  /** The runtime's stderr, for failure messages. */
  stderr: string;
  nginx: NginxDav;
  nats: NatsServer;
  /** Stop both servers and remove their files. */
  dispose(): Promise<void>;
}

/** Start the servers and run `command args... src/smoke.ts` with NATS_URL and FILESERVER_URL set. */
export async function runSmoke(command: string, args: string[]): Promise<SmokeRun> {
  const nats = await startNatsServer();
  const nginx = await startNginxDav().catch(async (e: unknown) => {
    await nats.dispose();
    throw e;
  });
  const dispose = async () => {
    await Promise.allSettled([nats.dispose(), nginx.dispose()]);
  };
  try {
    const { stdout, stderr, exitCode } = await run(command, [...args, "src/smoke.ts"], { NATS_URL: nats.url, FILESERVER_URL: nginx.url });
    const line = stdout.trim().split("\n").at(-1) ?? "";
    let report: SmokeReport;
    try {
      report = JSON.parse(line) as SmokeReport;
    } catch {
      throw new Error(`${command} printed no report (exit ${exitCode}).\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    }
    return { report, exitCode, stderr, nats, nginx, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

function run(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: APP_DIR, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    // A hung runtime is killed (by its PID) and reported, never waited on forever.
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} did not finish within ${RUN_TIMEOUT_MS} ms.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("exit", (exitCode) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, exitCode });
    });
  });
}
