import type { Platform } from "./types.js";

/**
 * The platform with each environment variable read once, at its first use:
 * process.env lookups cost about a microsecond each, several per message. A
 * bridge created after the environment changes sees the new values.
 */
export function withCachedEnv(platform: Platform): Platform {
  const env = new Map<string, string | undefined>();
  return {
    ...platform,
    env: (name) => {
      if (!env.has(name)) env.set(name, platform.env(name));
      return env.get(name);
    },
  };
}
