# Shared helpers for the set-up, test and demo scripts. Sourced, not run.
# shellcheck shell=bash

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_BIN="$REPO_ROOT/.tools/bin"
export PATH="$TOOLS_BIN:$PATH:/usr/sbin:/usr/local/sbin"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs Debian packages (runs apt-get update once per script run).
# Fails at once, naming the packages, when apt-get cannot be used.
_apt_updated=""
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get is not available; install these packages by hand: $*"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install: $*"
    sudo="sudo"
  fi
  if [ -z "$_apt_updated" ]; then
    say "apt-get update"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed"
    _apt_updated=1
  fi
  say "apt-get install $*"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

# go install into .tools/bin (the ignored tool cache); skipped when the binary is there.
go_install() {
  local bin=$1 module=$2
  [ -x "$TOOLS_BIN/$bin" ] && return 0
  command -v go >/dev/null 2>&1 || die "$bin is missing and Go is not installed to build it ($module)"
  say "go install $module (cached in .tools/bin)"
  mkdir -p "$TOOLS_BIN"
  GOBIN="$TOOLS_BIN" GOFLAGS=-mod=mod go install "$module" || die "go install $module failed"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
