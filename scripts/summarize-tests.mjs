// Adds up every test report under packages/*/reports, apps/*/reports,
// tools/*/reports and examples/reports (vitest's JSON shape: numPassedTests,
// numFailedTests, numPendingTests) and prints one closing line:
// "N passed, N failed, N skipped".
//
// scripts/test.sh runs the tests in lanes and records each lane's wall time
// and exit code in reports/lanes/<lane>.json. A report belongs to the lane its
// file name ends with (vitest-node22.json: node22); vitest.json and
// conformance.json are the node24 lane's. Above the closing line: one line per
// lane with its counts and time, then one per report. Fails when a test
// failed, a lane exited non-zero, or a lane that ran wrote no report.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const DEFAULT_LANE = "node24";

function reportDirs() {
  const dirs = [];
  for (const group of ["packages", "apps", "tools"]) {
    if (!existsSync(group)) continue;
    for (const name of readdirSync(group).sort()) dirs.push(join(group, name, "reports"));
  }
  dirs.push(join("examples", "reports"));
  return dirs.filter((d) => existsSync(d));
}

function laneOf(file) {
  const m = /^vitest-(.+)\.json$/.exec(file);
  return m ? m[1] : DEFAULT_LANE;
}

/** Seconds from the report's start to its last test file's end, when the report says. */
function reportSeconds(r) {
  const ends = (r.testResults ?? []).map((t) => t.endTime).filter((t) => typeof t === "number");
  if (typeof r.startTime !== "number" || ends.length === 0) return undefined;
  return (Math.max(...ends) - r.startTime) / 1000;
}

const reports = [];
for (const dir of reportDirs()) {
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const r = JSON.parse(readFileSync(join(dir, file), "utf8"));
    if (typeof r.numPassedTests !== "number") continue;
    reports.push({
      path: join(dir, file),
      lane: laneOf(file),
      passed: r.numPassedTests,
      failed: r.numFailedTests,
      skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
      seconds: reportSeconds(r),
    });
  }
}

const lanesDir = join("reports", "lanes");
const lanes = existsSync(lanesDir)
  ? readdirSync(lanesDir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(join(lanesDir, f), "utf8")))
  : [];
const laneOrder = ["node24", "node22", "nats-oldest", "bun", "deno"];
lanes.sort((a, b) => (laneOrder.indexOf(a.lane) + 1 || 99) - (laneOrder.indexOf(b.lane) + 1 || 99));

const sum = (list, key) => list.reduce((n, r) => n + r[key], 0);
const secs = (s) => `${s.toFixed(1)} s`;
const problems = [];

for (const lane of lanes) {
  const own = reports.filter((r) => r.lane === lane.lane);
  console.log(
    `lane ${lane.lane}: ${sum(own, "passed")} passed, ${sum(own, "failed")} failed, ${sum(own, "skipped")} skipped in ${secs(lane.seconds)}` +
      ` (${lane.title})${lane.exitCode === 0 ? "" : ` EXIT ${lane.exitCode}`}`,
  );
  for (const r of own) {
    console.log(`  ${r.path}: ${r.passed} passed, ${r.failed} failed${r.seconds === undefined ? "" : `, ${secs(r.seconds)}`}`);
  }
  if (lane.exitCode !== 0) problems.push(`lane ${lane.lane} exited with ${lane.exitCode}`);
  if (own.length === 0) problems.push(`lane ${lane.lane} wrote no test report`);
}
// Reports of no recorded lane (e.g. the summary run on its own after a package's tests).
const recorded = new Set(lanes.map((l) => l.lane));
for (const r of reports.filter((r) => !recorded.has(r.lane))) {
  console.log(`  ${r.path}: ${r.passed} passed, ${r.failed} failed${r.seconds === undefined ? "" : `, ${secs(r.seconds)}`}`);
}
if (reports.length === 0) problems.push("no test reports found");
for (const p of problems) console.error(`error: ${p}`);

if (lanes.length > 0)
  console.log(
    `${lanes.length} lane${lanes.length === 1 ? "" : "s"} in ${secs(sum(lanes, "seconds"))}: ${lanes.map((l) => `${l.lane} ${secs(l.seconds)}`).join(", ")}`,
  );
const failed = sum(reports, "failed");
console.log(`${sum(reports, "passed")} passed, ${failed} failed, ${sum(reports, "skipped")} skipped`);
process.exit(failed > 0 || problems.length > 0 ? 1 : 0);
