// apache-arrow (and the compression decoders) must stay out of the packages
// every user installs: @natsbridge/envelope, @natsbridge/core and the
// claim-check stores never pull them in, directly or through this package, so
// `jsontable` works without them. (Tools that send tables, like the CLI, may
// depend on @natsbridge/arrow.)

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_DIR } from "./helpers.js";

const packagesDir = join(PACKAGE_DIR, "..");
const ARROW_ONLY = ["apache-arrow", "fzstd", "lz4js"];

describe("apache-arrow stays in @natsbridge/arrow", () => {
  const base = ["envelope", "core", "plik", "s3"].filter((name) => existsSync(join(packagesDir, name, "package.json")));

  it.each(base)("packages/%s depends on none of apache-arrow, fzstd, lz4js", (name) => {
    const manifest = JSON.parse(readFileSync(join(packagesDir, name, "package.json"), "utf8")) as Record<string, Record<string, string>>;
    const deps = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
    expect(Object.keys(deps).filter((d) => ARROW_ONLY.includes(d) || d === "@natsbridge/arrow")).toEqual([]);
  });

  it("covers at least envelope and core", () => expect(base).toEqual(expect.arrayContaining(["envelope", "core"])));

  it("@natsbridge/arrow depends on the Arrow libraries only, and takes core and envelope as required peers (one copy of each in an app)", () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as Record<
      string,
      Record<string, unknown> | undefined
    >;
    expect(Object.keys(manifest.dependencies!).sort()).toEqual([...ARROW_ONLY].sort());
    expect(manifest.peerDependencies).toEqual({ "@natsbridge/core": "workspace:^", "@natsbridge/envelope": "workspace:^" });
    expect(manifest.peerDependenciesMeta).toBeUndefined();
  });
});
