# Jaeger v1.76.0 (the OpenTelemetry-collector-based Jaeger v2): the tracing
# backend of the observability tests (packages/core/tests/jaeger.integration.test.ts).
# `go install github.com/jaegertracing/jaeger/cmd/jaeger@v1.76.0` is refused
# (Jaeger's go.mod has replace directives), so tools/jaeger holds a small tools
# module (go.mod + go.sum, every version and hash pinned) and we `go build` the
# tool package from it. About 7 minutes on 2 cores, a 121 MB binary, cached in
# .tools/bin and skipped when it is there. The binary has no UI assets: its web
# UI is a placeholder page, the HTTP API (/api/traces) works.
JAEGER_VERSION="1.76.0"
setup_jaeger() {
  if [ -n "${JAEGER_BIN:-}" ] && [ -x "$JAEGER_BIN" ]; then return 0; fi
  local bin="$TOOLS_BIN/jaeger-$JAEGER_VERSION"
  [ -x "$bin" ] && return 0
  command -v go >/dev/null 2>&1 || die "jaeger-$JAEGER_VERSION is missing and Go is not installed to build it (tools/jaeger)"
  say "go build github.com/jaegertracing/jaeger/cmd/jaeger@v$JAEGER_VERSION (tools/jaeger, cached in .tools/bin; takes minutes)"
  mkdir -p "$TOOLS_BIN"
  # -mod=readonly: the committed go.mod and go.sum decide every version; a
  # build that would need to change them fails instead.
  (cd "$REPO_ROOT/tools/jaeger" && GOFLAGS="-mod=readonly -buildvcs=false" go build -trimpath -o "$bin.partial" github.com/jaegertracing/jaeger/cmd/jaeger) \
    || { rm -f "$bin.partial"; die "go build of jaeger $JAEGER_VERSION failed"; }
  mv "$bin.partial" "$bin"
}
