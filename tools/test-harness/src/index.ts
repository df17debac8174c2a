export { findBinary, REPO_ROOT, TOOLS_BIN } from "./binaries.js";
export { freePort, waitForPort } from "./ports.js";
export { startProcess, type ManagedProcess } from "./process.js";
export { NATS_INSTALL_HINT, startNatsServer, type NatsServer, type NatsServerOptions } from "./nats-server.js";
export { findPython } from "./python.js";
export { NGINX_INSTALL_HINT, startNginxDav, type NginxDav, type NginxDavOptions } from "./nginx.js";
export { startVersityGw, VERSITYGW_INSTALL_HINT, type VersityGw, type VersityGwOptions } from "./versitygw.js";
export { CHROMIUM_INSTALL_HINT, chromiumLaunchOptions, type ChromiumLaunchOptions } from "./chromium.js";
export { PLIK_INSTALL_HINT, startPlik, type PlikServer, type PlikServerOptions } from "./plik.js";
export {
  JAEGER_INSTALL_HINT,
  JAEGER_VERSION,
  startJaeger,
  type Jaeger,
  type JaegerSpan,
  type JaegerTrace,
} from "./jaeger.js";
