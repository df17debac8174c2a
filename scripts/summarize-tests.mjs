// Adds up every test report under packages/*/reports, apps/*/reports and
// tools/*/reports (vitest's JSON shape: numPassedTests, numFailedTests,
// numPendingTests) and prints one closing line: "N passed, N failed, N skipped".
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

let passed = 0, failed = 0, skipped = 0;
const seen = [];
for (const group of ["packages", "apps", "tools"]) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const dir = join(group, name, "reports");
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      const r = JSON.parse(readFileSync(join(dir, file), "utf8"));
      if (typeof r.numPassedTests !== "number") continue;
      passed += r.numPassedTests;
      failed += r.numFailedTests;
      skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
      seen.push(`${group}/${name}/reports/${file}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
    }
  }
}
// The top-level examples package (examples/reports).
for (const file of existsSync(join("examples", "reports")) ? readdirSync(join("examples", "reports")).filter((f) => f.endsWith(".json")) : []) {
  const r = JSON.parse(readFileSync(join("examples", "reports", file), "utf8"));
  if (typeof r.numPassedTests !== "number") continue;
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  seen.push(`examples/reports/${file}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
}
for (const line of seen) console.log(`  ${line}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (seen.length === 0) {
  console.error("no test reports found");
  process.exit(1);
}
process.exit(failed > 0 ? 1 : 0);
