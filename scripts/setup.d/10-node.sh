# Node.js >= 20, pnpm at the version package.json pins, and the workspace packages.
setup_node() {
  command -v node >/dev/null 2>&1 || die "Node.js >= 20 is required (https://nodejs.org, or apt-get install nodejs)"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node.js >= 20 is required, found $(node --version)"
  local want
  want=$(node -p 'require("./package.json").packageManager.split("@")[1]')
  if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$want" ]; then
    command -v npm >/dev/null 2>&1 || die "npm is needed to install pnpm $want"
    say "installing pnpm $want"
    npm install -g "pnpm@$want" >/dev/null 2>&1 || die "npm install -g pnpm@$want failed"
  fi
  say "pnpm install"
  pnpm install --frozen-lockfile --reporter=silent || die "pnpm install failed"
}
