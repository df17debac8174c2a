# Node.js 24 LTS (the pinned NODE24_VERSION) from the npm registry into
# .tools/node/, first on PATH for everything the scripts run (lib.sh); pnpm at
# the version package.json pins, run by that Node; the workspace packages.
# The system's node and npm serve only to fetch Node 24 once: no Node.js at all
# is an error that says so.
setup_node() {
  if [ ! -x "$NODE24_HOME/bin/node" ]; then
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
      || die "Node.js and npm are missing (found: node=$(command -v node || echo none), npm=$(command -v npm || echo none)); they are needed once to fetch Node $NODE24_VERSION from the npm registry. Install Node.js >= 18 with npm (Debian: apt-get install nodejs npm)."
  fi
  install_node "$NODE24_VERSION"
  hash -r
  [ "$(node --version)" = "v$NODE24_VERSION" ] || die "node on PATH is $(node --version) ($(command -v node)), expected v$NODE24_VERSION from $NODE24_HOME/bin"
  local want
  want=$(node -p 'require("./package.json").packageManager.split("@")[1]')
  if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$want" ]; then
    command -v npm >/dev/null 2>&1 || die "pnpm $want is missing and npm is not there to install it"
    say "installing pnpm $want"
    npm install -g "pnpm@$want" >/dev/null 2>&1 || die "npm install -g pnpm@$want failed"
    hash -r
  fi
  say "pnpm install (Node $NODE24_VERSION)"
  pnpm install --frozen-lockfile --reporter=silent || die "pnpm install failed"
  # pnpm starts `node` from PATH for every script and tool it runs.
  local under
  under=$(pnpm exec node --version 2>/dev/null) || die "pnpm exec node failed"
  [ "$under" = "v$NODE24_VERSION" ] || die "pnpm runs scripts under node $under, expected v$NODE24_VERSION"
}
