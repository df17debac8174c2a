export { findBinary, REPO_ROOT, TOOLS_BIN } from "./binaries.js";
export { freePort, waitForPort } from "./ports.js";
export { startProcess, type ManagedProcess } from "./process.js";
export { NATS_INSTALL_HINT, startNatsServer, type NatsServer, type NatsServerOptions } from "./nats-server.js";
export { findPython } from "./python.js";
export { NGINX_INSTALL_HINT, startNginxDav, type NginxDav, type NginxDavOptions } from "./nginx.js";
export { startVersityGw, VERSITYGW_INSTALL_HINT, type VersityGw, type VersityGwOptions } from "./versitygw.js";
export { CHROMIUM_INSTALL_HINT, chromiumLaunchOptions, type ChromiumLaunchOptions } from "./chromium.js";
export { PLIK_COMPATIBLE_KIND, PLIK_INSTALL_HINT, startAnyPlik, startPlik, type PlikServer, type PlikServerOptions } from "./plik.js";
export {
  humanBytes,
  startPlikCompatible,
  type PlikCompatibleFile,
  type PlikCompatibleOptions,
  type PlikCompatibleServer,
  type PlikCompatibleUpload,
  type RecordedRequest,
} from "./plik-compatible.js";
