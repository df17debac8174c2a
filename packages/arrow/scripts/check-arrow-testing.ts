// The Arrow gold-file check as a command (the same check runs in the suite as
// tests/arrow-testing.test.ts):
//
//   pnpm --filter @natsbridge/arrow check:arrow-testing [integration folder]
//
// The folder defaults to ../shared/arrow-testing/integration/ from the
// repository root (or ARROW_TESTING_DIR). Prints one line per IPC file or
// stream and the counts; exits non-zero when anything failed.

import { resolve } from "node:path";
import { checkGoldFile, goldFilesDir, listGoldCases, readGoldJson } from "../tests/gold-files.js";

const dir = process.argv[2] ? resolve(process.argv[2]) : goldFilesDir();
const counts: Record<string, number> = { equal: 0, refused: 0, different: 0, error: 0 };
for (const c of listGoldCases(dir)) {
  const json = readGoldJson(c.json);
  for (const file of c.files) {
    const result = checkGoldFile(file, json);
    counts[result.outcome]!++;
    const detail = result.outcome === "refused" ? `${result.code}: ${result.message}` : result.outcome === "equal" ? "" : result.why;
    console.log(`${result.outcome.padEnd(9)} ${c.producer}/${file.split("/").pop()}${detail ? `  ${detail}` : ""}`);
  }
}
console.log(`\n${counts.equal} read and equal, ${counts.refused} refused (typed error), ${counts.different! + counts.error!} failed`);
console.log("Which refusals are expected is listed in tests/arrow-testing.test.ts.");
process.exit(counts.different! + counts.error! > 0 ? 1 : 0);
