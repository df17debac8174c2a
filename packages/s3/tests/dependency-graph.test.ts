// The AWS SDK is @natsbridge/s3's alone: installing core, envelope, plik or any
// other natsbridge library must not pull in @aws-sdk/* or @smithy/*. The one
// exception is the CLI (@natsbridge/cli), an application that ships every store
// on purpose, including s3. This walks
// each package's production dependencies (dependencies, optionalDependencies,
// required peers) through node_modules, as an install would resolve them.
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packagesDir = fileURLToPath(new URL("../../", import.meta.url));

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;

/** Node's lookup: node_modules/<name> in `from` and each parent directory. */
function resolvePackageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name, "package.json");
    if (existsSync(candidate)) return realpathSync(dirname(candidate));
    if (dirname(dir) === dir) return undefined;
  }
}

/** Every package name reachable from `root` through production dependencies. */
function productionClosure(root: string): { names: Set<string>; unresolved: string[] } {
  const names = new Set<string>();
  const unresolved: string[] = [];
  const seen = new Set<string>();
  const queue = [realpathSync(root)];
  while (queue.length > 0) {
    const dir = queue.pop()!;
    if (seen.has(dir)) continue;
    seen.add(dir);
    const m = readManifest(dir);
    const requiredPeers = Object.keys(m.peerDependencies ?? {}).filter((p) => !m.peerDependenciesMeta?.[p]?.optional);
    for (const dep of new Set([...Object.keys(m.dependencies ?? {}), ...Object.keys(m.optionalDependencies ?? {}), ...requiredPeers])) {
      names.add(dep);
      const depDir = resolvePackageDir(dep, dir);
      if (depDir) queue.push(depDir);
      else if (!m.optionalDependencies?.[dep]) unresolved.push(`${m.name} → ${dep}`);
    }
  }
  return { names, unresolved };
}

const awsLike = (names: Set<string>) => [...names].filter((n) => n.startsWith("@aws-sdk/") || n.startsWith("@smithy/")).sort();

/** Packages that depend on @natsbridge/s3 by design: applications that bundle every store. */
const BUNDLES_EVERY_STORE = new Set(["s3", "cli"]);
const otherPackages = readdirSync(packagesDir).filter(
  (d) => !BUNDLES_EVERY_STORE.has(d) && existsSync(join(packagesDir, d, "package.json")),
);

describe("the AWS SDK stays in @natsbridge/s3", () => {
  it("the walk sees the SDK where it is (control)", () => {
    const { names, unresolved } = productionClosure(join(packagesDir, "s3"));
    expect(unresolved).toEqual([]);
    expect(names).toContain("@aws-sdk/client-s3");
    expect(names).toContain("@aws-sdk/lib-storage");
    expect(names).toContain("@aws-sdk/s3-request-presigner");
    expect(names).toContain("@natsbridge/core");
  });

  it("covers core, envelope, plik and arrow at least", () => {
    expect(otherPackages).toEqual(expect.arrayContaining(["core", "envelope", "plik", "arrow"]));
  });

  it.each(otherPackages)("packages/%s pulls in no @aws-sdk/* or @smithy/* package", (pkg) => {
    const { names, unresolved } = productionClosure(join(packagesDir, pkg));
    expect(unresolved).toEqual([]);
    expect(awsLike(names)).toEqual([]);
    expect(names).not.toContain("@natsbridge/s3");
  });
});

describe("plug-in packages share the application's core and envelope", () => {
  // As dependencies, an app could end up with a second copy of core or
  // envelope under a store (two error classes, two codec registries).
  it.each(["plik", "s3", "arrow"])(
    "packages/%s takes @natsbridge/core and @natsbridge/envelope as required peers, not dependencies",
    (pkg) => {
      const m = readManifest(join(packagesDir, pkg));
      expect(m.peerDependencies).toMatchObject({ "@natsbridge/core": "workspace:^", "@natsbridge/envelope": "workspace:^" });
      expect(m.peerDependenciesMeta).toBeUndefined();
      expect(Object.keys(m.dependencies ?? {}).filter((d) => d.startsWith("@natsbridge/"))).toEqual([]);
    },
  );
});
