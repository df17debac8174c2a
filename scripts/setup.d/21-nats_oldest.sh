# The oldest nats-server we support (NATS_SERVER_OLDEST_VERSION, Debian 12's
# package): the nats-oldest lane runs core's integration tests against it.
# Debian's package when apt has that version, else go install into
# .tools/nats-server/v<version>/. NATS_SERVER_OLDEST_BIN picks another binary.
setup_nats_oldest() {
  local bin
  bin=$(oldest_nats_server_bin)
  if [ -z "$bin" ] && command -v apt-get >/dev/null 2>&1 \
    && apt-cache policy nats-server 2>/dev/null | grep -q "Candidate: $NATS_SERVER_OLDEST_VERSION"; then
    apt_install nats-server
    bin=$(oldest_nats_server_bin)
  fi
  if [ -z "$bin" ]; then
    go_install nats-server "github.com/nats-io/nats-server/v2@v$NATS_SERVER_OLDEST_VERSION" "$TOOLS_DIR/nats-server/v$NATS_SERVER_OLDEST_VERSION"
    bin=$(oldest_nats_server_bin)
  fi
  [ -n "$bin" ] && [ -x "$bin" ] || die "no nats-server $NATS_SERVER_OLDEST_VERSION after installing it"
  local got
  got=$(nats_server_version "$bin")
  [ "$got" = "$NATS_SERVER_OLDEST_VERSION" ] || die "$bin reports version '$got', expected $NATS_SERVER_OLDEST_VERSION"
}
