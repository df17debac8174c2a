# A real nats-server: Debian's package when apt-get is there, else go install.
NATS_SERVER_MODULE="github.com/nats-io/nats-server/v2@v2.10.29"
setup_nats() {
  if [ -n "${NATS_SERVER_BIN:-}" ] && [ -x "$NATS_SERVER_BIN" ]; then return 0; fi
  if command -v nats-server >/dev/null 2>&1; then return 0; fi
  if command -v apt-get >/dev/null 2>&1; then
    apt_install nats-server
  else
    go_install nats-server "$NATS_SERVER_MODULE"
  fi
  command -v nats-server >/dev/null 2>&1 || die "nats-server is still missing after installing it"
}
