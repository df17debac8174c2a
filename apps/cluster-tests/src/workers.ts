// Starts worker processes (src/worker.ts) and gathers what they report. Every
// process is stopped by its PID: stop() sends SIGTERM (SIGKILL after 5 s),
// kill() sends SIGKILL at once, as a crash would.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { WorkerConfig } from "./worker.js";

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

export interface Processed {
  msgId: string;
  worker: number;
  deliveries: number;
  at: number;
}

export interface WorkerProcess {
  readonly index: number;
  readonly pid: number;
  /** Messages this worker reported done, in order. */
  readonly done: Processed[];
  readonly ready: Promise<void>;
  /** Start consuming (JetStream workers wait for this). */
  go(): void;
  kill(): Promise<void>;
  stop(): Promise<void>;
  /** The last lines it wrote on stderr. */
  errors(): string;
}

export function startWorker(index: number, config: WorkerConfig, onDone: (p: Processed) => void): WorkerProcess {
  // The worker runs through tsx and imports the built @natsbridge/* packages (turbo builds them before tests).
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", WORKER, JSON.stringify({ ...config, index })], {
    cwd: PACKAGE_DIR,
    stdio: ["pipe", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`worker ${index} did not start`);
  const done: Processed[] = [];
  const stderr: string[] = [];
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr.push(chunk.toString());
    if (stderr.length > 50) stderr.shift();
  });
  let exited = child.exitCode !== null;
  // "close" comes after "exit" once stdout is drained: a killed worker's last reports are counted by then.
  const exit = new Promise<void>((resolve) =>
    child.once("close", () => {
      exited = true;
      resolve();
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let event: { ready?: boolean; done?: string; deliveries?: number };
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        return; // not a report (a log line, when NATSBRIDGE_LOG_LEVEL is set)
      }
      if (event.ready) resolve();
      if (event.done) {
        const p = { msgId: event.done, worker: index, deliveries: event.deliveries ?? 1, at: Date.now() };
        done.push(p);
        onDone(p);
      }
    });
    void exit.then(() => reject(new Error(`worker ${index} exited before it was ready:\n${stderr.join("")}`)));
  });
  // Rejecting after `ready` resolved is a no-op; an exit before it reaches whoever awaits `ready`.
  ready.catch(() => {});
  const signal = async (sig: NodeJS.Signals) => {
    if (exited) return;
    child.kill(sig);
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exit;
    clearTimeout(timer);
  };
  return {
    index,
    pid: child.pid,
    done,
    ready,
    go: () => void child.stdin!.write("go\n"),
    kill: () => signal("SIGKILL"),
    stop: () => signal("SIGTERM"),
    errors: () => stderr.join(""),
  };
}

/** Every process a test file started, to stop in afterAll even when a test failed midway. */
export class WorkerPool {
  readonly #all: WorkerProcess[] = [];

  start(count: number, config: WorkerConfig, onDone: (p: Processed) => void): WorkerProcess[] {
    const started = Array.from({ length: count }, (_, i) => startWorker(i, config, onDone));
    this.#all.push(...started);
    return started;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.#all.splice(0).map((w) => w.stop()));
  }
}
