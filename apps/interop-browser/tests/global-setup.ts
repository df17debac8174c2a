// vitest globalSetup: builds the pages with Vite and serves them on a free
// loopback port; the chat page's URL goes to tests as inject("pageUrl").

import type { TestProject } from "vitest/node";
import { buildAndServePages } from "../src/node/page-server.js";
import "./provided.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pages = await buildAndServePages();
  project.provide("pageUrl", pages.url);
  return () => pages.close();
}
