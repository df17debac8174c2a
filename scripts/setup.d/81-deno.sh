# Deno (the pinned DENO_VERSION) from the npm registry's @deno/<platform>
# package into .tools/deno/<version>/: the deno smoke lane (apps/runtime-smoke).
setup_deno() {
  local package
  case "$(npm_platform)" in
    linux-x64) package="@deno/linux-x64-glibc" ;;
    linux-arm64) package="@deno/linux-arm64-glibc" ;;
    darwin-x64) package="@deno/darwin-x64" ;;
    darwin-arm64) package="@deno/darwin-arm64" ;;
  esac
  npm_tool "$package@$DENO_VERSION" "$(dirname "$DENO_PINNED")" deno
  "$DENO_PINNED" --version | head -1 | grep -qx "deno $DENO_VERSION .*" || die "$DENO_PINNED is not Deno $DENO_VERSION"
}
