// OpenTelemetry traces and metrics of smartsend and smartreceive, through
// `@opentelemetry/api` only (an optional peer dependency: no SDK here).
//
// This module is the small part every page and process loads: the loader
// (what the bridge calls, the observation interfaces, is in
// telemetry-types.ts). The OpenTelemetry code itself is in telemetry-otel.ts,
// imported with the API on the first message,
// so a browser bundle keeps both out of its initial load, and an application
// without `@opentelemetry/api` installed never loads either.
//
// Cost when nothing is collected: `startSend`/`startReceive` return undefined
// (a provider check, no allocation) and every hook the bridge calls is an
// optional call on that undefined.

import type { Telemetry } from "./telemetry-types.js";

export type { ReceiveObservation, SendObservation, Telemetry } from "./telemetry-types.js";

/**
 * The telemetry of this process, or undefined when `@opentelemetry/api` is not
 * installed (telemetry-otel.ts imports it).
 */
export function loadTelemetry(): Promise<Telemetry | undefined> {
  return import("./telemetry-otel.js").then((m) => m.otelTelemetry());
}
