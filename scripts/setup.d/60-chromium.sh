# Debian's chromium for the browser tests (apps/interop-browser): driven
# headless by playwright-core through `executablePath`, so no browser is ever
# downloaded. fonts-liberation so that the page's text renders in screenshots.
# CHROMIUM_BIN points at another Chromium/Chrome binary instead.
setup_chromium() {
  if [ -n "${CHROMIUM_BIN:-}" ] && [ -x "$CHROMIUM_BIN" ]; then return 0; fi
  if ! command -v chromium >/dev/null 2>&1; then
    apt_install chromium fonts-liberation
  fi
  command -v chromium >/dev/null 2>&1 || die "chromium is still missing after installing it; install it or set CHROMIUM_BIN"
}
