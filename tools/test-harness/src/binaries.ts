// Finds the server binaries the integration tests run. Missing binaries fail
// loudly with the command that installs them: a suite that skips when its
// server is absent would hide the gap.

import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const TOOLS_BIN = join(REPO_ROOT, ".tools", "bin");

export function findBinary(name: string, envVar: string, installHint: string): string {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`${envVar}=${fromEnv} does not exist. ${installHint}`);
  }
  const dirs = [TOOLS_BIN, ...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/usr/local/bin"];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} not found (looked in $${envVar}, .tools/bin and PATH). ${installHint}`);
}
