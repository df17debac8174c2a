import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./binaries.js";

/**
 * The Python with the peer's pinned packages: $PYTHON, else .tools/venv.
 * Fails loudly when neither exists: tests that need pyarrow must not skip.
 */
export function findPython(): string {
  const fromEnv = process.env.PYTHON;
  if (fromEnv) return fromEnv;
  const venv = join(REPO_ROOT, ".tools", "venv", "bin", "python");
  if (existsSync(venv)) return venv;
  throw new Error("the Python peer's virtualenv is missing: run `bash scripts/setup.sh python` (or set PYTHON)");
}
