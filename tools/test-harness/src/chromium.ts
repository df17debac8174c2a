// Debian's chromium for browser tests, driven by playwright-core through
// `executablePath` (no browser downloads). This module only finds the binary
// and says how to launch it, so the harness needs no playwright dependency:
// `chromium.launch(chromiumLaunchOptions())` in the test.

import { findBinary } from "./binaries.js";

export const CHROMIUM_INSTALL_HINT =
  "Install it with `bash scripts/setup.sh chromium` (apt-get install chromium), or set CHROMIUM_BIN to a Chromium/Chrome binary.";

export interface ChromiumLaunchOptions {
  executablePath: string;
  headless: true;
  args: string[];
}

/**
 * Launch options for playwright-core's `chromium.launch`. Playwright gives
 * every launch a fresh temporary profile. `--no-sandbox` because tests may run
 * as root; the background-networking flags keep Chromium from calling home
 * (update checks, sync, QUIC probes) on a network that has no way out.
 */
export function chromiumLaunchOptions(): ChromiumLaunchOptions {
  return {
    executablePath: findBinary("chromium", "CHROMIUM_BIN", CHROMIUM_INSTALL_HINT),
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  };
}
