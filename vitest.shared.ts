// How @natsbridge/* resolves in this repository, in one place. Tests run
// against each package's TypeScript sources: these aliases point every
// @natsbridge/* import at src/, so a test never sees a stale dist/; they are
// the only way src/ is resolved (the browser-bundle test hands the same table
// to esbuild). Everything else resolves the built dist/ through the packages'
// `exports`, exactly as users get it: tsc (typecheck, type tests), tsx scripts
// and the processes tests spawn (examples, peers, CLIs), and the Vite page
// build. turbo builds dist/ first (`dependsOn` in turbo.json); a script run on
// its own builds what it needs (e.g. `pnpm example`, `pnpm conformance`).
import { fileURLToPath } from "node:url";

const pkg = (name: string, entry = "src/index.ts") => fileURLToPath(new URL(`./packages/${name}/${entry}`, import.meta.url));

export const workspaceAliases: Record<string, string> = {
  "@natsbridge/envelope": pkg("envelope"),
  "@natsbridge/core/testing": pkg("core", "src/testing/index.ts"),
  "@natsbridge/core/store": pkg("core", "src/store-helpers.ts"),
  "@natsbridge/core": pkg("core"),
  "@natsbridge/plik": pkg("plik"),
  "@natsbridge/s3": pkg("s3"),
  "@natsbridge/objstore": pkg("objstore"),
  "@natsbridge/arrow": pkg("arrow"),
  "@natsbridge/test-harness": fileURLToPath(new URL("./tools/test-harness/src/index.ts", import.meta.url)),
};

// Every package writes a JSON report next to the console output; scripts/test.sh
// adds them up into one "N passed, N failed" line.
// NATSBRIDGE_VITEST_REPORT names another report file: scripts/test.sh's lanes
// (node22, nats-oldest, bun, deno) write vitest-<lane>.json next to the node24 one.
export const sharedReporters: ["default", ["json", { outputFile: string }]] = [
  "default",
  ["json", { outputFile: process.env.NATSBRIDGE_VITEST_REPORT ?? "reports/vitest.json" }],
];

const NATS_GLOBAL_SETUP = fileURLToPath(new URL("./tools/test-harness/src/nats-global-setup.ts", import.meta.url));

export interface PackageTestOptions {
  /** Start the shared real nats-server for the run (provide/inject `natsUrl`). */
  nats?: boolean;
  /** More global setups (paths relative to the package), after the nats one. */
  globalSetup?: string[];
  /** Extra aliases, e.g. the package's own name. */
  alias?: Record<string, string>;
  /** Any other vitest `test` options (timeouts, fileParallelism...). */
  test?: Record<string, unknown>;
}

/**
 * The vitest config every package and app uses: tests under tests/, imports
 * resolved to src/, the JSON report, and optionally the real nats-server.
 * Each vitest.config.ts states only what differs.
 */
export function packageTestConfig(options: PackageTestOptions = {}) {
  const globalSetup = [...(options.nats ? [NATS_GLOBAL_SETUP] : []), ...(options.globalSetup ?? [])];
  return {
    resolve: { alias: { ...workspaceAliases, ...options.alias } },
    test: {
      reporters: sharedReporters,
      include: ["tests/**/*.test.ts"],
      ...(globalSetup.length > 0 ? { globalSetup } : {}),
      ...options.test,
    },
  };
}
