# The nats-server the tests, the demo, the conformance matrix and the bench run
# against: the pinned current release (NATS_SERVER_VERSION), built with
# go install (the Go module proxy serves it) into .tools/nats-server/v<version>/.
# lib.sh points NATS_SERVER_BIN at it unless the caller set another binary.
setup_nats() {
  if [ "$NATS_SERVER_BIN" != "$NATS_SERVER_PINNED" ]; then
    [ -x "$NATS_SERVER_BIN" ] || die "NATS_SERVER_BIN=$NATS_SERVER_BIN is not an executable file"
    return 0
  fi
  go_install nats-server "github.com/nats-io/nats-server/v2@v$NATS_SERVER_VERSION" "$(dirname "$NATS_SERVER_PINNED")"
  local got
  got=$(nats_server_version "$NATS_SERVER_PINNED")
  [ "$got" = "$NATS_SERVER_VERSION" ] || die "$NATS_SERVER_PINNED reports version '$got', expected $NATS_SERVER_VERSION"
}
