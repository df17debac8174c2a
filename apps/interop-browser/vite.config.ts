import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));

export default defineConfig({
  // The workspace packages from their TypeScript sources ("source" condition),
  // and @natsbridge/core's browser entry ("browser" condition).
  resolve: { conditions: ["source", ...defaultClientConditions] },
  build: {
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
    // The chat page, the conformance peer page (src/peer) and the lab page (src/lab).
    rolldownOptions: { input: { chat: page("index.html"), peer: page("peer.html"), lab: page("lab.html") } },
  },
  oxc: { target: "es2022" },
});
