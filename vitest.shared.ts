// Tests run against each package's TypeScript sources, not its build output:
// these aliases point every @natsbridge/* import at src/ so a test never sees
// a stale dist/.
import { fileURLToPath } from "node:url";

const pkg = (name: string, entry = "src/index.ts") =>
  fileURLToPath(new URL(`./packages/${name}/${entry}`, import.meta.url));

export const workspaceAliases: Record<string, string> = {
  "@natsbridge/envelope": pkg("envelope"),
  "@natsbridge/core/testing": pkg("core", "src/testing/index.ts"),
  "@natsbridge/core": pkg("core"),
  "@natsbridge/plik": pkg("plik"),
  "@natsbridge/s3": pkg("s3"),
  "@natsbridge/arrow": pkg("arrow"),
  "@natsbridge/test-harness": fileURLToPath(new URL("./tools/test-harness/src/index.ts", import.meta.url)),
};

// Every package writes a JSON report next to the console output; scripts/test.sh
// adds them up into one "N passed, N failed" line.
export const sharedReporters: ["default", ["json", { outputFile: string }]] = [
  "default",
  ["json", { outputFile: "reports/vitest.json" }],
];
