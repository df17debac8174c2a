import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));

export default defineConfig({
  // The workspace packages resolve as in a user's app: their built dist/, and
  // @natsbridge/core's and @natsbridge/plik's browser entries (Vite's default
  // "browser" condition).
  build: {
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
    // The chat page, the conformance peer page (src/peer) and the lab page (src/lab).
    rolldownOptions: { input: { chat: page("index.html"), peer: page("peer.html"), lab: page("lab.html") } },
  },
  oxc: { target: "es2022" },
});
