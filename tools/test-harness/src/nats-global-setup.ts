// vitest globalSetup: one real nats-server for the whole test run of a package,
// its URL handed to tests with provide/inject (`inject("natsUrl")`).

import type { TestProject } from "vitest/node";
import { startNatsServer } from "./nats-server.js";

import "./provided-context.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startNatsServer({ websocket: true, jetstream: true });
  project.provide("natsUrl", server.url);
  project.provide("natsWsUrl", server.wsUrl ?? "");
  return () => server.dispose();
}
