export { findBinary, REPO_ROOT, TOOL_VERSIONS, TOOLS_BIN } from "./binaries.js";
export { CHROMIUM_INSTALL_HINT, type ChromiumLaunchOptions, chromiumLaunchOptions } from "./chromium.js";
export {
  JAEGER_INSTALL_HINT,
  JAEGER_VERSION,
  type Jaeger,
  type JaegerSpan,
  type JaegerTrace,
  startJaeger,
} from "./jaeger.js";
export {
  type ClusterConfigOptions,
  type ClusterNodeSpec,
  clusterNodeConfig,
  type LeaderQuery,
  type NatsCluster,
  type NatsClusterNode,
  type NatsClusterOptions,
  type StreamReplica,
  startNatsCluster,
} from "./nats-cluster.js";
export { NATS_INSTALL_HINT, type NatsServer, type NatsServerOptions, startNatsServer } from "./nats-server.js";
export { NGINX_INSTALL_HINT, type NginxDav, type NginxDavOptions, startNginxDav } from "./nginx.js";
export { PLIK_COMPATIBLE_KIND, PLIK_INSTALL_HINT, type PlikServer, type PlikServerOptions, startAnyPlik, startPlik } from "./plik.js";
export {
  type PlikCompatibleFile,
  type PlikCompatibleOptions,
  type PlikCompatibleServer,
  type PlikCompatibleUpload,
  type RecordedRequest,
  startPlikCompatible,
} from "./plik-compatible.js";
export { freePort, waitForPort } from "./ports.js";
export { type ManagedProcess, startProcess } from "./process.js";
export { findPython } from "./python.js";
export { BUN_INSTALL_HINT, DENO_INSTALL_HINT, findBun, findDeno } from "./runtimes.js";
export { startVersityGw, VERSITYGW_INSTALL_HINT, type VersityGw, type VersityGwOptions } from "./versitygw.js";
