import { type ChildProcess, spawn } from "node:child_process";
import { waitForPort } from "./ports.js";

export interface ManagedProcess {
  readonly child: ChildProcess;
  /** The last output lines, for error messages. */
  output(): string;
  alive(): boolean;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns a server process, keeps its recent output, and stops it for sure. */
export function startProcess(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ManagedProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const keep = (buf: Buffer) => {
    lines.push(...buf.toString().split("\n").filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  child.once("error", (e) => lines.push(`spawn error: ${e.message}`));
  return {
    child,
    output: () => lines.slice(-40).join("\n"),
    alive: () => !exited && child.exitCode === null,
    async stop(signal = "SIGTERM") {
      if (exited) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/**
 * Waits until `proc` listens on each of `ports`, in order. If it does not, the
 * process is killed and the error says `<what> did not start`, with its last
 * output and `moreOutput()` (say, the tail of a log file).
 */
export async function waitUntilListening(
  proc: ManagedProcess,
  what: string,
  ports: number[],
  timeoutMs = 15_000,
  moreOutput?: () => string,
): Promise<void> {
  try {
    for (const port of ports) await waitForPort(port, timeoutMs, () => proc.alive());
  } catch (e) {
    const out = proc.output();
    await proc.stop("SIGKILL");
    const more = moreOutput ? `\n${moreOutput()}` : "";
    throw new Error(`${what} did not start: ${(e as Error).message}\n${out}${more}`);
  }
}
