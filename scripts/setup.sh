#!/usr/bin/env bash
# Installs what the demo and the tests need. With no arguments: everything.
# With arguments: only those components (e.g. `setup.sh node nats`).
# Each component lives in scripts/setup.d/NN-name.sh and defines setup_<name>.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
components=()
for f in scripts/setup.d/*.sh; do
  source "$f"
  name=$(basename "$f" .sh); components+=("${name#*-}")
done
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=("${components[@]}")
for c in "${wanted[@]}"; do
  declare -F "setup_$c" >/dev/null || die "unknown set-up component '$c' (known: ${components[*]})"
  "setup_$c"
done
say "set-up done: ${wanted[*]}"
