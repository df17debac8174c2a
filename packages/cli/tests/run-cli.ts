// Runs the built CLI (dist/bin.js) as a subprocess, the way users run it.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without the variables the CLI reads, plus `env`. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (/^(NATS_URL|FILESERVER_URL|SIZE_THRESHOLD|NATSBRIDGE_)/.test(k)) delete base[k];
  return { ...base, ...env };
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves when stderr contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  done: Promise<CliResult>;
}

export function startCli(args: string[], options: RunOptions = {}): RunningCli {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build the CLI first (pnpm --filter @natsbridge/cli run build)`);
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env ?? {}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.on("data", (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on("data", (b: Buffer) => {
    stderr += b.toString();
    for (const w of [...waiters]) {
      if (!stderr.includes(w.text)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 45_000);
  const done = new Promise<CliResult>((resolve) =>
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
  return {
    child,
    done,
    waitFor(text, timeoutMs = 15_000) {
      if (stderr.includes(text)) return Promise.resolve();
      return Promise.race([
        new Promise<void>((resolve) => waiters.push({ text, resolve })),
        done.then((r) => Promise.reject(new Error(`CLI exited (${r.code}) before printing '${text}':\n${r.stderr}`))),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`no '${text}' within ${timeoutMs} ms:\n${stderr}`)), timeoutMs),
        ),
      ]);
    },
  };
}

export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** stdout as JSON lines. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
