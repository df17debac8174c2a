#!/usr/bin/env bash
# The README's demo: installs what it needs, builds the packages, starts a
# nats-server on a free loopback port, and runs a sender and a receiver that
# exchange a text + dictionary + binary message with a 600 KB image that goes
# by link (through a file server the demo starts itself), printing what arrived.
# Runs on Node 24 and the pinned nats-server (scripts/lib.sh), whatever the
# system's Node is.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
bash scripts/setup.sh node nats
say "build"
pnpm turbo run build --output-logs=errors-only >/dev/null
port=$(free_port)
say "starting nats-server $(nats_server_version "$NATS_SERVER_BIN") on 127.0.0.1:$port; Node $(node --version)"
"$NATS_SERVER_BIN" -a 127.0.0.1 -p "$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.05; done
NATS_URL="nats://127.0.0.1:$port" pnpm --silent --filter @natsbridge/core exec tsx examples/demo.ts
