# Bun (the pinned BUN_VERSION) from the npm registry's @oven/bun-<platform>
# package into .tools/bun/<version>/: the bun smoke lane (apps/runtime-smoke).
# x64 CPUs without AVX2 get Bun's baseline build.
setup_bun() {
  local platform package
  platform=$(npm_platform)
  case "$platform" in
    linux-x64) package="@oven/bun-linux-x64"; grep -qw avx2 /proc/cpuinfo 2>/dev/null || package="@oven/bun-linux-x64-baseline" ;;
    linux-arm64) package="@oven/bun-linux-aarch64" ;;
    darwin-x64) package="@oven/bun-darwin-x64" ;;
    darwin-arm64) package="@oven/bun-darwin-aarch64" ;;
  esac
  npm_tool "$package@$BUN_VERSION" "$(dirname "$(dirname "$BUN_PINNED")")" bin/bun
  [ "$("$BUN_PINNED" --version)" = "$BUN_VERSION" ] || die "$BUN_PINNED is not Bun $BUN_VERSION"
}
