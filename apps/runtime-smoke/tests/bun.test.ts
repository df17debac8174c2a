// The bun lane of scripts/test.sh: src/smoke.ts under the pinned Bun.
import { findBun, TOOL_VERSIONS } from "@natsbridge/test-harness";
import { describeRoundTrip } from "./round-trip.ts";

describeRoundTrip({ name: "bun", version: TOOL_VERSIONS.BUN_VERSION, find: findBun, args: ["run"] });
