#!/usr/bin/env bash
# The whole test suite: set-up (packages, servers' binaries), build, typecheck,
# package lint (publint + attw), then every package's tests — unit tests and
# integration tests against real servers that each run starts on free loopback
# ports and stops. Ends with one "N passed, N failed" line.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
bash scripts/setup.sh
rm -rf packages/*/reports apps/*/reports tools/*/reports
say "build, typecheck, lint"
pnpm turbo run build typecheck lint --output-logs=errors-only
say "tests"
status=0
# One package at a time: integration suites start real servers and the CI
# machine has two cores.
pnpm turbo run test --concurrency=1 --continue || status=$?
say "conformance matrix"
# Writes apps/conformance/reports/conformance.json (one "test" per cell) for the summary.
pnpm --filter @natsbridge/conformance run conformance || status=1
bash scripts/pack-check.sh || status=1  # release readiness: packed tarballs installed and run outside the repo
say "summary"
node scripts/summarize-tests.mjs || status=1
exit $status
