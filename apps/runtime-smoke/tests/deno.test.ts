// The deno lane of scripts/test.sh: src/smoke.ts under the pinned Deno.
// -A: the script reads the environment and opens loopback sockets.
import { findDeno, TOOL_VERSIONS } from "@natsbridge/test-harness";
import { describeRoundTrip } from "./round-trip.ts";

describeRoundTrip({ name: "deno", version: TOOL_VERSIONS.DENO_VERSION, find: findDeno, args: ["run", "-A"] });
