// Finds the server and runtime binaries the integration tests run. Missing
// binaries fail loudly with the command that installs them: a suite that
// skips when its server is absent would hide the gap.

import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const TOOLS_DIR = join(REPO_ROOT, ".tools");
export const TOOLS_BIN = join(TOOLS_DIR, "bin");

/** The versions scripts/versions.env pins (the same file the set-up scripts read). */
export interface ToolVersions {
  NODE24_VERSION: string;
  NODE22_VERSION: string;
  NATS_SERVER_VERSION: string;
  NATS_SERVER_OLDEST_VERSION: string;
  BUN_VERSION: string;
  DENO_VERSION: string;
}

function readToolVersions(): ToolVersions {
  const file = join(REPO_ROOT, "scripts", "versions.env");
  const pairs = readFileSync(file, "utf8")
    .split("\n")
    .map((line) => /^([A-Z0-9_]+)=(\S+)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!] as const);
  const versions = Object.fromEntries(pairs) as Partial<ToolVersions>;
  const keys: (keyof ToolVersions)[] = [
    "NODE24_VERSION",
    "NODE22_VERSION",
    "NATS_SERVER_VERSION",
    "NATS_SERVER_OLDEST_VERSION",
    "BUN_VERSION",
    "DENO_VERSION",
  ];
  const missing = keys.filter((k) => !versions[k]);
  if (missing.length > 0) throw new Error(`${file} lacks ${missing.join(", ")}`);
  return versions as ToolVersions;
}

export const TOOL_VERSIONS: ToolVersions = readToolVersions();

/** Where `bash scripts/setup.sh` puts each pinned tool. */
export const PINNED_PATHS = {
  natsServer: join(TOOLS_DIR, "nats-server", `v${TOOL_VERSIONS.NATS_SERVER_VERSION}`, "nats-server"),
  bun: join(TOOLS_DIR, "bun", TOOL_VERSIONS.BUN_VERSION, "bin", "bun"),
  deno: join(TOOLS_DIR, "deno", TOOL_VERSIONS.DENO_VERSION, "deno"),
} as const;

/**
 * `$envVar` when set; else `pinned` when given (a pinned tool is never swapped
 * for whatever version PATH happens to hold); else .tools/bin, then PATH.
 */
export function findBinary(name: string, envVar: string, installHint: string, pinned?: string): string {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`${envVar}=${fromEnv} does not exist. ${installHint}`);
  }
  if (pinned !== undefined) {
    if (existsSync(pinned)) return pinned;
    throw new Error(`${name} not found at ${pinned} (the pinned version; $${envVar} is not set). ${installHint}`);
  }
  const dirs = [TOOLS_BIN, ...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/usr/local/bin"];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} not found (looked in $${envVar}, .tools/bin and PATH). ${installHint}`);
}
