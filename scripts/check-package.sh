#!/usr/bin/env bash
# Lints one package as it would be published: publint over its package.json and
# files, then attw (are-the-types-wrong) over the tarball `pnpm pack` makes.
# attw's own --pack shells out to npm and breaks on npm 11's output, so we pack.
set -euo pipefail
pkg_dir=$(pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
publint --strict
pnpm pack --pack-destination "$out" >/dev/null
attw "$out"/*.tgz --profile esm-only --format ascii
