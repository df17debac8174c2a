// The JavaScript runtimes besides Node that the smoke lanes run
// (apps/runtime-smoke): the pinned Bun and Deno the set-up fetched from the
// npm registry into .tools/, or the binaries BUN_BIN / DENO_BIN name.

import { findBinary, PINNED_PATHS, TOOL_VERSIONS } from "./binaries.js";

export const BUN_INSTALL_HINT = `Install it with \`bash scripts/setup.sh bun\` (Bun ${TOOL_VERSIONS.BUN_VERSION} from the npm registry's @oven/bun-<platform> package), or set BUN_BIN.`;
export const DENO_INSTALL_HINT = `Install it with \`bash scripts/setup.sh deno\` (Deno ${TOOL_VERSIONS.DENO_VERSION} from the npm registry's @deno/<platform> package), or set DENO_BIN.`;

export const findBun = (): string => findBinary("bun", "BUN_BIN", BUN_INSTALL_HINT, PINNED_PATHS.bun);
export const findDeno = (): string => findBinary("deno", "DENO_BIN", DENO_INSTALL_HINT, PINNED_PATHS.deno);
