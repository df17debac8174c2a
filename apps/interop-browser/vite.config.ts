import { defaultClientConditions, defineConfig } from "vite";

export default defineConfig({
  // The workspace packages from their TypeScript sources ("source" condition),
  // and @natsbridge/core's browser entry ("browser" condition).
  resolve: { conditions: ["source", ...defaultClientConditions] },
  build: { target: "es2022", sourcemap: true, chunkSizeWarningLimit: 1024 },
  // Top-level await in the page module.
  esbuild: { target: "es2022" },
});
