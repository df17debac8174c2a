// natsbridge conformance [--repo DIR] [-- suite options]
// An alias of the cross-language conformance suite (`pnpm conformance` in a
// natsbridge checkout: docs/conformance.md). The suite needs the repository's
// fixtures, the Python reference peer and the servers its set-up installs, so
// it runs from a checkout: the one around the current directory, --repo, or
// $NATSBRIDGE_REPO.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Io } from "../context.js";
import { ExitCodes, UsageError } from "../exit-codes.js";

export async function conformance(argv: string[], io: Io): Promise<number> {
  const args = [...argv];
  let repo = io.env.NATSBRIDGE_REPO;
  const at = args.indexOf("--repo");
  if (at >= 0) {
    repo = args[at + 1];
    if (!repo) throw new UsageError("--repo needs a directory");
    args.splice(at, 2);
  }
  const root = repo ? resolve(io.cwd, repo) : findCheckout(io.cwd);
  if (!root || !isCheckout(root)) {
    throw new UsageError(
      `the conformance suite runs from a natsbridge checkout (${repo ? `${root} is not one` : "none around the current directory"}).\n` +
        "  git clone https://github.com/natsbridge/natsbridge && cd natsbridge && npx natsbridge conformance\n" +
        "  or: natsbridge conformance --repo /path/to/natsbridge",
    );
  }
  const passThrough = args[0] === "--" ? args.slice(1) : args;
  return new Promise((done, fail) => {
    const child = spawn("pnpm", ["--dir", root, "run", "conformance", ...(passThrough.length ? ["--", ...passThrough] : [])], {
      cwd: io.cwd,
      env: io.env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.once("error", (e) =>
      fail(new UsageError(`cannot run pnpm (${e.message}); the suite is a pnpm script: install pnpm (corepack enable)`)),
    );
    child.once("exit", (code, signal) => done(signal ? ExitCodes.INTERRUPTED : (code ?? ExitCodes.ERROR)));
  });
}

function isCheckout(dir: string): boolean {
  return existsSync(join(dir, "pnpm-workspace.yaml")) && existsSync(join(dir, "apps", "conformance", "package.json"));
}

function findCheckout(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (isCheckout(dir)) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
