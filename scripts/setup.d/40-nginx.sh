# nginx as the "custom HTTP file server" of the link-transport tests and the
# benchmark: its built-in WebDAV module (ngx_http_dav_module, compiled into
# Debian's `nginx` package; the third-party dav_ext module is not needed) takes
# PUT and DELETE. Tests start their own instance on a free loopback port with a
# temporary root (tools/test-harness/src/nginx.ts); the system service is never
# used. Plik itself cannot be installed here, see docs/packages/plik.md.
setup_nginx() {
  if [ -n "${NGINX_BIN:-}" ] && [ -x "$NGINX_BIN" ]; then return 0; fi
  if ! command -v nginx >/dev/null 2>&1; then
    apt_install nginx
  fi
  command -v nginx >/dev/null 2>&1 || die "nginx is still missing after installing it"
  nginx -V 2>&1 | grep -q -- --with-http_dav_module \
    || die "this nginx lacks the WebDAV module (--with-http_dav_module); install Debian's nginx package or set NGINX_BIN"
}
