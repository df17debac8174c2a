// Python processes for the browser tests (the reference-behaviour peer in
// apps/interop-python, and the pyarrow decoder here): started with the
// project's virtualenv, their stdout read as JSON lines.

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { findPython } from "@natsbridge/test-harness";

export const PYTHON_PEER_DIR = fileURLToPath(new URL("../../interop-python/", import.meta.url));
export const PYARROW_DECODER = fileURLToPath(new URL("./pyarrow_decode.py", import.meta.url));

export interface PythonProcess {
  /** Parsed JSON lines from stdout so far. */
  readonly messages: Record<string, unknown>[];
  /** Waits for a stdout line (parsed) for which `match` is true. */
  waitFor(match: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Waits for a line containing `text` on stdout or stderr. */
  waitForText(text: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function startPython(args: string[], cwd: string): PythonProcess {
  const child: ChildProcess = spawn(findPython(), args, {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  const messages: Record<string, unknown>[] = [];
  const text: string[] = [];
  const listeners = new Set<() => void>();
  let exited: string | undefined;
  const onLines = (stream: NodeJS.ReadableStream, json: boolean) => {
    let rest = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        text.push(line);
        if (json && line.startsWith("{")) {
          try {
            messages.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            // not JSON: kept as text only
          }
        }
      }
      for (const l of listeners) l();
    });
  };
  onLines(child.stdout!, true);
  onLines(child.stderr!, false);
  child.once("exit", (code, signal) => {
    exited = `exited with ${code ?? signal}`;
    for (const l of listeners) l();
  });
  const until = <T>(check: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        listeners.delete(poll);
        fn();
      };
      const poll = () => {
        const found = check();
        if (found !== undefined) done(() => resolve(found));
        else if (exited) done(() => reject(new Error(`python ${args.join(" ")} ${exited} before ${what}:\n${text.slice(-30).join("\n")}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`python ${args.join(" ")}: no ${what} within ${timeoutMs} ms:\n${text.slice(-30).join("\n")}`))),
        timeoutMs,
      );
      listeners.add(poll);
      poll();
    });
  return {
    messages,
    waitFor: (match, timeoutMs = 30_000) => until(() => messages.find(match), timeoutMs, "matching output"),
    waitForText: (wanted, timeoutMs = 30_000) =>
      until(() => (text.some((l) => l.includes(wanted)) ? true : undefined), timeoutMs, `"${wanted}"`).then(() => undefined),
    async stop() {
      if (exited) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
