# The openssl CLI: packages/core/tests/tls.integration.test.ts makes a
# throwaway CA and a server certificate with it to run nats-server over TLS.
setup_openssl() {
  if ! command -v openssl >/dev/null 2>&1; then
    apt_install openssl
  fi
  command -v openssl >/dev/null 2>&1 || die "openssl is still missing after installing it"
}
