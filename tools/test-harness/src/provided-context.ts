// The values the global setups hand to tests (vitest provide/inject). Test
// tsconfigs include this file so `inject("natsUrl")` is typed.
import type {} from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    natsUrl: string;
    natsWsUrl: string;
  }
}
