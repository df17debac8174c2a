#!/usr/bin/env bash
# Release readiness: what users will install, checked as they will install it.
#
#  1. Every published package (packages/*, not private) is packed with
#     `pnpm pack`; the tarball must hold dist/, README.md and LICENSE and no
#     tests, and package.json must name license, repository, homepage, files.
#  2. A scratch project outside the repository ($TMPDIR) `npm install`s the
#     tarballs (third-party dependencies come from the npm registry), then
#     type-checks the examples against the published .d.ts files and runs
#     them — chat, request-reply, table-python, large-file-s3, large-file-plik —
#     plus the `natsbridge` CLI, against a nats-server, nginx, versitygw, the
#     Python peer and (no real Plik can be had here) the Plik API stand-in of
#     @natsbridge/plik's tests, started for the occasion (examples/run.ts --servers).
#  3. `changeset version` runs on a throwaway copy of the working tree; every
#     published package must get the same new version and a CHANGELOG.md.
#
# The repository itself is never modified. Called by scripts/test.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

work=$(mktemp -d "${TMPDIR:-/tmp}/natsbridge-pack-check-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { printf 'pack-check: %s\n' "$*" >&2; exit 1; }

say "release readiness: build the published packages"
mapfile -t packages < <(node -e '
  const fs = require("fs");
  for (const d of fs.readdirSync("packages").sort()) {
    const f = `packages/${d}/package.json`;
    if (fs.existsSync(f) && !JSON.parse(fs.readFileSync(f, "utf8")).private) console.log(d);
  }')
[ ${#packages[@]} -gt 0 ] || fail "no published packages under packages/"
pnpm turbo run build "${packages[@]/#/--filter=./packages/}" --output-logs=errors-only >/dev/null

say "release readiness: pnpm pack ${packages[*]}"
mkdir -p "$work/tarballs"
for p in "${packages[@]}"; do
  dir="packages/$p"
  node -e '
    const pkg = require(process.argv[1]);
    const missing = ["license", "repository", "homepage", "files", "exports", "engines"].filter((k) => !pkg[k]);
    if (missing.length) { console.error(`${pkg.name}: package.json lacks ${missing.join(", ")}`); process.exit(1); }
  ' "$REPO_ROOT/$dir/package.json" || fail "$dir/package.json is incomplete"
  tarball=$(cd "$dir" && pnpm pack --pack-destination "$work/tarballs" 2>/dev/null | grep '\.tgz$' | tail -1)
  [ -f "$tarball" ] || tarball="$work/tarballs/$(basename "$tarball")"
  [ -f "$tarball" ] || fail "pnpm pack produced no tarball for $dir"
  listing=$(tar -tzf "$tarball")
  for required in package/package.json package/README.md package/LICENSE package/dist/index.js package/dist/index.d.ts; do
    grep -qx "$required" <<<"$listing" || fail "$(basename "$tarball") lacks ${required#package/}"
  done
  if grep -Eq '^package/(tests?|reports|node_modules)/' <<<"$listing"; then fail "$(basename "$tarball") ships tests, reports or node_modules"; fi
  if tar -xzOf "$tarball" package/package.json | grep -q '"workspace:'; then fail "$(basename "$tarball") still has workspace: dependencies"; fi
  printf '  %s (%s files)\n' "$(basename "$tarball")" "$(wc -l <<<"$listing")"
done

say "release readiness: install the tarballs in a scratch project outside the repository"
scratch="$work/scratch"
mkdir -p "$scratch/src"
cp -r examples/src/. "$scratch/src/"
cp -r examples/python "$scratch/python"
node - "$scratch" "$work/tarballs" <<'EOF'
const fs = require("fs");
const path = require("path");
const [scratch, tarballs] = process.argv.slice(2);
// The same tool versions as the repository's own (root package.json), so they never drift apart.
const tools = require(path.resolve("package.json")).devDependencies;
const deps = {};
for (const f of fs.readdirSync(tarballs)) {
  const name = JSON.parse(require("child_process").execFileSync("tar", ["-xzOf", path.join(tarballs, f), "package/package.json"])).name;
  deps[name] = `file:${path.join(tarballs, f)}`;
}
fs.writeFileSync(path.join(scratch, "package.json"), JSON.stringify({
  name: "natsbridge-pack-check",
  private: true,
  type: "module",
  dependencies: { ...deps, tsx: tools.tsx, typescript: tools.typescript, "@types/node": tools["@types/node"] },
  // One copy of each @natsbridge package: the packed one, never the registry's.
  overrides: deps,
}, null, 2));
fs.writeFileSync(path.join(scratch, "tsconfig.json"), JSON.stringify({
  compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, types: ["node"], skipLibCheck: true },
  include: ["src"],
}, null, 2));
EOF
(cd "$scratch" && npm install --no-audit --no-fund --loglevel=error >"$work/npm-install.log" 2>&1) || { cat "$work/npm-install.log" >&2; fail "npm install of the tarballs failed"; }
for p in "${packages[@]}"; do
  name=$(node -p "require('./packages/$p/package.json').name")
  [ -L "$scratch/node_modules/$name" ] && fail "$name is a symlink into the repository, not the packed tarball"
  [ -f "$scratch/node_modules/$name/dist/index.js" ] || fail "$name is not installed from its tarball"
done

say "release readiness: the examples type-check against the published types"
(cd "$scratch" && npx --no-install tsc -p tsconfig.json) || fail "the examples do not type-check against the packed packages"

say "release readiness: run the examples and the CLI from the installed tarballs"
cat >"$scratch/smoke.sh" <<'EOF'
set -euo pipefail
cd "$(dirname "$0")"
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# run LABEL COMMAND…: one line per check, the command's output only when it fails.
run() { printf '  %s ... ' "$1"; shift; out=$("$@" 2>&1) || { printf 'FAILED\n%s\n' "$out"; exit 1; }; printf 'ok\n'; }
run "example chat (@natsbridge/core)" npx --no-install tsx src/chat.ts
run "example request-reply (@natsbridge/core)" npx --no-install tsx src/request-reply.ts
run "example large-file-s3 (@natsbridge/s3)" env SAMPLE_BYTES=8000000 OUT_DIR="$PWD/received" npx --no-install tsx src/large-file-s3.ts
run "example table-python (@natsbridge/arrow)" env NATSBRIDGE_PEER_DIR="$PEER_DIR" npx --no-install tsx src/table-python.ts
run "example large-file-plik (@natsbridge/plik, against the Plik API stand-in)" env FILESERVER_URL="$PLIK_STANDIN_URL" SAMPLE_BYTES=4000000 OUT_DIR="$PWD/received-plik" npx --no-install tsx src/large-file-plik.ts
run "@natsbridge/envelope builds and parses an envelope" node -e '
  import("@natsbridge/envelope").then(({ createEnvelope, createDirectPayload, serializeEnvelope, parseEnvelope, encodeUtf8 }) => {
    const env = createEnvelope({ sendTo: "x", payloads: [createDirectPayload({ id: "1", dataname: "t", payloadType: "text", bytes: encodeUtf8("hi") })] });
    if (parseEnvelope(serializeEnvelope(env).json).payloads[0].data !== "aGk=") process.exit(1);
  })'
# The CLI, as `npx natsbridge` runs it.
run "npx natsbridge --version" npx --no-install natsbridge --version
head -c 3000000 /dev/urandom > big.bin
npx --no-install natsbridge listen pack.check -n 1 -o json --save saved --store http --fileserver-url "$FILESERVER_URL" >listen.json 2>listen.err &
listener=$!
for _ in $(seq 100); do grep -q "listening on" listen.err 2>/dev/null && break; sleep 0.1; done
run "npx natsbridge send (text + 3 MB file by link)" npx --no-install natsbridge send pack.check --text hello --file big.bin --store http --fileserver-url "$FILESERVER_URL"
wait $listener || { cat listen.err; exit 1; }
printf '  natsbridge listen --save got the 3 MB link payload intact ... '
saved=$(node -e 'const r = JSON.parse(require("fs").readFileSync("listen.json", "utf8")); console.log(r.payloads[1].saved)')
cmp -s big.bin "$saved" || { printf 'FAILED\n'; exit 1; }
printf 'ok\n'
EOF
PEER_DIR="$REPO_ROOT/apps/interop-python" \
  node --import tsx examples/run.ts --servers nats,nginx,s3,python,plik-standin -- bash "$scratch/smoke.sh" \
  || fail "the packed packages' examples failed"

say "release readiness: changeset version on a throwaway copy of the working tree"
copy="$work/changesets"
mkdir -p "$copy"
# Tracked and untracked files, not ignored ones (no node_modules, dist, reports).
git ls-files -z --cached --others --exclude-standard | tar -C "$REPO_ROOT" --null -T - -cf - 2>/dev/null | tar -C "$copy" -xf -
ln -s "$REPO_ROOT/node_modules" "$copy/node_modules"
pending=$(find "$copy/.changeset" -name '*.md' ! -name README.md | wc -l)
(cd "$copy" && "$REPO_ROOT/node_modules/.bin/changeset" version >"$work/changeset.log" 2>&1) || { cat "$work/changeset.log" >&2; fail "changeset version failed"; }
node - "$copy" "$pending" "${packages[@]}" <<'EOF'
const fs = require("fs");
const path = require("path");
const [copy, pending, ...packages] = process.argv.slice(2);
const problems = [];
const versions = new Set();
for (const p of packages) {
  const dir = path.join(copy, "packages", p);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  versions.add(pkg.version);
  const log = path.join(dir, "CHANGELOG.md");
  if (Number(pending) === 0) continue;
  if (!fs.existsSync(log)) { problems.push(`${pkg.name}: no CHANGELOG.md`); continue; }
  const text = fs.readFileSync(log, "utf8");
  if (!text.startsWith(`# ${pkg.name}\n`)) problems.push(`${pkg.name}: CHANGELOG.md does not start with "# ${pkg.name}"`);
  if (!text.includes(`\n## ${pkg.version}\n`)) problems.push(`${pkg.name}: CHANGELOG.md has no "## ${pkg.version}" section`);
  for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
    if (dep.startsWith("@natsbridge/") && !range.startsWith("workspace:")) problems.push(`${pkg.name}: ${dep} became ${range}`);
  }
}
if (versions.size !== 1) problems.push(`the fixed group drifted apart: ${[...versions].join(", ")}`);
const left = fs.readdirSync(path.join(copy, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md");
if (left.length) problems.push(`changesets not consumed: ${left.join(", ")}`);
if (problems.length) { console.error(problems.join("\n")); process.exit(1); }
console.log(`  ${pending} changeset(s) → every published package at ${[...versions][0]}, each with a CHANGELOG.md`);
EOF
say "release readiness: OK"
