// docs/deployment.md shows "the config the tests use": this keeps it so. The
// block after <!-- example-config:n1 --> must be what startNatsCluster writes
// (clusterNodeConfig), rendered for three machines.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { exampleConfig } from "../src/example-config.js";

const page = readFileSync(new URL("../../../docs/deployment.md", import.meta.url), "utf8");

it("docs/deployment.md shows the cluster config the harness writes", () => {
  const block = /<!-- example-config:n1 -->\n```conf\n([\s\S]*?)```/.exec(page);
  expect(block, "the example-config:n1 block").not.toBeNull();
  expect(block![1]).toBe(exampleConfig(1));
});

it("the other nodes' configs differ from n1's only in server_name", () => {
  for (const i of [2, 3]) expect(exampleConfig(i)).toBe(exampleConfig(1).replace("server_name: n1", `server_name: n${i}`));
});
