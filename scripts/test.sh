#!/usr/bin/env bash
# The whole test suite, in lanes: set-up (runtimes, packages, servers'
# binaries), build, typecheck, package lint (publint + attw), then
#   node24       Node 24 LTS, nats-server (pinned current): every package's unit
#                and integration tests, the conformance matrix, pack-check
#   node22       Node 22 LTS: envelope, core, plik and s3 (unit + integration)
#   nats-oldest  the oldest supported nats-server (Debian's 2.9.10): core's
#                integration tests and apps/client-compat (nats v2, nats.ws)
#   bun, deno    smoke tests: core's built entry on Bun and on Deno over a real
#                nats-server and nginx WebDAV (apps/runtime-smoke)
# Every lane writes its own JSON reports (vitest-<lane>.json; the node24 lane's
# are vitest.json and conformance.json) and its time to reports/lanes/; the
# closing summary adds them all into one "N passed, N failed" line. A failing
# lane fails the command, after the other lanes ran.
#
#   bash scripts/test.sh                 every lane (what `npm test` and CI run)
#   bash scripts/test.sh node22 bun      only these lanes (set-up and build still run)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

ALL_LANES=(node24 node22 nats-oldest bun deno)
lanes=("$@")
[ ${#lanes[@]} -gt 0 ] || lanes=("${ALL_LANES[@]}")
for lane in "${lanes[@]}"; do
  [[ " ${ALL_LANES[*]} " == *" $lane "* ]] || die "unknown lane '$lane' (lanes: ${ALL_LANES[*]})"
done
runs() { [[ " ${lanes[*]} " == *" $1 "* ]]; }

bash scripts/setup.sh
hash -r
rm -rf reports packages/*/reports apps/*/reports tools/*/reports examples/reports
if runs node24; then
  say "biome (format + lint), build, typecheck, package lint"
  pnpm exec biome ci . # one biome.jsonc at the root; `pnpm format` applies its fixes
  pnpm turbo run build typecheck lint --output-logs=errors-only
else
  say "build"
  pnpm turbo run build --output-logs=errors-only
fi

# vitest in one package directory with the lane's own JSON report; extra
# arguments are vitest's (file filters).
vitest_lane() {
  local lane=$1 dir=$2
  shift 2
  (cd "$dir" && NATSBRIDGE_VITEST_REPORT="reports/vitest-$lane.json" pnpm exec vitest run "$@")
}

lane_node24() {
  local rc=0
  # One package at a time: integration suites start real servers and the CI
  # machine has two cores.
  pnpm turbo run test --concurrency=1 --continue || rc=1
  say "conformance matrix"
  # Writes apps/conformance/reports/conformance.json (one "test" per cell) for the summary.
  pnpm --filter @natsbridge/conformance run conformance:ci || rc=1 # the matrix, its HTML report, and the Chromium check of that report
  bash scripts/pack-check.sh || rc=1 # release readiness: packed tarballs installed and run outside the repo
  return $rc
}

lane_node22() (
  export PATH="$NODE22_HOME/bin:$PATH"
  hash -r
  local got
  got=$(pnpm exec node --version)
  [ "$got" = "v$NODE22_VERSION" ] || die "the node22 lane runs node $got, expected v$NODE22_VERSION"
  say "node $got ($(command -v node))"
  local rc=0 package
  for package in envelope core plik s3; do
    vitest_lane node22 "packages/$package" || rc=1
  done
  return $rc
)

lane_nats_oldest() {
  local bin
  bin=$(oldest_nats_server_bin)
  [ -n "$bin" ] || die "no nats-server $NATS_SERVER_OLDEST_VERSION (bash scripts/setup.sh nats_oldest)"
  local got
  got=$(nats_server_version "$bin")
  [ "$got" = "$NATS_SERVER_OLDEST_VERSION" ] || die "$bin is nats-server $got, expected $NATS_SERVER_OLDEST_VERSION"
  say "nats-server $got ($bin)"
  local rc=0
  NATS_SERVER_BIN="$bin" vitest_lane nats-oldest packages/core integration || rc=1
  # Connections made with nats v2 and nats.ws against the oldest server too.
  NATS_SERVER_BIN="$bin" vitest_lane nats-oldest apps/client-compat || rc=1
  return $rc
}

lane_bun() { vitest_lane bun apps/runtime-smoke tests/bun.test.ts; }
lane_deno() { vitest_lane deno apps/runtime-smoke tests/deno.test.ts; }

lane_title() {
  case $1 in
    node24) echo "Node $NODE24_VERSION, nats-server $NATS_SERVER_VERSION: every package, conformance matrix, pack-check" ;;
    node22) echo "Node $NODE22_VERSION, nats-server $NATS_SERVER_VERSION: envelope, core, plik, s3" ;;
    nats-oldest) echo "nats-server $NATS_SERVER_OLDEST_VERSION, Node $NODE24_VERSION: core integration tests, client-compat" ;;
    bun) echo "Bun $BUN_VERSION smoke: core's built entry over nats-server $NATS_SERVER_VERSION + nginx" ;;
    deno) echo "Deno $DENO_VERSION smoke: core's built entry over nats-server $NATS_SERVER_VERSION + nginx" ;;
  esac
}

# Runs one lane, records its wall time and exit code in reports/lanes/<lane>.json.
status=0
run_lane() {
  local lane=$1 title rc=0 start end
  title=$(lane_title "$lane")
  say "lane $lane: $title"
  start=$(date +%s.%N)
  "lane_${lane//-/_}" || rc=$?
  end=$(date +%s.%N)
  mkdir -p reports/lanes
  node -e 'const [lane, title, start, end, rc] = process.argv.slice(1);
    console.log(JSON.stringify({ lane, title, seconds: Math.round((end - start) * 10) / 10, exitCode: Number(rc) }));' \
    "$lane" "$title" "$start" "$end" "$rc" >"reports/lanes/$lane.json"
  [ "$rc" -eq 0 ] || status=1
}

for lane in "${ALL_LANES[@]}"; do
  if runs "$lane"; then run_lane "$lane"; fi
done

say "summary"
node scripts/summarize-tests.mjs || status=1
exit $status
