// consume() options checked before anything is asked of the server: a bad
// `expires` is INVALID_OPTION, not the plain Error nats.js would throw, and a
// bad `concurrency` too, as subscribe refuses it (NaN used to lift the limit).

import { createBridge } from "@natsbridge/core";
import { afterAll, expect, inject, it } from "vitest";

const bridge = createBridge({ brokerUrl: inject("natsUrl") });
afterAll(() => bridge.close());

it.each([500, 0, -1, Number.NaN, Number.POSITIVE_INFINITY])("expires %s is refused with INVALID_OPTION", async (expires) => {
  const error = await bridge.consume("NO_SUCH_STREAM", "app", () => {}, { expires }).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: "INVALID_OPTION", name: "InvalidOptionError" });
});

it.each([0, -1, 1.5, Number.NaN, "2" as unknown as number])("concurrency %s is refused with INVALID_OPTION", async (concurrency) => {
  const error = await bridge.consume("NO_SUCH_STREAM", "app", () => {}, { concurrency }).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: "INVALID_OPTION", name: "InvalidOptionError" });
});
