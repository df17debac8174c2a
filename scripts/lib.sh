# Shared helpers for the set-up, test and demo scripts. Sourced, not run.
# shellcheck shell=bash

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_DIR="$REPO_ROOT/.tools"
TOOLS_BIN="$TOOLS_DIR/bin"
# shellcheck source=versions.env
source "$REPO_ROOT/scripts/versions.env"

# Where the set-up puts each pinned tool (see versions.env).
NODE24_HOME="$TOOLS_DIR/node/$NODE24_VERSION"
NODE22_HOME="$TOOLS_DIR/node/$NODE22_VERSION"
NATS_SERVER_PINNED="$TOOLS_DIR/nats-server/v$NATS_SERVER_VERSION/nats-server"
BUN_PINNED="$TOOLS_DIR/bun/$BUN_VERSION/bin/bun"
DENO_PINNED="$TOOLS_DIR/deno/$DENO_VERSION/deno"

# Node 24 first on PATH for everything the scripts run (pnpm, turbo, vitest,
# tsx, the demo). The directory may not exist yet: the set-up fills it, and
# until then the system's node is found (the bootstrap uses it only to run npm).
export PATH="$NODE24_HOME/bin:$TOOLS_BIN:$PATH:/usr/sbin:/usr/local/sbin"
# Tests, the demo, the conformance matrix and the bench run against the pinned
# nats-server unless the caller chose another one.
export NATS_SERVER_BIN="${NATS_SERVER_BIN:-$NATS_SERVER_PINNED}"

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

# go install into a folder of the ignored tool cache (default .tools/bin);
# skipped when the binary is there.
go_install() {
  local bin=$1 module=$2 dir=${3:-$TOOLS_BIN}
  [ -x "$dir/$bin" ] && return 0
  command -v go >/dev/null 2>&1 || die "$bin is missing and Go is not installed to build it (go install $module)"
  say "go install $module (cached in ${dir#"$REPO_ROOT"/})"
  mkdir -p "$dir"
  GOBIN="$dir" GOFLAGS=-mod=mod go install "$module" || die "go install $module failed"
  [ -x "$dir/$bin" ] || die "go install $module produced no $dir/$bin"
}

# The platform part of the npm packages that ship runtime binaries.
npm_platform() {
  local os arch
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) die "no prebuilt runtimes on the npm registry for $(uname -s)" ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) die "no prebuilt runtimes on the npm registry for $(uname -m)" ;; esac
  echo "$os-$arch"
}

# Fetches a package tarball from the npm registry (`npm pack`, which checks its
# integrity) and unpacks it as <dest>; skipped when <dest>/<binary> is there.
# Unpacked next to <dest> and moved in whole, so an interrupted fetch leaves
# nothing half-done and two set-ups at once cannot mix their files.
npm_tool() {
  local spec=$1 dest=$2 binary=$3
  [ -x "$dest/$binary" ] && return 0
  command -v npm >/dev/null 2>&1 \
    || die "npm is missing: it is needed once to fetch $spec from the npm registry into ${dest#"$REPO_ROOT"/}; install Node.js with npm (Debian: apt-get install nodejs npm)"
  say "npm pack $spec (into ${dest#"$REPO_ROOT"/})"
  mkdir -p "$(dirname "$dest")"
  local tmp
  tmp=$(mktemp -d "$(dirname "$dest")/.fetch-XXXXXX")
  if ! (cd "$tmp" && npm pack --silent "$spec" >/dev/null 2>"$tmp/npm.log"); then
    cat "$tmp/npm.log" >&2; rm -rf "$tmp"; die "npm pack $spec failed"
  fi
  mkdir "$tmp/x"
  tar -xzf "$tmp"/*.tgz -C "$tmp/x" || { rm -rf "$tmp"; die "cannot unpack the tarball of $spec"; }
  [ -x "$tmp/x/package/$binary" ] || { rm -rf "$tmp"; die "$spec has no executable package/$binary"; }
  mv -T "$tmp/x/package" "$dest" 2>/dev/null || [ -x "$dest/$binary" ] || { rm -rf "$tmp"; die "cannot move $spec into $dest"; }
  rm -rf "$tmp"
}

# The official Node.js binary of one version, from the npm registry's
# node-<os>-<arch> package, into .tools/node/<version>/bin/node.
install_node() {
  local version=$1 home="$TOOLS_DIR/node/$1"
  npm_tool "node-$(npm_platform)@$version" "$home" bin/node
  local got
  got=$("$home/bin/node" --version) || die "$home/bin/node does not run"
  [ "$got" = "v$version" ] || die "$home/bin/node is $got, expected v$version"
}

# The oldest nats-server we support: Debian's package when it is that
# version, else one built with go install into .tools/nats-server/v<version>/.
# Prints the binary's path; prints nothing when it is not installed yet.
oldest_nats_server_bin() {
  if [ -n "${NATS_SERVER_OLDEST_BIN:-}" ]; then echo "$NATS_SERVER_OLDEST_BIN"; return; fi
  local built="$TOOLS_DIR/nats-server/v$NATS_SERVER_OLDEST_VERSION/nats-server"
  if [ -x "$built" ]; then echo "$built"; return; fi
  local system
  for system in /usr/sbin/nats-server /usr/bin/nats-server; do
    if [ -x "$system" ] && [ "$(nats_server_version "$system")" = "$NATS_SERVER_OLDEST_VERSION" ]; then echo "$system"; return; fi
  done
}

# "2.9.10" for a nats-server binary (it prints "nats-server: v2.9.10").
nats_server_version() {
  "$1" --version 2>/dev/null | sed -n 's/.*v\([0-9][0-9.]*\).*/\1/p' | head -1
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
