#!/usr/bin/env bash
# Runs a command with the set-up's pinned tools in front: Node 24 first on
# PATH and NATS_SERVER_BIN at the pinned nats-server (scripts/lib.sh), so
# that `npm run <x>` started by an older system Node still runs on Node 24.
#   bash scripts/with-tools.sh pnpm --filter @natsbridge/bench run bench
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ $# -gt 0 ] || die "usage: with-tools.sh <command> [args...]"
exec "$@"
